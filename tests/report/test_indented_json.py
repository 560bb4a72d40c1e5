"""The fast indented encoder writes exactly what ``json.dumps(indent=2)`` does."""

from __future__ import annotations

import json
import random

import pytest

from lockcheck.report import indented_json

_STRINGS = ["", "kvm_lock", "&kvm->slots_lock", 'quote " and \\ backslash', "tab\tnewline\n", "\x00\x1f",
            "é ü ß", "日本", "emoji \U0001F512", "/*", "</script>"]


def _random_value(rng: random.Random, depth: int):
    choice = rng.randrange(10 if depth < 5 else 6)
    if choice == 0:
        return rng.choice(_STRINGS)
    if choice == 1:
        return rng.randrange(-10**12, 10**12)
    if choice == 2:
        return rng.choice([0.0, -0.0, 1.5, 1e-300, 3.141592653589793, 1e22, -2.5e-7])
    if choice == 3:
        return rng.choice([True, False, None])
    if choice == 4:
        return rng.choice([[], {}, ()])
    if choice == 5:
        return rng.choice(_STRINGS) + str(rng.randrange(100))
    if choice in (6, 7):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if choice == 8:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randrange(3)))
    return {rng.choice(_STRINGS) + str(k): _random_value(rng, depth + 1) for k in range(rng.randrange(5))}


@pytest.mark.parametrize("seed", range(200))
def test_same_text_as_the_standard_library(seed):
    value = _random_value(random.Random(seed), 0)
    assert indented_json.dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [
    {1: "int key"}, {"a": float("nan")}, [float("inf")], {"nested": {None: 1}},
    {"a": [{"b": True, 3.5: "float key"}]},
])
def test_what_it_does_not_handle_goes_to_the_standard_library(value):
    assert indented_json.dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [{"a": [1, {2}]}, {(1, 2): "tuple key"}, [object()]])
def test_what_the_standard_library_refuses_raises_its_error(value):
    with pytest.raises(TypeError):
        json.dumps(value, indent=2)
    with pytest.raises(TypeError):
        indented_json.dumps(value)


@pytest.mark.parametrize("seed", range(20))
def test_dump_writes_the_same_text_in_pieces(seed, monkeypatch):
    monkeypatch.setattr(indented_json, "FLUSH_CHUNKS", 3)
    value = [_random_value(random.Random(seed), 1) for _ in range(30)]

    class Pieces(list):
        write = list.append
    pieces = Pieces()
    indented_json.dump(value, pieces)
    assert "".join(pieces) == json.dumps(value, indent=2)
    assert len(pieces) > 2, "written in one piece: the flushing went untested"


def test_a_report_document_is_unchanged():
    from tests.report.report_cases import scan
    from lockcheck.report.json_report import document
    doc = document(scan("minikvm/before"))
    assert doc["cycles"], "the fixture must give findings for this to test anything"
    assert indented_json.dumps(doc) == json.dumps(doc, indent=2)
