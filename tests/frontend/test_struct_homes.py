"""frontend.struct_homes: the definition of a struct tag each file sees."""

from lockcheck.frontend.struct_homes import struct_homes
from lockcheck.frontend.typefacts import TypeRef

LOCKS = frozenset({"spinlock_t"})
UDC = {"struct r8a66597": {"lock": TypeRef("spinlock_t", 0), "reg": TypeRef("void", 1)}}
HCD = {"struct r8a66597": {"reg": TypeRef("void", 1), "lock": TypeRef("spinlock_t", 0),
                           "max_root_hub": TypeRef("int", 0)}}


def test_files_seeing_the_lesser_definition_get_its_home():
    homes = struct_homes({"g/udc.h": UDC, "h/hcd.h": HCD, "g/udc.c": {}, "g/ep.c": {}, "g/core.c": {},
                          "h/hcd.c": {}},
                         {"g/udc.c": {"g/udc.h"}, "g/ep.c": {"g/udc.c"}, "g/core.c": {"g/udc.h"},
                          "h/hcd.c": {"h/hcd.h"}}, LOCKS)
    # udc.h is seen by four files, hcd.h by two: the host driver's is told apart
    assert homes["h/hcd.c"] == {"struct r8a66597": "h/hcd.h"}
    assert homes["h/hcd.h"] == {"struct r8a66597": "h/hcd.h"}
    assert not any(f.startswith("g/") for f in homes)


def test_through_another_include_and_a_tie_broken_by_path():
    homes = struct_homes({"a/x.h": UDC, "b/x.h": HCD, "a/x.c": {}, "a/z.c": {}, "b/x.c": {}, "b/y.c": {}},
                         {"a/x.c": {"a/x.h"}, "a/z.c": {"a/x.h"}, "b/x.c": {"b/x.h"}, "b/y.c": {"b/x.c"}}, LOCKS)
    # three files see each layout: the first path keeps the plain tag
    assert homes == {f: {"struct r8a66597": "b/x.h"} for f in ("b/x.h", "b/x.c", "b/y.c")}   # b/y.c through b/x.c


def test_a_file_seeing_both_keeps_the_merged_class():
    homes = struct_homes({"g/udc.h": UDC, "h/hcd.h": HCD, "both.c": {}, "h/hcd.c": {}},
                         {"both.c": {"g/udc.h", "h/hcd.h"}, "h/hcd.c": {"h/hcd.h"}}, LOCKS)
    assert "both.c" not in homes


def test_one_layout_or_no_lock_field_is_no_news():
    same = struct_homes({"a.h": UDC, "b.h": dict(UDC), "a.c": {}}, {"a.c": {"a.h"}}, LOCKS)
    assert same == {}
    plain = {"struct p": {"x": TypeRef("int", 0)}}
    other = {"struct p": {"y": TypeRef("int", 0)}}
    assert struct_homes({"a.h": plain, "b.h": other}, {}, LOCKS) == {}
