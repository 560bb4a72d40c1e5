"""A ``git archive`` unpacked for the gate (lockcheck/gate/trees.py): with
tarfile's ``data`` filter, or on a Python older than it (3.11.2 here) the
same checks made member by member."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from lockcheck.gate import trees


def _archive(members) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _file(name: str, data: bytes = b"int x;\n", mode: int = 0o644) -> tuple:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    return info, data


def _link(name: str, target: str, kind=tarfile.SYMTYPE) -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.fixture(params=["filter", "checked"])
def untar(request, monkeypatch):
    if request.param == "checked":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python's tarfile has no data filter (3.11.4 added it)")
    return trees._untar


def test_a_plain_archive_unpacks_with_its_links_inside(untar, tmp_path):
    data = _archive([_file("drivers/a.c"), _file("drivers/run.sh", mode=0o6777),
                     _link("drivers/b.c", "a.c"), _link("include/x.h", "../drivers/a.c")])
    untar(data, tmp_path)
    assert (tmp_path / "drivers" / "a.c").read_bytes() == b"int x;\n"
    assert os.readlink(tmp_path / "drivers" / "b.c") == "a.c"
    assert (tmp_path / "include" / "x.h").read_bytes() == b"int x;\n"
    assert (tmp_path / "drivers" / "run.sh").stat().st_mode & 0o7022 == 0   # no setuid, no group/other write


def test_an_absolute_name_lands_inside(untar, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    untar(_archive([_file("/evil.c")]), dest)
    assert (dest / "evil.c").exists() and not (tmp_path / "evil.c").exists()


@pytest.mark.parametrize("member", [
    _file("../evil.c"), _file("a/../../evil.c"),
    _link("a/link", "/etc/passwd"), _link("a/link", "../../etc/passwd"),
    _link("a/hard", "/etc/passwd", tarfile.LNKTYPE), _link("a/fifo", "", tarfile.FIFOTYPE),
], ids=["dotdot", "inner-dotdot", "symlink-absolute", "symlink-out", "hardlink-out", "fifo"])
def test_a_member_reaching_outside_or_special_is_refused(untar, tmp_path, member):
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(tarfile.TarError):
        untar(_archive([_file("ok.c"), member]), dest)
    assert not (tmp_path / "evil.c").exists()
