"""Which definition of a global function several files define a call
means (analysis.arch_choice); fixtures/calls/arch_defs has it end to end,
both ways."""

from __future__ import annotations

from lockcheck.analysis.arch_choice import GENERIC, OTHER, OWN, ArchChoice, arch_only, build_of, primary_names, rank

ARCHS = {
    "arch/m68k/coldfire/clk.c": frozenset({"m68k"}),
    "arch/mips/bcm63xx/clk.c": frozenset({"mips"}),
    "arch/mips/lantiq/clk.c": frozenset({"mips"}),
    "arch/mips/lantiq/xway/dma.c": frozenset({"mips"}),
    "arch/sparc/kernel/process_32.c": frozenset({"sparc"}),
    "arch/sparc/kernel/process_64.c": frozenset({"sparc"}),
    "arch/arm/kernel/process.c": frozenset({"arm"}),
    "arch/arm/kernel/smp.c": frozenset({"arm"}),
    "arch/arm/kernel/hooks.c": frozenset({"arm"}),
    "arch/x86/kernel/y.c": frozenset({"x86"}),
    "arch/x86/kernel/process.c": frozenset({"x86"}),
    "drivers/sh/clk/core.c": frozenset({"sh"}),
    "drivers/sh/clk/cpg.c": frozenset({"sh"}),
}
CLK = [("clk_enable", "arch/m68k/coldfire/clk.c"), ("mips63", "arch/mips/bcm63xx/clk.c"),
       ("lantiq", "arch/mips/lantiq/clk.c"), ("ccf", "drivers/clk/clk.c"), ("sh", "drivers/sh/clk/core.c")]
IDLE = [("arch_cpu_idle", "arch/arm/kernel/process.c"), ("sparc32", "arch/sparc/kernel/process_32.c"),
        ("sparc64", "arch/sparc/kernel/process_64.c"), ("x86", "arch/x86/kernel/process.c"),
        ("weak", "kernel/sched/idle.c")]


def choice():
    return ArchChoice(ARCHS.get, "x86")


def test_ranks():
    x86 = build_of(None, "x86")
    assert x86 == frozenset({"x86"}) and build_of(frozenset({"x86", "arm"}), "x86") == x86
    assert build_of(frozenset({"arm"}), "x86") == frozenset({"arm"})
    assert rank(None, None, x86) == GENERIC
    assert rank(frozenset({"x86"}), None, x86) == OWN
    assert rank(frozenset({"m68k"}), None, x86) == OTHER
    assert rank(frozenset({"m68k"}), frozenset({"sh"}), frozenset({"sh"})) is None   # no build has both
    assert rank(frozenset({"sh"}), frozenset({"sh"}), frozenset({"sh"})) == OWN


def test_generic_code_reaches_the_generic_definition():
    c = choice()
    assert c.choose("clk_enable", CLK, "drivers/tty/serial/amba-pl011.c") == (("ccf",), False)
    assert c.choose("clk_enable", CLK, None) == (("ccf",), False)


def test_an_architectures_caller_reaches_its_own():
    c = choice()
    assert c.choose("clk_enable", CLK, "drivers/sh/clk/cpg.c") == (("sh",), False)
    assert c.choose("clk_enable", CLK, "arch/m68k/coldfire/clk.c") == (("clk_enable",), False)
    # of one architecture's two platforms, the caller's own (nearest in the tree)
    assert c.choose("clk_enable", CLK, "arch/mips/lantiq/xway/dma.c") == (("lantiq",), False)


def test_the_primary_architectures_own_overrides_the_generic_one():
    c = choice()
    assert c.choose("arch_cpu_idle", IDLE, "kernel/sched/idle.c") == (("x86",), False)
    assert c.choose("arch_cpu_idle", IDLE, "arch/arm/kernel/smp.c") == (("arch_cpu_idle",), False)
    # an architecture without its own: the generic (__weak) one
    assert c.choose("arch_cpu_idle", IDLE, "arch/m68k/coldfire/clk.c") == (("weak",), False)


def test_only_other_architectures_each_their_own_after_a_header():
    c = choice()
    only = IDLE[:3]
    # generic code: a header it sees first (the primary's inline), then one
    # definition per architecture (sparc's two are alternatives of one)
    assert c.choose("arch_hook", only, "kernel/sched/idle.c") == (("arch_cpu_idle", "sparc32"), True)
    # a caller no definition builds with: none (a header, if any)
    assert c.choose("arch_hook", only, "arch/m68k/coldfire/clk.c") == ((), True)


def test_without_a_tree_the_nearest_then_the_first_by_path():
    c = ArchChoice(None, "x86")
    assert c.choose("clk_enable", CLK, "arch/mips/lantiq/xway/dma.c") == (("lantiq",), False)
    assert c.choose("clk_enable", CLK, "net/core/dev.c") == (("clk_enable",), False)


class _Fn:
    def __init__(self, name, file, static=False):
        self.name, self.file, self.static = name, file, static


def test_names_the_primary_build_defines():
    fns = [_Fn("arch_sync_hook", "arch/arm/kernel/hooks.c"), _Fn("clk_enable", "arch/m68k/coldfire/clk.c"),
           _Fn("clk_enable", "drivers/clk/clk.c"), _Fn("helper", "arch/arm/kernel/smp.c", static=True),
           _Fn("machine_restart", "arch/x86/kernel/process.c"), _Fn("inl", "include/linux/x.h")]
    # arm's out-of-line arch_sync_hook() leaves the name to the headers (x86's inline)
    assert primary_names(fns, ARCHS.get, "x86") == {"clk_enable", "helper", "machine_restart", "inl"}
    assert primary_names(fns, None, "x86") == {f.name for f in fns}


def test_one_definition_only_some_architectures_build():
    by_key = {"arch_sync_hook": _Fn("arch_sync_hook", "arch/arm/kernel/hooks.c"),
              "clk_enable": _Fn("clk_enable", "arch/m68k/coldfire/clk.c"),
              "kernel_restart": _Fn("kernel_restart", "kernel/reboot.c")}
    several = {"clk_enable": CLK}
    assert arch_only({k: k for k in by_key}, by_key, several, ARCHS.get) == \
        {"arch_sync_hook": [("arch_sync_hook", "arch/arm/kernel/hooks.c")]}
    assert arch_only({k: k for k in by_key}, by_key, several, None) == {}
    only = [("arch_sync_hook", "arch/arm/kernel/hooks.c")]
    assert choice().choose("arch_sync_hook", only, "kernel/x.c") == (("arch_sync_hook",), True)
    assert choice().choose("arch_sync_hook", only, "arch/x86/kernel/y.c") == ((), True)
