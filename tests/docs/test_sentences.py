"""The sentence parser on the shapes of Documentation/virt/kvm/locking.rst
(6.1 and 6.12), written out as short strings of our own."""

from __future__ import annotations

import pytest

from lockcheck.docs.extract import rules_from_text
from lockcheck.docs.sentences import Context, parse_sentence, split_sentences


def parsed(sentence, ctx=None):
    got = parse_sentence(sentence, ctx or Context())
    return None if got is None else [r.parsed() for r in got]


@pytest.mark.parametrize("sentence, want", [
    ("cpus_read_lock() is taken outside kvm_lock", ["order: cpus_read_lock() -> kvm_lock"]),
    ("kvm->lock is taken outside kvm->slots_lock and kvm->irq_lock",
     ["order: kvm->lock -> kvm->slots_lock", "order: kvm->lock -> kvm->irq_lock"]),
    ("a->x is taken outside a->y, though acquiring them together is rare.", ["order: a->x -> a->y"]),
    ("vcpu->mutex is taken outside a.b.c, a->d and e", ["order: vcpu->mutex -> a.b.c",
                                                         "order: vcpu->mutex -> a->d", "order: vcpu->mutex -> e"]),
    ("``synchronize_srcu(&kvm->srcu)`` is called inside critical sections for kvm->lock, vcpu->mutex "
     "and kvm->slots_lock.", ["sync: kvm->lock -> synchronize_srcu(&kvm->srcu)",
                              "sync: vcpu->mutex -> synchronize_srcu(&kvm->srcu)",
                              "sync: kvm->slots_lock -> synchronize_srcu(&kvm->srcu)"]),
    ("kvm->arch.mmu_lock is an rwlock;", ["type: kvm->arch.mmu_lock is rwlock"]),
    ("critical sections for a->p and a->q must also take a->m",
     ["order: a->m -> a->p", "order: a->m -> a->q", "requires: a->p only taken with a->m held",
      "requires: a->q only taken with a->m held"]),
    ("a->p and a->q are taken inside a->m, and cannot be taken without already holding a->m "
     "(typically with ``read_lock``, thus the spinlocks).",
     ["order: a->m -> a->p", "order: a->m -> a->q", "requires: a->p only taken with a->m held",
      "requires: a->q only taken with a->m held"]),
    ("Unlike kvm->slots_lock, kvm->slots_arch_lock is released before synchronize_srcu(&kvm->srcu).",
     ["nosync: kvm->slots_arch_lock released before synchronize_srcu(&kvm->srcu)",
      "sync: kvm->slots_lock -> synchronize_srcu(&kvm->srcu)"]),
    ("Therefore kvm->slots_arch_lock can be taken inside a kvm->srcu read-side critical section, "
     "while kvm->slots_lock cannot.", ["permit: kvm->slots_arch_lock may be taken inside kvm->srcu read side",
                                       "forbid: kvm->slots_lock never taken inside kvm->srcu read side"]),
    ("Everything else is a leaf: no other lock is taken inside the critical sections.",
     ["leaf-rest: every other documented lock is a leaf"]),
    ("foo_lock is a leaf", ["leaf: nothing taken inside foo_lock"]),
    ("Use caution when walking vm_list, e.g. avoid complex operations.", None),
    ("kvm->lock is a mystery", None),
])
def test_shapes(sentence, want):
    assert parsed(sentence) == want


def test_back_references():
    ctx = Context()
    parsed("synchronize_srcu(&s) is called inside critical sections for a and b", ctx)
    assert parsed("These locks _cannot_ be taken inside a s read-side critical section;", ctx) == [
        "forbid: a never taken inside s read side", "forbid: b never taken inside s read side"]
    assert parsed("x instead is released before the call to ``synchronize_srcu()``.", ctx) == [
        "nosync: x released before synchronize_srcu(&s)"]
    assert parsed("It _can_ therefore be taken inside a s read-side critical section, for example here.",
                  ctx) == ["permit: x may be taken inside s read side"]


def test_split_keeps_abbreviations_and_lowercase_starts():
    text = "Exists because of x, e.g. y() here.  kvm_lock is taken in a; that is fine"
    assert [s for _, s in split_sentences(text)] == [
        "Exists because of x, e.g. y() here.", "kvm_lock is taken in a;", "that is fine"]


DOC = """\
.. SPDX-License-Identifier: GPL-2.0

=====
Title
=====

1. Orders
---------

The orders are as follows:

- a->x is taken outside a->y

- a->z ensures something prose-like.

On x86:

- b is taken outside c

2. Other
--------

Nothing to see here.  Really.

3. Reference
------------

``a->x``
^^^^^^^^

:Type:		mutex
:Arch:		any
:Comment:	exists for a reason.
"""


def test_document_accounts_for_every_sentence():
    doc = rules_from_text(DOC, "t.rst")
    assert [(r.line, r.parsed(), r.context) for r in doc.rules] == [
        (12, "order: a->x -> a->y", "The orders are as follows:"),
        (18, "order: b -> c", "On x86:"),
        (31, "type: a->x is mutex", "reference entry (Arch: any)"),
    ]
    assert [(u.line, u.text) for u in doc.unparsed] == [(14, "a->z ensures something prose-like."),
                                                       (33, "exists for a reason.")]
    assert doc.skipped == [("2. Other", 20, 24, 2)]
    assert doc.reference == ["a->x"] and doc.unchecked_fields == {"Arch": 1}
