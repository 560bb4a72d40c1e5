"""What an executor hands back is unpickled with only an outcome's names
resolvable (lockcheck.outcome_pickle): a Dask worker is another machine."""

from __future__ import annotations

import pickle

import pytest

from lockcheck import outcome_pickle
from lockcheck.driver import _store
from lockcheck.parse_task import FileOutcome
from lockcheck.options import Options

from tests.perf.clirun import FIXTURES


class _Plant:
    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_real_outcome_round_trips():
    from lockcheck.driver import run_frontend
    run = run_frontend(Options(paths=(str(FIXTURES / "minikvm" / "before"),), cache_dir=None), extract=True)
    assert any(f.irs for f in run.files)
    for f in run.files:
        assert outcome_pickle.loads(pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL)) == f


@pytest.mark.parametrize("make", [
    lambda m: pickle.dumps(_Plant(m)),
    lambda m: pickle.dumps(FileOutcome("x.c", 1, irs=(_Plant(m),))),
    lambda m: pickle.dumps({"not": "an outcome"}),
    lambda m: b"\x80\x05garbage",
    lambda m: "a string, not bytes",
])
def test_anything_else_is_refused_and_never_run(tmp_path, make):
    marker = tmp_path / "marker"
    with pytest.raises(outcome_pickle.UnsafeOutcome):
        outcome_pickle.loads(make(marker))
    assert not marker.exists()


def test_the_driver_reports_a_refused_answer_as_that_files_error(tmp_path):
    marker = tmp_path / "marker"
    results: dict = {}

    class NoCache:
        def put_pickled(self, *a):
            raise AssertionError("a refused answer must not be cached")

    _store(results, 0, "k", pickle.dumps(_Plant(marker)), NoCache(), None, "drivers/x.c")
    assert not marker.exists()
    assert results[0].error.startswith("drivers/x.c: the executor's answer was refused")
