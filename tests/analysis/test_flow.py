"""The intraprocedural rules: each test is one modelling mistake that
multiplied false cycles on real kernel code, or one real edge that must
survive."""

from conftest import cycle_set, edge_set

LOCKS = """
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static DEFINE_MUTEX(c);
"""


def test_simple_edge_and_witness(scan_c):
    r = scan_c({"x.c": LOCKS + "void f(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }"})
    assert edge_set(r) == {("a", "b")}
    (e,) = r.edges
    assert [s.what for s in e.witness] == ["mutex_lock", "mutex_lock"]
    assert e.witness[0].line == e.witness[1].line == 5


def test_lock_held_on_some_exits_only_does_not_leak_to_caller(scan_c):
    src = LOCKS + """
static int maybe(int x) { if (x) { mutex_lock(&a); return 1; } return 2; }
void f(int x) { maybe(x); mutex_lock(&b); mutex_unlock(&b); }
"""
    assert ("a", "b") not in edge_set(scan_c({"x.c": src}))


def test_helper_returning_held_on_every_path_makes_an_edge(scan_c):
    src = LOCKS + """
static void take_a(void) { mutex_lock(&a); }
void f(void) { take_a(); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }
"""
    r = scan_c({"x.c": src})
    assert edge_set(r) == {("a", "b")}
    assert [s.function for s in r.edges[0].held] == ["f", "take_a"]


def test_killable_condition_splits_paths(scan_c):
    src = LOCKS + """
int f(void) {
	if (mutex_lock_killable(&a))
		goto fail;
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);
	return 0;
fail:
	mutex_lock(&c);
	mutex_unlock(&c);
	return -EINTR;
}
"""
    assert edge_set(scan_c({"x.c": src})) == {("a", "b")}


def test_correlated_flag_does_not_leave_lock_held(scan_c):
    src = LOCKS + """
void f(int n) {
	bool locked = false;
	int i;
	for (i = 0; i < n; i++) {
		if (!locked) {
			locked = true;
			mutex_lock(&a);
		}
	}
	if (locked)
		mutex_unlock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
}
"""
    assert ("a", "b") not in edge_set(scan_c({"x.c": src}))


def test_callee_that_drops_the_callers_lock_first_makes_no_edge(scan_c):
    src = LOCKS + """
static void swap(void) { mutex_unlock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_lock(&a); }
void f(void) { mutex_lock(&a); swap(); mutex_unlock(&a); }
"""
    assert ("a", "b") not in edge_set(scan_c({"x.c": src}))


def test_trylock_adds_no_edge_but_later_locks_depend_on_it(scan_c):
    src = LOCKS + """
void f(void) {
	mutex_lock(&a);
	if (!mutex_trylock(&b)) { mutex_unlock(&a); return; }
	mutex_lock(&c);
	mutex_unlock(&c);
	mutex_unlock(&b);
	mutex_unlock(&a);
}
"""
    edges = edge_set(scan_c({"x.c": src}))
    assert ("a", "b") not in edges
    assert {("a", "c"), ("b", "c")} <= edges


def test_goto_unwind_releases_on_every_path(scan_c):
    src = LOCKS + """
int f(int x) {
	mutex_lock(&a);
	if (x)
		goto out;
	mutex_lock(&b);
	mutex_unlock(&b);
out:
	mutex_unlock(&a);
	mutex_lock(&c);
	mutex_unlock(&c);
	return 0;
}
"""
    assert edge_set(scan_c({"x.c": src})) == {("a", "b")}


def test_guard_holds_to_end_of_scope_only(scan_c):
    src = LOCKS + """
void f(int x) {
	if (x) {
		guard(mutex)(&a);
		mutex_lock(&b);
		mutex_unlock(&b);
	}
	mutex_lock(&c);
	mutex_unlock(&c);
}
"""
    assert edge_set(scan_c({"x.c": src})) == {("a", "b")}


def test_parameter_lock_resolves_through_each_caller(scan_c):
    src = LOCKS + """
static void with(struct mutex *m) { mutex_lock(m); mutex_lock(&c); mutex_unlock(&c); mutex_unlock(m); }
void f(void) { with(&a); }
void g(void) { with(&b); }
"""
    assert edge_set(scan_c({"x.c": src})) == {("a", "c"), ("b", "c")}


