"""What a scan keeps alive: the scan runs with the cycle collector off
(lockcheck.cyclic_gc.paused), so anything in a reference cycle lives until the
scan ends.  These pin the fixes that lowered the whole tree's peak."""

from __future__ import annotations

import gc

import networkx as nx

from tests.report.report_cases import in_repo

FIXTURE = "fixtures/minikvm/before"


def _scan(**kw):
    from lockcheck.api import check
    from lockcheck.options import Options
    with in_repo():
        return check(Options(paths=(FIXTURE,), cache_dir=None, jobs=1, **kw))


def test_no_call_graph_outlives_the_analysis(monkeypatch):
    """networkx's cached views (in_degree) point back at their graph; with
    the collector off, a dropped graph stayed whole through the walk."""
    import lockcheck.api as api
    seen = []
    analyse = api.analyse

    def watching(program, times=None):
        out = analyse(program, times)
        seen.extend(o for o in gc.get_objects() if isinstance(o, nx.DiGraph) and len(o))
        return out
    monkeypatch.setattr(api, "analyse", watching)
    result = _scan()
    assert result.findings, "the fixture must give findings for this to test anything"
    assert seen == []


def test_equal_witness_steps_are_one_object():
    """The report's steps are shared between the witnesses that contain
    them (the whole tree's result holds millions)."""
    result = _scan()
    steps = [s for e in result.edges for chain in (e.held, e.acquire, *(c for o in e.others for c in o))
             for s in chain]
    steps += [s for f in result.findings for e in f.edges for s in e.witness]
    assert len(steps) > len(set(steps)), "no step repeats: the fixture tests nothing"
    assert len({id(s) for s in steps}) == len(set(steps))


def test_the_program_is_freed_before_the_report(monkeypatch):
    """Once analysed, the program (every function's bare copy, the
    specialised copies, the call tables) goes before the result is built:
    its points-to solution points back at it, a cycle the paused collector
    would keep to the end of the scan."""
    import weakref
    import lockcheck.api as api
    refs, alive = [], []
    analyse, build_result = api.analyse, api.build_result

    def watching(program, times=None):
        refs.append(weakref.ref(program))
        return analyse(program, times)

    def building(*a, **kw):
        alive.extend(r() is not None for r in refs)
        return build_result(*a, **kw)
    monkeypatch.setattr(api, "analyse", watching)
    monkeypatch.setattr(api, "build_result", building)
    assert _scan().findings
    assert alive == [False]


def test_walked_summaries_share_their_empty_tables():
    """A summary, once walked, keeps one shared read-only mapping for each
    empty table and for the neutral effects (most of a whole tree's live
    summaries hold little)."""
    from lockcheck.analysis.flow import FunctionFlow
    from lockcheck.analysis.ir import Block, FunctionIR
    fn = FunctionIR("f", "a.c", 1, False, (), Block())
    one = FunctionFlow(fn, lambda call: [], lambda edge: None).run()
    two = FunctionFlow(fn, lambda call: [], lambda edge: None).run()
    assert one == two
    for name in ("acquires", "param_edges", "effects", "not_held", "recursions", "irq_on", "release_through"):
        assert getattr(one, name) is getattr(two, name), name
    assert not hasattr(one, "__dict__")
    try:
        one.acquires["x"] = None
    except TypeError:
        pass
    else:
        raise AssertionError("a walked summary's shared table was changed")


def test_a_walked_body_is_freed_once_its_walks_are_done(monkeypatch):
    """Once a function and its specialised copies are walked, nothing
    keeps its IR body: the per-body memos held it (irwalk's calls and
    tested names, asked again by each walk through ``written_derefs``;
    the assigned names), so every walked body stayed to the end of the
    walk (drivers/scsi: 81,769 call nodes alive after the analysis, all
    of its 113,138 alive at the walk's peak)."""
    import sys
    from lockcheck.analysis import irwalk, walked_bodies
    leaks, freed, remembered = [], [], []
    done = walked_bodies.WalkedBodies.done

    def watching(self, members):
        bodies = {id(self.program.by_key[m].body): self.program.by_key[m].body for m in members}
        remembered.extend(k for k in bodies if k in irwalk._BODIES)
        done(self, members)
        for m in members:
            bodies.pop(id(self.program.by_key[m].body), None)   # not freed yet (a copy left to walk)
        while bodies:
            _, body = bodies.popitem()
            freed.append(len(body.items))
            if sys.getrefcount(body) > 2:   # this name and getrefcount's argument
                leaks.append((members, sorted(type(r).__name__ for r in gc.get_referrers(body))))
            del body
    monkeypatch.setattr(walked_bodies.WalkedBodies, "done", watching)
    assert _scan().findings
    assert any(freed) and remembered, "no body the memos had seen was freed: the fixture tests nothing"
    assert leaks == []


def test_no_body_memo_outlives_the_analysis(monkeypatch):
    """The memos kept per body are empty once the analysis is over (they
    would keep their bodies to the end of the scan)."""
    import lockcheck.api as api
    from lockcheck.analysis import calls_before, irwalk, releases
    sizes = []
    analyse = api.analyse

    def watching(program, times=None):
        out = analyse(program, times)
        sizes.append((len(irwalk._BODIES), len(releases._ASSIGNED), len(calls_before._ORDERS)))
        return out
    monkeypatch.setattr(api, "analyse", watching)
    assert _scan().findings
    assert sizes == [(0, 0, 0)]


def test_resolving_tables_and_walked_entry_facts_go(monkeypatch):
    """Once every call is resolved the name tables go (the walk reads
    functions by key), and each function's entry facts go once its walks
    are done: on the whole tree they were held through the large recursion
    and to the end of the walk."""
    import lockcheck.api as api
    from lockcheck.analysis.program import Program
    seen = {}
    resolved, analyse = Program.resolved, api.analyse

    def resolving(self):
        seen["names"], seen["clones"] = len(self.by_name), len(self.clone_facts)
        resolved(self)
        seen["names after"] = len(self.by_name)

    def watching(program, times=None):
        out = analyse(program, times)
        seen["clones after"] = len(program.clone_facts)
        seen["pointsto"] = program.pointsto
        return out
    monkeypatch.setattr(Program, "resolved", resolving)
    monkeypatch.setattr(api, "analyse", watching)
    result = _scan()
    assert result.findings and seen["names"] and seen["clones"], "the fixture must have names and copies"
    assert seen["names after"] == 0 and seen["clones after"] == 0 and seen["pointsto"] is None
    # the points-to statistics outlive the solution
    assert result.stats["indirect_targets"]["calls"] == 4
