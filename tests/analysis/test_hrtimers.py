"""analysis.hrtimers: which context an hrtimer callback's modes give."""

import tomllib
from pathlib import Path

import pytest

from lockcheck.analysis.hrtimers import timer_context

MODEL = tomllib.loads((Path(__file__).parents[2] / "lockcheck/model/data/contexts.toml").read_text())["hrtimer"]


@pytest.mark.parametrize("modes, context", [
    (["id:HRTIMER_MODE_REL"], "hard"),
    (["id:HRTIMER_MODE_ABS_PINNED_HARD"], "hard"),
    (["id:HRTIMER_MODE_REL_SOFT"], "soft"),
    (["id:HRTIMER_MODE_REL_PINNED_SOFT", "id:HRTIMER_MODE_ABS_SOFT"], "soft"),
    (["id:HRTIMER_MODE_REL", "id:HRTIMER_MODE_REL_SOFT"], "unknown"),   # mixed inits
    ([None], "unknown"),                                                 # a variable
    ([], "unknown"),                                                     # no init call seen
    (["id:SOME_OTHER_MODE"], "unknown"),
])
def test_timer_context(modes, context):
    assert timer_context(modes, MODEL) == context


def test_every_mode_of_the_header_is_classified():
    header = Path(__file__).parents[2] / "kernel/linux-source-6.12/include/linux/hrtimer.h"
    if not header.exists():
        pytest.skip("kernel tree not unpacked")
    import re
    names = set(re.findall(r"^\s*(HRTIMER_MODE_\w+)\s*=", header.read_text(), re.M))
    assert names == set(MODEL["soft_modes"]) | set(MODEL["hard_modes"])
    assert all("SOFT" in n for n in MODEL["soft_modes"]) and not any("SOFT" in n for n in MODEL["hard_modes"])
