"""End to end over fixtures/*: the exact set of (path, line, code) findings
equals the set of inline ``expect: HOSnnn`` markers in the fixture's files."""
import re
from pathlib import Path

import pytest

from hos_lint.app import Options, run

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


# The manifest each fixture is checked with: monolith-split keeps its reviewed manifest
# under another name (it is also checked without one, tests/test_zero_config.py).
CONFIGS = {"hos-marketplace": None, "monolith-split": "hos-lint.reviewed.yaml"}


def actual_findings(root: Path, config: str | None = None) -> set[tuple[str, int, str]]:
    result = run(Options(paths=(str(root),), config=str(root / config) if config else None, cache=False))
    return {(f.location.path, f.location.line, f.code) for f in result.findings}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_fixture_findings_match_markers(name):
    root = FIXTURES / name
    expected = expected_markers(root)
    assert expected, "the fixture plants no violations"
    actual = actual_findings(root, CONFIGS[name])
    assert sorted(actual - expected) == [], "findings without an expect: marker"
    assert sorted(expected - actual) == [], "expect: markers without a finding"


def test_why_explains_a_prisma_finding_end_to_end():
    from click.testing import CliRunner

    from hos_lint.cli import cli

    target = FIXTURES / "hos-marketplace/services/user/src/customers/customers.service.ts"
    out = CliRunner().invoke(cli, ["why", f"{target}:25", "--no-cache"]).stdout
    assert out.splitlines()[:5] == [
        "services/user/src/customers/customers.service.ts:25:39: user reads auth_service.users via prisma-client (findUnique)",
        "  delegate `user` → Prisma model User (services/user/prisma/schema.prisma:68)",
        '  @@map("users") @@schema("auth_service") → auth_service.users',
        "  owner: auth (schema auth_service declared at hos-lint.yaml:12)",
        "  rule: HOS102 cross-service-read (error): user reads auth_service.users (owned by auth) directly; "
        "read it through a view in user_service or call the auth API",
    ]


def test_violations_list_names_every_planted_code():
    listed = (FIXTURES / "hos-marketplace/VIOLATIONS.md").read_text(encoding="utf-8")
    planted = {code for _, _, code in expected_markers(FIXTURES / "hos-marketplace")}
    assert planted <= set(re.findall(r"HOS\d{3}", listed))
