"""Type facts read from declarations at token level."""

from __future__ import annotations

from lockcheck.frontend.typefacts import TypeRef

HEADER = """
struct kvm {
	struct mutex slots_lock;
	spinlock_t mmu_lock __aligned(64);
	struct kvm_vcpu *vcpus[8], **extra;
	DECLARE_BITMAP(flags, 64);
	union {
		struct srcu_struct srcu;
		int other;
	};
	void (*destroy)(struct kvm *kvm);
};
typedef struct kvm_vcpu kvm_vcpu_t;
typedef int (*exit_fn)(struct kvm_vcpu *);
struct kvm_x86_ops {
	int (*set_msr)(struct kvm_vcpu *vcpu, int msr);
	void (*flush)(void);
};
"""

SOURCE = """
static DEFINE_MUTEX(kvm_usage_lock);
DEFINE_SPINLOCK(kvm_lock);
static DEFINE_PER_CPU(struct kvm_vcpu *, current_vcpu);
static struct kvm *global_kvm;
static int vmx_set_msr(struct kvm_vcpu *vcpu, int msr) { return 0; }
static struct kvm_x86_ops vmx_x86_ops __initdata = {
	.set_msr = vmx_set_msr,
	.flush = &vmx_flush,
	.other = 3,
};
struct kvm *kvm_get(int id);
static inline struct kvm_vcpu **vcpu_slot(struct kvm *kvm, int i) { return 0; }
"""


def test_struct_fields(fe):
    idx = fe.index(HEADER)
    kvm = idx.structs["struct kvm"]
    assert kvm["slots_lock"] == TypeRef("struct mutex")
    assert kvm["mmu_lock"] == TypeRef("spinlock_t")
    assert kvm["vcpus"] == TypeRef("struct kvm_vcpu", 1)
    assert kvm["extra"] == TypeRef("struct kvm_vcpu", 2)
    assert kvm["srcu"] == TypeRef("struct srcu_struct")      # anonymous union member
    assert kvm["destroy"] == TypeRef("fnptr")
    assert "flags" not in kvm


def test_typedefs(fe):
    idx = fe.index(HEADER)
    assert {"kvm_vcpu_t", "exit_fn"} <= idx.typedefs
    assert idx.typedef_targets["kvm_vcpu_t"] == TypeRef("struct kvm_vcpu")


def test_lock_definition_macros_make_typed_globals(fe):
    idx = fe.index(HEADER, SOURCE)
    assert idx.globals["kvm_usage_lock"] == TypeRef("struct mutex")
    assert idx.globals["kvm_lock"] == TypeRef("spinlock_t")
    assert idx.globals["current_vcpu"] == TypeRef("struct kvm_vcpu", 1)
    assert idx.globals["global_kvm"] == TypeRef("struct kvm", 1)


def test_ops_tables(fe):
    idx = fe.index(HEADER, SOURCE)
    assert idx.ops[("struct kvm_x86_ops", "set_msr")] == ["vmx_set_msr"]
    assert idx.ops[("struct kvm_x86_ops", "flush")] == ["vmx_flush"]
    assert ("struct kvm_x86_ops", "other") not in idx.ops
    assert idx.ops_vars["vmx_x86_ops"] == "struct kvm_x86_ops"


def test_function_local_static_tables_are_ops_tables(fe):
    """A ``static`` struct initialiser in a function body fills the ops
    table as a file-scope one does (frontend.local_tables), under no
    variable: the name is the function's.  A stack initialiser does not."""
    idx = fe.index(HEADER, """
static int probe(struct kvm *kvm)
{
	static const struct kvm_x86_ops local_ops __attribute__((unused)) = {
		.set_msr = local_set_msr,
		.flush = &local_flush,
	};
	struct kvm_x86_ops stack_ops = { .set_msr = stack_set_msr };
	int i;

	for (i = 0; i < 2; i++) {
		static struct kvm_x86_ops nested_ops = { .flush = nested_flush };
	}
	return use(&local_ops, &stack_ops);
}
""")
    assert idx.ops[("struct kvm_x86_ops", "set_msr")] == ["local_set_msr"]
    assert idx.ops[("struct kvm_x86_ops", "flush")] == ["local_flush", "nested_flush"]
    assert "local_ops" not in idx.ops_vars and "local_ops" not in idx.globals
    assert not idx.var_fields and "local_ops" not in idx.table_members


