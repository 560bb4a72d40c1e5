"""lockdep's printed class names against a scan's class names."""

from __future__ import annotations

import pytest

from lockcheck.result import Lock, ScanResult
from lockcheck.splat.names import NameMap, split_name

LOCKS = [
    ("&kvm->slots_lock", "f:struct kvm:slots_lock"),
    ("kvm_lock", "g:kvm_lock"),
    ("cpu_hotplug_lock", "g:cpu_hotplug_lock"),
    ("rcu_read_lock", "g:rcu_read_lock"),
    ("&rq->__lock", "f:struct rq:__lock"),
    ("(work_completion)(&w->work)", "w:f:struct my_work:work"),
    ("(work_completion)(&ent->dwork.work)", "w:f:struct cache_ent:dwork.work"),
    ("&sk->sk_lock.slock", "f:struct sock:sk_lock.slock"),
    ("&port->lock", "f:struct port:lock"),
    ("&port->lock/1", "f:struct port:lock/1"),
    ("&type->i_mutex_key", "k:fs/inode.c:i_mutex_key"),
    ("&ctx->lock", "f:struct ctx_a:lock"),
    ("&ctx->lock [f:struct ctx_b:lock]", "f:struct ctx_b:lock"),
]


@pytest.fixture(scope="module")
def names():
    locks = tuple(Lock(n, k, "mutex") for n, k in LOCKS)
    return NameMap(ScanResult({}, locks, (), ()))


@pytest.mark.parametrize("printed, expected", [
    ("&kvm->slots_lock", "&kvm->slots_lock"),
    ("kvm_lock", "kvm_lock"),
    ("cpu_hotplug_lock", "cpu_hotplug_lock"),
    ("cpu_hotplug_lock.rw_sem", "cpu_hotplug_lock"),    # older kernels
    ("rcu_read_lock", "rcu_read_lock"),
    ("&rq->__lock", "&rq->__lock"),
    ("&new->slots_lock", "&kvm->slots_lock"),            # another variable at the init site
    ("(work_completion)(&work->work)", "(work_completion)(&w->work)"),
    ("(work_completion)(&(&ent->dwork)->work)", "(work_completion)(&ent->dwork.work)"),
    ("sk_lock-AF_INET", "&sk->sk_lock.slock"),
    ("slock-AF_INET6", "&sk->sk_lock.slock"),
    ("&port->lock/1", "&port->lock/1"),
    ("&port->lock#3", "&port->lock"),
    ("&sb->s_type->i_mutex_key#5", "&type->i_mutex_key"),
    ("&kvm_lock", "kvm_lock"),
])
def test_mapped(names, printed, expected):
    m = names.map(printed)
    assert m.name == expected, m


def test_subclass_without_its_own_class_maps_to_the_class(names):
    m = names.map("&kvm->slots_lock/1")
    assert m.name == "&kvm->slots_lock" and "subclass /1" in m.how


def test_version_suffix_is_said(names):
    assert "#3 dropped" in names.map("&port->lock#3").how


def test_ambiguous_field_keeps_every_candidate(names):
    m = names.map("&c->lock")
    assert set(m.candidates) >= {"&ctx->lock", "&ctx->lock [f:struct ctx_b:lock]"}


@pytest.mark.parametrize("printed, why", [
    ("fs_reclaim", "pseudo-lock"),
    ("(wq_completion)events", "flush map"),
    ("&mm->mmap_lock", "not in the scanned paths"),
])
def test_not_mapped_says_why(names, printed, why):
    m = names.map(printed)
    assert m.name is None and why in m.why_not


def test_split_name():
    assert split_name("&sb->s_type->i_mutex_key#5/1") == ("&sb->s_type->i_mutex_key", "#5", "/1")
    assert split_name("kvm_lock") == ("kvm_lock", "", "")
