"""lockcheck.atomic_ops: which tables of an ``[[irq.atomic_ops]]`` field
opted out by their flag (a store of it, not a literal 0/false, in a file
of the initialiser's directory), and which stored functions stay atomic."""

from __future__ import annotations

from lockcheck.atomic_ops import atomic_targets, opted_out_dirs

SPEC = [{"fields": [["struct snd_pcm_ops", "trigger"], ["struct snd_pcm_ops", "pointer"]],
         "unless_flag": "nonatomic"}]


def _tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_flag_store_opts_the_directory_out(tmp_path):
    _tree(tmp_path, {
        "a/pcm.c": "static const struct snd_pcm_ops o = { .trigger = a_trigger };\n",
        "a/probe.c": "void p(struct snd_pcm *pcm) { pcm->nonatomic = true; }\n",
        "b/pcm.c": "static const struct snd_pcm_ops o = { .trigger = b_trigger, .pointer = b_pointer };\n"
                   "void p(struct snd_pcm *pcm) { pcm->nonatomic = false; /* x->nonatomic = 1 */ }\n",
        "c/pcm.c": "static const struct snd_pcm_ops o = { .trigger = c_trigger };\n"
                   "void p(struct snd_pcm *pcm, struct link *l) { pcm->nonatomic = l->nonatomic; }\n",
    })
    sites = {("struct snd_pcm_ops", "trigger"): [("a/pcm.c", "a_trigger"), ("b/pcm.c", "b_trigger"),
                                                 ("c/pcm.c", "c_trigger")],
             ("struct snd_pcm_ops", "pointer"): [("b/pcm.c", "b_pointer")]}
    opted = opted_out_dirs(SPEC, sites, tmp_path)
    assert opted == {"nonatomic": frozenset({"a", "c"})}
    targets = atomic_targets(SPEC, sites, opted)
    assert targets[("struct snd_pcm_ops", "trigger")] == frozenset({"b_trigger"})
    assert targets[("struct snd_pcm_ops", "pointer")] == frozenset({"b_pointer"})


def test_a_function_one_opted_out_table_stores_is_not_atomic(tmp_path):
    _tree(tmp_path, {"a/x.c": "", "b/y.c": "void p(struct snd_pcm *pcm) { pcm->nonatomic = 1; }\n"})
    sites = {("struct snd_pcm_ops", "trigger"): [("a/x.c", "shared_trigger"), ("b/y.c", "shared_trigger")]}
    opted = opted_out_dirs(SPEC, sites, tmp_path)
    assert atomic_targets(SPEC, sites, opted)[("struct snd_pcm_ops", "trigger")] == frozenset()
