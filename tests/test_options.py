"""The analysis options, each on a small tree where it changes the findings:
``-D``, ``-U``, ``-I``, ``--model``, ``--arch``, ``--max-cycle-length``.

Every case runs its variants one after the other on one cache directory,
then again without a cache: an option missing from a cache key would make a
variant reuse another's result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lockcheck.cli.main import main

REPO = Path(__file__).resolve().parent.parent

AB = ("a_lock", "b_lock")
AC = ("a_lock", "c_lock")


@pytest.fixture
def scan(capsys, tmp_path):
    """``scan(*args)`` → (exit code, set of cycles as lock tuples rotated to
    start at the smallest), with the test's cache, then checked without."""
    def run(*args, cache=True):
        argv = ["scan", "-q", "-j", "1", "--format", "json", *map(str, args)]
        argv += ["--cache-dir", str(tmp_path / "cache")] if cache else ["--no-cache"]
        with pytest.raises(SystemExit) as exc:
            main(argv)
        out, err = capsys.readouterr()
        assert exc.value.code in (0, 1), err
        found = set()
        for c in json.loads(out)["cycles"]:
            locks = tuple(c["locks"])
            k = locks.index(min(locks))
            found.add(locks[k:] + locks[:k])
        assert exc.value.code == (1 if found else 0)
        if cache:
            assert (exc.value.code, found) == run(*args, cache=False), "the cache gave another result"
        return exc.value.code, found
    return run


def write(d: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    return d


def nested(outer: str, inner: str, fn: str) -> str:
    return (f"void {fn}(void)\n{{\n\tmutex_lock(&{outer});\n\tmutex_lock(&{inner});\n"
            f"\tmutex_unlock(&{inner});\n\tmutex_unlock(&{outer});\n}}\n")


LOCKS = "DEFINE_MUTEX(a_lock);\nDEFINE_MUTEX(b_lock);\nDEFINE_MUTEX(c_lock);\n"

CONFIG_C = LOCKS + """void take_a_then(void)
{
\tmutex_lock(&a_lock);
#ifdef CONFIG_FAST_PATH
\tmutex_lock(&b_lock);
\tmutex_unlock(&b_lock);
#else
\tmutex_lock(&c_lock);
\tmutex_unlock(&c_lock);
#endif
\tmutex_unlock(&a_lock);
}
""" + nested("b_lock", "a_lock", "b_then_a") + nested("c_lock", "a_lock", "c_then_a")


def test_define_and_undef_decide_conditionals(scan, tmp_path):
    """Undecided ``#ifdef`` chains keep every branch; ``-D`` keeps the
    ``#ifdef`` branch, ``-U`` the ``#else``."""
    src = write(tmp_path / "src", {"cfg.c": CONFIG_C})
    assert scan(src) == (1, {AB, AC})
    assert scan(src, "-D", "CONFIG_FAST_PATH") == (1, {AB})
    assert scan(src, "-U", "CONFIG_FAST_PATH") == (1, {AC})
    assert scan(src, "--define", "CONFIG_OTHER") == (1, {AB, AC})


INLINE_H = """extern struct mutex b_lock;
static inline void take_b(void)
{
\tmutex_lock(&b_lock);
\tmutex_unlock(&b_lock);
}
"""

USES_HEADER_C = """#include <locks.h>
DEFINE_MUTEX(a_lock);
DEFINE_MUTEX(b_lock);
void a_then_b(void)
{
\tmutex_lock(&a_lock);
\ttake_b();
\tmutex_unlock(&a_lock);
}
""" + nested("b_lock", "a_lock", "b_then_a")


def test_include_dir_finds_a_header(scan, tmp_path):
    """The inline function that closes the cycle is in a header only ``-I``
    finds; without it the call is external (no edge)."""
    src = write(tmp_path / "src", {"a.c": USES_HEADER_C})
    inc = write(tmp_path / "inc", {"locks.h": INLINE_H})
    empty = write(tmp_path / "other", {"locks.h": "void take_b(void);\n"})
    assert scan(src) == (0, set())
    assert scan(src, "-I", inc) == (1, {AB})
    assert scan(src, "-I", empty) == (0, set())
    assert scan(src, "-I", empty, "-I", inc) == (0, set())       # the first directory wins
    assert scan(src, "-I", inc, "-I", empty) == (1, {AB})


MODEL_C = """struct mutex;
void cfg_lock(struct mutex *m);
void cfg_unlock(struct mutex *m);
DEFINE_MUTEX(a_lock);
DEFINE_MUTEX(b_lock);
void a_then_b(void)
{
\tmutex_lock(&a_lock);
\tcfg_lock(&b_lock);
\tcfg_unlock(&b_lock);
\tmutex_unlock(&a_lock);
}
""" + nested("b_lock", "a_lock", "b_then_a")

MODEL_TOML = """[primitives]
[[primitives.primitive]]
names = ["cfg_lock"]
action = "acquire"
kind = "mutex"
[[primitives.primitive]]
names = ["cfg_unlock"]
action = "release"
kind = "mutex"
"""


def test_model_adds_a_lock_primitive(scan, tmp_path):
    src = write(tmp_path / "src", {"m.c": MODEL_C})
    model = tmp_path / "extra.toml"
    model.write_text(MODEL_TOML)
    assert scan(src) == (0, set())
    assert scan(src, "--model", model) == (1, {AB})
    model.write_text(MODEL_TOML.replace('"acquire"', '"sync"'))     # same path, new content
    assert scan(src, "--model", model) == (1, {AB})
    model.write_text(MODEL_TOML.replace('"cfg_lock"', '"cfg_lock_other"'))
    assert scan(src, "--model", model) == (0, set())


ARCH_H = """extern struct mutex b_lock;
static inline void arch_sync(void)
{
%s}
"""


def test_arch_chooses_the_architecture_headers(scan, tmp_path):
    """In a kernel tree ``<asm/...>`` is found under arch/ARCH/include."""
    tree = tmp_path / "linux"
    write(tree, {
        "Kconfig": "\n",
        "include/linux/types.h": "typedef unsigned int u32;\n",
        "arch/x86/include/asm/sync.h": ARCH_H % "\tmutex_lock(&b_lock);\n\tmutex_unlock(&b_lock);\n",
        "arch/arm64/include/asm/sync.h": ARCH_H % "",
        "drivers/d.c": USES_HEADER_C.replace("<locks.h>", "<asm/sync.h>").replace("take_b", "arch_sync"),
    })
    d = tree / "drivers"
    assert scan(d) == (1, {AB})                     # x86 by default
    assert scan(d, "--arch", "arm64") == (0, set())
    assert scan(d, "--arch", "x86") == (1, {AB})
    assert scan(d, "--arch", "riscv") == (0, set())  # no such headers: the call is external


def test_max_cycle_length(scan, tmp_path):
    src = tmp_path / "cycle4"
    shutil.copytree(REPO / "fixtures" / "cycle4_four_files", src)
    four = ("ingest_lock", "parse_lock", "store_lock", "notify_lock")
    assert scan(src) == (1, {four})
    assert scan(src, "--max-cycle-length", "3") == (0, set())
    assert scan(src, "--max-cycle-length", "4") == (1, {four})
    assert scan(src, "--max-cycle-length", "2") == (0, set())
