"""The compiled copies of the hot modules (lockcheck.compiled_modules): used
only while their source is unchanged, the same output as the source, and no
walk left behind in a reference cycle."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lockcheck import compiled_modules
from lockcheck.analysis import facts, ir, recursions
from lockcheck.api import check
from lockcheck.options import Options

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# fixtures that run the walk's every kind of closure: calls through pointers,
# switches on known values, a large recursion (with its bound lowered), irq
SCANNED = ("minikvm/before", "flow", "calls", "held", "irq", "large_recursion", "confidence")

def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (compiled_modules.PURE_ENV, compiled_modules.ROOT_ENV)}
    env.update(extra)
    return env


def _run(code: str, env: dict, cwd: Path | None = None) -> str:
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


_PROBE = """
import json, lockcheck, demo_pkg.mod as m
from lockcheck import compiled_modules as c
print(json.dumps([m.compiled(), c.loaded(), c.stale()]))
"""


def _demo(tmp_path: Path) -> tuple[Path, Path, dict, dict]:
    """A one-module package ``demo_pkg.mod`` built into a root of its own:
    (its source, the root, the manifest, the environment that uses both)."""
    pytest.importorskip("Cython", reason="building needs Cython (make setup installs it)")
    pkg = tmp_path / "src" / "demo_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    mod = pkg / "mod.py"
    mod.write_text("import cython\n\n\ndef compiled():\n    return cython.compiled\n")
    root = tmp_path / "compiled"
    manifest = compiled_modules.build(root, jobs=1, modules={"demo_pkg.mod": mod})
    env = _env(PYTHONPATH=str(tmp_path / "src"), **{compiled_modules.ROOT_ENV: str(root)})
    return mod, root, manifest, env


def test_a_compiled_module_is_used_only_while_its_source_is_unchanged(tmp_path):
    mod, root, manifest, env = _demo(tmp_path)
    assert list(manifest) == ["demo_pkg.mod"]
    assert not (root / "build" / "o").exists(), "the object files go once linked"
    assert json.loads(_run(_PROBE, env)) == [True, ["demo_pkg.mod"], []]
    # off by the environment
    assert json.loads(_run(_PROBE, {**env, compiled_modules.PURE_ENV: "1"}))[:2] == [False, []]
    # the source edited since the build: the source runs, and is named stale
    mod.write_text(mod.read_text() + "# edited\n")
    assert json.loads(_run(_PROBE, env)) == [False, [], ["demo_pkg.mod"]]
    # built again: compiled again
    compiled_modules.build(root, jobs=1, modules={"demo_pkg.mod": mod})
    assert json.loads(_run(_PROBE, env))[0] is True
    # a build that fails leaves no manifest: every module runs as source
    bad = mod.parent / "bad.py"
    bad.write_text("def f(:\n    pass\n")
    with pytest.raises(Exception):
        compiled_modules.build(root, jobs=1, modules={"demo_pkg.mod": mod, "demo_pkg.bad": bad})
    assert not (root / compiled_modules.MANIFEST).exists()
    assert json.loads(_run(_PROBE, env))[:2] == [False, []]


_PROBE_FAILED = """
import json, lockcheck, demo_pkg.mod as m
from lockcheck import compiled_modules as c
print(json.dumps([m.compiled(), m.__file__.endswith("mod.py"), c.loaded(), c.failed()]))
"""


def test_an_extension_that_will_not_load_leaves_its_module_to_the_source(tmp_path):
    """A current extension the system cannot load (here: cut short) is not an
    import error: the source runs, and ``failed()`` names the module."""
    _, root, manifest, env = _demo(tmp_path)
    assert json.loads(_run(_PROBE_FAILED, env)) == [True, False, ["demo_pkg.mod"], []]
    ext = root / manifest["demo_pkg.mod"][0]
    ext.write_bytes(ext.read_bytes()[:512])       # the digest of the source still matches
    assert json.loads(_run(_PROBE_FAILED, env)) == [False, True, [], ["demo_pkg.mod"]]


_SCAN = """
import sys
import lockcheck.analysis.recursions as r
r.LARGE_COMPONENT = 3
from lockcheck import compiled_modules as c
from lockcheck.api import check
from lockcheck.options import Options
from lockcheck.report import renderer
res = check(Options(paths=tuple(sys.argv[1:]), cache_dir=None, jobs=1))
renderer("json")(res, sys.stdout)
print()
print(len(c.loaded()), sorted(c.stale()))
"""


def test_the_compiled_modules_give_the_sources_output():
    """Skips unless ``make setup`` built the compiled modules for this
    interpreter; then a scan imports them and reports what the source does."""
    if not (compiled_modules.default_root() / compiled_modules.MANIFEST).exists():
        pytest.skip(f"no compiled modules in {compiled_modules.default_root()} (make setup builds them)")
    args = [str(FIXTURES / p) for p in SCANNED]
    code = _SCAN.replace("sys.argv[1:]", repr(tuple(args)))
    compiled = _run(code, _env()).rsplit("\n", 2)
    pure = _run(code, _env(**{compiled_modules.PURE_ENV: "1"})).rsplit("\n", 2)
    assert compiled[0] == pure[0]
    assert json.loads(compiled[0])["cycles"], "the fixtures make findings"
    loaded = compiled[1].split(" ", 1)[0]
    assert pure[1].split(" ", 1)[0] == "0"
    assert int(loaded) > 50, "the scan's own modules were imported compiled"


@pytest.mark.parametrize("fixture", SCANNED)
def test_a_scan_leaves_no_walk_in_a_reference_cycle(fixture, monkeypatch):
    """The cycle collector is paused for a scan (lockcheck.cyclic_gc), so a
    walk caught in a cycle (compiled, the closures of one call share a
    scope) keeps its IR and states until the scan ends: none may be,
    compiled or not.  (Once-per-scan closures that recurse, a cycle in
    Python too, hold no walk.)"""
    monkeypatch.setattr(recursions, "LARGE_COMPONENT", 3)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        res = check(Options(paths=(str(FIXTURES / fixture),), cache_dir=None, jobs=1))
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        garbage, gc.garbage[:] = list(gc.garbage), []
    finally:
        gc.set_debug(0)
        if was:
            gc.enable()
    if compiled_modules.loaded():   # compiled in this process: the walk's modules are
        assert {"lockcheck.analysis.summaries", "lockcheck.analysis.flow",
                "lockcheck.analysis.lastwalk"} <= set(compiled_modules.loaded())
    # what a walk reads and makes: its function's IR, its states, summaries
    caught = sorted({type(o).__name__ for o in garbage
                     if isinstance(o, (ir.FunctionIR, ir.Call, ir.Block, facts.State, facts.Summary))})
    assert caught == []
