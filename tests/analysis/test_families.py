"""Socket classes lockdep keys per address family (lockcheck/analysis/families.py,
classes.toml [families]): a finding that meets such a class in two
families' code is low, in one family's it keeps its level."""

from __future__ import annotations

from lockcheck.analysis import ir
from lockcheck.analysis.families import SHARED, function_families, keyed_why
from lockcheck.model.loader import load_model
from lockcheck.api import check
from lockcheck.options import Options
from tests.test_fixtures import FIXTURES

TABLES = FIXTURES / "classes" / "sock_family_tables"


def scan(*paths):
    return check(Options(paths=tuple(str(p) for p in paths), cache_dir=None))


def by_locks(result):
    return {frozenset(f.locks): f for f in result.findings}


def test_cross_family_findings_are_low_same_family_keep_their_level():
    found = by_locks(scan(TABLES))
    # ISO's own socket, taken in iso.c and iso_bis.c (both reached from iso_sock_ops only)
    assert found[frozenset(("&sk->sk_lock", "&hdev->lock"))].confidence == "high"
    # an ISO socket and an HCI socket: lockdep's BTPROTO_ISO and BTPROTO_HCI classes,
    # also where ceph.c's lockdep_set_class() names a static key for its own sockets
    two = found[frozenset(("&sk->sk_lock", "hci_dev_list_lock"))]
    assert two.confidence == "low"
    (b,) = [b for e in two.edges for b in e.basis if b.kind == "class"]
    assert "iso_sock_ioctl" in b.detail and "hci_sock_bind" in b.detail
    # irq: the packet timer vs packet_sendmsg (one family) and vs unix_ioctl (two)
    assert found[frozenset(("&po->sk.sk_write_queue.lock",))].confidence == "high"
    rq = found[frozenset(("&po->sk.sk_receive_queue.lock",))]
    assert rq.kind == "irq-inconsistent" and rq.confidence == "low"
    assert "PF_PACKET" in rq.reason and "PF_UNIX" in rq.reason
    # the spinlock of socket_lock_t (an anonymous struct): keyed by its place in struct sock
    slock = found[frozenset(("&po->sk.sk_lock.slock",))]
    assert slock.kind == "irq-inconsistent" and slock.confidence == "low"


def test_one_family_in_two_files_is_not_lowered_by_the_file_rule():
    """Without a static key on the socket lock, a cycle meeting it in two
    files was low (per_instance); the same family's code keeps its level."""
    found = by_locks(scan(TABLES / "iso.c", TABLES / "iso_bis.c", TABLES / "hci_sock.c"))
    assert found[frozenset(("&sk->sk_lock", "&hdev->lock"))].confidence == "high"
    assert found[frozenset(("&sk->sk_lock", "hci_dev_list_lock"))].confidence == "low"


def test_a_set_class_on_some_sockets_does_not_rename_every_socket_lock():
    result = scan(TABLES)
    assert "socket_class" not in {l.name for l in result.locks}
    assert "f:struct sock:sk_lock" in {l.key for l in result.locks}


def test_keyed_fields_match_by_field_and_by_member_of_a_field():
    keyed = load_model("classes")["families"]["keyed"]
    assert keyed_why("f:struct sock:sk_lock/1", keyed)
    # socket_lock_t is an anonymous struct: its member is keyed by the outer field
    assert keyed_why("f:struct anon83:slock#struct sock:sk_lock", keyed)
    assert keyed_why("f:struct sk_buff_head:lock#struct sock:sk_receive_queue", keyed)
    assert keyed_why("f:struct sk_buff_head:lock#struct l2cap_conn:pending_rx", keyed) is None
    assert keyed_why("f:struct anon83:slock", keyed) is None
    assert keyed_why("g:socket_class", keyed) is None


def _fn(name, file, line, *callees):
    body = ir.Block(tuple(ir.Call(line + 1 + k, c) for k, c in enumerate(callees)))
    return ir.FunctionIR(name, file, line, False, (), body)


def test_function_families_by_table_reachability():
    fns = [_fn("a_bind", "a.c", 10, "a_helper", "shared"), _fn("a_helper", "a.c", 20),
           _fn("b_bind", "b.c", 10, "shared", "b_arm"), _fn("shared", "core.c", 5, "deep"),
           _fn("deep", "core.c", 30),
           # timer_setup(&t, b_timer, 0) in b_arm: the callback is b's code
           ir.FunctionIR("b_arm", "b.c", 40, False, (), ir.Block((
               ir.Call(41, "timer_setup", fnptr_args=((1, "b_timer"),)),))),
           _fn("b_timer", "b.c", 50), _fn("lonely", "c.c", 1)]
    tables = {"a_ops": "struct proto_ops", "b_ops": "struct proto_ops", "bt1": "struct proto_ops",
              "bt2": "struct proto_ops", "other": "struct file_operations"}
    fields = {("a_ops", "family"): "PF_A", ("a_ops", "bind"): "a_bind",
              ("b_ops", "family"): "PF_B", ("b_ops", "bind"): "b_bind",
              ("other", "open"): "lonely"}
    of = function_families(fns, tables, fields, load_model("classes")["families"])
    assert of["a_bind"] == of["a_helper"] == "PF_A"
    assert of["b_bind"] == of["b_timer"] == "PF_B"
    assert of["shared"] == of["deep"] == SHARED
    assert "lonely" not in of
    # a family re-keyed per protocol: each protocol's tables (by file) a family
    fields = {("bt1", "family"): "PF_BLUETOOTH", ("bt1", "bind"): "a_bind",
              ("bt2", "family"): "PF_BLUETOOTH", ("bt2", "bind"): "b_bind"}
    of = function_families(fns, tables, fields, load_model("classes")["families"])
    assert of["a_helper"] == "PF_BLUETOOTH@a.c" and of["b_arm"] == "PF_BLUETOOTH@b.c"
    assert of["shared"] == SHARED


