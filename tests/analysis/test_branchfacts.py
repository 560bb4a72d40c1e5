"""Branch facts (analysis.branchfacts, analysis.conditions): a test decides
a later test of the same unchanged thing, and only then.  Each "changed"
case must keep the finding a correlation would wrongly remove."""

import pytest
from conftest import edge_set

from lockcheck.frontend.constants import macro_integers
from lockcheck.frontend.conditionals import MacroDef

LOCKS = """
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
void set_flag(int *p);
int probe(int x);
"""


def recursive(result) -> set[str]:
    return {f.locks[0] for f in result.findings if f.kind == "recursive"}


def _twice(between: str, decl: str = "int flag = probe(0);") -> str:
    return LOCKS + f"""
void f(void) {{
	{decl}
	if (flag)
		mutex_lock(&a);
	{between}
	if (flag)
		mutex_unlock(&a);
	mutex_lock(&a);
	mutex_unlock(&a);
}}
"""


def test_unchanged_local_decides_the_second_test(scan_c):
    assert recursive(scan_c({"x.c": _twice("probe(1);")})) == set()


def test_assigned_local_decides_nothing(scan_c):
    assert recursive(scan_c({"x.c": _twice("flag = probe(1);")})) == {"a"}


def test_incremented_local_decides_nothing(scan_c):
    assert recursive(scan_c({"x.c": _twice("flag++;")})) == {"a"}


def test_local_whose_address_is_taken_is_not_learnt(scan_c):
    assert recursive(scan_c({"x.c": _twice("set_flag(&flag);")})) == {"a"}


def _global(between: str) -> str:
    return _twice(between, decl="").replace("void f(void)", "int flag;\nvoid f(void)")


def test_global_flag_not_written_between_decides_the_second_test(scan_c):
    # scftorture_invoke_one(): "if (use_cpus_read_lock) cpus_read_unlock();"
    assert recursive(scan_c({"x.c": _global("probe(1);")})) == set()


def test_global_flag_written_between_decides_nothing(scan_c):
    assert recursive(scan_c({"x.c": _global("flag = probe(1);")})) == {"a"}


def test_global_flag_whose_address_is_taken_is_not_learnt(scan_c):
    assert recursive(scan_c({"x.c": _global("set_flag(&flag);")})) == {"a"}


FIELD = LOCKS + """
struct dev { int *lock; int flags; };
void f(struct dev *d, struct dev *e) {
	if (d->lock)
		mutex_lock(&a);
	%s
	if (d->lock)
		mutex_unlock(&a);
	mutex_lock(&a);
	mutex_unlock(&a);
}
"""


@pytest.mark.parametrize("between, found", [
    ("probe(1);", set()),                  # clk_apbc_prepare(): "if (apbc->lock)" twice
    ("d->lock = 0;", {"a"}),               # the field written
    ("e->lock = 0;", {"a"}),               # the same field of what may be the same object
    ("d = e;", {"a"}),                     # another object
    ("set_flag(d->lock);", set()),         # passed by value
    ("set_flag(&d->flags);", set()),       # another field's address
])
def test_field_read_decides_the_second_test_until_written(scan_c, between, found):
    assert recursive(scan_c({"x.c": FIELD % between})) == found


def test_field_whose_address_is_taken_is_not_learnt(scan_c):
    src = (FIELD % "probe(1);").replace("int *lock;", "int lock;").replace("probe(1);", "set_flag(&d->lock);")
    assert recursive(scan_c({"x.c": src})) == {"a"}


def test_call_without_arguments_is_a_fact(scan_c):
    # __change_page_attr_set_clr(): "if (!debug_pagealloc_enabled())" twice
    src = LOCKS + """
int enabled(void);
int other(void);
void f(void) {
	if (!enabled()) mutex_lock(&a);
	probe(1);
	if (!enabled()) mutex_unlock(&a);
	mutex_lock(&a);
	mutex_unlock(&a);
}
void g(void) {
	if (!enabled()) mutex_lock(&b);
	probe(1);
	if (!other()) mutex_unlock(&b);
	mutex_lock(&b);
	mutex_unlock(&b);
}
"""
    assert recursive(scan_c({"x.c": src})) == {"b"}