def test_field_class_is_the_same_whatever_the_path(scan_c):
    src = """
struct kvm { struct mutex slots_lock; struct mutex lock; };
struct kvm_vcpu { struct kvm *kvm; };
void f(struct kvm *kvm) { mutex_lock(&kvm->slots_lock); mutex_lock(&kvm->lock); mutex_unlock(&kvm->lock); mutex_unlock(&kvm->slots_lock); }
void g(struct kvm_vcpu *vcpu) { mutex_lock(&vcpu->kvm->lock); mutex_lock(&vcpu->kvm->slots_lock); mutex_unlock(&vcpu->kvm->slots_lock); mutex_unlock(&vcpu->kvm->lock); }
"""
    r = scan_c({"x.c": src})
    assert edge_set(r) == {("&kvm->slots_lock", "&kvm->lock"), ("&kvm->lock", "&kvm->slots_lock")}
    assert cycle_set(r) == {("&kvm->lock", "&kvm->slots_lock")}


def test_same_class_twice_is_recursive_unless_nested(scan_c):
    src = """
struct foo { struct mutex lock; };
void f(struct foo *p, struct foo *q) { mutex_lock(&p->lock); mutex_lock(&q->lock); mutex_unlock(&q->lock); mutex_unlock(&p->lock); }
void g(struct foo *p, struct foo *q) { mutex_lock(&p->lock); mutex_lock_nested(&q->lock, SINGLE_DEPTH_NESTING); mutex_unlock(&q->lock); mutex_unlock(&p->lock); }
"""
    r = scan_c({"x.c": src})
    rec = [f for f in r.findings if f.kind == "recursive"]
    # the variable most used for struct foo names the class: p
    assert [f.locks for f in rec] == [("&p->lock",)]
    assert rec[0].edges[0].acquire[0].function == "f"
    assert edge_set(r) == {("&p->lock", "&p->lock/1")}


def test_loop_body_lock_released_each_iteration_is_not_recursive(scan_c):
    src = """
struct kvm { struct mutex slots_lock; struct list_head vm_list; };
static DEFINE_MUTEX(kvm_lock);
void f(void) {
	struct kvm *kvm;
	mutex_lock(&kvm_lock);
	list_for_each_entry(kvm, &vm_list, vm_list) {
		mutex_lock(&kvm->slots_lock);
		mutex_unlock(&kvm->slots_lock);
	}
	mutex_unlock(&kvm_lock);
}
"""
    r = scan_c({"x.c": src})
    assert edge_set(r) == {("kvm_lock", "&kvm->slots_lock")}
    assert not r.findings


def test_static_functions_of_the_same_name_stay_apart(scan_c):
    a = "static DEFINE_MUTEX(x); static DEFINE_MUTEX(p);\nstatic void helper(void) { mutex_lock(&x); mutex_unlock(&x); }\nvoid fa(void) { mutex_lock(&p); helper(); mutex_unlock(&p); }\n"
    b = "static DEFINE_MUTEX(y); static DEFINE_MUTEX(q);\nstatic void helper(void) { mutex_lock(&y); mutex_unlock(&y); }\nvoid fb(void) { mutex_lock(&q); helper(); mutex_unlock(&q); }\n"
    assert edge_set(scan_c({"a.c": a, "b.c": b})) == {("p", "x"), ("q", "y")}


def test_noreturn_call_ends_the_path(scan_c):
    src = LOCKS + """
void f(int mode) {
	mutex_lock(&a);
	if (mode == 1)
		mutex_unlock(&a);
	else if (mode == 2)
		mutex_unlock(&a);
	else
		BUG();
	mutex_lock(&b);
	mutex_unlock(&b);
}
"""
    assert ("a", "b") not in edge_set(scan_c({"x.c": src}))


def test_function_pointer_arguments_are_bound_per_call_site(scan_c):
    src = LOCKS + """
static int do_get(int i) { return i; }
static int do_set(int i) { mutex_lock(&c); mutex_unlock(&c); return i; }
static int __msr_io(int n, int (*do_msr)(int)) { return do_msr(n); }
static int msr_io(int n, int (*do_msr)(int)) { return __msr_io(n, do_msr); }
void get_under_a(void) { mutex_lock(&a); msr_io(1, do_get); mutex_unlock(&a); }
void set_under_b(void) { mutex_lock(&b); msr_io(1, do_set); mutex_unlock(&b); }
"""
    assert edge_set(scan_c({"x.c": src})) == {("b", "c")}


