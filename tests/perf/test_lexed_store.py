"""A scanned file is lexed once per cold scan: the parse phase reads what
the index phase lexed (frontend.lexed_store) and gets the same tokens."""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

import pytest

from lockcheck import driver, lexing, parse_task
from lockcheck.frontend import lexed_store, pipeline
from lockcheck.frontend.pipeline import lex_file
from lockcheck.options import Options

ROOT = Path(__file__).resolve().parents[2]

# every token kind, prefixed literals, a number starting with a dot, a lone
# quote, non-ASCII, and a line step too large for one byte
SOURCE = r'''
#include <linux/mutex.h>
static const char *s = u8"x" L"y";
static int c = u'a' + L'\n' + '\\';
static double d = .5e+3 + 0x1fUL;
static void f(struct kvm *kvm) { mutex_lock(&kvm->lock); if (a->b >= 3 && c) { x <<= 2; } }
int é = 1;
''' + "\n" * 300 + r'''
void g(void) { asm("nop" ::: "memory"); y = ' ; }
'''


def test_round_trip_gives_the_same_items_and_line_count(tmp_path):
    lexed = lex_file("x.c", SOURCE + "#ifdef COMP_IN_WQ\nint w;\n#endif\n")
    assert lexed.guarded
    kinds = {t.kind for item in lexed.items for t in item.tokens}
    assert kinds == {"id", "num", "str", "chr", "punct", "other"}
    lexed_store.save(str(tmp_path), "digest", lexed)
    back = lexed_store.load(str(tmp_path), "digest", "x.c")
    assert back is not None
    assert back.items == lexed.items and back.lines == lexed.lines and back.guarded == lexed.guarded
    assert [type(t).__name__ for item in back.items for t in item.tokens][:1] == ["Token"]


def test_an_entry_is_read_once_and_only_for_its_content_and_name(tmp_path):
    lexed = lex_file("x.c", SOURCE)
    lexed_store.save(str(tmp_path), "digest", lexed)
    assert lexed_store.load(str(tmp_path), "other digest", "x.c") is None
    assert lexed_store.load(str(tmp_path), "digest", "y.c") is None
    assert lexed_store.load(str(tmp_path), "digest", "x.c") is not None
    assert lexed_store.load(str(tmp_path), "digest", "x.c") is None     # removed once read
    assert lexed_store.load(None, "digest", "x.c") is None


def test_a_token_holding_the_separator_is_not_stored(tmp_path):
    lexed = lex_file("x.c", "int a = 1; \0 int b;\n")
    lexed_store.save(str(tmp_path), "digest", lexed)
    assert lexed_store.load(str(tmp_path), "digest", "x.c") is None


def test_a_damaged_entry_means_lexing_again(tmp_path):
    lexed_store.save(str(tmp_path), "digest", lex_file("x.c", SOURCE))
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(b"not a pickle")
    assert lexed_store.load(str(tmp_path), "digest", "x.c") is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_parse_phase_lexes_no_scanned_file_again(monkeypatch, tmp_path, jobs):
    """Count lex_file calls per file: once (index phase) for each scanned
    file, and the outcome equals a run that lexes twice.  Forked workers
    inherit the counting function; their counts come back through files."""
    files = sorted(glob.glob(str(ROOT / "fixtures" / "minikvm" / "before" / "*.c")))
    assert files
    # a temporary directory of this test's own: other scans on the machine
    # make and remove lockcheck-lexed-* directories in the system's
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    log = tempfile.mktemp()
    real = pipeline.lex_file

    def counting(path, *args, **kw):
        with open(log, "a") as f:
            f.write(path + "\n")
        return real(path, *args, **kw)

    def run(store: bool):
        if os.path.exists(log):
            os.unlink(log)
        if not store:
            monkeypatch.setattr(parse_task.lexed_store, "load", lambda *a: None)
        out = driver.run_frontend(Options(paths=tuple(files), jobs=jobs, cache_dir=None), extract=True)
        lexed = Path(log).read_text().split()
        return out, lexed

    monkeypatch.setattr(lexing, "lex_file", counting)       # the index phase
    monkeypatch.setattr(parse_task, "lex_file", counting)   # the parse phase
    leftovers = set(Path(tempfile.gettempdir()).glob("lockcheck-lexed-*"))
    stored, lexed_stored = run(True)
    twice, lexed_twice = run(False)
    os.unlink(log)
    scanned = [f for f in lexed_stored if f.endswith(".c")]
    assert sorted(scanned) == sorted(set(scanned)) and len(scanned) == len(files)
    assert len([f for f in lexed_twice if f.endswith(".c")]) == 2 * len(files)
    assert [(f.path, f.functions, f.irs) for f in stored.files] == [(f.path, f.functions, f.irs) for f in twice.files]
    assert set(Path(tempfile.gettempdir()).glob("lockcheck-lexed-*")) == leftovers   # removed


