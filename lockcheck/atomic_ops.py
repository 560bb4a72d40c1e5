"""Ops fields a core calls in atomic context unless a driver opts out.

ALSA calls a PCM's ``.trigger``, ``.pointer`` and ``.ack`` under the PCM
stream lock, a spinlock it also takes in hardirq (``snd_pcm_period_elapsed``),
so always with local interrupts disabled — unless the driver set the PCM's
``nonatomic`` flag, which turns the stream lock into a mutex taken with
interrupts on.  ``[[irq.atomic_ops]]`` of ``model/data/contexts.toml`` says
so as data: ``fields`` ([struct type, member]) and the opting-out flag
(``unless_flag``, a member name).

Which tables opted out is decided per directory of the file whose
initialiser stores the function (``TreeIndex.ops_sites``): a table is
atomic unless some C file or header of that directory — read from disk, so
a subset scan decides as a whole-tree one does — stores the flag with
anything but a literal ``0``/``false`` (``pcm->nonatomic = true;``,
``.nonatomic = 1,``, ``pcm->nonatomic = link->nonatomic;``).  A driver's
PCM code, its table and the probe that creates the PCM live in one
directory (virtio's table is in virtio_pcm_ops.c, its flag in
virtio_pcm.c); a function stored by several initialisers is atomic only if
every one of them is.  What the analysis makes of the answer:
``IrqModel.learn_atomic`` (irqs off at such a root and around a call
through such a field to such a target).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["atomic_targets", "opted_out_dirs"]

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def _store_pattern(flag: str) -> re.Pattern:
    """A store of ``flag`` (``->flag =``, ``.flag =``) whose value is not a
    literal zero or false."""
    return re.compile(r"(?:->|\.)\s*" + re.escape(flag) + r"\s*=(?!=)(?!\s*(?:0|false)\s*[;,}])")


def _dir_sets_flag(directory: Path, pattern: re.Pattern) -> bool:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return False
    for name in names:
        if not name.endswith((".c", ".h")):
            continue
        try:
            text = (directory / name).read_text(errors="replace")
        except OSError:
            continue
        if pattern.search(_COMMENT.sub(" ", text)):
            return True
    return False


def _on_disk(file: str, root) -> Path:
    if root is not None and not os.path.isabs(file):
        p = Path(root) / file
        if p.exists():
            return p
    return Path(file)


def opted_out_dirs(specs, ops_sites: dict, root=None) -> dict[str, frozenset[str]]:
    """Per opting-out flag of ``specs``, the initialisers' directories (as
    display paths' directories) where some file stores it."""
    out: dict[str, frozenset[str]] = {}
    for spec in specs:
        flag = spec.get("unless_flag")
        if not flag or flag in out:
            continue
        pattern = _store_pattern(flag)
        dirs = sorted({os.path.dirname(file) for f in (tuple(x) for x in _all_fields(specs, flag))
                       for file, _ in ops_sites.get(f, ())})
        out[flag] = frozenset(d for d in dirs if _dir_sets_flag(_on_disk(d or ".", root), pattern))
    return out


def _all_fields(specs, flag: str):
    for spec in specs:
        if spec.get("unless_flag") == flag:
            yield from spec.get("fields", ())


def atomic_targets(specs, ops_sites: dict, opted: dict[str, frozenset[str]]) -> dict[tuple[str, str], frozenset[str]]:
    """(struct, member) -> the functions stored there that the core always
    calls with interrupts off: every initialiser storing the name sits
    outside the directories ``opted`` gives for the spec's flag."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for spec in specs:
        flag = spec.get("unless_flag")
        dirs = opted.get(flag, frozenset()) if flag else frozenset()
        for f in spec.get("fields", ()):
            f = tuple(f)
            ok: dict[str, bool] = {}
            for file, name in ops_sites.get(f, ()):
                ok[name] = ok.get(name, True) and os.path.dirname(file) not in dirs
            out[f] = out.get(f, frozenset()) | frozenset(n for n, atomic in ok.items() if atomic)
    return out
