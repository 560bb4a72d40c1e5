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
