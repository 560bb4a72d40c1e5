"""Compiled copies of the scan's hot modules, used only while they match their source.

A scan is pure Python and its profile is flat (no function above a few per
cent), so no rewrite of one spot makes it faster; compiling the same source
with Cython does, everywhere at once (as mypy and black ship compiled with
mypyc).  ``make setup`` builds a C extension of each module :func:`wanted`
lists (lockcheck's front end, analysis and report, and pycparser's parser
and lexer) into :func:`default_root`, with a manifest naming, per module,
its extension and the digest of the ``.py`` it was built from.

:func:`install` (run when ``lockcheck`` is imported) puts a finder first on
``sys.meta_path``: a listed module whose ``.py``, where the ordinary finders
find it, still has the manifest's digest is loaded from its extension;
every other import is left to the ordinary finders.  So an edited module
runs as Python until the next ``make setup`` (``stale()`` names it), a
checkout elsewhere on ``PYTHONPATH`` runs its own code, and
``LOCKCHECK_PURE=1`` turns the whole mechanism off.  The source is the same
either way, and so is the output (tests/test_compiled_modules.py).

One rule the compiled code needs of the source: no inner function may
refer to another inner function of the same call, nor to itself.  Compiled,
the closures of one call share one scope object; a closure that scope holds
makes a reference cycle, and with the cycle collector paused for the scan
(:mod:`lockcheck.cyclic_gc`) each call's whole scope (a walk's IR, say)
would stay until the scan ends.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

__all__ = ["MANIFEST", "build", "default_root", "install", "loaded", "stale", "failed", "wanted"]

#: The manifest's file name in the root: {module: [extension file, source digest]}.
MANIFEST = "manifest.json"
#: Set (to anything but ``0`` or empty) to import every module from source.
PURE_ENV = "LOCKCHECK_PURE"
#: Set to a directory to read the compiled modules from there.
ROOT_ENV = "LOCKCHECK_COMPILED"
#: pycparser's modules worth compiling (its parser and lexer run per function).
PYCPARSER_MODULES = ("c_parser", "c_lexer", "c_ast", "ast_transforms")
#: lockcheck's subpackages compiled whole (the top-level modules are too).
PACKAGES = ("frontend", "analysis", "report")


def default_root() -> Path:
    """Where this interpreter's compiled modules live: beside its virtual
    environment's packages, one directory per Python build."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV])
    return Path(sys.prefix) / "lib" / "lockcheck-compiled" / sys.implementation.cache_tag


def source_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def wanted() -> dict[str, Path]:
    """Module name -> its source, for every module worth compiling.  A module
    that finds files beside itself (``__file__``) stays Python: compiled, it
    lives elsewhere; so do packages' ``__init__`` and ``__main__``."""
    pkg = Path(__file__).resolve().parent
    out: dict[str, Path] = {}
    files = sorted(pkg.glob("*.py")) + [f for sub in PACKAGES for f in sorted((pkg / sub).glob("*.py"))]
    for f in files:
        if f.name in ("__init__.py", "__main__.py") or f.name == Path(__file__).name:
            continue
        if "__file__" in f.read_text(encoding="utf-8"):
            continue
        rel = f.relative_to(pkg.parent).with_suffix("")
        out[".".join(rel.parts)] = f
    spec = importlib.util.find_spec("pycparser")
    if spec is not None and spec.submodule_search_locations:
        where = Path(next(iter(spec.submodule_search_locations)))
        for name in PYCPARSER_MODULES:
            if (where / f"{name}.py").exists():
                out[f"pycparser.{name}"] = where / f"{name}.py"
    return out


# ------------------------------------------------------------------ build

