"""Objects defined by file-scope declaration macros (frontend.macro_tables)."""

from __future__ import annotations

from lockcheck.frontend.macro_tables import resolve_macro_declarations
from lockcheck.frontend.pipeline import declaration_facts, lex_file
from lockcheck.frontend.typefacts import TypeRef
from lockcheck.model.loader import load_model

HEADER = """
#define __aligned(x) __attribute__((__aligned__(x)))
#define __cls_section(n) __attribute__((section("__" #n)))
#define __cls_const const
#define DEFINE_CLS(name) \\
const struct cls name##_cls __aligned(8) __cls_section(name)
#define DEFINE_OPS(name, fn) \\
static struct ops __cls_const __cls_section(name) name##_ops = { .fire = fn }
#define FORWARD_OPS(name, fn) DEFINE_OPS(name, fn)
#define DEFINE_HELPER(name) static int name##_helper(void) { struct ops o = { .fire = 0 }; return 0; }
"""

SOURCE = """
DEFINE_CLS(dl) = {
	.set_allowed = set_allowed_dl,
	.tick = tick_dl,
};
FORWARD_OPS(dl, fire_dl);
DEFINE_HELPER(dl);
EXPORT_SYMBOL(fire_dl);
"""


def _resolved(model, sources: dict[str, str], includes=None):
    definitions = load_model("frontend")["definitions"]
    lexed = [lex_file(p, s) for p, s in sources.items()]
    files = [(p, declaration_facts(lx, model, definitions), lx.macros) for p, lx in zip(sources, lexed)]
    found = resolve_macro_declarations(files, includes or {}, model, definitions)
    return found, {p: f for p, f, _ in files}


def test_declarator_and_definition_macros_are_tables(model):
    found, facts = _resolved(model, {"sched.h": HEADER, "dl.c": SOURCE})
    dl = facts["dl.c"]
    assert found == 2
    assert dl.ops_vars == {"dl_cls": "struct cls", "dl_ops": "struct ops"}
    assert dl.ops[("struct cls", "set_allowed")] == ["set_allowed_dl"]
    assert dl.ops[("struct ops", "fire")] == ["fire_dl"]
    assert dl.var_fields[("dl_cls", "tick")] == "tick_dl"
    assert dl.table_members["dl_cls"] == ("set_allowed", "tick")
    assert dl.globals["dl_ops"] == TypeRef("struct ops") and "dl_ops" in dl.statics
    assert "dl_cls" not in dl.statics
    assert dl.macro_decls == []        # read once


def test_unknown_macro_and_function_macros_define_nothing(model):
    found, facts = _resolved(model, {"dl.c": SOURCE})        # the header not in the scan
    assert found == 0 and not facts["dl.c"].ops_vars


def test_a_files_own_definition_wins(model):
    other = HEADER.replace("name##_cls", "name##_other")
    found, facts = _resolved(model, {"a.h": other, "dl.c": HEADER + SOURCE})
    assert "dl_cls" in facts["dl.c"].ops_vars and "dl_other" not in facts["dl.c"].ops_vars
