"""Which definition of a global function defined in several files a call
means: the one that builds with the caller.

The linker sees one build, of one architecture: a global name defined in
several ``.c`` files is defined once in each build, by the file that
build compiles.  ``clk_enable()`` is defined by drivers/clk/clk.c (the
common clock framework), by arch/m68k/coldfire/clk.c and
arch/mips/*/clk.c (their own clock code) and by drivers/sh/clk/core.c
(entered under ``CONFIG_SUPERH`` only); ``arch_cpu_idle()`` by every
architecture, with a ``__weak`` fallback in kernel/sched/idle.c.  Kept
first by path, the m68k body answered every generic call on a whole tree.

A call is judged in one build (:mod:`lockcheck.frontend.arch_dirs` gives
each file the architectures that build it, None for any):

- the caller's own architecture's build when the caller is
  architecture-specific and the scan's primary architecture (``--arch``,
  x86) does not build it; else the primary's build (generic code: the
  scan reads its headers as the primary's);
- a definition no architecture of the caller builds is never its target
  (an m68k caller never reaches the sh clock code);
- of the rest, the build's architecture's own definition first (it
  overrides a generic ``__weak`` one, or a generic one under another
  configuration: x86's ``arch_cpu_idle()``), then a generic one (any
  architecture: drivers/clk/clk.c for a generic ``clk_enable()`` caller);
  of equals the one nearest the caller in the tree (the most leading
  directories shared: a platform's own code builds with it, lantiq's
  arch/mips/lantiq/clk.c for arch/mips/lantiq/xway/dma.c, not bcm63xx's),
  then the first by path (configuration alternatives, as before);
- when only other architectures define the name (an ``arch_*`` hook x86
  inlines in its headers or does not have), the primary's build has no
  such definition: a header the caller sees defining it (the primary's
  inline) is the target, with one definition per other architecture set
  (the first by path of each: sparc's ``process_32.c`` and
  ``process_64.c`` are one architecture's alternatives).  Each is a call
  in that architecture's build; :mod:`lockcheck.analysis.arch_feasible`
  judges the chains that mix them (demoted to low, never dropped).

The choice is made once per name and caller directory: a few thousand
names of the whole tree have several definitions, and most calls never
reach this module.
"""

from __future__ import annotations

__all__ = ["ArchChoice", "rank", "arch_only", "primary_names", "OWN", "GENERIC", "OTHER"]

#: The build's architecture's own definition; a generic one; another architecture's.
OWN, GENERIC, OTHER = 0, 1, 2


def build_of(caller: frozenset | None, primary: str | None) -> frozenset | None:
    """The architectures whose build a call from a file of ``caller``
    (its architectures, None for any) is judged in."""
    if caller is None or primary is None or primary in caller:
        return frozenset((primary,)) if primary else None
    return caller


def rank(defined: frozenset | None, caller: frozenset | None, build: frozenset | None) -> int | None:
    """How well a definition built for ``defined`` answers a call from a
    file built for ``caller`` judged in ``build`` (:data:`OWN`,
    :data:`GENERIC`, :data:`OTHER`), None when no architecture builds both."""
    if defined is None:
        return GENERIC
    if caller is not None and not defined & caller:
        return None
    return OWN if build is not None and defined & build else OTHER


class ArchChoice:
    """``arch_of``: display path -> its architectures (None: any);
    ``primary``: the scan's architecture."""

    def __init__(self, arch_of, primary: str | None) -> None:
        self.arch_of = arch_of
        self.primary = primary
        self._memo: dict[tuple, tuple[tuple[str, ...], bool]] = {}

    def choose(self, name: str, defs: list[tuple[str, str]], from_file: str | None) -> tuple[tuple[str, ...], bool]:
        """Of ``defs`` ((key, file) of each definition of ``name``, in path
        order), the keys a call from ``from_file`` (None: a caller of no
        known file, judged in the primary's build) reaches, and whether
        a header the caller sees comes first (only other architectures
        define it)."""
        where = from_file.rpartition("/")[0] if from_file is not None else None
        memo = (name, where)
        found = self._memo.get(memo)
        if found is None:
            caller = self.arch_of(from_file) if from_file is not None and self.arch_of is not None else None
            found = self._memo[memo] = self._choose(defs, caller, where)
        return found

    def _choose(self, defs, caller, where: str | None) -> tuple[tuple[str, ...], bool]:
        build = build_of(caller, self.primary)
        best: dict[int, list[tuple[str, frozenset | None, str]]] = {}
        for key, file in defs:
            a = self.arch_of(file) if self.arch_of is not None else None
            r = rank(a, caller, build)
            if r is not None:
                best.setdefault(r, []).append((key, a, file))
        if not best:
            return (), True
        top = min(best)
        if top != OTHER:
            return (_nearest(best[top], where),), False
        per_arch: dict[frozenset | None, list] = {}
        for d in best[OTHER]:      # one per architecture set
            per_arch.setdefault(d[1], []).append(d)
        return tuple(_nearest(ds, where) for ds in per_arch.values()), True


def _nearest(defs: list, where: str | None) -> str:
    """The key of the definition of ``defs`` ((key, archs, file), in path
    order) sharing the most leading directories with ``where`` (the
    caller's directory), the first of equals."""
    if where is None or len(defs) == 1:
        return defs[0][0]
    mine = where.split("/")

    def shared(file: str) -> int:
        n = 0
        for a, b in zip(mine, file.split("/")[:-1]):
            if a != b:
                break
            n += 1
        return n
    return defs[max(range(len(defs)), key=lambda k: (shared(defs[k][2]), -k))][0]


def primary_names(functions, arch_of, primary: str | None) -> set[str]:
    """The names ``functions`` define in the primary architecture's build
    (a static function's and a header's whatever their file): a name only
    other architectures' ``.c`` files define is called, in the primary's
    build, as its header's inline (x86's ``__cpu_die()``), which is then
    parsed like any header function a scan calls."""
    out: set[str] = set()
    for fn in functions:
        if fn.name in out:
            continue
        if fn.static or arch_of is None or primary is None or fn.file.endswith(".h"):
            out.add(fn.name)
            continue
        a = arch_of(fn.file)     # memoised per file (frontend.arch_dirs)
        if a is None or primary in a:
            out.add(fn.name)
    return out


def arch_only(globals_: dict[str, str], by_key: dict, several: dict, arch_of) -> dict[str, list[tuple[str, str]]]:
    """Of the global names (``globals_``: name -> key of its function in
    ``by_key``) not among ``several`` (those several files define), those
    whose one definition only some architectures build, as
    ``ArchChoice.choose`` takes them: a call from another architecture's
    file reaches none of them, and generic code the primary's header
    inline first (x86's ``arch_sync_hook()`` next to arm's)."""
    if arch_of is None:
        return {}
    out = {}
    for name in sorted(globals_.keys() - several.keys()):
        file = by_key[globals_[name]].file
        if arch_of(file) is not None:
            out[name] = [(globals_[name], file)]
    return out