def build(root: Path | None = None, jobs: int = 2, modules: dict[str, Path] | None = None) -> dict:
    """Compile ``modules`` (default :func:`wanted`) into ``root`` and write
    its manifest; incremental (an unchanged source is not compiled again).
    Needs Cython and a C compiler; returns the manifest."""
    from Cython.Build import cythonize            # build-time only
    from setuptools import Extension
    from setuptools.dist import Distribution

    root = Path(root or default_root())
    modules = modules if modules is not None else wanted()
    # the manifest vouches for the extensions: gone while they are rebuilt,
    # so a build stopped halfway leaves every module Python, never an
    # extension of other source under an old digest
    (root / MANIFEST).unlink(missing_ok=True)
    work = root / "build"
    sources = root / "src"          # a copy per module: cythonize names it by its place
    exts = []                       # named by their place below `sources`
    digests = {}
    for name, src in sorted(modules.items()):
        data = src.read_bytes()
        copy = sources.joinpath(*name.split(".")).with_suffix(".py")
        copy.parent.mkdir(parents=True, exist_ok=True)
        for parent in copy.relative_to(sources).parents:   # packages, so the name is the dotted one
            if parent != Path("."):
                (sources / parent / "__init__.py").touch()
        if not copy.exists() or copy.read_bytes() != data:
            copy.write_bytes(data)
        digests[name] = source_digest(data)
        exts.append(Extension(name, [copy.relative_to(sources).as_posix()]))
    cwd = os.getcwd()
    os.chdir(sources)               # cythonize derives a module's name from the path
    try:
        built = cythonize(exts,
                          build_dir=str(work / "c"), nthreads=jobs, quiet=True, language_level=3,
                          compiler_directives={"annotation_typing": False, "binding": True})
        dist = Distribution({"ext_modules": built, "script_args": [
            "build_ext", "--build-lib", str(root / "lib"), "--build-temp", str(work / "o"),
            "--parallel", str(jobs)]})
        dist.parse_command_line()
        dist.run_commands()
    finally:
        os.chdir(cwd)
    # the object files are linked: the next build compiles only the C that
    # changed and links it again (setuptools compares each extension with
    # its C file), so they are only room taken (240 MB for the scan's modules)
    shutil.rmtree(work / "o", ignore_errors=True)
    manifest = {}
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for name, digest in digests.items():
        ext = Path("lib").joinpath(*name.split("."))
        ext = ext.with_name(ext.name + suffix)
        if (root / ext).exists():
            manifest[name] = [ext.as_posix(), digest]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


# ----------------------------------------------------------------- import

class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds a module's compiled copy while its source is unchanged."""

    def __init__(self, root: Path, manifest: dict) -> None:
        self.root = root
        self.manifest = manifest
        self.loaded: list[str] = []
        self.stale: list[str] = []
        self.failed: list[str] = []

    def find_spec(self, fullname, path=None, target=None):
        entry = self.manifest.get(fullname)
        if entry is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        try:
            with open(spec.origin, "rb") as f:
                same = source_digest(f.read()) == entry[1]
        except OSError:
            return None
        ext = self.root / entry[0]
        if not same or not ext.exists():
            self.stale.append(fullname)
            return None
        return importlib.util.spec_from_file_location(
            fullname, ext, loader=_ExtensionOrSource(self, fullname, str(ext), spec.origin))


class _ExtensionOrSource(importlib.abc.Loader):
    """Loads a module's extension, or its source when the extension cannot
    be loaded (a file cut short, built for another interpreter, a symbol
    the system lacks): the scan runs as Python rather than stopping, and
    :func:`failed` names the module.  An error of the module's own code is
    not caught: it is the source's, compiled or not."""

    def __init__(self, finder: _CompiledFinder, fullname: str, ext: str, source: str) -> None:
        self.finder, self.fullname = finder, fullname
        self.ext = importlib.machinery.ExtensionFileLoader(fullname, ext)
        self.source = importlib.machinery.SourceFileLoader(fullname, source)
        self.used: importlib.abc.Loader = self.ext

    def create_module(self, spec):
        try:
            module = self.ext.create_module(spec)
        except (ImportError, OSError):
            self.used = self.source
            self.finder.failed.append(self.fullname)
            spec.origin = self.source.path      # the module's __file__
            return None                         # a plain module, the source run in it
        self.finder.loaded.append(self.fullname)
        return module

    def exec_module(self, module) -> None:
        self.used.exec_module(module)


def _finder() -> _CompiledFinder | None:
    return next((f for f in sys.meta_path if isinstance(f, _CompiledFinder)), None)


def install(root: Path | None = None) -> bool:
    """Put the finder first on ``sys.meta_path`` (once) when compiled modules
    exist and ``LOCKCHECK_PURE`` is not set; True if it is there."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return False
    if _finder() is not None:
        return True
    root = Path(root or default_root()).absolute()
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or not all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in manifest.values()):
        return False
    sys.meta_path.insert(0, _CompiledFinder(root, manifest))
    return True


def loaded() -> list[str]:
    """The modules this process imported compiled."""
    f = _finder()
    return list(f.loaded) if f else []


def failed() -> list[str]:
    """Listed modules whose current extension could not be loaded: run from
    source (``make setup`` builds them again)."""
    f = _finder()
    return list(f.failed) if f else []


def stale() -> list[str]:
    """Listed modules imported from source: changed since the build, or
    their extension missing."""
    f = _finder()
    return list(f.stale) if f else []


if __name__ == "__main__":     # python -m lockcheck.compiled_modules [ROOT]: build
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else default_root()
    try:
        got = build(where)
    except ImportError as e:
        print(f"lockcheck: compiled modules not built: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"lockcheck: {len(got)} of {len(wanted())} modules compiled into {where}")
