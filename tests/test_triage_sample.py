"""benchmarks/triage_sample.py draws the same sample from the same report,
one finding per group, and only what the default report shows."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "triage_sample", Path(__file__).resolve().parent.parent / "benchmarks" / "triage_sample.py")
ts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ts)


def _doc(n, extra):
    return {"cycles": [dict({"id": f"LC101-{i:04d}", "locks": ["a", "b"], "edges": []}, **extra(i))
                       for i in range(n)]}


def test_draw_is_deterministic_and_disjoint():
    found = ts.reported(_doc(100, lambda i: {}), include_all=False)
    head1, rand1 = ts.draw(found, 20, 20)
    head2, rand2 = ts.draw(found, 20, 20)
    assert [c["id"] for c in head1] == [f"LC101-{i:04d}" for i in range(20)]
    assert rand1 == rand2 and len(rand1) == 20
    assert not {c["id"] for c in head1} & {c["id"] for c in rand1}
    assert ts.draw(found, 20, 20, seed=1)[1] != rand1


def test_groups_once_and_hidden_left_out():
    # groups of two led by their second member; the last two groups held back
    doc = _doc(10, lambda i: {"group": f"LC101-{i // 2 * 2 + 1:04d}", "shown": i < 6})
    assert [c["id"] for c in ts.reported(doc, include_all=False)] == ["LC101-0001", "LC101-0003", "LC101-0005"]
    assert len(ts.reported(doc, include_all=True)) == 5


def test_small_report_draws_what_there_is():
    found = ts.reported(_doc(25, lambda i: {}), include_all=False)
    head, rand = ts.draw(found, 20, 20)
    assert len(head) == 20 and len(rand) == 5


def test_kind_filter_picks_irq_reports_only():
    kinds = ["circular", "irq-inconsistent", "recursive", "irq-unsafe-order"]
    doc = _doc(8, lambda i: {"kind": kinds[i % 4]})
    irq = ts.reported(doc, include_all=False, kinds=("irq",))
    assert [c["kind"] for c in irq] == ["irq-inconsistent", "irq-unsafe-order"] * 2
    assert len(ts.reported(doc, include_all=False)) == 8
