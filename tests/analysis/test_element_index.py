"""analysis.element_index: element keys, their index resolved per call."""

from lockcheck.analysis.element_index import indexed_key, same_array, split_index, subst_index, unindexed
from lockcheck.analysis.ir import Call

KEY = "f:struct sb_writers:rw_sem#struct super_block:s_writers[]"


def test_split_and_strip():
    assert split_index(KEY + "=2") == (KEY, "2")
    assert split_index(KEY + "=$1-1") == (KEY, "$1-1")
    assert split_index(KEY) == (KEY, "")
    assert unindexed(KEY + "=$0") == KEY
    assert unindexed("u:f.c:fn:a[]=b") == "u:f.c:fn:a[]=b"    # text, no index
    assert indexed_key("f:struct sb_writers:rw_sem", "2") == "f:struct sb_writers:rw_sem[2]"
    assert indexed_key("f:struct t:locks[]", "0") == "f:struct t:locks[0]"


def test_index_given_by_the_call():
    key = KEY + "=$1-1"
    assert subst_index(key, Call(1, "f", const_values=((1, 3),))) == KEY + "=2"
    assert subst_index(key, Call(1, "f", const_args=((1, "#2"),))) == KEY + "=1"
    assert subst_index(key, Call(1, "f", forwarded_params=((1, 0),))) == KEY + "=$0-1"
    assert subst_index(key, Call(1, "f", const_values=((1, 1), (1, 2)))) == KEY      # one of several
    assert subst_index(key, Call(1, "f", const_args=((1, "zero"),))) == KEY          # index -1: none
    assert subst_index(key, None) == KEY
    assert subst_index(KEY + "=2", Call(1, "f")) == KEY + "=2"


def test_same_array_needs_one_unknown_index():
    assert same_array(KEY + "=0", KEY)
    assert same_array(KEY + "=$1", KEY + "=0")
    assert not same_array(KEY + "=0", KEY + "=1")
    assert not same_array(KEY + "=0", "f:struct t:locks[]")
