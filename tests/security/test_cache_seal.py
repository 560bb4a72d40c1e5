"""A cache entry someone else wrote never runs code (lockcheck.cache_auth).

The planted entries are real pickles whose loading would create a marker
file: the scan must ignore them, never create the marker, count them as
rejected, and print the same bytes as a scan without a cache.
"""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest

from lockcheck import cache_auth
from lockcheck.cache import Cache
from lockcheck.errors import InputError

from tests.perf.clirun import FIXTURES, scan_json, stats_json

CASE = FIXTURES / "minikvm" / "before"


class _Plant:
    """Unpickling this calls open(marker, "w"): the marker appears."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _plant_everywhere(cache: Path, marker: Path, forged_header: bool) -> int:
    evil = pickle.dumps(_Plant(marker))
    if forged_header:   # the right shape, a tag made without the secret
        evil = cache_auth.MAGIC + bytes(cache_auth.TAG_BYTES) + evil
    entries = sorted(cache.rglob("*.pickle"))
    for e in entries:
        e.write_bytes(evil)
    return len(entries)


@pytest.mark.parametrize("forged_header", [False, True])
def test_planted_entries_are_ignored_and_never_unpickled(tmp_path, forged_header):
    cache = tmp_path / "cache"
    marker = tmp_path / "marker"
    clean = scan_json(CASE, "--no-cache", "-j", "1")
    assert b'"edges"' in clean
    assert scan_json(CASE, "--cache-dir", cache, "-j", "1") == clean
    planted = _plant_everywhere(cache, marker, forged_header)
    assert planted >= 3   # lex, file and run entries at least
    assert scan_json(CASE, "--cache-dir", cache, "-j", "2") == clean
    assert not marker.exists()
    # the scan replaced what it rejected: a warm run hits again, unharmed
    assert scan_json(CASE, "--cache-dir", cache, "-j", "1") == clean
    # and `stats` (per-file entries, no run entry) counts the rejects
    _plant_everywhere(cache, marker, forged_header)
    stats = stats_json(CASE, "--cache-dir", cache, "-j", "1")
    assert stats["cache"]["rejected"] > 0 and stats["cache"]["hits"] == 0
    assert not marker.exists()


def test_a_valid_entry_moved_under_another_key_is_rejected(tmp_path):
    cache = Cache(tmp_path)
    cache.put("file", "aa" + "1" * 38, {"value": 1})
    cache.put_pickled("file", "bb" + "2" * 38, pickle.dumps({"value": 2}))
    assert Cache(tmp_path).get("file", "aa" + "1" * 38) == {"value": 1}
    assert Cache(tmp_path).get("file", "bb" + "2" * 38) == {"value": 2}
    src = Path(cache._path("file", "aa" + "1" * 38))
    dst = Path(cache._path("file", "cc" + "3" * 38))
    dst.parent.mkdir(parents=True)
    dst.write_bytes(src.read_bytes())
    reader = Cache(tmp_path)
    assert reader.get("file", "cc" + "3" * 38) is None
    assert (reader.rejected, reader.hits) == (1, 0)
    assert not dst.exists()   # discarded


def test_an_entry_sealed_with_another_secret_is_rejected(tmp_path, monkeypatch):
    Cache(tmp_path).put("lex", "ab" + "0" * 38, [1, 2, 3])
    monkeypatch.setenv(cache_auth.KEY_ENV, str(tmp_path.parent / "other-user-key"))
    reader = Cache(tmp_path)
    assert reader.get("lex", "ab" + "0" * 38) is None and reader.rejected == 1


def test_the_secret_is_made_private_and_outside_the_cache(tmp_path, monkeypatch):
    key = tmp_path / "config" / "lockcheck" / "cache-key"
    monkeypatch.delenv(cache_auth.KEY_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    Cache(tmp_path / "cache")
    assert cache_auth.key_path() == key
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == 32
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*key*"))


def test_an_unsafe_secret_is_refused(tmp_path, monkeypatch):
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    monkeypatch.setenv(cache_auth.KEY_ENV, str(key))
    os.chmod(key, 0o644)
    with pytest.raises(InputError, match="readable or writable by others"):
        Cache(tmp_path / "cache")
    os.chmod(key, 0o600)
    inside = tmp_path / "cache" / "key"
    inside.parent.mkdir()
    inside.write_bytes(os.urandom(32))
    os.chmod(inside, 0o600)
    monkeypatch.setenv(cache_auth.KEY_ENV, str(inside))
    with pytest.raises(InputError, match="inside the cache directory"):
        Cache(tmp_path / "cache")


def test_an_unusable_key_location_turns_the_cache_off(tmp_path, monkeypatch):
    """A key that can be neither read nor made (here its directory would
    have to be made under a regular file) costs the cache, not the scan."""
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(cache_auth.KEY_ENV, str(tmp_path / "file" / "lockcheck" / "key"))
    cache = Cache(tmp_path / "cache")
    assert cache.root is None
    cache.put("file", "ab" + "0" * 38, 1)
    assert cache.get("file", "ab" + "0" * 38) is None
    assert not (tmp_path / "cache").exists()


def test_a_fifo_planted_as_an_entry_is_not_waited_on(tmp_path):
    import threading
    cache = Cache(tmp_path)
    key = "ab" + "0" * 38
    path = Path(cache._path("file", key))
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    got = {}
    t = threading.Thread(target=lambda: got.setdefault("v", cache.get("file", key)), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():
        with open(path, "w"):
            pass
        pytest.fail("Cache.get blocked on a FIFO")
    assert got["v"] is None and cache.rejected == 1


def test_the_cli_reports_an_unsafe_key_in_one_line_with_exit_2(tmp_path):
    import subprocess
    import sys
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    os.chmod(key, 0o640)
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "scan", "-j", "1", "--cache-dir", str(tmp_path / "c"),
                           str(CASE)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, cache_auth.KEY_ENV: str(key)})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"lockcheck: error: {key}: the cache key is readable or "
                                                f"writable by others (mode 640; chmod 600 it)"]
