"""Display names for lock classes, the way lockdep prints them.

A struct-field class is shown as ``&<var>-><path>`` where ``<var>`` is the
name code most often gives variables of the owning struct type
(``struct kvm *kvm`` → ``&kvm->slots_lock``), so the name is the same
whichever path reached the lock.  Globals are their name; subclasses get
``/N``.
"""

from __future__ import annotations

from collections import Counter

from lockcheck.analysis.substitute import DYNAMIC_SUBCLASS, PARAM_SUBCLASS
from lockcheck.analysis.substitute import split_class_key

__all__ = ["preferred_var_names", "display_names"]


def preferred_var_names(functions, more_votes=()) -> dict[str, str]:
    """The variable name most declarations of each struct type use;
    ``more_votes`` are ``(struct, var)`` pairs of functions never extracted."""
    counts: dict[str, Counter] = {}
    for fn in functions:
        for struct, var in fn.var_names:
            counts.setdefault(struct, Counter())[var] += 1
    for struct, var in more_votes:
        counts.setdefault(struct, Counter())[var] += 1
    return {s: min(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0] for s, c in counts.items()}


def _render(key: str, owner: str, path: str, subclass: int, var_names: dict[str, str]) -> str:
    if key.startswith("w:"):
        return f"(work_completion)({_render(key[2:], owner, path, subclass, var_names)})"
    if key.startswith("f:"):
        var = var_names.get(owner) or owner.split()[-1] if owner else None
        name = f"&{var}->{path}" if var else f"&{key.split(':', 2)[1].split()[-1]}->{path}"
    elif key.startswith("g:"):
        name = path if "." not in path and not path.endswith("[]") else f"&{path}"
    else:
        name = path or key[2:]
    if subclass == DYNAMIC_SUBCLASS or subclass >= PARAM_SUBCLASS:
        return f"{name}/?"
    return f"{name}/{subclass}" if subclass else name


def display_names(votes: dict[str, dict], var_names: dict[str, str]) -> dict[str, str]:
    """class key → displayed name; the most common written form wins."""
    out: dict[str, str] = {}
    for class_key, forms in votes.items():
        rendered = Counter()
        for (key, owner, path, subclass), n in forms.items():
            rendered[_render(key, owner, path, subclass, var_names)] += n
        out[class_key] = min(rendered.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
        if class_key.startswith("k:"):   # lockdep_set_class(): lockdep names the class by its key
            base, sub = split_class_key(class_key)
            name = base[2:].partition(":")[2].partition("@")[0]
            out[class_key] = f"{name}/{sub}" if sub else name
    # two classes must never share a name: file-scope statics (lockdep
    # prints both `register_mutex`s alike) and unresolved expressions are
    # told apart by file or function only when their names meet
    shared = Counter(out.values())
    for k in sorted(out):
        if shared[out[k]] > 1 and k.startswith("g:") and "@" in k:
            out[k] = f"{split_class_key(k)[0].rpartition('@')[2]}:{out[k]}"
        elif shared[out[k]] > 1 and k.startswith("f:") and "@" in k.split(":", 2)[1]:
            # one tag, two definitions (frontend.struct_homes): told apart by the defining file
            out[k] = f"{k.split(':', 2)[1].partition('@')[2]}:{out[k]}"
        elif shared[out[k]] > 1 and k.startswith("u:"):
            out[k] = f"{out[k]}@{k[2:].split(':')[1]}"
    seen: dict[str, str] = {}
    for k in sorted(out):
        if out[k] in seen:
            out[k] = f"{out[k]} [{k}]"
        seen[out[k]] = k
    return out