def test_a_read_is_tested_again_each_round_of_a_loop(scan_c):
    # a polling loop leaves on a later round with what earlier rounds took
    src = LOCKS + """
int stop;
void f(void) {
	for (;;) {
		if (stop)
			break;
		if (mutex_trylock(&a))
			continue;
		probe(1);
	}
	mutex_lock(&b);
	mutex_unlock(&b);
}
"""
    assert ("a", "b") in edge_set(scan_c({"x.c": src}))


def test_a_read_known_before_a_loop_stays_known_in_it(scan_c):
    src = LOCKS + """
int enabled(void);
void f(int n) {
	if (enabled())
		mutex_lock(&a);
	while (n--) {
		if (enabled())
			probe(n);
	}
	if (enabled())
		mutex_unlock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
}
"""
    assert ("a", "b") not in edge_set(scan_c({"x.c": src}))


def test_keyed_call_is_a_fact_until_its_argument_changes(scan_c):
    src = LOCKS + """
void f(int x, int y) {
	if (probe(x))
		mutex_lock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
	if (probe(x))
		mutex_unlock(&a);
	mutex_lock(&a);
	mutex_unlock(&a);
}
void g(int x, int y) {
	if (probe(x))
		mutex_lock(&b);
	x = y;
	if (probe(x))
		mutex_unlock(&b);
	mutex_lock(&b);
	mutex_unlock(&b);
}
"""
    r = scan_c({"x.c": src})
    assert recursive(r) == {"b"}
    assert ("a", "b") in edge_set(r)


def test_constant_argument_compared_to_a_define(scan_c):
    src = LOCKS + """
#define GLOBAL (-1)
static void put(int which) {
	if (which == GLOBAL)
		mutex_unlock(&a);
	else
		mutex_unlock(&b);
}
void f(void) { mutex_lock(&a); put(-1); mutex_lock(&b); mutex_unlock(&b); }
void g(void) { mutex_lock(&a); put(3); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }
"""
    # f: put(-1) releases a before b is taken; g: put(3) releases b, a stays held
    edges = edge_set(scan_c({"x.c": src}))
    assert ("a", "b") in edges
    r = scan_c({"x.c": src.replace("void g(void)", "void unused_g(void)").replace(
        "put(3); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a);", "mutex_unlock(&a);")})
    assert ("a", "b") not in edge_set(r)


def test_macro_integers():
    defs = [MacroDef("A", None, "(-1)", 1), MacroDef("B", None, "0x10U", 2), MacroDef("C", None, "x + 1", 3),
            MacroDef("D", ("x",), "(x)", 4), MacroDef("A", None, "7", 5)]
    assert macro_integers(defs) == {"B": 16}   # A: two definitions that disagree


def _compared(first: str, second: str, step: str = "") -> str:
    return LOCKS + f"""
void f(int x, int y) {{
	if ({first})
		mutex_lock(&a);
	{step}
	if ({second})
		mutex_unlock(&a);
	mutex_lock(&a);
	mutex_unlock(&a);
}}
"""


@pytest.mark.parametrize("first, second, found", [
    ("x < y", "x < y", set()),
    ("x < y", "y > x", set()),              # the same comparison, operands swapped
    ("x >= y", "!(x < y)", set()),          # the negation of <
    ("x <= y", "y >= x", set()),
    ("y <= x", "x >= y", set()),
    ("x < y", "x <= y", {"a"}),             # another comparison: undecided
    ("x < y", "y < x", {"a"}),
])
def test_order_comparisons_are_one_fact_with_their_negations(scan_c, first, second, found):
    # analysis.compare_facts: _qed_mcp_cmd_and_union()'s "while (++cnt <
    # max_retries)" decides "if (cnt >= max_retries)" after the loop
    assert recursive(scan_c({"x.c": _compared(first, second)})) == found


@pytest.mark.parametrize("first, found", [
    ("++x < y", set()),         # the new value compared: x < y after it
    ("--x < y", set()),
    ("x++ < y", {"a"}),         # the old value: nothing said of x now
])
def test_prefix_step_in_a_comparison_is_evaluated_then_learnt(scan_c, first, found):
    assert recursive(scan_c({"x.c": _compared(first, "x < y")})) == found


def test_prefix_step_tested_alone_is_evaluated_then_learnt(scan_c):
    assert recursive(scan_c({"x.c": _compared("--x", "x")})) == set()
    assert recursive(scan_c({"x.c": _compared("--x", "x", "x = probe(2);")})) == {"a"}
