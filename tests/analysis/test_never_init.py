"""Lock fields nothing initialises (lockcheck/never_init.py,
lockcheck/struct_sight.py): findings through them are low, with the reason."""

from __future__ import annotations

from lockcheck import never_init, tree_defs
from lockcheck.api import check
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES


def _by_lock(path):
    return {f.locks: f for f in check(Options(paths=(str(path),), cache_dir=None)).findings}


def test_a_field_never_initialised_is_low_with_the_reason():
    found = _by_lock(FIXTURES / "classes" / "never_initialised.c")
    bare = found[("&ctl->reset_lock",)]
    assert bare.confidence == "low" and never_init.REASON in bare.reason
    assert [b.kind for e in bare.edges for b in e.basis] == ["uninit"]
    # the same shape with mutex_init(), or an init helper naming the field
    assert found[("&dom->sem",)].confidence == "high"
    assert found[("&q->qlock",)].confidence == "high"


def test_scanned_code_that_initialises_no_lock_is_not_judged():
    # the KVM model fixture leaves its inits out: nothing is demoted
    (f,) = check(Options(paths=(str(FIXTURES / "minikvm" / "before"),), cache_dir=None)).findings
    assert f.confidence == "high"


def _tree(tmp_path):
    (tmp_path / "include" / "linux").mkdir(parents=True)
    (tmp_path / "include" / "linux" / "mutex.h").write_text("struct mutex { int owner; };\n")
    for d in ("gpu", "hid"):
        (tmp_path / "drivers" / d).mkdir(parents=True)
    (tmp_path / "drivers" / "gpu" / "reset.h").write_text(
        "#include <linux/mutex.h>\nstruct reset_control {\n\tstruct mutex reset_lock;\n};\n")
    (tmp_path / "drivers" / "gpu" / "reset.c").write_text(
        '#include "reset.h"\nvoid f(struct reset_control *c) { mutex_lock(&c->reset_lock); }\n')
    # another struct's namesake field, initialised where struct reset_control is not seen
    (tmp_path / "drivers" / "hid" / "core.c").write_text(
        "#include <linux/mutex.h>\n#include <generated/autoconf.h>\n"
        "struct hid { struct mutex reset_lock; };\n"
        "void g(struct hid *h) { mutex_init(&h->reset_lock); }\n")
    return tmp_path


def test_tree_wide_an_init_counts_only_where_the_struct_is_seen(tmp_path):
    root = _tree(tmp_path)
    cands = {"f:struct reset_control:reset_lock": ("reset_lock",), "f:struct hid:reset_lock": ("reset_lock",)}
    assert never_init.initialised(cands, root, "x86", ["drivers", "include"]) == {"f:struct hid:reset_lock"}
    # once a file that sees the struct names the field in an init call
    (root / "drivers" / "gpu" / "init.c").write_text(
        '#include "reset.h"\nvoid i(struct reset_control *c)\n{\n\tmutex_init(&c->reset_lock);\n}\n')
    assert never_init.initialised(cands, root, "x86", ["drivers", "include"]) == set(cands)


def test_tree_wide_an_unresolved_include_counts_as_seeing(tmp_path):
    root = _tree(tmp_path)
    (root / "drivers" / "hid" / "core.c").write_text(
        '#include "somewhere/else.h"\nvoid g(struct hid *h) { mutex_init(&h->reset_lock); }\n')
    cands = {"f:struct reset_control:reset_lock": ("reset_lock",)}
    assert never_init.initialised(cands, root, "x86", ["drivers", "include"]) == set(cands)


def test_a_container_note_covers_its_members():
    noted, inits = never_init.noted_keys([("init", "f:struct s:wq", "@site:f:3")])
    assert inits and never_init._noted("f:struct s:wq.lock", noted)
    assert not never_init._noted("f:struct s:other", noted)


def test_without_grep_the_python_pass_agrees(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    cands = {"f:struct reset_control:reset_lock": ("reset_lock",), "f:struct hid:reset_lock": ("reset_lock",)}
    monkeypatch.setattr(tree_defs.shutil, "which", lambda name: None)
    assert never_init.initialised(cands, root, "x86", ["drivers", "include"]) == {"f:struct hid:reset_lock"}


def test_a_struct_is_seen_through_a_chain_of_includes_and_only_defined(tmp_path):
    """Each file's tags and includes are read once for every question:
    the answers are those of following the includes, and a declaration
    (``struct b;``) or a tag defined in a file not included is not seen."""
    from lockcheck.struct_sight import Sight
    (tmp_path / "include" / "linux").mkdir(parents=True)
    (tmp_path / "include" / "linux" / "a.h").write_text('#include <linux/b.h>\nstruct b;\n')
    (tmp_path / "include" / "linux" / "b.h").write_text('struct deep_one {\n\tint x;\n};\nunion u_one{ int y; };\n')
    (tmp_path / "include" / "linux" / "c.h").write_text('struct elsewhere { int z; };\n')
    (tmp_path / "drivers").mkdir()
    (tmp_path / "drivers" / "x.c").write_text('#include <linux/a.h>\nstruct local_one { int w; };\n')
    sight = Sight(tmp_path, "x86")
    assert sight.sees("drivers/x.c", "struct deep_one")
    assert sight.sees("drivers/x.c", "union u_one")
    assert sight.sees("drivers/x.c", "struct local_one")
    assert not sight.sees("drivers/x.c", "struct elsewhere")
    assert not sight.sees("drivers/x.c", "struct b")           # declared, never defined
    assert not sight.sees("drivers/x.c", "union deep_one")     # the tag's kind counts
    assert sight.sees("include/linux/a.h", "struct elsewhere")  # a header: unsure


def test_the_tree_grep_in_two_processes_finds_what_one_finds(tmp_path):
    """grep_sources splits the directories between two greps: the same
    matches, named the same way, and a symbolic link inside the tree is
    left out as ``grep -r`` leaves it."""
    for d in ("a/b/c", "a/d", "e"):
        (tmp_path / d).mkdir(parents=True)
    files = {"a/b/c/one.c": "mutex_init(&x->lock);\n", "a/b/two.h": "mutex_init(&y->lock);\n",
             "a/d/three.c": "nothing here\n", "e/four.c": "mutex_init(&z->lock);\n",
             "top.c": "mutex_init(&t->lock);\n", "a/notes.txt": "mutex_init(&n->lock);\n"}
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    (tmp_path / "a" / "link").symlink_to(tmp_path / "e", target_is_directory=True)
    args = ["-P", r"mutex_init\(&\w+->lock\)"]
    one = tree_defs.grep_sources(tmp_path, ["."], args, ways=1)
    two = tree_defs.grep_sources(tmp_path, ["."], args, ways=2)
    assert one is not None and sorted(one) == sorted(two)
    assert {p for p, _ in two} == {b"./a/b/c/one.c", b"./a/b/two.h", b"./e/four.c", b"./top.c"}
    parts = tree_defs._split_operands(tmp_path, ["."], 2)
    assert len(parts) == 2 and not any("link" in p for part in parts for p in part)
