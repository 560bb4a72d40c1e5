"""Usage witnesses: the most trustworthy path, not the shortest
(lockcheck/analysis/witness_rank.py; fixtures/irq/usage_direct_witness.c)."""

from __future__ import annotations

from lockcheck.analysis.facts import Step
from lockcheck.analysis.witness_rank import better, chain_rank
from lockcheck.api import check
from lockcheck.frontend.relevance import function_refs
from lockcheck.frontend.lexer import tokenize
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES

FIXTURE = FIXTURES / "irq" / "usage_direct_witness.c"


def test_doubtful_hops_then_models_then_length():
    direct = tuple(Step("a.c", i, f"f{i}", f"g{i}") for i in range(6))
    wide = (Step("a.c", 1, "f", "cb", 40), Step("a.c", 2, "cb", "spin_lock"))
    one = (Step("a.c", 1, "f", "cb", 1), Step("a.c", 2, "cb", "spin_lock"))
    chosen = (Step("a.c", 1, "f", "cb", 6, True), Step("a.c", 2, "cb", "spin_lock"))
    model = (Step("a.c", 1, "r", "[model] a timer runs in softirq"), Step("a.c", 2, "cb", "spin_lock"))
    assert better(direct, wide) and not better(wide, direct)
    assert better(one, direct) and better(chosen, direct)   # as good as direct calls: shorter wins
    assert better(direct, model)
    assert chain_rank(direct) == chain_rank(tuple(direct))  # total and deterministic


def test_the_usage_cites_the_direct_path_and_its_confidence_follows():
    result = check(Options(paths=(str(FIXTURE),), cache_dir=None))
    by_locks = {f.locks: f for f in result.findings if f.kind == "irq-unsafe-order"}
    both = by_locks[("&phba->hbalock", "&phba->put_lock")]
    assert both.confidence == "high"
    usage = both.edges[-1]
    functions = [s.function for s in usage.held + usage.acquire]
    assert functions[0] == "lpfc_pci_probe_one" and "lpfc_handle_eratt_s3" not in functions
    only = by_locks[("&phba->hbalock", "&phba->sgl_list_lock")]
    assert only.confidence == "medium"
    steps = [s for e in only.edges for s in e.held + e.acquire]
    assert any(s.function == "lpfc_handle_eratt" and s.targets == 2 for s in steps)
    assert not any("ring_lock" in f.locks for f in result.findings)


def test_a_parenthesised_member_call_is_a_member_call():
    refs = function_refs(tuple(tokenize("void f(struct h *p) { (*p->handler)(p); (p->other)(p); }")))
    assert {"->handler", "->other"} <= refs


def test_a_chain_one_call_longer_is_ranked_without_being_built():
    """``better_after(site, chain, old)`` is ``better((site,) + chain, old)``
    for every mix of doubtful hops, models and lengths, ties included."""
    import itertools
    from lockcheck.analysis.witness_rank import better_after
    steps = [Step("a.c", 1, "f", "g"), Step("a.c", 2, "f", "cb", 40), Step("a.c", 3, "f", "cb", 6, True),
             Step("a.c", 4, "r", "[model] a timer runs in softirq"), Step("a.c", 0, "e", "g")]
    chains = [c for n in range(4) for c in itertools.product(steps, repeat=n)]
    for site in steps:
        for chain in chains:
            for old in chains:
                if old:
                    assert better_after(site, chain, old) == better((site,) + chain, old), (site, chain, old)
