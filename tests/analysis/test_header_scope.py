"""analysis.header_scope: a header function is a call target only where
the caller's include closure (or, for a header caller, its includers')
reaches the header."""

from lockcheck.analysis.header_scope import HeaderScope

INCLUDES = {
    "pci.c": ("bus.h",),
    "bus.h": ("types.h", "guard.h"),
    "guard.h": ("bus.h", "inline.h"),      # an include cycle (guards)
    "usb.c": ("usb.h",),
    "usb.h": ("types.h",),
    "types.h": (),
    "inline.h": (),
    "lone.h": (),                          # lexed beside a scanned file, included by none
}
HEADERS = ("bus.h", "usb.h", "inline.h", "lone.h", "types.h")


def test_c_file_reaches_only_its_closure():
    scope = HeaderScope(INCLUDES, HEADERS)
    assert scope.visible(["usb.h:rr"], "rr", "pci.c") is None
    assert scope.visible(["usb.h:rr"], "rr", "usb.c") == "usb.h:rr"
    # through the cycle bus.h -> guard.h -> bus.h
    assert scope.visible(["usb.h:rr", "inline.h:rr"], "rr", "pci.c") == "inline.h:rr"


def test_header_caller_sees_its_includers_headers():
    scope = HeaderScope(INCLUDES, HEADERS)
    # usb.h includes nothing defining rr, but usb.c, its includer, reaches usb.h only
    assert scope.visible(["inline.h:rr"], "rr", "usb.h") is None
    # types.h is included by pci.c and usb.c: it sees what either reaches
    assert scope.visible(["inline.h:rr"], "rr", "types.h") == "inline.h:rr"
    assert scope.visible(["usb.h:rr"], "rr", "types.h") == "usb.h:rr"
    assert scope.visible(["lone.h:f"], "f", "lone.h") == "lone.h:f"


def test_included_c_file_sees_its_includers_headers():
    # unit.c: #include "bus.h" then #include "part.c" (kernel/sched/build_policy.c
    # includes sched.h, then ext.c, which includes no sched.h of its own)
    includes = dict(INCLUDES, **{"unit.c": ("bus.h", "part.c"), "part.c": ("types.h",)})
    scope = HeaderScope(includes, HEADERS)
    assert scope.visible(["inline.h:rr"], "rr", "part.c") == "inline.h:rr"
    assert scope.visible(["usb.h:rr"], "rr", "part.c") is None
    # a .c file nothing includes still sees its own closure only
    assert scope.visible(["usb.h:rr"], "rr", "unit.c") is None
    assert scope.visible(["usb.h:rr"], "rr", "pci.c") is None


def test_file_outside_the_graph_keeps_the_first_header():
    scope = HeaderScope(INCLUDES, HEADERS)
    assert scope.visible(["usb.h:rr", "inline.h:rr"], "rr", "elsewhere.c") == "usb.h:rr"
    assert scope.visible([], "rr", "elsewhere.c") is None


def test_a_visible_macro_wins_over_an_undeclared_function():
    clashes = {"poll": (("bus.h",), ("usb.h", "usb.c")),      # bus.h: #define poll(..); usb.h: bool poll(..)
               "stub": (("inline.h",), ("inline.h",))}       # #ifdef a prototype #else a stub macro
    scope = HeaderScope(INCLUDES, HEADERS, clashes)
    assert scope.macro_wins("poll", "pci.c")
    assert not scope.macro_wins("poll", "usb.c")
    assert not scope.macro_wins("stub", "pci.c")
    assert not scope.macro_wins("other", "pci.c")
    assert not scope.macro_wins("poll", "elsewhere.c")


def test_macro_clashes_name_both_sides():
    from types import SimpleNamespace as NS

    from lockcheck.frontend.conditionals import MacroDef
    from lockcheck.frontend.include_graph import macro_clashes

    lexed = {"bus.h": (NS(returns={"__poll": None}), [MacroDef("poll", ("d",), "__poll(d)", 3),
                                                      MacroDef("LIMIT", None, "4", 4)]),
             "usb.h": (NS(returns={"poll": None, "LIMIT": None}), []),
             "usb.c": (NS(returns={"poll": None}), [])}
    assert macro_clashes(lexed) == {"poll": (("bus.h",), ("usb.c", "usb.h"))}
