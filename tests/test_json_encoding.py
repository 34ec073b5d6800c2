"""``dumps_indented`` writes exactly the bytes of ``json.dumps(indent=2)`` on the C encoder."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hos_lint.output.json_format import dumps_indented

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(KEYS, inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans())
def test_same_bytes_as_the_pure_python_encoder(value, ascii_only):
    assert dumps_indented(value, ensure_ascii=ascii_only) == json.dumps(value, indent=2, ensure_ascii=ascii_only)


@pytest.mark.parametrize("value, expected", [
    ({}, "{}"),
    ([], "[]"),
    ({"a": [], "b": {}}, '{\n  "a": [],\n  "b": {}\n}'),
    ({"a": [1, "x"]}, '{\n  "a": [\n    1,\n    "x"\n  ]\n}'),
    ([{"k": None}], '[\n  {\n    "k": null\n  }\n]'),
    ({"f": [{"a": "},\n{", "b": 1}, {"c": 2}]},  # a list of flat dicts, with a look-alike of their separator
     '{\n  "f": [\n    {\n      "a": "},\\n{",\n      "b": 1\n    },\n    {\n      "c": 2\n    }\n  ]\n}'),
    ([{"a": 1}, {}], '[\n  {\n    "a": 1\n  },\n  {}\n]'),
    ({"line\nbreak": "é"}, '{\n  "line\\nbreak": "\\u00e9"\n}'),
    ({1: True, None: 2.5}, '{\n  "1": true,\n  "null": 2.5\n}'),
])
def test_exact_layout(value, expected):
    assert dumps_indented(value) == expected


def test_non_ascii_kept_when_asked():
    assert dumps_indented(["é"], ensure_ascii=False) == '[\n  "é"\n]'


def test_unserialisable_values_refused_like_json():
    with pytest.raises(TypeError):
        dumps_indented({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): "tuple key"})
