"""ast_walk.shared_walks: the walks of one body are made once per prune
and give what a fresh walk gives; other nodes, and the body after the
scope, are walked afresh."""
from __future__ import annotations

from pycparser import c_ast, c_parser

from lockcheck.analysis import ast_walk
from lockcheck.analysis.ast_walk import addressed_names, operand_names, shared_walks, walk_nodes, written_names

SRC = """
void f(struct s *p, int n)
{
    int k = 0;
    struct s *q = p;
    if (p->flags == 3)
        k++;
    g(&q->lock, n);
    for (int i = 0; i < n; i++)
        k += (int)sizeof(struct s);
}
"""
PRUNE = (c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.FuncDecl)


def _body():
    return c_parser.CParser().parse(SRC).ext[0].body


def _ids(nodes):
    return [id(n) for n in nodes]


def test_inside_the_scope_each_prune_is_walked_once_and_gives_a_fresh_walks_nodes(monkeypatch):
    body = _body()
    fresh = {p: _ids(walk_nodes(body, p)) for p in ((), PRUNE)}
    calls = []
    real, joint = ast_walk._walk, ast_walk._joint_walks
    monkeypatch.setattr(ast_walk, "_walk", lambda n, p: calls.append((n, p)) or real(n, p))
    monkeypatch.setattr(ast_walk, "_joint_walks", lambda n: calls.append((n, "joint")) or joint(n))
    with shared_walks(body):
        for _ in range(3):
            assert _ids(walk_nodes(body)) == fresh[()]
            assert _ids(walk_nodes(body, PRUNE)) == fresh[PRUNE]
        sub = body.block_items[2]
        assert _ids(walk_nodes(sub)) == _ids(real(sub, ()))
    # the body's walks are made together, once; another node's afresh
    assert [(n is body, p) for n, p in calls] == [(True, "joint"), (False, ())]
    assert len(fresh[PRUNE]) < len(fresh[()])     # the declarations' types are pruned


def test_the_body_facts_are_the_same_inside_and_outside_and_nothing_is_kept():
    body = _body()
    outside = addressed_names(body), operand_names(body), written_names(body)
    with shared_walks(body):
        inside = addressed_names(body), operand_names(body), written_names(body)
    assert inside == outside
    assert outside == (frozenset({"q->lock"}), (frozenset({"n"}), frozenset({"n", "i", "p->flags"})),
                       frozenset({"k", "i"}))
    assert ast_walk._shared == {} and ast_walk._shared_body[0] is ast_walk._NOBODY
    # after the scope a walk is a fresh generator again, not the tuple
    assert not isinstance(walk_nodes(body), tuple)


def test_the_joint_walks_are_the_walks_of_each_prune_in_their_order():
    body = _body()
    joint = ast_walk._joint_walks(body)
    typenames = PRUNE + (c_ast.Typename,)     # a cast's and sizeof's type pruned too
    assert set(joint) == {(), PRUNE, typenames}
    for prune, nodes in joint.items():
        assert _ids(nodes) == _ids(ast_walk._walk(body, prune))
    assert len(joint[typenames]) < len(joint[PRUNE]) < len(joint[()])
