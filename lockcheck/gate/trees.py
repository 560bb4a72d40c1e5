"""The two trees a gate compares, and scanning one so both look alike.

Scans run *inside* the tree root with relative paths.  Witness file names
(and the cache keys, which include them) are then the same for BASE, HEAD
and every temporary copy, so the report names ``virt/kvm/kvm_main.c``
rather than a temporary directory, and a file the change left alone is a
cache hit in the second scan.  Git trees are read with ``git archive``;
the user's work tree and index are never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

from lockcheck.errors import InputError
from lockcheck.options import Options
from lockcheck.result import ScanResult

__all__ = ["scan_tree", "git_tree", "copy_tree", "kernel_support_paths", "git"]


def kernel_support_paths(arch: str) -> tuple[str, ...]:
    """What a kernel scan needs besides the scanned paths: headers, and
    ``Kconfig`` (which, with ``include/linux``, marks the tree root)."""
    return ("Kconfig", "include", f"arch/{arch}/include", ".lockcheck.toml")


def scan_tree(root: Path, paths: tuple[str, ...], options: Options) -> ScanResult:
    """Scan ``paths`` (relative to ``root``; all of it when empty).

    Paths missing from this tree are skipped (a change may add or remove a
    directory); if none exists the tree has no findings.
    """
    from lockcheck.api import check
    root = Path(root).resolve()
    wanted = [p for p in paths if (root / p).exists()] if paths else ["."]
    if not wanted:
        return ScanResult({"files": 0, "functions": {"total": 0, "parsed": 0}}, (), (), (),
                          source_root=str(root))
    opts = replace(options.with_absolute_paths(), paths=tuple(wanted))   # relative to root, below
    with _cwd(root):
        result = check(opts)
    src = Path(result.source_root)
    return replace(result, source_root=str(src if src.is_absolute() else root / src))


@contextlib.contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def git(repo: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    """Run git in ``repo``; a failure is an :class:`InputError` with git's last line."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True)
    except FileNotFoundError:
        raise InputError("git is not installed") from None
    if proc.returncode:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(msg[-1].removeprefix("fatal: ").removeprefix("error: ") if msg
                         else f"git {args[0]} failed")
    return proc


@contextlib.contextmanager
def git_tree(repo: Path, rev: str, paths: tuple[str, ...], arch: str):
    """A temporary directory holding the files of ``rev``; yields its path.

    ``rev`` is any tree-ish: a commit, or ``git write-tree``'s id for the
    index (what a pre-commit hook compares with HEAD).  With ``paths``,
    only those, their sibling headers and the kernel headers are read.
    """
    repo = Path(repo)
    if not repo.is_dir():
        raise InputError(f"{repo}: no such directory")
    git(repo, "rev-parse", "--git-dir")
    try:
        tree = git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}").stdout.decode().strip()
    except InputError:
        raise InputError(f"{rev}: unknown revision in {repo}") from None
    listed: list[str] | None = None          # None: the whole tree
    if paths:
        wanted = [p.strip("/") or "." for p in (*paths, *kernel_support_paths(arch))]
        listed = git(repo, "ls-tree", "--name-only", tree, "--", *wanted).stdout.decode().splitlines()
        listed += _sibling_headers(repo, tree, listed)
    with tempfile.TemporaryDirectory(prefix="lockcheck-git-") as tmp:
        if listed is None or listed:
            _untar(git(repo, "archive", "--format=tar", tree, "--", *(listed or [])).stdout, Path(tmp))
        yield Path(tmp)


def _sibling_headers(repo: Path, commit: str, listed: list[str]) -> list[str]:
    """Headers next to a scanned *file*: the scan reads them (see
    ``driver._build_tree_index``), so a file-only archive would scan differently."""
    dirs = sorted({str(Path(p).parent) for p in listed if p.endswith(".c")})
    if not dirs:
        return []
    out = git(repo, "ls-tree", "--name-only", commit, "--", *(d + "/" for d in dirs))
    return [p for p in out.stdout.decode().splitlines() if p.endswith(".h") and p not in listed]


def _untar(data: bytes, dest: Path) -> None:
    """A ``git archive`` unpacked with tarfile's ``data`` filter; a Python
    older than the filter (3.11.4) checks each member the same way itself."""
    import io
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(dest, filter="data")
        else:
            tf.extractall(dest, members=[_data_member(m, Path(dest)) for m in tf.getmembers()])


def _data_member(member: tarfile.TarInfo, dest: Path) -> tarfile.TarInfo:
    """What the ``data`` filter allows (else tarfile.TarError): a file, a
    directory or a link that stays inside ``dest`` (a leading ``/`` dropped),
    without owner or the setuid, setgid, sticky and group/other write bits."""
    root = os.path.realpath(dest)

    def inside(path: str) -> bool:
        return os.path.commonpath([root, os.path.realpath(path)]) == root

    name = member.name = member.name.lstrip("/" + os.sep)    # as the filter: made relative
    if not inside(os.path.join(root, name)):
        raise tarfile.TarError(f"{name}: outside the destination")
    if member.issym() and (os.path.isabs(member.linkname) or
                           not inside(os.path.join(root, os.path.dirname(name), member.linkname))):
        raise tarfile.TarError(f"{name}: links outside the destination")
    if member.islnk() and (os.path.isabs(member.linkname) or not inside(os.path.join(root, member.linkname))):
        raise tarfile.TarError(f"{name}: links outside the destination")
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        raise tarfile.TarError(f"{name}: a special file")
    member.mode = (member.mode & 0o755) | (0o600 if member.isreg() else 0)
    member.uid, member.gid, member.uname, member.gname = os.getuid(), os.getgid(), "", ""
    return member


def copy_tree(src: Path, dest: Path, paths: tuple[str, ...] | None) -> None:
    """Hard-link ``paths`` of ``src`` (everything when None) into ``dest``.

    Links cost no space for a kernel tree; :func:`lockcheck.gate.patches.apply`
    replaces each file a patch touches by a real copy before git writes it,
    so ``src`` is never modified.  Falls back to copying across devices.
    """
    src = Path(src)
    tops = [Path(p) for p in paths] if paths is not None else \
        [Path(n) for n in sorted(os.listdir(src)) if n != ".git"]
    for rel in tops:
        s, d = src / rel, dest / rel
        if s.is_dir():
            shutil.copytree(s, d, copy_function=_link, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".git"))
        elif s.is_file():
            # with the headers beside it, which the scan reads too
            for f in [s, *(sorted(s.parent.glob("*.h")) if s.suffix == ".c" else [])]:
                t = d.parent / f.name
                if not t.exists():
                    t.parent.mkdir(parents=True, exist_ok=True)
                    _link(f, t)


def _link(s, d) -> None:
    try:
        os.link(s, d)
    except OSError:
        shutil.copy2(s, d)
