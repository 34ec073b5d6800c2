"""Every rule's Valid/Invalid examples, and its docs' Example/Instead blocks,
run through the real pipeline (extract → resolve → rule)."""
import pytest

from hos_lint.registry import load_catalog
from hos_lint.rule import Invalid, Valid, doc_examples
from hos_lint.testing import example_result

CATALOG = load_catalog()

EXAMPLES = [(rule, ex) for rule in CATALOG.rules for ex in rule.examples]


def _id(pair) -> str:
    rule, ex = pair
    same = [e for e in rule.examples if type(e) is type(ex)]
    kind = "valid" if isinstance(ex, Valid) else "invalid"
    return f"{rule.code}-{kind}-{same.index(ex)}"


@pytest.mark.parametrize("rule,example", EXAMPLES, ids=[_id(p) for p in EXAMPLES])
def test_example(rule, example):
    got = example_result(rule, example)
    if isinstance(example, Invalid):
        assert got == set(example.expect)
    else:
        assert got == set()


DOCS = [(rule, section, files) for rule in CATALOG.rules for section, files in doc_examples(rule)]


@pytest.mark.parametrize("rule,section,files", DOCS, ids=[f"{r.code}-doc-{s}" for r, s, _ in DOCS])
def test_doc_blocks(rule, section, files):
    """Example blocks must fire the rule; Instead blocks must not."""
    manifest = None
    if "hos-lint.yaml" in files:
        files = dict(files)
        manifest = files.pop("hos-lint.yaml")
        files.setdefault("services/order/db/noop.sql", "SELECT 1;\n")
    got = example_result(rule, Valid(files, manifest=manifest))
    if section == "Example":
        assert got, f"{rule.code}: the docs' Example does not produce {rule.code}"
    else:
        assert got == set(), f"{rule.code}: the docs' Instead still produces {got}"
