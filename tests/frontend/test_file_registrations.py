"""frontend.file_registrations: callbacks registered by a macro in a
file-scope declaration, with the registering names of contexts.toml."""

from __future__ import annotations

from lockcheck.frontend.file_registrations import file_registrations
from lockcheck.frontend.normalize import FrontendModel
from lockcheck.frontend.pipeline import lex_file
from lockcheck.model.loader import load_model

SRC = """
static void a_fn(struct irq_work *w) { }
static DEFINE_IRQ_WORK(a_work, a_fn);
static DEFINE_PER_CPU(struct irq_work, b_work) = IRQ_WORK_INIT_LAZY(b_fn);
static struct retrigger r = {
	.csd = CSD_INIT(c_fn, NULL),
	.other = SOME_MACRO(d_fn),
};
static struct irq_work e_work = IRQ_WORK_INIT_HARD(e_table[1]);
void f(void)
{
	init_irq_work(&w, g_fn);
}
"""


def registers():
    return FrontendModel.from_dict(load_model("frontend"), load_model("contexts")).registers


def test_contexts_registering_names_reach_the_frontend_model():
    regs = registers()
    assert regs["DEFINE_IRQ_WORK"] == (1,) and regs["CSD_INIT"] == (0,) and regs["request_irq"] == (1,)
    assert FrontendModel.from_dict(load_model("frontend")).registers == {}


def test_file_scope_registrations_are_read_and_bodies_are_not():
    found = file_registrations(lex_file("x.c", SRC).items, registers())
    assert [(name, fn) for name, fn, _ in found] == [
        ("DEFINE_IRQ_WORK", "a_fn"), ("IRQ_WORK_INIT_LAZY", "b_fn"), ("CSD_INIT", "c_fn")]
    assert found[0][2] == 3      # the line of the registering macro


def test_no_registering_names_no_work():
    assert file_registrations(lex_file("x.c", SRC).items, {}) == ()
