"""The bulk of the fuzz campaign: a plain, coverage-free mutation loop.

Hypothesis drives the short pass in ``make test`` (structure, shrinking);
for the long campaign its per-example engine cost (~3x the front end's own
time on a seed function) is what limited the first campaign to ~34 inputs/s,
so the campaign draws the same mutations (:func:`harness.mutate`) from a
seeded :class:`random.Random` instead.  Each generator returns one input as
the reader consumes it; the worker counts every input it runs.

Deterministic: worker ``w`` of a campaign with seed ``s`` draws from
``Random(f"{s}:{w}")`` and visits the readers in a fixed order, so the
``n``-th input of a worker is the same on every run; a crash is saved to a
file anyway (with the reader, worker and index) for its regression test.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from . import harness
from .seeds import BASELINE_JSON, BASELINE_TOML, CONFIG, DIFF_SOUP, FUNCTIONS, MBOX, MODEL, PATCH, SOUP, TOML_SOUP

JSON_SOUP = TOML_SOUP + ["null", "{}", "[]", ":", "\"cycle\"", "\"locks\"", "1e999", "-0", "\"\\ud800\""]
PRINTABLE = [chr(c) for c in range(32, 127)] + ["\n", "\t", "\r", "\x0b", "\x0c"]

# a function definition at file scope, as the kernel writes them: the
# header at column 0, "{" alone on a line, "}" at column 0
_FUNCTION = re.compile(r"^[A-Za-z_][^\n;{}#]*\)\n\{\n.*?^\}\n", re.M | re.S)


def kernel_seeds(dirs, max_chars: int = 1500, max_files: int = 400) -> list[str]:
    """Function definitions (at most ``max_chars`` long) read at run time
    from the ``.c`` files under ``dirs`` (sorted, at most ``max_files``):
    real kernel functions to mutate, never stored in this repository."""
    out: list[str] = []
    files = sorted(p for d in dirs for p in Path(d).rglob("*.c") if p.is_file())[:max_files]
    for p in files:
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out += [m.group(0) for m in _FUNCTION.finditer(text) if len(m.group(0)) <= max_chars]
    return out


def _ops(rng: random.Random, soup, most: int = 8):
    return [(rng.choice(harness.OPS), rng.getrandbits(20), rng.choice(soup)) for _ in range(rng.randint(1, most))]


class Generators:
    """One input per call for each reader, from ``rng`` and the seed functions."""

    def __init__(self, rng: random.Random, functions: list[str]):
        self.rng = rng
        self.functions = functions

    def frontend(self) -> str:
        rng, fns = self.rng, self.functions
        r = rng.random()
        if r < 0.60:      # one function, mutated (truncated, windowed, tokens deleted/doubled/swapped, braces)
            return harness.mutate(rng.choice(fns), _ops(rng, SOUP))
        if r < 0.75:      # two functions in one file, mutated
            return harness.mutate(rng.choice(fns) + "\n" + rng.choice(fns), _ops(rng, SOUP))
        if r < 0.90:      # macro soup
            return "".join(rng.choice(SOUP) if rng.random() < 0.8 else rng.choice(fns)[:200]
                           for _ in range(rng.randint(1, 40)))
        # a seed with random printable characters spliced in
        text = rng.choice(fns)
        k = rng.randint(0, len(text))
        return text[:k] + "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(1, 32))) + text[k:]

    def source(self) -> bytes:
        rng = self.rng
        data = bytearray(rng.choice(self.functions).encode())
        if rng.random() < 0.5:    # bytes spliced in
            k = rng.randint(0, len(data))
            data[k:k] = rng.randbytes(rng.randint(1, 64))
        else:                     # bytes flipped
            for _ in range(rng.randint(1, 8)):
                if data:
                    data[rng.randrange(len(data))] = rng.getrandbits(8)
        return bytes(data)

    def patch(self) -> str:
        return harness.mutate(self.rng.choice((PATCH, MBOX)), _ops(self.rng, DIFF_SOUP))

    def _toml(self, seed: str, soup) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(0, 300)))
        return harness.mutate(seed, _ops(rng, soup, 10))

    def config(self) -> str:
        return self._toml(CONFIG, TOML_SOUP)

    def baseline(self) -> tuple[str, str]:
        text, suffix = self.rng.choice(((BASELINE_TOML, ".toml"), (BASELINE_JSON, ".json")))
        return self._toml(text, JSON_SOUP), suffix

    def model(self) -> str:
        return self._toml(MODEL, TOML_SOUP)


#: reader -> how to run one input and how to save it
READERS = {
    "frontend": (harness.run_frontend, ".c"),
    "source": (harness.run_source_bytes, ".c"),
    "patch": (harness.run_patch, ".patch"),
    "config": (harness.run_config, ".toml"),
    "baseline": (lambda x: harness.run_baseline(*x), None),
    "model": (harness.run_model, ".toml"),
}


def seed_functions(kernel_dirs=()) -> list[str]:
    return list(FUNCTIONS) + kernel_seeds(kernel_dirs)
