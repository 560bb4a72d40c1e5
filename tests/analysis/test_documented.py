"""scan --docs: documented orders join the graph as marked edges, so code
that contradicts the document closes a cycle whose witness names the line."""

import shutil

from conftest import REPO


def _scan(tmp_path, variant):
    from lockcheck.api import check
    from lockcheck.options import Options
    d = tmp_path / variant
    d.mkdir()
    shutil.copy(REPO / "fixtures" / "docs" / "kvm.h", d)
    shutil.copy(REPO / "fixtures" / "docs" / f"inside_{variant}.c", d)
    rst = str(REPO / "fixtures" / "docs" / "inside.rst")
    return check(Options(paths=(str(d),), cache_dir=None, docs=(rst,)))


def test_code_against_the_document_closes_a_cycle(tmp_path):
    r = _scan(tmp_path, "bad")
    (cyc,) = [f for f in r.findings if f.kind == "circular"]
    assert set(cyc.locks) == {"&kvm->irq_lock", "&kvm->slots_lock"}
    documented = [e for e in cyc.edges if e.models]
    assert len(documented) == 1 and documented[0].witness[0].file.endswith("inside.rst")
    assert documented[0].src == "&kvm->slots_lock"


def test_code_following_the_document_is_clean(tmp_path):
    r = _scan(tmp_path, "good")
    assert not r.findings
    assert all(not e.models for e in r.edges)  # the code shows the order: no documented edge added


def test_unparsable_function_is_reported_and_the_rest_still_counts(tmp_path):
    import subprocess
    import sys
    src = tmp_path / "x.c"
    src.write_text("static DEFINE_MUTEX(a);\nstatic DEFINE_MUTEX(b);\n"
                   "void ok(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }\n"
                   "void ok2(void) { mutex_lock(&b); mutex_lock(&a); mutex_unlock(&a); mutex_unlock(&b); }\n"
                   "void bad(void) { mutex_lock(&a);\n")
    r = subprocess.run([sys.executable, "-m", "lockcheck", "scan", "--no-cache", str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stderr          # the a/b cycle is still found
    assert "Traceback" not in r.stderr
    assert "x.c:5: bad() not parsed, skipped" in r.stderr


def test_whole_scan_cache_keeps_the_documents_path(tmp_path):
    """The documented edge's witness names the document as given: the same
    text at another path is another report, not the cached one."""
    from lockcheck.api import check
    from lockcheck.options import Options
    d = tmp_path / "src"
    d.mkdir()
    shutil.copy(REPO / "fixtures" / "docs" / "kvm.h", d)
    shutil.copy(REPO / "fixtures" / "docs" / "inside_bad.c", d)
    one, two = tmp_path / "one.rst", tmp_path / "two.rst"
    for p in (one, two):
        shutil.copy(REPO / "fixtures" / "docs" / "inside.rst", p)

    def doc_of(rst):
        r = check(Options(paths=(str(d),), cache_dir=tmp_path / "cache", docs=(str(rst),)))
        return {s.file.rsplit("/", 1)[-1] for f in r.findings for e in f.edges if e.models for s in e.witness}
    assert doc_of(one) == {"one.rst"}
    assert doc_of(two) == {"two.rst"}
    assert doc_of(one) == {"one.rst"}
