"""Predicates that are another call under a new name (frontend.predicates)
and their unfolding in tested-call keys (analysis.pred_keys)."""

from __future__ import annotations

from lockcheck.analysis.pred_keys import entry_tests, instantiate, key_var, template, unfold
from lockcheck.frontend.items import split_items
from lockcheck.frontend.lexer import tokenize
from lockcheck.frontend.predicates import merge_predicates, predicate_aliases

CHECKS = frozenset(("RCU_LOCKDEP_WARN", "lockdep_assert_held"))


def _aliases(src):
    return predicate_aliases(split_items(tokenize(src)), CHECKS)


def test_alias_after_checks():
    src = ("static bool is_off(struct rdp *rdp)\n{\n\tRCU_LOCKDEP_WARN(!held(&rdp->lock), \"x\");\n"
           "\treturn seg_is_off(&(rdp)->cblist, 1);\n}\n")
    assert _aliases(src) == {"is_off": ("seg_is_off", ("&$0->cblist", "#1"))}


def test_not_an_alias():
    assert _aliases("bool f(struct rdp *r) { return g(r); }\n") == {}         # neither static nor inline
    assert _aliases("static bool f(struct rdp *r) { r->n++; return g(r); }\n") == {}   # a write first
    assert _aliases("static bool f(struct rdp *r) { return g(r) && h(r); }\n") == {}
    assert _aliases("static bool f(struct rdp *r) { return g(r->a + 1); }\n") == {}
    assert _aliases("static bool f(struct rdp *r, int k) { return g(glob, k); }\n") == {}


def test_disagreeing_definitions_mean_nothing():
    a = _aliases("static bool f(struct x *p) { return g(p); }\n")
    b = _aliases("static bool f(struct x *p) { return h(p); }\n")
    assert merge_predicates([a, a]) == a
    assert merge_predicates([a, b]) == {}


def test_unfold_and_templates():
    preds = {"is_off": ("seg_is_off", ("&$0->cblist",)), "seg_is_off": ("test_flags", ("$0", "#4"))}
    assert unfold("is_off", ["rdp"], preds) == "test_flags(&rdp->cblist,#4)"
    assert unfold("is_off", ["&x->y"], preds) == "is_off(&x->y)"      # a field of a field's address: kept
    key = unfold("is_off", ["rdp"], {"is_off": preds["is_off"]})
    assert key_var(key) == "rdp" and key_var("f(a,b)") is None and key_var("f(a,#1)") == "a"
    tmpl = "()" + template(key, "rdp")
    assert tmpl == "()seg_is_off(&$->cblist)" and instantiate(tmpl, "dp") == "()seg_is_off(&dp->cblist)"
    assert entry_tests(("dp", "flags"), ("()seg_is_off(&dp->cblist)",), ((0, "zero:" + tmpl), (0, "nonzero"))) \
        == {"()seg_is_off(&dp->cblist)": "zero"}


def test_alias_with_a_symbol():
    # an upper-case name alone is a constant (read where it is unfolded), a field name is not
    assert _aliases("static bool ro(struct d *d) { return test_bit(D_RO, &d->flags); }\n") == \
        {"ro": ("test_bit", ("id:D_RO", "&$0->flags"))}
    assert _aliases("static bool f(struct d *d) { return g(d->FLAGS); }\n") == {"f": ("g", ("$0->FLAGS",))}
    assert _aliases("static bool f(struct d *d) { return g(D_RO + 1, d); }\n") == {}