def test_table_members_of_designated_initialisers(fe):
    """Every member a designated initialiser names, whatever its value (a
    member it leaves out is NULL: analysis.pointsto); a positional one
    tells nothing."""
    idx = fe.index(HEADER, SOURCE + """
static const struct kvm_x86_ops empty_ops = {
};
static const struct kvm_x86_ops positional_ops = { vmx_set_msr, 0 };
""")
    assert idx.table_members["vmx_x86_ops"] == ("set_msr", "flush", "other")
    assert idx.table_members["empty_ops"] == ()
    assert "positional_ops" not in idx.table_members


def test_return_types(fe):
    idx = fe.index(HEADER, SOURCE)
    assert idx.returns["kvm_get"] == TypeRef("struct kvm", 1)
    assert idx.returns["vcpu_slot"] == TypeRef("struct kvm_vcpu", 2)
    assert idx.returns["vmx_set_msr"] == TypeRef("int")


def test_object_like_macros_naming_a_type_are_type_names(fe):
    idx = fe.index("#define Elf_Ehdr Elf64_Ehdr\n#define ULL unsigned long long\n"
                   "#define CONSTISH const\n#define N 4\ntypedef struct x Elf64_Ehdr;\n")
    assert {"Elf_Ehdr", "ULL"} <= idx.typedefs
    assert not {"CONSTISH", "N"} & idx.typedefs


def test_statics_of_a_c_file_are_its_units_alone(model):
    """A .c file's ``static`` objects go to its own ``file_globals`` (and its
    translation unit's), never the tree-wide ``globals``; a header's stay
    shared by every includer."""
    from lockcheck.frontend.pipeline import build_index, declaration_facts, lex_file, share_unit_statics
    from lockcheck.model.loader import load_model

    definitions = load_model("frontend")["definitions"]
    sources = {
        "hpet.c": "static rtc_irq_handler irq_handler;\nstatic DEFINE_MUTEX(m);\nint shared_count;\n",
        "inc.h": "static struct kvm *hdr_kvm;\n",
        "ohci.c": '#include "ohci-q.c"\nstatic struct ohci *cur;\n',
        "ohci-q.c": "static struct ohci_q *q;\n",
    }
    lexed = [lex_file(p, s) for p, s in sources.items()]
    facts = [declaration_facts(lx, model, definitions) for lx in lexed]
    assert facts[0].statics == {"irq_handler", "m"}
    idx = build_index(facts, [], model, frozenset(), units=[p if p.endswith(".c") else None for p in sources])
    assert "irq_handler" not in idx.globals and "m" not in idx.globals
    assert idx.globals["shared_count"] == TypeRef("int")
    assert idx.globals["hdr_kvm"] == TypeRef("struct kvm", 1)
    assert idx.file_globals["hpet.c"] == {"irq_handler": TypeRef("rtc_irq_handler"), "m": TypeRef("struct mutex")}
    share_unit_statics(idx.file_globals, {"ohci.c": ("ohci-q.c",), "ohci-q.c": ("ohci.c",)})
    assert idx.file_globals["ohci.c"] == {"cur": TypeRef("struct ohci", 1), "q": TypeRef("struct ohci_q", 1)}
    assert idx.file_globals["ohci-q.c"]["cur"] == TypeRef("struct ohci", 1)
    assert "irq_handler" not in idx.file_globals["ohci.c"]


def test_unsigned_integer_types_keep_their_sign(fe):
    """``unsigned char`` and friends are ``unsigned int`` (the sign is what
    ``typing.unsigned_ref`` asks), other integers ``int``."""
    idx = fe.index("typedef unsigned char __u8;\ntypedef __u8 u8;\ntypedef signed short s16;\n"
                   "typedef long unsigned int ulong_t;\n"
                   "typedef enum { E_ALL = (unsigned)-1 } e_t;\n"
                   "struct regs { u8 base; unsigned off; int delta; char *name; };\n")
    assert idx.typedef_targets["__u8"] == TypeRef("unsigned int")
    assert idx.typedef_targets["u8"] == TypeRef("__u8")
    assert idx.typedef_targets["s16"] == TypeRef("int")
    assert idx.typedef_targets["ulong_t"] == TypeRef("unsigned int")
    assert idx.typedef_targets["e_t"] == TypeRef("int")
    regs = idx.structs["struct regs"]
    assert regs["off"] == TypeRef("unsigned int") and regs["delta"] == TypeRef("int")
    assert regs["name"] == TypeRef("char", 1)
