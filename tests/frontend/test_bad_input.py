"""``lockcheck stats`` on bad input: one line per problem on stderr, the run
goes on, exit code 2 only when nothing could be read, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GOOD = "static int good(int a)\n{\n\treturn a + 1;\n}\n"


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "good.c").write_text(GOOD)
    (d / "nocode").mkdir()
    (d / "nocode" / "README").write_text("no C here\n")
    (d / "binary.c").write_bytes(bytes(range(256)) * 8)
    (d / "latin.c").write_bytes(b"int f(void)\n{\n\treturn '\xe9\xe8\xff\xfe\xfd\xfc\xe9\xe8\xe7\xe6';\n}\n")
    (d / "truncated.c").write_text("static int h(int a)\n{\n\tif (a) {\n\t\tmutex_lock(&m);\n\t\treturn a +")
    with open(d / "huge.c", "w") as f:
        k = 0
        while f.tell() < 10 * 1024 * 1024:
            f.write(f"int fn{k}(int a)\n{{\n\treturn a * {k};\n}}\n")
            k += 1
    return d


def _stats(*args):
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "stats", "--no-cache", "-j", "1", *map(str, args)],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _one_line_about(stderr: str, name: str) -> str:
    lines = [ln for ln in stderr.splitlines() if name in ln]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("name, message", [
    ("missing.c", "no such file"),
    ("nocode", "no C files found"),
    ("binary.c", "binary file"),
    ("latin.c", "not UTF-8"),
    ("huge.c", "limit"),
])
def test_each_bad_input_is_one_line_and_the_run_goes_on(bad_dir, name, message):
    proc = _stats("--format", "json", bad_dir / name, bad_dir / "good.c")
    assert proc.returncode == 0
    assert message in _one_line_about(proc.stderr, name)
    out = json.loads(proc.stdout)
    assert out["functions"]["total"] == 1 and out["functions"]["clean"] == 1


def test_truncated_function_is_a_recorded_failure(bad_dir):
    proc = _stats("--format", "json", bad_dir / "truncated.c", bad_dir / "good.c")
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["functions"] == {**out["functions"], "total": 2, "parsed": 1, "clean": 1}
    (fail,) = out["failures"]
    assert fail["function"] == "h" and fail["file"].endswith("truncated.c")
    assert fail["reason"] and "truncated.c" not in fail["reason"]


def test_everything_bad_gives_exit_2(bad_dir):
    proc = _stats(bad_dir / "missing.c", bad_dir / "nocode", bad_dir / "binary.c", bad_dir / "latin.c",
                  bad_dir / "huge.c")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == "lockcheck: error: no input file could be read"


def test_only_missing_paths_gives_exit_2(bad_dir):
    proc = _stats(bad_dir / "missing.c")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_all_bad_inputs_together_with_a_good_one(bad_dir):
    proc = _stats("--format", "json", *sorted(bad_dir.iterdir()), bad_dir / "missing.c")
    assert proc.returncode == 0
    assert len(proc.stderr.strip().splitlines()) == 5   # all but truncated.c and good.c
    assert json.loads(proc.stdout)["functions"]["clean"] == 1


def test_stats_json_shape(bad_dir):
    out = json.loads(_stats("--format", "json", bad_dir / "good.c", bad_dir / "truncated.c").stdout)
    assert out["files"] == 2
    assert {"total", "parsed", "clean"} <= set(out["functions"])
    assert isinstance(out["failures"], list)
    for f in out["failures"]:
        assert {"file", "line", "function", "reason"} <= set(f)
        assert isinstance(f["line"], int)


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    (tmp_path / "bom.c").write_bytes(b"\xef\xbb\xbfint f(void)\r\n{\r\n\treturn 0;\r\n}\r\n")
    out = json.loads(_stats("--format", "json", tmp_path / "bom.c").stdout)
    assert out["functions"]["clean"] == 1
