"""The kernel model is loaded once per scan and reaches every stage: a
user's ``--model`` file changes what the extraction of a scanned ``.c``
file records (here a lockdep annotation the shipped model does not know)."""

from __future__ import annotations

from lockcheck.api import check
from lockcheck.model.scan_model import ScanModel
from lockcheck.options import Options

SOURCE = """\
#include "stubs.h"
struct pair { spinlock_t lock; };
void my_skip_validation(spinlock_t *l);

void pair_init(struct pair *p)
{
\tspin_lock_init(&p->lock);
\tmy_skip_validation(&p->lock);
}

void pair_both(struct pair *a, struct pair *b)
{
\tspin_lock(&a->lock);
\tspin_lock(&b->lock);
\tspin_unlock(&b->lock);
\tspin_unlock(&a->lock);
}
"""

MODEL = '[classes.novalidate]\nnames = ["my_skip_validation"]\n'


def _kinds(tmp_path, model_files=()):
    src = tmp_path / "pair.c"
    src.write_text(SOURCE)
    (tmp_path / "stubs.h").write_text("typedef struct { int x; } spinlock_t;\n"
                                      "void spin_lock_init(spinlock_t *l);\n"
                                      "void spin_lock(spinlock_t *l);\nvoid spin_unlock(spinlock_t *l);\n")
    result = check(Options(paths=(str(src),), cache_dir=None, model_files=tuple(model_files)))
    return sorted(f.kind for f in result.findings)


def test_user_model_reaches_extraction_of_scanned_files(tmp_path):
    assert _kinds(tmp_path) == ["recursive"]
    model = tmp_path / "model.toml"
    model.write_text(MODEL)
    assert _kinds(tmp_path, [str(model)]) == []


def test_scan_model_loads_user_tables_once(tmp_path):
    model = tmp_path / "model.toml"
    model.write_text(MODEL)
    loaded = ScanModel.load((str(model),))
    assert "my_skip_validation" in loaded.classes["novalidate"]["names"]
    assert loaded.extraction["classes"] is loaded.classes
    assert "my_skip_validation" not in ScanModel.load().classes["novalidate"]["names"]
