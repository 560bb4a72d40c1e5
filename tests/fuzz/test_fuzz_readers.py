"""Fuzzing the readers of other untrusted text: patches and mboxes,
``.lockcheck.toml``, baselines (TOML and JSON) and ``--model`` files.
Each may only end in a one-line InputError."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from .harness import mutate, mutations, run_baseline, run_config, run_model, run_patch
from .seeds import BASELINE_JSON, BASELINE_TOML, CONFIG, DIFF_SOUP, MBOX, MODEL, PATCH, TOML_SOUP

JSON_SOUP = TOML_SOUP + ["null", "{}", "[]", ":", "\"cycle\"", "\"locks\"", "1e999", "-0", "\"\\ud800\""]


@given(st.sampled_from([PATCH, MBOX]), mutations(DIFF_SOUP))
def test_patches_and_mboxes(seed, ops):
    run_patch(mutate(seed, ops))


@given(mutations(TOML_SOUP, 10))
def test_config(ops):
    run_config(mutate(CONFIG, ops))


@given(st.sampled_from([(BASELINE_TOML, ".toml"), (BASELINE_JSON, ".json")]), mutations(JSON_SOUP, 10))
def test_baseline(seed, ops):
    text, suffix = seed
    run_baseline(mutate(text, ops), suffix)


@given(mutations(TOML_SOUP, 10))
def test_model(ops):
    run_model(mutate(MODEL, ops))


@given(st.text(string.printable, max_size=300))
def test_arbitrary_text_everywhere(text):
    run_config(text)
    run_baseline(text, ".toml")
    run_baseline(text, ".json")
    run_model(text)
