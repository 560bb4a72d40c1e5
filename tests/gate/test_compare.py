"""``gate.compare``: which cycles a change introduced, resolved or kept,
on small scans (real findings) and on hand-made findings where a scan
cannot produce the case (two findings of one lock cycle)."""

from __future__ import annotations

import io

from lockcheck.gate import report
from lockcheck.gate.compare import compare, cycle_key
from lockcheck.result import Edge, Finding, ScanResult, WitnessStep

ORDER = """DEFINE_MUTEX({a});
DEFINE_MUTEX({b});
void {fn}(void)
{{
\tmutex_lock(&{a});
\tmutex_lock(&{b});
\tmutex_unlock(&{b});
\tmutex_unlock(&{a});
}}
"""


def orders(*pairs, names=None) -> dict[str, str]:
    """One file per (a, b): a function taking ``a`` then ``b``; ``names``
    renames those functions."""
    out = {}
    decl = set()
    for k, (a, b) in enumerate(pairs):
        fn = (names or {}).get(k, f"take_{a}_{b}")
        text = ORDER.format(a=a, b=b, fn=fn)
        for lock in (a, b):      # each lock defined once, in the first file naming it
            if lock in decl:
                text = text.replace(f"DEFINE_MUTEX({lock});", f"extern struct mutex {lock};")
            decl.add(lock)
        out[f"f{k}.c"] = text
    return out


def cycles(result) -> set:
    return {cycle_key(f.kind, f.locks) for f in result.findings}


def test_renamed_witness_function_is_the_same_cycle(scan_c):
    """The id hashes witness function names: a rename changes it, and the
    cycle is matched by its locks instead (not resolved + introduced)."""
    base = scan_c(orders(("a", "b"), ("b", "a")))
    head = scan_c(orders(("a", "b"), ("b", "a"), names={1: "take_b_then_a_renamed"}))
    (fb,), (fh,) = base.findings, head.findings
    assert fb.id != fh.id and fb.locks == fh.locks
    cmp = compare(base, head)
    assert (cmp.introduced, cmp.resolved) == ((), ())
    assert cmp.unchanged == ((fb, fh),)


def test_weakened_edge_resolves_with_the_edge_named(scan_c):
    """Both edges remain, but the acquisition that closed the cycle became a
    recursive read: resolved, and the report says which edge changed how."""
    rw = """DEFINE_RWLOCK(table_lock);
DEFINE_SPINLOCK(stat_lock);
void reader(void)
{
\tread_lock(&table_lock);
\tspin_lock(&stat_lock);
\tspin_unlock(&stat_lock);
\tread_unlock(&table_lock);
}
void updater(void)
{
\tspin_lock(&stat_lock);
\twrite_lock(&table_lock);
\twrite_unlock(&table_lock);
\tspin_unlock(&stat_lock);
}
"""
    base = scan_c({"t.c": rw})
    head = scan_c({"t.c": rw.replace("write_", "read_")})
    assert base.findings and not head.findings
    assert {(e.src, e.dst) for e in base.edges} == {(e.src, e.dst) for e in head.edges}
    cmp = compare(base, head)
    (r,) = cmp.resolved
    assert r.removed == ()
    assert [(e.src, e.dst, e.holder + e.acquirer, h.holder + h.acquirer) for e, h in r.weakened] == [
        ("stat_lock", "table_lock", "EN", "ER")]
    out = io.StringIO()
    report.render_text(cmp, out)
    assert "stat_lock -> table_lock is now held E/acquired R (was E/N)" in out.getvalue()
    assert report.document(cmp)["resolved"][0]["weakened_edges"] == [
        {"from": "stat_lock", "to": "table_lock", "was": "EN", "now": "ER"}]


def test_one_change_introduces_and_resolves(scan_c):
    base = scan_c(orders(("a", "b"), ("b", "a"), ("c", "d"), ("c", "d")))
    head = scan_c(orders(("a", "b"), ("a", "b"), ("c", "d"), ("d", "c")))
    cmp = compare(base, head)
    assert [f.locks for f in cmp.introduced] == [head.findings[0].locks]
    assert set(cmp.introduced[0].locks) == {"c", "d"}
    (r,) = cmp.resolved
    assert set(r.finding.locks) == {"a", "b"}
    assert [(e.src, e.dst) for e in r.removed] == [("b", "a")]
    assert cmp.unchanged == ()
    assert cmp.summary() == "1 introduced, 1 resolved, 0 unchanged"