def test_assert_not_held_reached_with_the_lock_held_is_reported(scan_c):
    src = """
struct dev { struct mutex lock; };
static void flush_all(struct dev *dev) { lockdep_assert_not_held(&dev->lock); }
static void helper(struct dev *dev) { flush_all(dev); }
void dev_stop(struct dev *dev) { mutex_lock(&dev->lock); helper(dev); mutex_unlock(&dev->lock); }
void dev_ok(struct dev *dev) { helper(dev); }
"""
    r = scan_c({"x.c": src})
    (f,) = r.findings
    assert f.kind == "assert-not-held" and f.id.startswith("LC103-")
    assert [s.function for s in f.edges[0].witness] == ["dev_stop", "dev_stop", "helper", "flush_all"]
    assert r.stats["assert_not_held"] == 1


def test_constant_arguments_select_the_branches_a_callee_takes(scan_c):
    src = LOCKS + """
enum reg { REG_CR4, REG_PDPTR };
static void load_pdptrs(void) { mutex_lock(&a); mutex_unlock(&a); }
static void cache_reg(int reg) {
	switch (reg) {
	case REG_PDPTR:
		load_pdptrs();
		break;
	default:
		break;
	}
}
static void reset(int init_event) { if (!init_event) load_pdptrs(); }
void read_cr4(void) { mutex_lock(&b); cache_reg(REG_CR4); mutex_unlock(&b); }
void read_pdptr(void) { mutex_lock(&c); cache_reg(REG_PDPTR); mutex_unlock(&c); }
void init_vcpu(void) { mutex_lock(&b); reset(true); mutex_unlock(&b); }
"""
    assert edge_set(scan_c({"x.c": src})) == {("c", "a")}


def test_capping_states_keeps_the_same_ones_whatever_the_set_order():
    """States differing only in where a lock was taken must be capped by a
    total order: set iteration order differs between processes."""
    from lockcheck.analysis.facts import Held, State, Step
    from lockcheck.analysis.flow import MAX_STATES, _cap
    from lockcheck.analysis.ir import LockRef
    ref = LockRef("g:l")
    states = [State((Held("g:l", ref, "exclusive", (Step("f.c", line, "f", "spin_lock"),)),))
              for line in range(3 * MAX_STATES)]
    forward = _cap(set(states))
    for order in (states[::-1], states[::2] + states[1::2]):
        shuffled = _cap(dict.fromkeys(order).keys() | set())
        assert sorted(shuffled, key=State.sort_key) == sorted(forward, key=State.sort_key)
    assert {s.held[0].site[0].line for s in forward} == set(range(MAX_STATES))


def test_a_long_chain_of_distinct_tests_keeps_states_and_facts_bounded(scan_c, monkeypatch):
    """``if (x == 1 || x == 2 || … )`` over hundreds of values and as many
    ``if (f->vN == N)`` tests: what the walk learns from them stays within
    MAX_FACTS per state and MAX_STATES states (each ``||`` is capped), and
    the lock taken under a test and released under the same test later is
    still not held after it (facts learnt before the bound keep working)."""
    from lockcheck.analysis.branchfacts import MAX_FACTS
    from lockcheck.analysis.flow import MAX_STATES, FunctionFlow
    chain = " || ".join(f"x == {i}" for i in range(300))
    tests = "\n".join(f"\tif (f->v{i} == {i}) n++;" for i in range(200))
    fields = " ".join(f"int v{i};" for i in range(200))
    src = f"""
static DEFINE_SPINLOCK(a);
static DEFINE_SPINLOCK(b);
struct foo {{ {fields} }};
int chain(struct foo *f, int x, int on)
{{
\tint n = 0;
\tif (on) spin_lock(&a);
\tif ({chain}) n++;
{tests}
\tif (on) spin_unlock(&a);
\tspin_lock(&b);
\tspin_unlock(&b);
\treturn n;
}}
"""
    seen = []
    original = FunctionFlow.cap

    def spy(states):
        out = original(states)
        seen.append((len(out), max((len(s.facts) for s in out), default=0)))
        return out

    monkeypatch.setattr(FunctionFlow, "cap", staticmethod(spy))
    result = scan_c({"x.c": src})
    assert seen and max(n for n, _ in seen) <= MAX_STATES
    assert max(k for _, k in seen) <= MAX_FACTS
    assert ("a", "b") not in edge_set(result)
