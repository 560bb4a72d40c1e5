"""Commands end-to-end, in process: exit codes, one-line errors, colour,
``--max-cycles``, ``why`` and ``rules``."""

from __future__ import annotations

import io
import json

import pytest

import report_cases as cases
from lockcheck.cli.main import main


@pytest.fixture
def run(capsys, monkeypatch):
    monkeypatch.chdir(cases.REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def go(*argv):
        with pytest.raises(SystemExit) as exc:
            main(list(argv))
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err
    return go


BAD = [
    ("scan", "no/such/path"),
    ("scan", "docs-that-do-not-exist", "--format", "sarif"),
    ("scan", "fixtures/abba_simple.c", "--format", "yaml"),
    ("scan", "fixtures/abba_simple.c", "--max-cycles", "0"),
    ("scan",),
    ("why", "kvm_lock", "fixtures/minikvm/before"),
    ("why", "kvm_lok", "kvm_lock", "fixtures/minikvm/before"),
    ("why", "kvm_lock", "kvm_lock", "no/such/path"),
    ("graph", "fixtures/abba_simple.c", "-o", "out.pdf"),
    ("graph", "fixtures/abba_simple.c", "-o", "/no/such/dir/g.dot"),
    ("graph", "fixtures/minikvm/before", "--around", "nope"),
    ("rules", "LC999"),
    ("frobnicate",),
]


@pytest.mark.parametrize("argv", BAD, ids=[" ".join(a) for a in BAD])
def test_bad_input_is_one_line_and_exit_2(run, argv):
    code, out, err = run(*argv, *(["-q"] if argv[0] in ("scan", "why", "graph") and len(argv) > 1 else []))
    assert code == 2
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith(("Usage:", "Try "))]
    assert len(lines) == 1, err


def test_max_cycles_keeps_exit_code_and_ranks(run):
    code, out, _ = run("scan", "-q", "--no-cache", "--format", "json", "--max-cycles", "2", "fixtures")
    doc = json.loads(out)
    assert code == 1
    assert len(doc["cycles"]) == 2 and doc["stats"]["cycles"] > 2
    assert doc["cycles"][0]["score"] >= doc["cycles"][1]["score"]


def test_text_plain_when_piped_and_no_color(run, monkeypatch):
    _, out, _ = run("scan", "-q", "--no-cache", "fixtures/abba_simple.c")
    assert "\x1b[" not in out
    assert "WARNING: possible circular locking dependency detected" in out


def test_color_on_terminal_unless_no_color(monkeypatch):
    from lockcheck.report.text import render

    class Tty(io.StringIO):
        def isatty(self):
            return True
    result = cases.scan("abba_simple.c")
    buf = Tty()
    with cases.in_repo():
        render(result, buf)
    assert "\x1b[" in buf.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    buf = Tty()
    with cases.in_repo():
        render(result, buf)
    assert "\x1b[" not in buf.getvalue()


def test_why_path_and_no_path(run):
    code, out, _ = run("why", "-q", "--no-cache", "kvm_lock", "&kvm->srcu", "fixtures/minikvm/before")
    assert code == 1
    assert out.splitlines()[0].startswith("kvm_lock --> &kvm->slots_lock --> &kvm->srcu")
    assert "synchronize_srcu_expedited(&kvm->srcu);" in out
    code, out, _ = run("why", "-q", "--no-cache", "jump_label_mutex", "kvm_lock", "fixtures/minikvm/before")
    assert code == 0 and out.startswith("no path")
    code, out, _ = run("why", "-q", "--no-cache", "--format", "json", "kvm_lock", "kvm_lock",
                       "fixtures/minikvm/before")
    doc = json.loads(out)
    assert code == 1 and len(doc["path"]) == 4
    assert doc["path"][0]["from"] == doc["path"][-1]["to"] == "kvm_lock"


def test_rules(run):
    code, out, _ = run("rules")
    assert code == 0 and "LC101" in out and "LC102" in out
    code, out, _ = run("rules", "lc101")
    assert code == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert heading in out


def test_progress_silent_when_not_a_terminal(run):
    _, _, err = run("scan", "--no-cache", "--format", "json", "fixtures")
    assert err == ""


def test_default_cache_is_the_tests_own(run, isolated_home):
    """Without --cache-dir a scan uses ~/.cache/lockcheck; under the tests
    that is a directory of the test's own, never the user's."""
    from lockcheck.options import default_cache_dir
    assert default_cache_dir() == isolated_home / ".cache" / "lockcheck"
    code, _, _ = run("scan", "-q", "-j", "1", "fixtures/abba_simple.c")
    assert code == 1
    assert list((isolated_home / ".cache" / "lockcheck" / "run").rglob("*.pickle"))


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_counts_the_files_check_found(monkeypatch, tmp_path):
    """The bar is told the number of files by ``check`` (one file walk per
    scan: a report never discovers files), advances once per file, and is
    not started for a scan reused whole from the cache or one too small."""
    import lockcheck.api as api
    import lockcheck.driver as driver
    from lockcheck.options import Options
    from lockcheck.report import progress as pr
    walks = []
    real = driver.discover

    def counting(*a, **kw):
        walks.append(a)
        return real(*a, **kw)
    monkeypatch.setattr(driver, "discover", counting)
    monkeypatch.setattr(api, "discover", counting)
    monkeypatch.setattr(pr, "MIN_FILES", 2)
    options = Options(paths=(str(cases.REPO / "fixtures" / "minikvm" / "before"),), cache_dir=tmp_path, jobs=1)
    stream = _Tty()
    with pr.scan_progress(False, stream) as bar:
        api.check(options, progress=bar)
    assert len(walks) == 1
    assert bar.total == bar.done == 7 and bar.progress is not None
    with pr.scan_progress(False, _Tty()) as warm:
        assert api.check(options, progress=warm).run_info["whole_scan_cached"]
    assert warm.progress is None and warm.done == 0
    with pr.scan_progress(False, _Tty()) as small:
        api.check(Options(paths=(str(cases.REPO / "fixtures" / "abba_simple.c"),), cache_dir=None), progress=small)
    assert small.progress is None
    assert pr.scan_progress(True, _Tty()).__enter__() is None        # --quiet
    assert pr.scan_progress(False, io.StringIO()).__enter__() is None  # not a terminal
