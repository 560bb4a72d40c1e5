"""Flag words written back through a pointer (frontend.out_bits), the bits a
caller knows clear after a true return (analysis.known_bits), and ``x |= K``
keeping the tests of other bits (branchfacts.or_bits)."""

from __future__ import annotations

from pycparser import c_ast

from lockcheck.analysis.branchfacts import or_bits, set_fact
from lockcheck.analysis.facts import State
from lockcheck.analysis.known_bits import bit_kinds, cleared_bits, evaluate
from lockcheck.frontend.items import split_items
from lockcheck.frontend.lexer import tokenize
from lockcheck.frontend.out_bits import merge_out_bits, out_bits

VALID = """
static bool valid_args(void **pages, int *locked, unsigned int *flags_p, unsigned int to_set)
{
	unsigned int flags = *flags_p;

	if (WARN_ON_ONCE(flags & INTERNAL))
		return false;
	flags |= to_set;
	if (locked) {
		if (WARN_ON_ONCE(*locked != 1))
			return false;
		flags |= UNLOCKABLE;
	}
	if (WARN_ON_ONCE((flags & (PIN | GET)) == (PIN | GET)))
		return false;
	*flags_p = flags;
	return true;
}
"""


def _bits(src):
    return out_bits(split_items(tokenize(src)))


def test_rejected_and_set_bits():
    assert _bits(VALID) == {"valid_args": (2, ("(", "INTERNAL", ")"), ((("$3",), -1), (("UNLOCKABLE",), 1)))}


def test_not_a_flag_word_writer():
    # a true return before the check
    assert _bits(VALID.replace("\tif (WARN_ON_ONCE(flags & INTERNAL))", "\tif (!pages)\n\t\treturn true;\n"
                                                                      "\tif (WARN_ON_ONCE(flags & INTERNAL))")) == {}
    # the word written otherwise than by |= and &=
    assert _bits(VALID.replace("flags |= to_set;", "flags = to_set;")) == {}
    # the pointer handed on
    assert _bits(VALID.replace("*flags_p = flags;", "*flags_p = flags; keep(flags_p);")) == {}
    # another value written back
    assert _bits(VALID.replace("*flags_p = flags;", "*flags_p = to_set;")) == {}
    # no check on entry
    assert _bits(VALID.replace("if (WARN_ON_ONCE(flags & INTERNAL))\n\t\treturn false;\n", "")) == {}


def test_disagreeing_definitions_mean_nothing():
    a = _bits(VALID)
    b = _bits(VALID.replace("UNLOCKABLE", "OTHER"))
    assert merge_out_bits([a, a]) == a
    assert merge_out_bits([a, b]) == {}


VALUES = {"INTERNAL": 0x10000 | 0x20000 | 0x200000, "UNLOCKABLE": 0x200000, "TOUCH": 0x10000}


def _constant(node):
    if node.__class__ is c_ast.ID:
        return VALUES.get(node.name)
    if node.__class__ is c_ast.Constant:
        return int(node.value, 0)
    return None


def test_cleared_bits_per_call():
    summary = _bits(VALID)["valid_args"]
    null, nonnull, word = c_ast.ID("NULL"), c_ast.UnaryOp("&", c_ast.ID("locked")), c_ast.UnaryOp("&", c_ast.ID("f"))
    # locked NULL: UNLOCKABLE never set; TOUCH is what the call sets
    assert cleared_bits(summary, [null, null, word, c_ast.ID("TOUCH")], _constant) == 0x20000 | 0x200000
    # locked given: UNLOCKABLE may be set
    assert cleared_bits(summary, [null, nonnull, word, c_ast.ID("TOUCH")], _constant) == 0x20000
    # a variable to set: nothing known
    assert cleared_bits(summary, [null, null, word, c_ast.ID("mine")], _constant) == 0
    assert bit_kinds(0x20000 | 0x200000) == ["zero:()&($,#131072)", "zero:()&($,#2097152)"]


def test_evaluate():
    names = {"A": 1, "B": 4}.get
    assert evaluate(("(", "A", "|", "B", ")"), names) == 5
    assert evaluate(("1", "<<", "3", "|", "A"), names) == 9
    assert evaluate(("A", "+", "B"), names) is None
    assert evaluate(("C",), names) is None


def test_or_keeps_the_tests_of_other_bits():
    s = State(facts=frozenset({("()&(flags,#4)", "zero"), ("()&(flags,#8)", "zero"), ("flags", "zero"),
                               ("()&(other,#4)", "zero")}))
    after = or_bits(s, "flags", 8)
    assert ("()&(flags,#4)", "zero") in after.facts        # another bit: as it was
    assert ("()&(flags,#8)", "nonzero") in after.facts     # the bit set
    assert ("flags", "nonzero") in after.facts
    assert ("()&(other,#4)", "zero") in after.facts
    assert set_fact(s, "flags", "|8") == after
    # any other write forgets them
    assert not any(f.startswith("()&(flags") for f, _ in set_fact(s, "flags", None).facts)
