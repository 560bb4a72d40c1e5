"""Fuzzing the C front end: mutated kernel-looking functions (truncated,
tokens deleted, doubled or swapped, braces unbalanced, macro soup) and raw
bytes never crash lexing, parsing or extraction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from .harness import mutate, mutations, run_frontend, run_source_bytes
from .seeds import FUNCTIONS, SOUP


@given(st.sampled_from(FUNCTIONS), st.sampled_from(FUNCTIONS), mutations(SOUP))
def test_mutated_functions(first, second, ops):
    run_frontend(mutate(first + "\n" + second, ops))


@given(st.lists(st.sampled_from(SOUP + [f[:200] for f in FUNCTIONS]), max_size=40))
def test_macro_soup(parts):
    run_frontend("".join(parts))


@given(st.sampled_from(FUNCTIONS), st.binary(max_size=64), st.integers(0, 1 << 16))
def test_bytes_spliced_into_a_file(seed, junk, at):
    data = seed.encode()
    k = at % (len(data) + 1)
    run_source_bytes(data[:k] + junk + data[k:])
