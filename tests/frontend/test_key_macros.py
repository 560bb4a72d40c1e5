"""Init macros with a lock class key of their own are expanded, ``#``/``##`` applied."""

from __future__ import annotations

from lockcheck.frontend.conditionals import MacroDef
from lockcheck.frontend.macros import MacroIndex, expand_macros

PRIMS = frozenset({"mutex_lock"})
ANNOTATIONS = frozenset({"lockdep_init_map", "lockdep_set_class", "__mutex_init"})
NEVER = ANNOTATIONS | {"mutex_init"}

STATE_INIT = ("fs_state_init_map(owner, name, state) do { static struct lock_class_key name##_key; "
              "lockdep_init_map(&owner->map[state], #name, &name##_key, 0); } while (0)")


def _index(*defines: str) -> MacroIndex:
    defs = []
    for k, d in enumerate(defines):
        head, body = d.split(")", 1)
        name, _, params = head.partition("(")
        defs.append(MacroDef(name, tuple(p.strip() for p in params.split(",")), body.strip(), k))
    return MacroIndex(defs, PRIMS, frozenset(), ANNOTATIONS, NEVER)


def _expand(fe, idx, src):
    return fe.text(expand_macros(fe.tokens(src), idx))


def test_key_macro_is_expanded_with_pasting(fe):
    idx = _index(STATE_INIT)
    assert _expand(fe, idx, "fs_state_init_map(fs, fs_done, FS_DONE);") == (
        "do { static struct lock_class_key fs_done_key__l1 ; "
        'lockdep_init_map ( & fs -> map [ FS_DONE ] , "fs_done" , & fs_done_key__l1 , 0 ) ; } while ( 0 ) ;')


def test_model_init_macros_and_keyless_macros_are_not_expanded(fe):
    idx = _index("mutex_init(m) do { static struct lock_class_key __key; __mutex_init((m), #m, &__key); } while (0)",
                 "set_named(l, n) lockdep_set_class(l, &n##_key)")
    assert _expand(fe, idx, "mutex_init(&x->m);") == "mutex_init ( & x -> m ) ;"
    assert _expand(fe, idx, "set_named(&x->m, a);") == "set_named ( & x -> m , a ) ;"


def test_wrapper_with_own_key_is_expanded(fe):
    idx = _index("wrap_init(m) do { static struct lock_class_key __key; __mutex_init((m), #m, &__key); } while (0)")
    assert _expand(fe, idx, "wrap_init(&x->m);") == (
        'do { static struct lock_class_key __key__l1 ; __mutex_init ( ( & x -> m ) , "& x -> m" , & __key__l1 ) ; } '
        "while ( 0 ) ;")
