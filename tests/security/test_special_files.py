"""FIFOs, sockets and device nodes in a scanned tree are skipped with one
line and never opened; symbolic links (and includes) out of the tree are
not followed unless --follow-symlinks asks (lockcheck.frontend.special_files)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading

import pytest

from lockcheck.frontend.source import SourceError, read_source
from lockcheck.frontend.special_files import NotRegular, read_regular
from lockcheck.frontend.tree import IncludeResolver

GOOD = "static int good(int a)\n{\n\treturn a + 1;\n}\n"
LEAKED = "static int leaked(int a)\n{\n\treturn a - 1;\n}\n"


def _stats(*args, timeout=120):
    proc = subprocess.run([sys.executable, "-m", "lockcheck", "stats", "--no-cache", "-j", "1", "--format", "json",
                           *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _lines_about(stderr: str, name: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if name in ln]


def _tree(tmp_path):
    d = tmp_path / "tree"
    d.mkdir()
    (d / "good.c").write_text(GOOD)
    return d


def _assert_skipped_one_line(proc, name: str, what: str) -> None:
    assert proc.returncode == 0, proc.stderr
    [line] = _lines_about(proc.stderr, name)
    assert "skipped" in line and what in line
    assert json.loads(proc.stdout)["functions"]["total"] == 1   # good.c counted, nothing else


def test_a_fifo_in_the_tree_is_skipped_not_waited_on(tmp_path):
    d = _tree(tmp_path)
    os.mkfifo(d / "x.c")
    _assert_skipped_one_line(_stats(d, timeout=60), "x.c", "FIFO")


def test_a_fifo_named_on_the_command_line_is_refused_too(tmp_path):
    d = _tree(tmp_path)
    os.mkfifo(d / "x.c")
    proc = _stats(d / "x.c", d / "good.c", timeout=60)
    _assert_skipped_one_line(proc, "x.c", "FIFO")


def test_a_socket_in_the_tree_is_skipped(tmp_path):
    d = _tree(tmp_path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(str(d / "sock.c"))
        _assert_skipped_one_line(_stats(d, timeout=60), "sock.c", "socket")
    finally:
        s.close()


def test_a_device_node_in_the_tree_is_skipped(tmp_path):
    d = _tree(tmp_path)
    try:   # the null device's numbers: harmless even if it were opened
        os.mknod(d / "dev.c", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here ({exc})")
    _assert_skipped_one_line(_stats(d, timeout=60), "dev.c", "character device")


def test_reading_a_fifo_refuses_at_once(tmp_path):
    """Even called directly (a file swapped for a FIFO after discovery):
    no open() that would wait for a writer."""
    fifo = tmp_path / "f.c"
    os.mkfifo(fifo)
    outcome = {}

    def read():
        try:
            read_source(fifo, "f.c")
        except SourceError as exc:
            outcome["error"] = str(exc)
    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():   # release the blocked reader before failing
        with open(fifo, "w"):
            pass
        pytest.fail("read_source blocked on a FIFO")
    assert outcome["error"] == "f.c: skipped, a FIFO (named pipe) is not a regular file"
    with pytest.raises(NotRegular):
        read_regular(fifo)


def _escaping_link(tmp_path):
    d = _tree(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.c").write_text(LEAKED)
    (d / "link.c").symlink_to(outside / "secret.c")
    return d


def test_a_symlink_out_of_the_tree_is_skipped_by_default(tmp_path):
    d = _escaping_link(tmp_path)
    proc = _stats(d)
    _assert_skipped_one_line(proc, "link.c", "symbolic link out of the scanned tree")
    assert "--follow-symlinks" in _lines_about(proc.stderr, "link.c")[0]


def test_follow_symlinks_follows_it(tmp_path):
    d = _escaping_link(tmp_path)
    proc = _stats("--follow-symlinks", d)
    assert proc.returncode == 0 and not _lines_about(proc.stderr, "link.c")
    assert json.loads(proc.stdout)["functions"]["total"] == 2


def test_a_symlink_inside_the_tree_is_followed(tmp_path):
    d = _tree(tmp_path)
    (d / "real.txt").write_text(LEAKED)
    (d / "inside.c").symlink_to(d / "real.txt")
    proc = _stats(d)
    assert proc.returncode == 0 and not _lines_about(proc.stderr, "inside.c")
    assert json.loads(proc.stdout)["functions"]["total"] == 2


def test_includes_out_of_the_tree_are_not_found(tmp_path):
    d = _tree(tmp_path)
    (tmp_path / "evil.h").write_text("#define X 1\n")
    (d / "linked.h").symlink_to(tmp_path / "evil.h")
    (d / "fine.h").write_text("#define Y 1\n")
    including = d / "good.c"
    confined = IncludeResolver(None, "x86", (), confine=(d,))
    assert confined.resolve('"', "fine.h", including) == d / "fine.h"
    assert confined.resolve('"', "../evil.h", including) is None
    assert confined.resolve('"', "linked.h", including) is None
    free = IncludeResolver(None, "x86", ())
    assert free.resolve('"', "../evil.h", including) == d / "../evil.h"
    # an -I directory is trusted: it is the user's own choice
    with_dir = IncludeResolver(None, "x86", (tmp_path,), confine=(d,))
    assert with_dir.resolve("<", "evil.h", including) == tmp_path / "evil.h"
