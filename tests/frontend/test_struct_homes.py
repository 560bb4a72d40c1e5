"""frontend.struct_homes: the definition of a struct tag each file sees."""

from lockcheck.frontend.struct_homes import struct_homes
from lockcheck.frontend.typefacts import TypeRef

LOCKS = frozenset({"spinlock_t"})
UDC = {"struct r8a66597": {"lock": TypeRef("spinlock_t", 0), "reg": TypeRef("void", 1)}}
HCD = {"struct r8a66597": {"reg": TypeRef("void", 1), "lock": TypeRef("spinlock_t", 0),
                           "max_root_hub": TypeRef("int", 0)}}


def test_each_file_sees_the_definition_it_includes():
    homes = struct_homes({"g/udc.h": UDC, "h/hcd.h": HCD, "g/udc.c": {}, "h/hcd.c": {}, "h/hub.c": {}},
                         {"g/udc.c": {"g/udc.h"}, "h/hcd.c": {"h/hcd.h"}, "h/hub.c": {"h/hcd.c"}}, LOCKS)
    assert homes["g/udc.c"] == {"struct r8a66597": "g/udc.h"}
    assert homes["h/hcd.c"] == {"struct r8a66597": "h/hcd.h"}
    assert homes["h/hub.c"] == {"struct r8a66597": "h/hcd.h"}     # through another include
    assert homes["g/udc.h"] == {"struct r8a66597": "g/udc.h"}


def test_a_file_seeing_both_keeps_the_merged_class():
    homes = struct_homes({"g/udc.h": UDC, "h/hcd.h": HCD, "both.c": {}},
                         {"both.c": {"g/udc.h", "h/hcd.h"}}, LOCKS)
    assert "both.c" not in homes


def test_one_layout_or_no_lock_field_is_no_news():
    same = struct_homes({"a.h": UDC, "b.h": dict(UDC), "a.c": {}}, {"a.c": {"a.h"}}, LOCKS)
    assert same == {}
    plain = {"struct p": {"x": TypeRef("int", 0)}}
    other = {"struct p": {"y": TypeRef("int", 0)}}
    assert struct_homes({"a.h": plain, "b.h": other}, {}, LOCKS) == {}