def _step(fn, file):
    from lockcheck.result import WitnessStep
    return WitnessStep(fn, file, 1, "lock_sock")


def test_a_cycle_keeps_its_level_when_another_witness_pairs_one_family():
    """The chosen witnesses take the socket in two families, another
    function making the same edge takes it in the first one's: the cycle
    may be real on that family's class, so it is shown by that witness
    (at its own confidence) and not lowered."""
    from lockcheck.analysis.families import FamilyFacts, family_basis
    from lockcheck.result import Edge
    keyed = load_model("classes")["families"]["keyed"]
    facts = FamilyFacts(keyed, {"iso_fn": "ISO", "hci_fn": "HCI", "iso_other": "ISO"}, {})
    sk, dev = "f:struct sock:sk_lock", "g:dev_lock"
    names = {sk: "&sk->sk_lock", dev: "dev_lock"}
    into = Edge("dev_lock", "&sk->sk_lock", "E", "N", (_step("iso_fn", "iso.c"),), (_step("iso_fn", "iso.c"),))
    leave = Edge("&sk->sk_lock", "dev_lock", "E", "N", (_step("hci_fn", "hci.c"),), (_step("hci_fn", "hci.c"),))
    lowered = family_basis((dev, sk), (into, leave), facts, names)
    assert [b.level for b in lowered[0].basis] == ["low"] and "ISO" in lowered[0].basis[0].detail
    other = ((_step("iso_other", "iso2.c"),), (_step("iso_other", "iso2.c"),))
    kept = family_basis((dev, sk), (into, leave), facts, names, ((), (other,)))
    assert kept[0].basis == () and kept[1].basis == ()
    # shown by the witness that meets the class in ISO's code
    assert kept[0] == into and [s.function for s in kept[1].witness] == ["iso_other", "iso_other"]


def test_irq_unsafe_order_meeting_a_keyed_class_in_two_families_is_low():
    """irq-unsafe-order: the order edge and the unsafe usage take the socket
    lock in two families' code (an inet socket nested under a softirq-safe
    lock, a Bluetooth socket taken with softirqs on: lockdep's slock-AF_INET
    and slock-AF_BLUETOOTH-*) is low; one family's keeps its level."""
    found = by_locks(scan(FIXTURES / "classes" / "sock_irq_order"))
    two = found[frozenset(("addr_wq_lock", "&sk->sk_lock.slock/1"))]
    assert two.kind == "irq-unsafe-order" and two.confidence == "low"
    (b,) = [b for e in two.edges for b in e.basis if b.kind == "class"]
    assert "PF_INET" in b.detail and "PF_BLUETOOTH" in b.detail and "bt_accept_enqueue" in b.detail
    one = found[frozenset(("hash_lock", "&sk->sk_receive_queue.lock"))]
    assert one.kind == "irq-unsafe-order" and one.confidence == "high"
    assert not [b for e in one.edges for b in e.basis if b.kind == "class"]


def test_irq_unsafe_order_is_shown_by_a_usage_chain_of_the_order_edges_family():
    """A usage chain in the order edge's family (an alternative, e.g. one per
    architecture) shows the finding at its own level: no class basis."""
    from lockcheck.analysis.families import FamilyFacts, irq_order_family_basis
    from lockcheck.result import Edge, WitnessStep

    def chain(fn, path):
        return (WitnessStep(fn, path, 1, "spin_lock"),)

    slock = "f:struct sock:sk_lock.slock/1"
    facts = FamilyFacts({"struct sock:sk_lock.slock": "slock-AF_*"},
                        {"inet_release": "PF_INET", "inet_err": "PF_INET", "bt_enqueue": "PF_BLUETOOTH@bt.c"})
    order = Edge("a", "slock", "E", "N", chain("timer", "inet.c"), chain("inet_release", "inet.c"))
    safe = Edge("{IN-SOFTIRQ-W}", "a", "E", "N", (), chain("timer", "inet.c"))
    unsafe = Edge("{SOFTIRQ-ON-W}", "slock", "E", "N", (), chain("bt_enqueue", "bt.c"))
    edges = (order, safe, unsafe)
    lowered = irq_order_family_basis(("g:a", slock), edges, facts, {})
    assert [b.kind for b in lowered[2].basis] == ["class"] and lowered[:2] == edges[:2]
    alternatives = ((), (), (((), chain("inet_err", "inet.c")),))
    shown = irq_order_family_basis(("g:a", slock), edges, facts, {}, alternatives,
                                   lambda k, e, chains: Edge(e.src, e.dst, "E", "N", (), chains[1]))
    assert shown[2].acquire[0].function == "inet_err" and not shown[2].basis
    # a key no family row names: nothing changes
    assert irq_order_family_basis(("g:a", "g:b"), edges, facts, {}) == edges
