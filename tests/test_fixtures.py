"""End-to-end checks of ``lockcheck scan`` against the fixtures in fixtures/.

A fixture is either a single file ``fixtures/<name>.c`` or a directory under
fixtures/ that directly contains ``.c`` files (scanned as a whole; nested
directories such as ``fixtures/minikvm/before`` are fixtures of their own).
A directory holding a ``.fixtures-per-file`` marker (fixtures/models/) is
not one fixture: each ``.c`` file directly in it is a single-file fixture
(``models/static_call``), and its sub-directories are fixtures as usual.
Each fixture states its expected result in C comment lines of exactly these
forms (for a directory: the union over all its files)::

     * lockcheck-expect: cycle A -> B -> C
     * lockcheck-expect: recursive A
     * lockcheck-expect: assert-not-held A
     * lockcheck-expect: irq-inconsistent A
     * lockcheck-expect: irq-unsafe-order A -> B
     * lockcheck-expect: no-cycles

``recursive A`` is lockdep's "possible recursive locking" on class A and
``assert-not-held A`` is A held where ``lockdep_assert_not_held(A)`` is
reached (LC103); both are one-lock entries of the JSON ``cycles`` list,
told apart by their ``kind``.  ``irq-inconsistent A`` is lockdep's
"inconsistent lock state" on class A (LC301: used in an interrupt, taken
elsewhere with it enabled) and ``irq-unsafe-order A -> B`` is an irq-safe
A held while the irq-unsafe B is taken (LC302); its two locks keep their
order (never rotated).  ``no-cycles`` means no kind is reported, the
interrupt findings included.

A cycle lists its locks in acquisition order; any rotation is the same cycle.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
STUBS = REPO / "tests" / "fixture_stubs.h"
SCAN_TIMEOUT = 300

# Fixtures the project relies on (the demo uses the minikvm pair).
REQUIRED = {
    "abba_simple", "abba_helper", "abba_two_files", "trylock", "ifelse_goto",
    "guard_scoped", "rwsem_read_write", "rwlock_recursive_read", "srcu_sync",
    "mutex_nested", "lock_helper_returns_held", "static_same_name", "recursion",
    "cycle4_four_files", "minikvm/before", "minikvm/after",
}

_EXPECT_MARK = "lockcheck-expect:"
_EXPECT_LINE = re.compile(r"^\s*\*\s*lockcheck-expect:\s*(?P<body>.*?)\s*(?:\*/\s*)?$")
_CYCLE_BODY = re.compile(r"^cycle\s+(?P<locks>\S.*)$")
_ONE_LOCK_BODY = re.compile(r"^(?P<kind>recursive|assert-not-held|irq-inconsistent)\s+(?P<lock>\S+)$")
_IRQ_ORDER_BODY = re.compile(r"^irq-unsafe-order\s+(?P<safe>\S+)\s+->\s+(?P<unsafe>\S+)$")


# ---------------------------------------------------------------- helpers

def normalise(locks) -> tuple[str, ...]:
    """A cycle as a tuple rotated so that its smallest lock name comes first.

    With a repeated name (not an elementary cycle) the smallest rotation as a
    whole is chosen, so the result is still unique for every rotation.
    """
    locks = tuple(locks)
    if not locks:
        raise ValueError("empty cycle")
    return min(locks[i:] + locks[:i] for i in range(len(locks)))


class Expectations:
    def __init__(self) -> None:
        # (kind, locks): kind as in the JSON report, locks rotation-normalised
        self.cycles: set[tuple[str, tuple[str, ...]]] = set()
        self.no_cycles = False
        self.lines = 0

    def check_consistent(self, where: str) -> None:
        if self.lines == 0:
            raise ValueError(f"{where}: no '{_EXPECT_MARK}' line")
        if self.no_cycles and self.cycles:
            raise ValueError(f"{where}: both 'no-cycles' and 'cycle' expectations")


def parse_expectations(text: str, where: str = "<text>", into: Expectations | None = None) -> Expectations:
    """Collect the expectation lines of one file's text.

    Any line mentioning ``lockcheck-expect:`` must have one of the two exact
    forms; anything else is an error rather than a silently lost expectation.
    """
    exp = into if into is not None else Expectations()
    for lineno, line in enumerate(text.splitlines(), 1):
        if _EXPECT_MARK not in line:
            continue
        m = _EXPECT_LINE.match(line)
        if not m:
            raise ValueError(f"{where}:{lineno}: malformed expectation line: {line!r}")
        body = m.group("body")
        if body == "no-cycles":
            exp.no_cycles = True
        elif (r := _ONE_LOCK_BODY.match(body)):
            exp.cycles.add((r.group("kind"), (r.group("lock"),)))
        elif (r := _IRQ_ORDER_BODY.match(body)):
            exp.cycles.add(("irq-unsafe-order", (r.group("safe"), r.group("unsafe"))))
        elif body.startswith("irq-unsafe-order"):
            raise ValueError(f"{where}:{lineno}: bad irq-unsafe-order {body!r}")
        else:
            c = _CYCLE_BODY.match(body)
            if not c:
                raise ValueError(f"{where}:{lineno}: unknown expectation {body!r}")
            # separators are " -> " with spaces; names contain "->" themselves
            locks = re.split(r"\s+->\s+", c.group("locks"))
            if len(locks) < 2 or any(not lk or re.search(r"\s", lk) or lk.startswith("->")
                                     or lk.endswith("->") for lk in locks):
                raise ValueError(f"{where}:{lineno}: bad cycle {body!r}")
            exp.cycles.add(("circular", normalise(locks)))
        exp.lines += 1
    return exp


# A directory holding this file is a folder of single-file fixtures
# (fixtures/models/static_call.c is the fixture "models/static_call"), not
# one fixture scanned as a whole; its sub-directories are discovered as usual.
PER_FILE_MARKER = ".fixtures-per-file"


def discover() -> dict[str, Path]:
    """Fixture name -> path: every fixtures/*.c, every .c file directly in a
    directory marked with PER_FILE_MARKER (named by its path without ".c"),
    and every other directory under fixtures/ (at any depth) that directly
    contains .c files."""
    found: dict[str, Path] = {}
    if not FIXTURES.is_dir():
        return found
    for f in sorted(FIXTURES.glob("*.c")):
        found[f.stem] = f
    for d in sorted(p for p in FIXTURES.rglob("*") if p.is_dir()):
        cfiles = sorted(c for c in d.glob("*.c") if c.is_file())
        if not cfiles:
            continue
        if (d / PER_FILE_MARKER).is_file():
            for f in cfiles:
                found[f.relative_to(FIXTURES).with_suffix("").as_posix()] = f
        else:
            found[d.relative_to(FIXTURES).as_posix()] = d
    return found


def fixture_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".c", ".h"))


def expectations_of(path: Path) -> Expectations:
    exp = Expectations()
    for f in fixture_files(path):
        parse_expectations(f.read_text(), str(f.relative_to(REPO)), into=exp)
    exp.check_consistent(str(path.relative_to(REPO)))
    return exp


def run_scan(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lockcheck", "scan", "--no-cache", "--all", "--format", "json",
         str(path.relative_to(REPO))],
        cwd=REPO, capture_output=True, text=True, timeout=SCAN_TIMEOUT,
    )


def fmt(cycles) -> str:
    return "\n".join(f"    {kind} " + " -> ".join(c) for kind, c in sorted(cycles)) or "    (none)"


FIXTURE_MAP = discover()
FIXTURE_IDS = sorted(FIXTURE_MAP)
C_FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.c"))


# ------------------------------------------------------- harness self-tests

def test_normalise_rotations_are_one_cycle():
    assert normalise(["b", "c", "a"]) == ("a", "b", "c")
    assert normalise(["a", "b", "c"]) == normalise(["c", "a", "b"])
    # the opposite direction is a different cycle
    assert normalise(["a", "c", "b"]) != normalise(["a", "b", "c"])
    # lockdep-style names sort as plain strings
    assert normalise(["kvm_lock", "&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock"]) == (
        "&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock", "kvm_lock")
    assert normalise(["b", "a", "b", "a"]) == ("a", "b", "a", "b")
    with pytest.raises(ValueError):
        normalise([])


def test_parse_expectations_inline():
    text = """/*
 * Example.
 * lockcheck-expect: cycle kvm_lock -> &kvm->slots_lock -> &kvm->srcu -> cpu_hotplug_lock
 * lockcheck-expect: cycle b_lock -> a_lock
 */
