"""A --model file is untrusted text: a value of the wrong shape is a
one-line error naming it (lockcheck.model.loader.check_shape), never a
crash in whichever consumer reads it first."""

from __future__ import annotations

import pytest

from lockcheck.errors import InputError
from lockcheck.frontend.normalize import FrontendModel
from lockcheck.model.loader import load_model
from lockcheck.model.primitives import load_catalogue


@pytest.mark.parametrize("text, message", [
    ("[primitives]\nprimitive = [1]\n", "[primitives.primitive[0]] must be a table, not a number"),
    ("[primitives]\nprimitive = 3\n", "primitives.primitive must be a list, not a number"),
    ("primitives = 1\n", "[primitives] must be a table, not a number"),
    ("[frontend]\nannotations = \"__x\"\n", "frontend.annotations must be a list, not a string"),
    ("[frontend]\nannotations = [1]\n", "frontend.annotations[0] must be a string, not a number"),
    ("[frontend.parsing]\nbuiltin_typedefs = {a = 1}\n", "must be a list, not a table"),
])
def test_a_misshapen_model_is_a_one_line_error(tmp_path, text, message):
    p = tmp_path / "model.toml"
    p.write_text(text)
    with pytest.raises(InputError) as err:
        load_catalogue((str(p),))
        FrontendModel.from_dict(load_model("frontend", (str(p),)))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_well_shaped_extension_still_merges(tmp_path):
    p = tmp_path / "model.toml"
    p.write_text('[primitives]\n[[primitives.primitive]]\nnames = ["frob_lock"]\naction = "acquire"\n'
                 '[frontend]\nannotations = ["__frobbed"]\nrenames = { "__frob_inline" = "inline" }\n')
    assert load_catalogue((str(p),)).get("frob_lock").action == "acquire"
    model = FrontendModel.from_dict(load_model("frontend", (str(p),)))
    assert "__frobbed" in model.annotations and model.renames["__frob_inline"] == "inline"


@pytest.mark.parametrize("entry, message", [
    # found by the fuzz campaign (tests/fuzz, 2026-12-03): a truncated model
    # file left a header-macro table without its other keys (KeyError)
    ('pattern = "^FROB\\\\d$"\n', "function_header_macros entry needs 'prefix', 'returns'"),
    ('prefix = "frob_"\nreturns = "long"\n', "needs 'pattern'"),
    ('pattern = "(" \nprefix = "frob_"\nreturns = "long"\n', "function_header_macros pattern '('"),
])
def test_a_header_macro_entry_missing_keys_or_bad_pattern_is_one_line(tmp_path, entry, message):
    p = tmp_path / "model.toml"
    p.write_text("[[frontend.function_header_macros]]\n" + entry)
    with pytest.raises(InputError) as err:
        FrontendModel.from_dict(load_model("frontend", (str(p),)))
    assert message in str(err.value) and "\n" not in str(err.value)
