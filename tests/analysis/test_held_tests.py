"""analysis.held_tests: a false test of a lock's state (model held_tests)
means the caller holds no lock of that class on that branch."""

from __future__ import annotations

from conftest import edge_set


def _recursive(r) -> set[tuple[str, ...]]:
    return {f.locks for f in r.findings if f.kind == "recursive"}


def test_early_return_on_a_false_test_still_releases_the_callers_lock(scan_c):
    src = """
struct dev { struct mutex lock; int n; };
static int put_dev(struct dev *d) {
	if (WARN_ON(!mutex_is_locked(&d->lock)))
		return -22;
	mutex_unlock(&d->lock);
	return 0;
}
void f(struct dev *d, int n) {
	while (n--) { mutex_lock(&d->lock); put_dev(d); }
}
"""
    assert not _recursive(scan_c({"x.c": src}))


def test_a_lock_passed_by_parameter_is_decided_per_call(scan_c):
    src = """
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static void drop(struct mutex *m) {
	if (!mutex_is_locked(m))
		return;
	mutex_unlock(m);
}
void f(int n) {
	while (n--) { mutex_lock(&a); mutex_lock(&b); drop(&b); drop(&a); }
}
"""
    r = scan_c({"x.c": src})
    assert not _recursive(r)
    assert edge_set(r) == {("a", "b")}


def test_unlock_only_when_the_test_is_true_releases_on_every_path(scan_c):
    src = """
static DEFINE_SPINLOCK(l);
static void maybe_unlock(void) {
	if (unlikely(spin_is_locked(&l)))
		spin_unlock(&l);
}
void f(int n) {
	while (n--) { spin_lock(&l); maybe_unlock(); }
}
"""
    assert not _recursive(scan_c({"x.c": src}))


def test_a_true_test_or_an_undecided_operand_keeps_the_lock(scan_c):
    src = """
static DEFINE_MUTEX(l);
static int busy;
static void put_or(void) {
	if (!mutex_is_locked(&l) || busy)
		return;
	mutex_unlock(&l);
}
void f(int n) {
	while (n--) { mutex_lock(&l); put_or(); }
}
"""
    assert _recursive(scan_c({"x.c": src})) == {("l",)}


def test_the_functions_own_lock_is_not_decided_by_the_test(scan_c):
    src = """
static DEFINE_MUTEX(l);
static DEFINE_MUTEX(m);
void f(void) {
	mutex_lock(&l);
	if (!mutex_is_locked(&l))
		return;
	mutex_lock(&m);
	mutex_unlock(&m);
	mutex_unlock(&l);
}
"""
    assert edge_set(scan_c({"x.c": src})) == {("l", "m")}
