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