int x; /* mentions lockcheck-expect without the colon: not an expectation */
"""
    exp = parse_expectations(text)
    assert exp.lines == 2 and not exp.no_cycles
    assert exp.cycles == {
        ("circular", ("&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock", "kvm_lock")),
        ("circular", ("a_lock", "b_lock")),
    }
    exp = parse_expectations(" * lockcheck-expect: no-cycles\n")
    assert exp.no_cycles and not exp.cycles and exp.lines == 1
    # closing the comment on the same line is tolerated
    exp = parse_expectations(" * lockcheck-expect: cycle &foo->lock/1 -> x */\n")
    assert exp.cycles == {("circular", ("&foo->lock/1", "x"))}


@pytest.mark.parametrize("bad", [
    " * lockcheck-expect: cycle a_lock\n",            # one lock is not a cycle
    " * lockcheck-expect: cycles a -> b\n",           # typo
    " * lockcheck-expect: no-cycle\n",                # typo
    " * lockcheck-expect: cycle a -> -> b\n",         # empty name
    " * lockcheck-expect: cycle a->b\n",              # one name, not two
    " * lockcheck-expect: cycle a -> b c\n",          # stray word
    "// lockcheck-expect: no-cycles\n",               # not the agreed form
])
def test_parse_expectations_rejects_malformed(bad):
    with pytest.raises(ValueError):
        parse_expectations(bad)


def test_parse_expectations_recursive():
    exp = parse_expectations(" * lockcheck-expect: recursive &serio->lock\n")
    assert exp.cycles == {("recursive", ("&serio->lock",))}
    with pytest.raises(ValueError):
        parse_expectations(" * lockcheck-expect: recursive a b\n")


def test_parse_expectations_assert_not_held():
    exp = parse_expectations(" * lockcheck-expect: assert-not-held dev_lock\n"
                             " * lockcheck-expect: recursive dev_lock\n")
    assert exp.cycles == {("assert-not-held", ("dev_lock",)), ("recursive", ("dev_lock",))}
    for bad in ("assert-not-held", "assert-not-held a b", "assert_not_held a"):
        with pytest.raises(ValueError):
            parse_expectations(f" * lockcheck-expect: {bad}\n")


def test_parse_expectations_irq():
    exp = parse_expectations(" * lockcheck-expect: irq-inconsistent &d->lock\n"
                             " * lockcheck-expect: irq-unsafe-order &d->irq_lock -> cfg_lock\n")
    assert exp.cycles == {("irq-inconsistent", ("&d->lock",)),
                          ("irq-unsafe-order", ("&d->irq_lock", "cfg_lock"))}
    # the order of an irq-unsafe-order pair is kept: the other way is another finding
    assert ("irq-unsafe-order", ("cfg_lock", "&d->irq_lock")) not in exp.cycles
    for bad in ("irq-inconsistent", "irq-inconsistent a b", "irq-unsafe-order a", "irq-unsafe-order a -> b -> c"):
        with pytest.raises(ValueError):
            parse_expectations(f" * lockcheck-expect: {bad}\n")


def test_expectations_must_be_consistent():
    exp = parse_expectations(" * lockcheck-expect: no-cycles\n * lockcheck-expect: cycle a -> b\n")
    with pytest.raises(ValueError):
        exp.check_consistent("x")
    with pytest.raises(ValueError):
        parse_expectations("int x;\n").check_consistent("x")


def test_discovery_finds_required_fixtures():
    missing = REQUIRED - set(FIXTURE_MAP)
    assert not missing, f"required fixtures missing: {sorted(missing)}"
    # a directory with only sub-directories is not itself a fixture
    assert "minikvm" not in FIXTURE_MAP
    assert FIXTURE_MAP["minikvm/before"].is_dir()
    assert FIXTURE_MAP["abba_simple"].is_file()


# ----------------------------------------------------------- the fixtures

@pytest.mark.parametrize("name", FIXTURE_IDS)
def test_fixture_has_expectations(name):
    """Every fixture states at least one expectation, and not both kinds."""
    expectations_of(FIXTURE_MAP[name])


@pytest.mark.parametrize("name", FIXTURE_IDS)
def test_fixture_scan(name):
    """`lockcheck scan` finds exactly the expected cycles.

    The comparison is set equality of rotation-normalised cycles, so it checks
    both directions at once: every expected cycle must be reported (no false
    negative) and nothing else may be reported (no false positive; a
    `no-cycles` fixture must produce an empty list).  Every entry of the
    JSON "cycles" list counts, with its "kind" (a one-lock "recursive"
    finding in a no-cycles fixture fails it too, and so does an
    "assert-not-held" one where "recursive" is expected).  The exit code must be 1
    when cycles are reported and 0 when none are.  The scan runs with
    ``--all``: a fixture states what is found, whatever its confidence
    (tests/analysis/test_confidence.py checks the levels).
    """
    path = FIXTURE_MAP[name]
    exp = expectations_of(path)
    proc = run_scan(path)
    try:
        out = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"scan did not print JSON (exit {proc.returncode})\n"
                    f"stdout:\n{proc.stdout[-2000:]}\nstderr:\n{proc.stderr[-4000:]}")
    assert out.get("version") == 1, out
    reported = [(c["kind"], normalise(c["locks"]) if c["kind"] == "circular" else tuple(c["locks"]))
                for c in out["cycles"]]
    found = set(reported)
    missing, unexpected = exp.cycles - found, found - exp.cycles
    assert found == exp.cycles, (
        f"{name}: cycles differ\nexpected:\n{fmt(exp.cycles)}\nfound:\n{fmt(found)}\n"
        f"missing (false negatives):\n{fmt(missing)}\n"
        f"unexpected (false positives):\n{fmt(unexpected)}\nstderr:\n{proc.stderr[-2000:]}")
    assert len(reported) == len(found), f"{name}: a cycle was reported more than once: {reported}"
    assert proc.returncode == (1 if found else 0), (
        f"{name}: exit code {proc.returncode}\nstderr:\n{proc.stderr[-2000:]}")


# ------------------------------------------------- fixtures are valid C

@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
@pytest.mark.parametrize("cfile", C_FILES)
def test_fixture_syntax(cfile):
    """Each fixture .c file compiles with gcc against tests/fixture_stubs.h."""
    src = FIXTURES / cfile
    proc = subprocess.run(
        ["gcc", "-fsyntax-only", "-std=gnu11", "-include", str(STUBS), "-I", str(src.parent),
         "-Werror=implicit-function-declaration", "-Werror=implicit-int",
         "-Werror=incompatible-pointer-types", "-Werror=int-conversion",
         "-Werror=return-type", str(src)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


def test_fixtures_include_no_kernel_headers():
    """Fixtures are parsed without a preprocessor: only local "..." includes."""
    bad = []
    for f in FIXTURES.rglob("*"):
        if f.suffix in (".c", ".h"):
            for lineno, line in enumerate(f.read_text().splitlines(), 1):
                if re.match(r"\s*#\s*include\s*<", line):
                    bad.append(f"{f.relative_to(REPO)}:{lineno}: {line.strip()}")
    assert not bad, "\n".join(bad)
