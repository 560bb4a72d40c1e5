"""Helpers for the gate tests: run the CLI in-process, build git repos."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lockcheck.cli.main import main

REPO = Path(__file__).resolve().parents[2]
BEFORE = REPO / "fixtures" / "minikvm" / "before"
AFTER = REPO / "fixtures" / "minikvm" / "after"
DATA = Path(__file__).parent / "data"
CYCLE = {"kvm_lock", "&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock"}


@pytest.fixture
def lc(capsys, tmp_path):
    """``lc(*argv)`` → (exit code, stdout, stderr); JSON parsed when asked."""
    def run(*argv):
        argv = [str(a) for a in argv]
        if argv and argv[0] in ("diff", "check-patch", "baseline", "scan"):
            argv = argv + ["--cache-dir", str(tmp_path / "cache"), "-j", "1"]
        with pytest.raises(SystemExit) as exc:
            main(argv)
        out, err = capsys.readouterr()
        if "--format" in argv and argv[argv.index("--format") + 1] == "json" and out.strip():
            out = json.loads(out)
        return exc.value.code, out, err
    return run


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


@pytest.fixture
def kvm_repo(tmp_path):
    """A git repo with commits ``before`` and ``after`` (tags) of minikvm."""
    repo = tmp_path / "repo"
    shutil.copytree(BEFORE, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "before")
    git(repo, "tag", "before")
    shutil.copy(AFTER / "kvm_main.c", repo / "kvm_main.c")
    git(repo, "commit", "-q", "-am", "after")
    git(repo, "tag", "after")
    return repo
