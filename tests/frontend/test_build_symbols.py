"""frontend.build_symbols: which non-Kconfig symbols a build may define."""

from __future__ import annotations

from lockcheck.frontend.build_symbols import build_defines, maybe_defined


def _tree(tmp_path):
    (tmp_path / "include" / "linux").mkdir(parents=True)
    (tmp_path / "Kconfig").write_text("")
    (tmp_path / "Makefile").write_text("KBUILD_CPPFLAGS := -D__KERNEL__\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "Makefile.extrawarn").write_text("KBUILD_CFLAGS += -DKBUILD_EXTRA_WARN1\n")
    drv = tmp_path / "drivers" / "gpu" / "foo"
    (drv / "display").mkdir(parents=True)
    (drv / "Makefile").write_text("subdir-ccflags-y += -DFOO_DRIVER\n")
    (drv / "display" / "Kbuild").write_text("ccflags-$(CONFIG_FOO_DEBUG) += -D DEBUG=1\n")
    (drv / "display" / "a.c").write_text("")
    other = tmp_path / "drivers" / "bar"
    other.mkdir()
    (other / "Makefile").write_text("ccflags-y += -DBAR_ONLY\n")
    (other / "b.c").write_text("")
    return drv / "display" / "a.c", other / "b.c"


def test_kbuild_files_of_the_directory_and_above(tmp_path):
    a, _ = _tree(tmp_path)
    names = build_defines([a], tmp_path)
    assert {"FOO_DRIVER", "DEBUG", "__KERNEL__", "KBUILD_EXTRA_WARN1"} <= names
    assert "BAR_ONLY" not in names      # a sibling directory's flags are not this file's


def test_outside_a_tree_only_the_file_directory(tmp_path):
    a, b = _tree(tmp_path)
    assert build_defines([b], None) == {"BAR_ONLY"}


def test_maybe_defined():
    assert maybe_defined("CONFIG_FOO", set())          # depends on a configuration
    assert maybe_defined("__KERNEL__", set())          # reserved: the compiler's
    assert maybe_defined("I915", {"I915"})
    assert not maybe_defined("DEBUG_RANDOM_TRIE", {"I915"})


def test_never_defined_is_what_no_file_defines_and_the_build_does_not_pass():
    from lockcheck.frontend.build_symbols import name_digests, never_defined
    files = [name_digests(["REQ_STATS", "OTHER"]), name_digests([])]
    tested = {"REQ_STATS", "COMP_IN_WQ", "FOO_DRIVER", "CONFIG_X", "_Y"}
    assert never_defined(tested, files, frozenset({"FOO_DRIVER"})) == {"COMP_IN_WQ"}
