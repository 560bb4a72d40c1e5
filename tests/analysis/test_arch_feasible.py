"""Findings no one build shows (frontend.arch_dirs, analysis.arch_feasible):
the architectures a file builds for, an edge's over all its witnesses, and
fixtures/arch_builds both ways (shown at the default confidence where one
architecture builds it all, low with a "build" basis where none does)."""

from __future__ import annotations

from lockcheck.analysis.arch_feasible import arch_basis, common_arches, witness_arches
from lockcheck.analysis.facts import EdgeWitness, RawEdge, Step
from lockcheck.analysis.ir import LockRef
from lockcheck.analysis.summaries import EdgeRecord
from lockcheck.api import check
from lockcheck.frontend.arch_dirs import ArchDirs
from lockcheck.model.scan_model import ScanModel
from lockcheck.options import Options
from lockcheck.result import Edge, WitnessStep
from tests.test_fixtures import FIXTURES

TREE = FIXTURES / "arch_builds"
SYMBOLS = ScanModel.load().analysis["arch_symbols"]


def arch_dirs(root=TREE):
    return ArchDirs(root, SYMBOLS)


def test_arch_directories_and_kbuild_gated_directories():
    of = arch_dirs().of_file
    assert of("arch/arm/mm/cache.c") == frozenset({"arm"})
    assert of("arch/powerpc/kernel/smp.c") == frozenset({"powerpc"})
    # drivers/Makefile: obj-$(CONFIG_S390) += s390/; below it obj-y
    assert of("drivers/s390/char/sclp.c") == frozenset({"s390"})
    assert of("drivers/base/core.c") is None        # obj-y += base/
    assert of("core.c") is None and of("include/linux/arch_demo.h") is None
    assert ArchDirs(None, SYMBOLS).of_file("arch/arm/mm/cache.c") is None   # no tree


def test_kbuild_conditions(tmp_path):
    (tmp_path / "drivers").mkdir()
    (tmp_path / "drivers" / "Makefile").write_text(
        "obj-$(CONFIG_X86)\t+= pnp/ \\\n\tplatform/\n"
        "obj-$(CONFIG_FOO) += foo/\n"
        "obj-$(CONFIG_PPC) += macintosh/\n"
        "obj-$(CONFIG_ARM) += both/\nobj-y += both/\n"
        "obj-$(CONFIG_X86_64) += efi_x86.o\n"
        "# obj-$(CONFIG_S390) += commented/\n")
    of = arch_dirs(tmp_path).of_file
    assert of("drivers/pnp/card.c") == frozenset({"x86"})
    assert of("drivers/platform/x/y.c") == frozenset({"x86"})    # a continuation line, two levels down
    assert of("drivers/macintosh/adb.c") == frozenset({"powerpc"})
    assert of("drivers/foo/a.c") is None                          # not an architecture's symbol
    assert of("drivers/both/a.c") is None                         # also entered unconditionally
    assert of("drivers/efi_x86.c") == frozenset({"x86"})          # one object, gated
    assert of("drivers/commented/a.c") is None


def _edge(file, arch_of):
    step = Step(file, 1, "f", "mutex_lock")
    return RawEdge(LockRef("g:a", "a"), LockRef("g:b", "b"), "E", "N", EdgeWitness((step,), (step,)))


def test_an_edge_keeps_the_architectures_of_every_witness_added():
    of = arch_dirs().of_file
    rec = EdgeRecord("g:a", "g:b")
    rec.add(_edge("arch/arm/mm/cache.c", of), of)
    assert rec.archs == frozenset({"arm"})
    rec.add(_edge("drivers/s390/char/sclp.c", of), of)
    assert rec.archs == frozenset({"arm", "s390"})
    rec.add(_edge("core.c", of), of)
    assert rec.archs is None                                       # any architecture
    assert EdgeRecord("g:a", "g:b").archs == frozenset()           # no witness yet
    mixed = EdgeWitness((Step("arch/arm/mm/cache.c", 1, "f"),), (Step("arch/powerpc/kernel/smp.c", 2, "g"),))
    assert witness_arches(mixed, of) == frozenset()                # a chain no build has


def test_a_finding_no_architecture_builds_gets_a_low_build_basis():
    of = arch_dirs().of_file
    arm = Edge("a", "b", "E", "N", (WitnessStep("f", "arch/arm/mm/cache.c", 1, "mutex_lock"),), ())
    s390 = Edge("b", "a", "E", "N", (WitnessStep("g", "drivers/s390/char/sclp.c", 1, "mutex_lock"),), ())
    sets = [frozenset({"arm"}), frozenset({"s390"})]
    assert common_arches(sets) == frozenset()
    out = arch_basis((arm, s390), sets, of)
    assert out[0] is arm and out[1].confidence == "low"
    assert [b.kind for b in out[1].basis] == ["build"]
    assert "arm (arch/arm/mm/cache.c)" in out[1].basis[0].detail and "s390" in out[1].basis[0].detail
    assert arch_basis((arm, s390), [frozenset({"arm"}), None], of) == (arm, s390)


def _findings(result):
    return {(f.kind, tuple(sorted(f.locks))): f for f in result.findings}


def test_fixture_both_ways():
    found = _findings(check(Options(paths=(str(TREE),), cache_dir=None)))
    infeasible = {("circular", ("console_mutex", "reboot_mutex")), ("irq-inconsistent", ("desc_lock",))}
    feasible = {("circular", ("l2_lock", "outer_lock")), ("circular", ("cache_mutex", "notify_mutex")),
                ("circular", ("event_mutex", "queue_mutex")), ("irq-inconsistent", ("stat_lock",))}
    assert set(found) == infeasible | feasible
    for k in feasible:
        assert found[k].confidence == "high", (k, found[k].reason)
        assert not any(b.kind == "build" for e in found[k].edges for b in e.basis)
    for k in infeasible:
        f = found[k]
        assert f.confidence == "low" and "no one architecture builds all of it" in f.reason, (k, f.reason)
    assert "only for arm" in found[("circular", ("console_mutex", "reboot_mutex"))].reason
    assert "only for s390" in found[("circular", ("console_mutex", "reboot_mutex"))].reason
    assert "only for powerpc" in found[("irq-inconsistent", ("desc_lock",))].reason
    # event_mutex -> queue_mutex's shortest witness is arm's; the cycle is
    # s390's, shown by the s390 witness of that edge
    files = {s.file for e in found[("circular", ("event_mutex", "queue_mutex"))].edges for s in e.witness}
    assert files == {"drivers/s390/char/sclp.c"}


def test_a_cached_result_holds_only_while_the_kbuild_files_read_are_unchanged(tmp_path):
    import shutil
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    options = Options(paths=(str(tree),), cache_dir=str(tmp_path / "cache"))
    key = ("circular", ("console_mutex", "reboot_mutex"))
    assert _findings(check(options))[key].confidence == "low"
    assert _findings(check(options))[key].confidence == "low"       # warm
    (tree / "drivers" / "Makefile").write_text("obj-y += base/ s390/\n")
    assert _findings(check(options))[key].confidence == "high"      # s390/ now built everywhere
