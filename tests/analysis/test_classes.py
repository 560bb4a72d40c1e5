"""Lock classes as lockdep keys them (lockcheck.analysis.classes): what the
fixtures in fixtures/classes cannot say by their expectations alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lockcheck.analysis import classes
from lockcheck.analysis.substitute import split_class_key
from lockcheck.api import check
from lockcheck.frontend.items import split_items
from lockcheck.frontend.lexer import tokenize
from lockcheck.options import Options

REPO = Path(__file__).resolve().parents[2]
CLASSES = REPO / "fixtures" / "classes"


def _scan(path: Path, **kw):
    return check(Options(paths=(str(path),), cache_dir=None, **kw))


def _line(path: Path, function: str, text: str) -> int:
    """The first line holding ``text`` after ``function``'s definition."""
    lines = path.read_text().splitlines()
    start = next(k for k, ln in enumerate(lines) if ln.startswith(("void ", "static ")) and f" {function}(" in ln)
    return next(k + 1 for k in range(start, len(lines)) if text in lines[k])


def _cycles(result) -> set[tuple[str, ...]]:
    return {f.locks for f in result.findings}


def test_novalidate_hides_findings_unless_asked():
    quiet = _scan(CLASSES / "novalidate.c")
    assert not quiet.findings
    assert quiet.stats["class_annotations"]["edges_novalidate"] == 2
    loud = _scan(CLASSES / "novalidate.c", include_novalidate=True)
    found = _cycles(loud)
    assert ("&p->mutex",) in found                       # port_attach nests two ports
    assert any(set(c) == {"&p->mutex", "bus_lock"} for c in found)


def test_unresolved_listed_with_file_and_line():
    result = _scan(CLASSES / "unresolved_local.c")
    sites = {(u["function"], u["line"], u["text"]) for u in result.stats["unresolved_locks"]}
    fixture = CLASSES / "unresolved_local.c"
    assert ("table_move", _line(fixture, "table_move", "spin_lock(ptl)"), "ptl") in sites
    assert ("table_fill", _line(fixture, "table_fill", "spin_lock(lock)"), "lock") in sites
    assert result.stats["unresolved_lock_expressions"] == len(result.stats["unresolved_locks"])
    # cfg_update's `m` was resolved through its assignment, not listed
    assert not any(f == "cfg_update" for f, _, _ in sites)
    # unresolved expressions never meet: the table_* ABBA is dropped, not reported
    assert result.stats["class_annotations"]["edges_unresolved"] >= 2


