"""The rule catalogue's contract: codes, names, doc sections, examples, README table."""
import re
from pathlib import Path

from hos_lint.registry import load_catalog
from hos_lint.rule import DOC_SECTIONS, Invalid, Valid

CATALOG = load_catalog()
README = Path(__file__).resolve().parents[1] / "README.md"


def test_codes_and_names_are_unique_and_well_formed():
    codes = [r.code for r in CATALOG.rules]
    names = [r.name for r in CATALOG.rules]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert all(re.fullmatch(r"HOS\d{3}", c) for c in codes)
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", n) for n in names)


def test_doc_sections_in_order():
    for rule in CATALOG.rules:
        headings = list(rule.sections())
        assert headings == list(DOC_SECTIONS), f"{rule.code}: sections {headings}"
        assert rule.summary, rule.code


def test_every_rule_has_valid_and_invalid_examples():
    for rule in CATALOG.rules:
        assert any(isinstance(e, Valid) for e in rule.examples), rule.code
        assert any(isinstance(e, Invalid) for e in rule.examples), rule.code


def test_doc_example_blocks_have_paths():
    for rule in CATALOG.rules:
        for section in ("Example", "Instead"):
            body = rule.sections()[section]
            assert re.search(r"^```\w+ \S+$", body, re.MULTILINE), f"{rule.code} {section}: no ```lang path block"


def test_readme_rule_table_matches_catalog():
    # the default column starts with the rule's severity ("warning; error for ..." may follow)
    rows = re.findall(r"^\| (HOS\d{3}) \| ([a-z-]+) \| (\w+)[^|]* \|", README.read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert rows == [(r.code, r.name, r.severity.value) for r in CATALOG.rules]