def test_with_a_cache_the_lexed_files_live_in_it_until_parsing_ends(monkeypatch, tmp_path):
    """Not in /tmp (which may be a small memory file system): in the cache
    directory, under lexed-*, and gone when the run returns."""
    files = sorted(glob.glob(str(ROOT / "fixtures" / "minikvm" / "before" / "*.c")))
    used = []
    real = lexed_store.save
    monkeypatch.setattr(lexed_store, "save", lambda d, *a: (used.append(d), real(d, *a)))
    driver.run_frontend(Options(paths=tuple(files), jobs=1, cache_dir=tmp_path / "cache"), extract=True)
    assert used and {Path(d).parent for d in used} == {tmp_path / "cache"}
    assert all(Path(d).name.startswith("lexed-") and not Path(d).exists() for d in used)


def test_tokens_are_kept_only_for_the_content_the_parent_hashed(tmp_path):
    """A file edited between the parent's read and the worker's is lexed
    for the index but not kept: its parse must lex what it reads then."""
    src = tmp_path / "a.c"
    src.write_text("int first(void) { return 0; }\n")
    real = lexing.read_source(src, "a.c")
    store = tmp_path / "store"
    store.mkdir()
    from lockcheck.frontend.normalize import FrontendModel
    from lockcheck.model.loader import load_model
    options = Options(paths=(str(src),), cache_dir=None)
    model = load_model("frontend")
    lexing.init_lexer((options, FrontendModel.from_dict(model), model["definitions"]))
    lexing.lex_jobs([(str(src), "a.c", "not the digest of a.c", str(store))])
    assert list(store.iterdir()) == []
    lexing.lex_jobs([(str(src), "a.c", real.digest, str(store))])
    assert len(list(store.iterdir())) == 1
    assert lexed_store.load(str(store), real.digest, "a.c") is not None


def test_stale_directories_of_killed_runs_are_swept(tmp_path):
    old, fresh = tmp_path / "lexed-old12345", tmp_path / "lexed-new12345"
    for d in (old, fresh):
        d.mkdir()
        (d / ("ab" * 16 + ".lexed")).write_bytes(b"x")
    (old / "notes.txt").write_text("not ours")
    past = os.stat(old).st_mtime - lexed_store.STALE_SECONDS - 60
    os.utime(old, (past, past))
    lexed_store.sweep_stale(tmp_path)
    assert fresh.exists() and len(list(fresh.iterdir())) == 1
    assert old.exists() and [f.name for f in old.iterdir()] == ["notes.txt"]   # only our files go
    (old / "notes.txt").unlink()
    os.utime(old, (past, past))
    lexed_store.sweep_stale(tmp_path)
    assert not old.exists()


def test_without_any_writable_temporary_directory_files_are_lexed_twice(monkeypatch):
    def unwritable(*args, **kw):
        raise OSError("read-only file system")
    monkeypatch.setattr(driver.tempfile, "TemporaryDirectory", unwritable)
    files = sorted(glob.glob(str(ROOT / "fixtures" / "minikvm" / "before" / "*.c")))
    run = driver.run_frontend(Options(paths=tuple(files), jobs=1, cache_dir=None), extract=True)
    assert not run.errors and sum(len(f.irs) for f in run.files) > 20