def test_direction_matters_rotation_does_not(scan_c):
    """a→b→c and a→c→b are different cycles; b→c→a is a→b→c."""
    abc = scan_c(orders(("a", "b"), ("b", "c"), ("c", "a")))
    acb = scan_c(orders(("a", "c"), ("c", "b"), ("b", "a")))
    assert cycles(abc) == {("circular", ("a", "b", "c"))}
    assert cycles(acb) == {("circular", ("a", "c", "b"))}
    cmp = compare(abc, acb)
    assert len(cmp.introduced) == len(cmp.resolved) == 1 and cmp.unchanged == ()
    assert cycle_key("circular", ("b", "c", "a")) == cycle_key("circular", ("a", "b", "c"))
    rotated = _result([_cycle("LC101-other", ("b", "c", "a"))])
    cmp = compare(abc, rotated)
    assert (cmp.introduced, cmp.resolved, len(cmp.unchanged)) == ((), (), 1)


def _step(fn: str) -> WitnessStep:
    return WitnessStep(fn, "x.c", 1, "mutex_lock")


def _cycle(fid: str, locks, fn: str = "f") -> Finding:
    edges = tuple(Edge(locks[i], locks[(i + 1) % len(locks)], "E", "N", (_step(fn),), (_step(fn),))
                  for i in range(len(locks)))
    return Finding(fid, "circular", tuple(locks), edges)


def _result(findings, edges=None) -> ScanResult:
    if edges is None:
        edges = tuple({(e.src, e.dst): e for f in findings for e in f.edges}.values())
    return ScanResult({}, (), tuple(edges), tuple(findings))


def test_duplicate_cycles_match_one_to_one():
    """Two findings of one lock cycle (different witnesses) on one side:
    each matches at most one on the other side, in order; ids first."""
    base = _result([_cycle("LC101-1", ("a", "b"), "f"), _cycle("LC101-2", ("a", "b"), "g")])
    one = _result([_cycle("LC101-3", ("b", "a"), "h")])
    cmp = compare(base, one)
    assert [(b.id, h.id) for b, h in cmp.unchanged] == [("LC101-1", "LC101-3")]
    assert [r.finding.id for r in cmp.resolved] == ["LC101-2"]
    # the edges are still in HEAD: not removed, not weakened, just no longer a second cycle
    assert cmp.resolved[0].removed == cmp.resolved[0].weakened == ()
    three = _result([_cycle("LC101-2", ("a", "b")), _cycle("LC101-5", ("a", "b")), _cycle("LC101-6", ("a", "b"))])
    cmp = compare(base, three)
    assert [(b.id, h.id) for b, h in cmp.unchanged] == [("LC101-2", "LC101-2"), ("LC101-1", "LC101-5")]
    assert [f.id for f in cmp.introduced] == ["LC101-6"] and cmp.resolved == ()


def test_kind_is_part_of_the_identity():
    """A recursive finding on a lock is not the one-lock "cycle" of another kind."""
    rec = Finding("LC102-1", "recursive", ("a",), (Edge("a", "a", "E", "N", (_step("f"),), (_step("f"),)),))
    nh = Finding("LC103-1", "assert-not-held", ("a",), rec.edges)
    cmp = compare(_result([rec]), _result([nh]))
    assert [f.id for f in cmp.introduced] == ["LC103-1"] and [r.finding.id for r in cmp.resolved] == ["LC102-1"]


IRQ_BASE = """static DEFINE_SPINLOCK(st_lock);
static irqreturn_t h(int irq, void *data)
{
\tspin_lock(&st_lock);
\tspin_unlock(&st_lock);
\treturn IRQ_HANDLED;
}
int setup(void) { return request_irq(1, h, 0, "x", NULL); }
void poke(void)
{
\tunsigned long flags;
\t%s(&st_lock%s);
\t%s(&st_lock%s);
}
"""


def test_an_irq_finding_is_introduced_and_resolved_by_its_usage(scan_c):
    bad = scan_c({"d.c": IRQ_BASE % ("spin_lock", "", "spin_unlock", "")})
    good = scan_c({"d.c": IRQ_BASE % ("spin_lock_irqsave", ", flags", "spin_unlock_irqrestore", ", flags")})
    (f,) = bad.findings
    assert f.kind == "irq-inconsistent"
    c = compare(good, bad)
    assert [x.kind for x in c.introduced] == ["irq-inconsistent"] and not c.resolved
    c = compare(bad, good)
    (r,) = c.resolved
    # the usage witnesses are not lock-order edges: nothing "removed" to blame
    assert r.finding.id == f.id and r.removed == () and r.weakened == ()
    assert cycle_key("irq-unsafe-order", ("b", "a")) == ("irq-unsafe-order", ("b", "a"))
    assert cycle_key("circular", ("b", "a")) == ("circular", ("a", "b"))
