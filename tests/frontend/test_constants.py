"""frontend.constants: the one reader of integer constants (enumerators,
object-like #defines of a file and of the headers a scan reaches)."""

from __future__ import annotations

from lockcheck.frontend.conditionals import MacroDef
from lockcheck.frontend.constants import IntegerMacros, candidates, evaluate, macro_integers, resolve
from lockcheck.frontend.lexer import tokenize


def _value(text: str, names=None):
    return evaluate([t.text for t in tokenize(text)], names or {})


def test_evaluate_forms():
    assert _value("BIT(3)") == 8
    assert _value("BIT_ULL(40)") == 1 << 40
    assert _value("(1U << 4)") == 16
    assert _value("(-1)") == -1
    assert _value("0x10UL | 010") == 24
    assert _value("~A & 0xff", {"A": 1}) == 0xfe
    assert _value("A | B", {"A": 1}) is None          # unknown stays unknown
    assert _value("sizeof(int)") is None
    assert _value("(u32)1") is None                   # a cast: not read
    assert _value("1 << 70") is None
    assert _value("7 / 0") is None


def test_definitions_must_agree():
    defs = [MacroDef("F_LOCK", None, "BIT(2)", 1), MacroDef("F_HOLD", None, "F_LOCK", 2),
            MacroDef("F_ALL", None, "(F_HOLD | BIT(1))", 3), MacroDef("F_DFLT", None, "1", 4),
            MacroDef("F_DFLT", None, "2", 6), MacroDef("F_SAME", None, "4", 7), MacroDef("F_SAME", None, "(4)", 9),
            MacroDef("F_SELF", None, "F_SELF", 10)]
    assert macro_integers(defs) == {"F_LOCK": 4, "F_HOLD": 4, "F_ALL": 6, "F_SAME": 4}
    assert resolve({"A": {"B + 1"}}, {"B": 1}) == {"A": 2}


def test_candidates_are_upper_case_integer_bodies():
    defs = [MacroDef("F_LOCK", None, "BIT(2)", 1), MacroDef("name", None, "1", 2),
            MacroDef("F_STR", None, '"x"', 3), MacroDef("F_FN", ("x",), "(x)", 4)]
    assert candidates(defs) == (("F_LOCK", "BIT(2)"),)


def test_tree_keeps_what_scanned_functions_name():
    tree = IntegerMacros(frozenset({"/s/a.c"}))
    tree.wave_done()
    tree.add("/s/a.c", (("f", frozenset({"F_ALL", "f"})),), ())
    tree.add("/s/a.h", (), (("F_ALL", "(F_ONE | F_TWO)"), ("F_UNUSED", "3"), ("F_ONE", "1")))
    tree.wave_done()
    tree.add("/inc/b.h", (), (("F_TWO", "2"), ("F_OTHER", "5")))
    tree.wave_done()
    assert tree.values() == {"F_ALL": 3, "F_ONE": 1, "F_TWO": 2}


def test_header_enumerators_are_definitions_too():
    from lockcheck.frontend.enumerators import enumerator_definitions
    from lockcheck.frontend.pipeline import lex_file
    src = "enum f { F_VFLR = 0, F_NOTIFY = BIT(1), F_NEXT, lower_one = 4, F_SZ = sizeof(long) };\n"
    defs = enumerator_definitions(lex_file("f.h", src).items)
    assert defs == (("F_VFLR", "0"), ("F_NOTIFY", "BIT ( 1 )"), ("F_NEXT", "(F_NOTIFY) + 1"),
                    ("F_SZ", "sizeof ( long )"))
    assert resolve({n: {b} for n, b in defs}) == {"F_VFLR": 0, "F_NOTIFY": 2, "F_NEXT": 3}


def test_a_chain_longer_than_the_bound_is_unknown_not_a_crash():
    # REG_0 = 0, REG_k = REG_{k-1} + 4: a register table's chain of 5,000 links
    defs = {"REG_0": {"0"}} | {f"REG_{k}": {f"(REG_{k - 1} + 4)"} for k in range(1, 5000)}
    values = resolve(defs)      # recursed once per link before the bound: RecursionError
    assert values["REG_0"] == 0 and values["REG_1"] == 4
    assert all(v == 4 * int(k[4:]) for k, v in values.items())   # what has a value has the right one
    assert "REG_200" in values          # MAX_CHAIN further per pass (an enum as long as cpuhp_state's)


def test_a_file_s_later_enumerators_keep_the_earlier_ones_they_name():
    # a header lexed after the second wave: `CPUHP_AP_B` is `(CPUHP_AP_A) + 1`, defined before it
    tree = IntegerMacros(frozenset({"/s/a.c"}))
    tree.wave_done()
    tree.add("/s/a.c", (), ())
    tree.want({"S_C"})
    tree.wave_done()
    tree.wave_done()
    tree.add("/inc/e.h", (), (("S_A", "0"), ("S_B", "(S_A) + 1"), ("S_C", "(S_B) + 1")))
    assert tree.values() == {"S_A": 0, "S_B": 1, "S_C": 2}
    assert resolve({"A": {"(B | 1)"}, "B": {"BIT(3)"}}) == {"A": 9, "B": 8}


def test_a_macro_defined_to_itself_keeps_its_enumerator_value():
    # uapi headers: `RTM_NEWADDR = 20,` then `#define RTM_NEWADDR RTM_NEWADDR`
    assert resolve({"RTM_NEWADDR": {"20", "RTM_NEWADDR"}, "RTM_ALONE": {"RTM_ALONE"}}) == {"RTM_NEWADDR": 20}
    assert macro_integers([MacroDef("RTM_DELADDR", None, "RTM_DELADDR", 1)], {"RTM_DELADDR": 21}) == \
        {"RTM_DELADDR": 21}
