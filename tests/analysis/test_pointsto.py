"""Indirect calls resolved in context (analysis.pointsto): each test is a
way the field/signature rule put a call where it cannot go, or a pointer
it could not follow."""

from conftest import edge_set

from lockcheck.analysis.pointsto import WIDE_CALL, TargetStats


def test_callback_is_what_this_caller_passed_even_past_the_clone_limit(scan_c):
    # an iterator called with more callbacks than MAX_CLONES: each call
    # still reaches only its own callback
    n = 20
    src = ["static DEFINE_MUTEX(held);",
           "int for_each(void *d, int (*fn)(void *d)) { int e = 0; while (!e) e = fn(d); return e; }"]
    for k in range(n):
        src.append(f"static DEFINE_MUTEX(m{k});")
        src.append(f"static int cb{k}(void *d) {{ mutex_lock(&m{k}); mutex_unlock(&m{k}); return 1; }}")
        src.append(f"int user{k}(void *d) {{ return for_each(d, cb{k}); }}")
    src.append("int quiet(void *d) { return 0; }")
    src.append("void f(void *d) { mutex_lock(&held); for_each(d, quiet); for_each(d, cb3); mutex_unlock(&held); }")
    assert {e for e in edge_set(scan_c({"x.c": "\n".join(src)})) if e[0] == "held"} == {("held", "m3")}


def test_a_call_with_more_targets_than_the_threshold_is_wide(scan_c):
    n = WIDE_CALL + 3
    src = ["struct ops { void (*run)(void); };", "struct obj { const struct ops *ops; };",
           "static DEFINE_MUTEX(outer);", "static DEFINE_MUTEX(inner);"]
    for k in range(n):
        body = "mutex_lock(&inner); mutex_unlock(&inner);" if k == 0 else ""
        src.append(f"static void run{k}(void) {{ {body} }}")
        src.append(f"const struct ops ops{k} = {{ .run = run{k} }};")
    src.append("void f(struct obj *o) { mutex_lock(&outer); o->ops->run(); mutex_unlock(&outer); }")
    r = scan_c({"x.c": "\n".join(src)})
    (edge,) = [e for e in r.edges if (e.src, e.dst) == ("outer", "inner")]
    steps = edge.witness
    assert [s.targets for s in steps if s.function == "f" and "run0" in s.what] == [n]
    stats = r.stats["indirect_targets"]
    assert stats["wide"] == 1 and stats["max"] == n


def test_a_narrowed_call_carries_its_narrowed_count(scan_c):
    src = """
struct ops { void (*run)(void); };
struct obj { const struct ops *ops; };
static DEFINE_MUTEX(outer);
static DEFINE_MUTEX(inner);
static void run0(void) { mutex_lock(&inner); mutex_unlock(&inner); }
const struct ops ops0 = { .run = run0 };
void f(struct obj *o) { mutex_lock(&outer); o->ops->run(); mutex_unlock(&outer); }
"""
    r = scan_c({"x.c": src})
    assert [s.targets for e in r.edges for s in e.witness if "run0" in s.what] == [1]
    assert r.stats["indirect_targets"]["wide"] == 0


def test_void_pointer_escape_falls_back_to_the_field_rule_and_is_counted(scan_c):
    src = """
struct ops { void (*run)(void); };
struct obj { const struct ops *ops; };
static DEFINE_MUTEX(outer);
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static void run_a(void) { mutex_lock(&a); mutex_unlock(&a); }
static void run_b(void) { mutex_lock(&b); mutex_unlock(&b); }
const struct ops ops_a = { .run = run_a };
const struct ops ops_b = { .run = run_b };
void set(struct obj *o, void *p) { o->ops = (const struct ops *)p; }
void f(struct obj *o) { mutex_lock(&outer); o->ops->run(); mutex_unlock(&outer); }
"""
    r = scan_c({"x.c": src})
    assert {("outer", "a"), ("outer", "b")} <= edge_set(r)
    assert r.stats["indirect_targets"]["fallback"] == 1


def test_table_stored_into_the_field_limits_the_call(scan_c):
    src = """
struct ops { void (*run)(void); };
struct obj { const struct ops *ops; };
static DEFINE_MUTEX(outer);
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static void run_a(void) { mutex_lock(&a); mutex_unlock(&a); }
static void run_b(void) { mutex_lock(&b); mutex_unlock(&b); }
const struct ops ops_a = { .run = run_a };
const struct ops ops_b = { .run = run_b };
void set(struct obj *o) { o->ops = &ops_a; }
void f(struct obj *o) { mutex_lock(&outer); o->ops->run(); mutex_unlock(&outer); }
"""
    r = scan_c({"x.c": src})
    assert {e for e in edge_set(r) if e[0] == "outer"} == {("outer", "a")}
    assert r.stats["indirect_targets"]["narrowed"] == 1


def test_target_statistics():
    s = TargetStats()
    for n in (1, 1, 2, 5, 40):
        s.add(n)
    d = s.as_dict()
    assert (d["calls"], d["median"], d["max"], d["wide"]) == (5, 2, 40, 1)
    assert d["mean"] == 9.8
    assert d["histogram"] == {"1": 2, "2": 1, "5-8": 1, "33-64": 1}
