"""End to end over fixtures/*: the exact set of (path, line, code) findings
equals the set of inline ``expect: HOSnnn`` markers in the fixture's files."""
import re
from pathlib import Path

import pytest

from linter.app import Options, run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MARKER = re.compile(r"expect:\s*((?:HOS\d{3}\s*,?\s*)+)")


def expected_markers(root: Path) -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name == "VIOLATIONS.md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for match in MARKER.finditer(line):
                for code in re.findall(r"HOS\d{3}", match.group(1)):
                    out.add((path.relative_to(root).as_posix(), lineno, code))
    return out


def actual_findings(root: Path) -> set[tuple[str, int, str]]:
    result = run(Options(paths=(str(root),)))
    return {(f.location.path, f.location.line, f.code) for f in result.findings}


@pytest.mark.parametrize("name", ["hos-marketplace"])
def test_fixture_findings_match_markers(name):
    root = FIXTURES / name
    expected = expected_markers(root)
    assert expected, "the fixture plants no violations"
    actual = actual_findings(root)
    assert sorted(actual - expected) == [], "findings without an expect: marker"
    assert sorted(expected - actual) == [], "expect: markers without a finding"
