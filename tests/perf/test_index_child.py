"""The tree index is built in a forked child with -j > 1 (forked.in_child):
its result, and its failures, must reach the parent intact."""

from __future__ import annotations

import os

import pytest

from lockcheck.forked import in_child
from lockcheck.errors import InputError

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_result_comes_back():
    parent = os.getpid()
    pid, value = in_child(lambda: (os.getpid(), {"index": [1, 2, 3]}))
    assert pid != parent
    assert value == {"index": [1, 2, 3]}


def test_an_input_error_is_raised_in_the_parent():
    def work():
        raise InputError("x.c: no such file or directory")
    with pytest.raises(InputError, match="no such file"):
        in_child(work)


def test_an_unpicklable_failure_still_reports_its_traceback():
    class Local(Exception):   # a local class cannot be pickled
        pass

    def work():
        raise Local("deep inside the index build")
    with pytest.raises(RuntimeError, match="deep inside the index build"):
        in_child(work)
