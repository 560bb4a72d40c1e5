"""Patch series: reading them the way git does, applying them to a copy.

Everything that understands patch syntax is git's: ``git mailsplit`` cuts
an mbox (``git format-patch`` or ``b4 am`` output) into messages,
``git mailinfo`` takes each message's subject and diff, ``git apply
--numstat`` names the files a patch touches, and ``git apply`` applies it.
A hand-written parser would disagree with git on some corner (renames,
binary hunks, ``\\ No newline at end of file``) exactly when it matters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lockcheck.errors import InputError

__all__ = ["Patch", "read_series", "touched", "apply"]


@dataclass(frozen=True)
class Patch:
    name: str       # for messages: the file, and the subject for mail
    path: Path      # absolute: a plain diff git apply can read


def read_series(files, workdir: Path) -> list[Patch]:
    """The patches in ``files``, in order; mboxes are split into ``workdir``.

    A file whose first line starts with ``From `` is an mbox; a message with
    no diff (a cover letter) is skipped.  An input with no patch at all is
    an error rather than a silent "nothing changed".
    """
    out: list[Patch] = []
    for n, f in enumerate(files):
        f = Path(f)
        if not f.is_file():
            raise InputError(f"{f}: no such patch file")
        with open(f, "rb") as fh:
            mbox = fh.readline().startswith(b"From ")
        if not mbox:
            if f.stat().st_size == 0:
                raise InputError(f"{f}: empty patch")
            out.append(Patch(f.name, f.resolve()))
            continue
        out += _split_mbox(f, workdir / f"mbox{n}")
    return out


def _split_mbox(f: Path, dest: Path) -> list[Patch]:
    dest.mkdir(parents=True)
    _run(["git", "mailsplit", "-o" + str(dest), str(f)], f.name)
    mails = sorted(p for p in dest.iterdir() if p.name.isdigit())
    out = []
    for mail in mails:
        diff = mail.with_suffix(".diff")
        with open(mail, "rb") as fh:
            info = _run(["git", "mailinfo", "-k", os.devnull, str(diff)], f.name, stdin=fh)
        subject = next((line[9:] for line in info.splitlines() if line.startswith("Subject: ")), "")
        if diff.stat().st_size:
            out.append(Patch(f"{f.name}: {subject}".rstrip(": "), diff.resolve()))
    if not out:
        raise InputError(f"{f}: no patch in this mailbox")
    return out


def touched(patch: Patch, strip: int) -> list[str]:
    """Paths the patch reads or writes (``git apply --numstat``)."""
    text = _run(["git", "apply", f"-p{strip}", "--numstat", "-z", str(patch.path)], patch.name,
                cwd=tempfile.gettempdir())
    fields = [x for x in text.split("\0") if x]
    paths = []
    for x in fields:
        parts = x.split("\t")
        paths += [p for p in parts[2:] if p] if len(parts) >= 3 else [x]
    return paths


def apply(patch: Patch, tree: Path, strip: int) -> None:
    """Apply ``patch`` in ``tree`` (a copy); one-line error if it does not apply."""
    for rel in touched(patch, strip):
        _unshare(tree / rel)
    _run(["git", "apply", f"-p{strip}", "--whitespace=nowarn", str(patch.path.resolve())],
         patch.name, cwd=tree)


def _unshare(p: Path) -> None:
    """Replace a hard link into the user's tree by a private copy."""
    if p.is_file() and p.stat().st_nlink > 1:
        tmp = p.with_name(p.name + ".lockcheck-tmp")
        shutil.copy2(p, tmp)
        os.replace(tmp, p)


def _run(cmd: list[str], name: str, cwd=None, stdin=None) -> str:
    # keep git from finding a repository above the temporary tree: inside
    # one, git apply would take paths from that repository's top level
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(Path(cwd).parent) if cwd else "",
               LC_ALL="C")
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdin=stdin, capture_output=True, env=env)
    except FileNotFoundError:
        raise InputError("git is not installed") from None
    if proc.returncode:
        raise InputError(f"{name}: {_git_error(proc.stderr.decode(errors='replace'))}")
    return proc.stdout.decode(errors="replace")


def _git_error(stderr: str) -> str:
    """git's reason in one line: the failing hunk's file:line when it says."""
    lines = [line.strip().removeprefix("error: ").removeprefix("fatal: ")
             for line in stderr.splitlines() if line.strip()]
    failed = [line for line in lines if line.startswith("patch failed:")]
    why = [line for line in lines if not line.startswith(("patch failed:", "while searching for", "Checking"))
           and (line.endswith("does not apply") or "binary" in line.lower() or "No valid" in line
                or "corrupt" in line or "No such" in line or "already exists" in line)]
    if any(line.startswith("No valid patches") for line in lines):
        return "no diff in this patch"
    if failed:
        where = failed[0].removeprefix("patch failed: ")
        return f"does not apply: hunk at {where} failed"
    if why:
        return f"does not apply: {why[0]}"
    return "does not apply: " + (lines[-1] if lines else "git apply failed")
