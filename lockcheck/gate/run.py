"""The gate's steps, in order: open both trees, scan, compare, judge.

Each entry point is a context manager because the trees may be temporary
(git revisions, patched copies) and the text report quotes source lines
from them: the caller renders inside the ``with`` block.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from lockcheck.errors import InputError
from lockcheck.gate import baseline as bl
from lockcheck.gate.compare import Comparison, compare, only
from lockcheck.gate.patches import apply, read_series, touched
from lockcheck.gate.suppress import Config, apply_suppressions, find_config, load_config
from lockcheck.gate.trees import copy_tree, git_tree, kernel_support_paths, scan_tree
from lockcheck.options import Options
from lockcheck.report.screen import DEFAULT_MIN_CONFIDENCE, at_least

__all__ = ["Policy", "Step", "diff_trees", "patch_steps"]


@dataclass(frozen=True)
class Policy:
    """What lets an introduced cycle through: a baseline, suppressions."""
    baseline: str | None = None
    config: str | None = None        # explicit --config; else HEAD's .lockcheck.toml
    # introduced cycles below this confidence do not fail (None: all do)
    min_confidence: str | None = DEFAULT_MIN_CONFIDENCE

    def load(self, head_root: Path) -> tuple[list[bl.Entry] | None, Config | None]:
        entries = bl.load(self.baseline) if self.baseline else None
        path = self.config or find_config(head_root)
        return entries, (load_config(path) if path else None)


@dataclass(frozen=True)
class Step:
    name: str
    comparison: Comparison


def judge(cmp: Comparison, entries, config, min_confidence: str | None = None) -> Comparison:
    """Move introduced cycles that are below ``min_confidence``, suppressed
    or in the baseline aside."""
    below = [f for f in cmp.introduced if not at_least(f, min_confidence)]
    introduced, suppressed, known, stale = [f for f in cmp.introduced if at_least(f, min_confidence)], [], [], []
    if config is not None:
        kept, suppressed = apply_suppressions(only(cmp.head, introduced), config)
        introduced = list(kept.findings)
    if entries is not None:
        introduced, known, _ = bl.match(introduced, entries)
        stale = bl.match(cmp.head.findings, entries)[2]
    return replace(cmp, introduced=tuple(introduced), known=tuple(known),
                   suppressed=tuple(suppressed), stale=tuple(stale), below=tuple(below),
                   min_confidence=min_confidence)


@contextlib.contextmanager
def open_tree(spec: str, repo: str | None, paths: tuple[str, ...], arch: str):
    """``spec`` is a directory, or a revision of ``repo``."""
    if repo is None:
        p = Path(spec)
        if not p.is_dir():
            raise InputError(f"{spec}: no such directory")
        yield p
    else:
        with git_tree(Path(repo), spec, paths, arch) as p:
            yield p


@contextlib.contextmanager
def diff_trees(base: str, head: str, paths: tuple[str, ...], options: Options,
               repo: str | None = None, policy: Policy = Policy()):
    """Yield the judged :class:`Comparison` of ``base`` and ``head``."""
    with open_tree(base, repo, paths, options.arch) as b, open_tree(head, repo, paths, options.arch) as h:
        entries, config = policy.load(h)
        _check_paths(paths, (b, h))
        cmp = compare(scan_tree(b, paths, options), scan_tree(h, paths, options))
        yield judge(cmp, entries, config, policy.min_confidence)


@contextlib.contextmanager
def patch_steps(tree: str, patch_files, paths: tuple[str, ...], options: Options, each: bool = False,
                strip: int = 1, policy: Policy = Policy()):
    """Yield ``(steps, net)``: one :class:`Step` per patch with ``each``
    (else none), and the judged comparison of ``tree`` with the whole series
    applied.  Every patch is applied before anything is scanned, so a
    patch that does not apply fails fast."""
    root = Path(tree)
    if not root.is_dir():
        raise InputError(f"{tree}: no such directory")
    _check_paths(paths, (root,))
    with tempfile.TemporaryDirectory(prefix="lockcheck-patch-") as tmp:
        series = read_series(patch_files, Path(tmp) / "mail")
        subset = None
        if paths:
            extra = [p for patch in series for p in touched(patch, strip)]
            subset = (*paths, *kernel_support_paths(options.arch), *extra)
        groups = [[p] for p in series] if each else [series]
        trees, prev = [], root
        for k, group in enumerate(groups):
            dest = Path(tmp) / f"tree{k}"
            copy_tree(prev, dest, subset)
            for patch in group:
                apply(patch, dest, strip)
            trees.append(dest)
            prev = dest
        entries, config = policy.load(trees[-1])
        base = last = scan_tree(root, paths, options)
        steps = []
        for group, dest in zip(groups, trees):
            res = scan_tree(dest, paths, options)
            if each:
                steps.append(Step(group[0].name, judge(compare(last, res), entries, config, policy.min_confidence)))
            last = res
        yield steps, judge(compare(base, last), entries, config, policy.min_confidence)


def _check_paths(paths, roots) -> None:
    for p in paths:
        if Path(p).is_absolute() or ".." in Path(p).parts:
            raise InputError(f"{p}: PATH must be relative to the tree")
        if not any((r / p).exists() for r in roots):
            raise InputError(f"{p}: no such file or directory in either tree")
