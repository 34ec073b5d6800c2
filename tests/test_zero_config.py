"""Zero-config on a manifest-less copy of the fixture (a git repository of its
own) finds the manifest run's violations, except those that need manifest-only
facts; `init` output, loaded back, reproduces the zero-config run."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from linter.app import Options, run
from linter.cli import cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hos-marketplace"

# Facts only the manifest has, and what their absence changes (path, line, code):
NEEDS_MANIFEST = {
    # a second claim of a public table exists only in hos-lint.yaml
    ("hos-lint.yaml", 35, "HOS204"),
    # `prisma_clients: [db]` names an untyped client identifier
    ("services/influencer/src/commissions/commission.calculator.ts", 13, "HOS102"),
}
# (The monolith's public tables need no manifest: its Prisma models without @@schema
# make them its `tables:`, and it is inferred `legacy: true`.)
WITHOUT_MANIFEST = {
    # `exclude: ["**/*.spec.ts"]` is the project's own choice
    ("services/auth/src/auth/auth.service.spec.ts", 21, "HOS101"),
    # the reviewed `allow:` read of product_service.products
    ("services/search/src/indexer/indexer.service.ts", 27, "HOS102"),
}


def findings(root: Path, paths: tuple[str, ...]) -> set[tuple[str, int, str]]:
    result = run(Options(paths=tuple(str(root / p) for p in paths), cache=False))
    return {(f.location.path, f.location.line, f.code) for f in result.findings}


@pytest.fixture
def bare_copy(tmp_path) -> Path:
    root = tmp_path / "hos-marketplace"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".hos-lint-cache"))
    (root / "hos-lint.yaml").unlink()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_zero_config_matches_the_manifest_run_except_manifest_only_facts(bare_copy):
    with_manifest = findings(FIXTURE, ("services",))
    zero = findings(bare_copy, ("services",))
    assert with_manifest - zero == NEEDS_MANIFEST
    assert zero - with_manifest == WITHOUT_MANIFEST


def test_init_writes_a_manifest_that_reproduces_zero_config(bare_copy, monkeypatch):
    zero = findings(bare_copy, ("services",))
    monkeypatch.chdir(bare_copy)
    result = CliRunner().invoke(cli, ["init", "services"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote hos-lint.yaml with 14 services (13 with a schema)")
    text = (bare_copy / "hos-lint.yaml").read_text()
    assert "    schema: order_service  # from services/order/prisma/schema.prisma:9 (Prisma datasource schemas)\n" \
        "    paths: [services/order]  # holds package.json\n" in text
    assert "  api:\n    paths: [services/api]  # holds package.json\n    legacy: true  # keeps its tables in public " \
        "while admin, auth, content and 10 more own schemas: the monolith being decomposed\n" \
        "    tables:  # in public, owned by this service\n" \
        "      - legacy_orders  # services/api/prisma/schema.prisma:11 (Prisma model LegacyOrder without @@schema)\n" \
        in text
    services = yaml.safe_load(text)["services"]
    assert services["recommendation"]["schema"] == "recommendation_service"
    assert services["api"] == {"paths": ["services/api"], "legacy": True,
                               "tables": ["legacy_orders", "site_settings", "feature_flags"]}
    assert findings(bare_copy, ("services",)) == zero


def test_init_refuses_to_overwrite(bare_copy, monkeypatch):
    monkeypatch.chdir(bare_copy)
    (bare_copy / "hos-lint.yaml").write_text("version: 1\nservices: {}\n")
    result = CliRunner().invoke(cli, ["init", "services"])
    assert result.exit_code == 2 and "already exists; use --force" in result.stderr