def test_stats_command_lists_unresolved():
    out = subprocess.run([sys.executable, "-m", "lockcheck", "stats", "--no-cache", "-j", "1", "--format", "json",
                          "unresolved_local.c"], cwd=CLASSES, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    line = _line(CLASSES / "unresolved_local.c", "table_swap", "spin_lock(ptl)")
    assert {"file": "unresolved_local.c", "line": line, "function": "table_swap", "text": "ptl"} \
        in doc["unresolved_locks"]


def test_static_names_meet_only_when_they_collide():
    both = _scan(CLASSES / "statics")
    names = {lock.name for lock in both.locks}
    assert names == {"fixtures/classes/statics/hwdep.c:register_mutex",
                     "fixtures/classes/statics/seq_oss.c:register_mutex", "sound_mutex"}
    one = _scan(CLASSES / "statics" / "hwdep.c")
    assert "register_mutex" in {lock.name for lock in one.locks}     # alone: lockdep's plain name


def test_excluded_file_is_reported_with_its_reason():
    result = _scan(CLASSES / "selftest")
    assert not result.findings
    (entry,) = result.stats["excluded_files"]
    assert entry["file"].endswith("lib/locking-selftest.c") and "on purpose" in entry["reason"]


def test_file_statics_from_declarations():
    text = ("static DEFINE_MUTEX(reg_mutex);\nDEFINE_MUTEX(shared);\nstatic spinlock_t a, b[2];\n"
            "static int helper(int x);\nstatic struct foo obj = { .lock = x };\n")
    items = split_items(list(tokenize(text)))
    assert classes.file_statics(items) == {"reg_mutex", "a", "b", "obj"}


def test_class_keys_with_paths_split_their_subclass():
    assert split_class_key("u:drivers/x/y.c:f:lock/1") == ("u:drivers/x/y.c:f:lock", 1)
    assert split_class_key("g:register_mutex@sound/core/hwdep.c") == ("g:register_mutex@sound/core/hwdep.c", 0)
    assert split_class_key("g:register_mutex@sound/core/hwdep.c/2") == ("g:register_mutex@sound/core/hwdep.c", 2)
    assert split_class_key("f:struct a:b/99") == ("f:struct a:b", 99)


def test_excluded_reason_matches_whole_path_components():
    model = {"excluded_files": {"lib/locking-selftest.c": "why"}}
    assert classes.excluded_reason("lib/locking-selftest.c", model) == "why"
    assert classes.excluded_reason("x/lib/locking-selftest.c", model) == "why"
    assert classes.excluded_reason("x/mylib/locking-selftest.c", model) is None


_CMP_FN_SOURCE = """
struct bucket_table {
	spinlock_t *buckets;
};

void table_init(struct bucket_table *t, int i)
{
	spin_lock_init(&t->buckets[i]);
	ANNOTATE;
}

void table_double_lock(struct bucket_table *t, int a, int b)
{
	spin_lock(&t->buckets[a]);
	spin_lock(&t->buckets[b]);
	spin_unlock(&t->buckets[b]);
	spin_unlock(&t->buckets[a]);
}
"""


def test_cmp_fn_named_through_the_dep_map_orders_the_class(tmp_path):
    """lock_set_cmp_fn() expands to lockdep_set_lock_cmp_fn(&(lock)->dep_map,
    ...): the lock behind the map is the class given the comparison."""
    found = {}
    for name, annotation in (("mapped", "lockdep_set_lock_cmp_fn(&(&t->buckets[i])->dep_map, cmp, NULL)"),
                             ("field", "lockdep_set_lock_cmp_fn(&t->buckets[i].dep_map, cmp, NULL)"),
                             ("none", "bucket_note(t)")):
        src = tmp_path / f"{name}.c"
        src.write_text(_CMP_FN_SOURCE.replace("ANNOTATE", annotation))
        found[name] = {(f.kind, f.locks) for f in _scan(src).findings}
    assert found["none"] == {("recursive", ("&t->buckets[]",))}
    assert found["mapped"] == found["field"] == set()


def test_init_sites_make_the_untied_class_several():
    model = {"init": {"spin_lock_init": 0}}
    notes = [("init", "f:struct b:lock", "struct h:ptab"), ("init", "f:struct b:lock", "struct h:atab"),
             ("init", "f:struct d:lock", "@site:paging_alloc:10"), ("init", "f:struct d:lock", "@site:nested_alloc:20"),
             ("init", "f:struct q:mutex", "@site:q_init:5")]
    facts = classes.collect(notes, model)
    assert facts.split == {"f:struct b:lock"}             # two places in an outer struct
    assert {"f:struct b:lock", "f:struct d:lock"} <= facts.several
    assert "f:struct q:mutex" not in facts.several        # one init site: one class
    merged = classes.merged_classes(facts)
    assert "2 places" in merged["f:struct d:lock"] and "f:struct q:mutex" not in merged
    # the tied paths stay apart, the untied field is its own class
    assert classes.canonical(facts, "f:struct b:lock#struct h:ptab") == "f:struct b:lock#struct h:ptab"
    assert classes.canonical(facts, "f:struct d:lock#struct x:dom") == "f:struct d:lock"


def test_static_key_on_one_instance_renames_only_it():
    """A static key set on one instance (the note names the annotating
    function) of a field initialised elsewhere without one: the field keeps
    its class, several of lockdep's; set where the lock is initialised, or
    on a global object's lock, the key is the class."""
    init = ("init", "f:struct task:pi_lock", "@site:task_fork:40")
    stop = ("class", "f:struct task:pi_lock", "static:g:stop_pi_key@site:set_stop_task:46")
    facts = classes.collect([init, stop], {})
    assert classes.canonical(facts, "f:struct task:pi_lock") == "f:struct task:pi_lock"
    assert "f:struct task:pi_lock" in facts.several
    assert "set_stop_task" in classes.merged_classes(facts)["f:struct task:pi_lock"]
    # annotated where it is initialised: every instance gets the key
    same_fn = ("class", "f:struct task:pi_lock", "static:g:stop_pi_key@site:task_fork:41")
    facts = classes.collect([init, same_fn], {})
    assert classes.canonical(facts, "f:struct task:pi_lock") == "k:g:stop_pi_key"
    assert "f:struct task:pi_lock" not in classes.merged_classes(facts)
    # no init site seen without the annotation: the key is the class
    facts = classes.collect([stop], {})
    assert classes.canonical(facts, "f:struct task:pi_lock") == "k:g:stop_pi_key"
    # a global object's lock: renamed
    facts = classes.collect([init, ("class", "g:idle_task.pi_lock", "static:g:idle_pi_key")], {})
    assert classes.canonical(facts, "g:idle_task.pi_lock") == "k:g:idle_pi_key"

