"""The campaign's mutation loop: deterministic per seed, every input counted,
a crash saved to a file (with where it came from) and the campaign going on."""

from __future__ import annotations

import json
import random
import tempfile

from . import bulk, campaign


def _draw(seed: str, n: int = 40):
    gen = bulk.Generators(random.Random(seed), bulk.seed_functions())
    return [getattr(gen, name)() for _ in range(n) for name in bulk.READERS]


def test_the_inputs_are_the_same_for_the_same_seed_and_differ_for_another():
    assert _draw("a") == _draw("a")
    assert _draw("a") != _draw("b")


def test_kernel_seeds_are_the_column_zero_function_definitions(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.c").write_text(
        "#include <x.h>\nstatic int x;\n\nstatic void f(int a)\n{\n\tg(a);\n}\n\nint h(void)\n{\n\treturn 1;\n}\n")
    (tmp_path / "d" / "y.h").write_text("static void k(void)\n{\n}\n")
    assert bulk.kernel_seeds([tmp_path]) == ["static void f(int a)\n{\n\tg(a);\n}\n", "int h(void)\n{\n\treturn 1;\n}\n"]


def test_a_short_campaign_counts_what_each_reader_consumed(tmp_path):
    report = tmp_path / "r.json"
    quota = "frontend=100,source=50,patch=50,config=50,baseline=50,model=50"
    rc = campaign.main(["--seconds", "120", "--inputs", quota, "--crash-dir", str(tmp_path / "c"),
                        "--report", str(report)])
    out = json.loads(report.read_text())
    assert rc == 0 and out["crashes"] == []
    assert out["inputs"] == {"frontend": 100, "source": 50, "patch": 50, "config": 50, "baseline": 50, "model": 50}
    # the front end also consumed the source inputs it was handed (those read_source accepted)
    assert 100 < out["consumed_by_reader"]["frontend"] <= 150
    assert not (tmp_path / "c").exists()


def test_the_workers_remove_their_scratch_directories(tmp_path):
    import glob
    before = set(glob.glob("/dev/shm/lockcheck-fuzz-*") + glob.glob(f"{tempfile.gettempdir()}/lockcheck-fuzz-*"))
    campaign.main(["--seconds", "60", "--jobs", "2", "--max-load", "1000", "--crash-dir", str(tmp_path / "c"),
                   "--inputs", "frontend=0,source=0,patch=100,config=100,baseline=0,model=0"])
    after = set(glob.glob("/dev/shm/lockcheck-fuzz-*") + glob.glob(f"{tempfile.gettempdir()}/lockcheck-fuzz-*"))
    assert after <= before


def test_a_crash_is_saved_with_its_origin_and_the_campaign_goes_on(tmp_path, monkeypatch):
    seen = []   # in the worker process

    def fragile(text):
        seen.append(text)
        if len(seen) == 3:
            raise ValueError("boom")

    monkeypatch.setitem(bulk.READERS, "config", (fragile, ".toml"))
    report = tmp_path / "r.json"
    rc = campaign.main(["--seconds", "60", "--inputs", "frontend=0,source=0,patch=0,config=100,baseline=0,model=0",
                        "--crash-dir", str(tmp_path / "c"), "--report", str(report)])
    out = json.loads(report.read_text())
    assert rc == 1 and out["inputs"] == {"config": 100}
    [crash] = out["crashes"]
    assert crash["error"] == "ValueError: boom" and crash["where"] == "seed lockcheck worker 0 config input 2"
    saved = tmp_path / "c" / crash["file"].rsplit("/", 1)[1]
    # the input is saved, and the seed and index given reproduce it
    gen = bulk.Generators(random.Random("lockcheck:0"), bulk.seed_functions())
    assert saved.read_text() == [gen.config() for _ in range(3)][2]
    assert "ValueError: boom" in saved.with_name(saved.name + ".txt").read_text()
