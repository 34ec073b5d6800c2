"""The Python extractor gives exactly the results recorded in
``data/python_golden.json`` (see ``python_golden.py``): every snippet of the
test suite, the fixture's Python files and the generated tree's, with and
without comments. Any change to what it finds, where, or how it anchors
shows up here as a differing ``repr``."""
from __future__ import annotations

import json

import pytest

from hos_lint.extract.base import ExtractConfig
from tests.extract import python_golden as golden

GOLDEN = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))


def test_the_golden_set_covers_the_test_suite_and_both_trees():
    kinds = {key.split(" ")[0] for key in GOLDEN["files"]}
    assert kinds == {"fixture", "generated"}
    assert len(GOLDEN["snippets"]) > 300
    assert sum(1 for key in GOLDEN["files"] if key.startswith("generated True")) == 37


@pytest.mark.parametrize("index", range(len(GOLDEN["snippets"])))
def test_a_snippet_of_the_test_suite_extracts_as_recorded(index):
    case = GOLDEN["snippets"][index]
    assert golden.extract(case["path"], case["service"], case["text"], golden.config_of(case)) == case["result"]


@pytest.mark.parametrize("name", ["fixture", "generated"])
def test_a_tree_extracts_as_recorded(name):
    texts = golden.fixture_files() if name == "fixture" else golden.generated_files()
    recorded = {key: value for key, value in GOLDEN["files"].items() if key.startswith(f"{name} ")}
    assert len(recorded) == 2 * len(texts)
    for comments in (False, True):
        for rel, text in texts.items():
            expected = recorded[f"{name} {comments} {rel}"]
            assert golden.digest(text) == expected["text_sha256"], f"{rel} changed: record again"
            assert golden.extract(rel, "svc", text, ExtractConfig(comments=comments)) == expected["result"], rel
