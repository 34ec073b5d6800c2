"""Zero-config on a manifest-less copy of the fixture (a git repository of its
own) finds the manifest run's violations, except those that need manifest-only
facts; `init` output, loaded back, reproduces the zero-config run."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from test_fixtures import expected_markers

from hos_lint.app import Options, run
from hos_lint.cli import cli

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
    assert result.output.startswith("Wrote hos-lint.yaml with 21 services (20 with a schema)")
    text = (bare_copy / "hos-lint.yaml").read_text()
    assert "    schema: order_service  # from services/order/prisma/schema.prisma:9 (Prisma datasource schemas)\n" \
        "    paths: [services/order]  # holds package.json\n" in text
    assert "  api:\n    paths: [services/api]  # holds package.json\n    legacy: true  # keeps its tables in public " \
        "while admin, analytics, auth and 17 more own schemas: the monolith being decomposed\n" \
        "    tables:  # in public, owned by this service\n" \
        "      - legacy_orders  # services/api/prisma/schema.prisma:11 (Prisma model LegacyOrder without @@schema)\n" \
        in text
    services = yaml.safe_load(text)["services"]
    assert services["recommendation"]["schema"] == "recommendation_service"
    # ORM models' schemas are evidence like @@schema (TypeORM, MikroORM, Sequelize)
    assert "    schema: review_service  # from services/review/src/reviews/review-summary.view.ts:10 " \
        "(schema of ORM model ReviewSummary)\n" in text
    assert services["analytics"]["schema"] == "analytics_service"
    assert services["loyalty"]["schema"] == "loyalty_service"
    # Drizzle pgSchema(...) tables are schema evidence like Prisma's @@schema
    assert services["shipping"]["schema"] == "shipping_service"
    assert services["api"] == {"paths": ["services/api"], "legacy": True,
                               "tables": ["legacy_orders", "site_settings", "feature_flags"]}
    assert findings(bare_copy, ("services",)) == zero


def test_init_refuses_to_overwrite(bare_copy, monkeypatch):
    monkeypatch.chdir(bare_copy)
    (bare_copy / "hos-lint.yaml").write_text("version: 1\nservices: {}\n")
    result = CliRunner().invoke(cli, ["init", "services"])
    assert result.exit_code == 2 and "already exists; use --force" in result.stderr


# --- fixtures made for zero-config: a monolith being split, a modular monolith ---------------


def git_copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURE.parent / name, root, ignore=shutil.ignore_patterns(".hos-lint-cache"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def graded(root: Path, config: str | None = None) -> set[tuple[str, int, str, str]]:
    result = run(Options(paths=(str(root),), config=str(root / config) if config else None, cache=False))
    return {(f.location.path, f.location.line, f.code, f.severity.value) for f in result.findings}


def test_a_monolith_being_split_gives_the_reviewed_manifests_findings_without_one(tmp_path):
    root = git_copy(tmp_path, "monolith-split")
    reviewed = graded(root, "hos-lint.reviewed.yaml")
    assert {(p, line, code) for p, line, code, _ in reviewed} == expected_markers(root)
    assert {sev for *_, sev in reviewed} == {"error", "warning", "info"}
    assert graded(root) == reviewed


def test_init_on_a_monolith_being_split_writes_what_was_reviewed(tmp_path, monkeypatch):
    root = git_copy(tmp_path, "monolith-split")
    reviewed = graded(root, "hos-lint.reviewed.yaml")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["init"])
    assert (result.exit_code, result.stdout) == (
        0, "Wrote hos-lint.yaml with 4 services (2 with a schema); review each value, then commit it.\n")
    written = yaml.safe_load((root / "hos-lint.yaml").read_text())["services"]
    assert written == {
        "catalog": {"schema": "catalog_service", "paths": ["services/catalog"]},
        "monolith": {"paths": ["services/monolith"], "legacy": True,
                     "tables": ["users", "addresses", "reviews", "site_settings"]},
        "orders": {"schema": "orders_service", "paths": ["services/orders"]},
        "storefront": {"paths": ["apps/storefront"]},
    }
    assert graded(root) == reviewed


def test_a_modular_monolith_reports_nothing_with_or_without_init(tmp_path, monkeypatch):
    root = git_copy(tmp_path, "modular-monolith")
    result = run(Options(paths=(str(root),), cache=False))
    assert result.findings == () and result.notices == ()
    assert result.services == ("admin", "backend", "cms", "web", "ui")
    monkeypatch.chdir(root)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    written = yaml.safe_load((root / "hos-lint.yaml").read_text())["services"]
    assert written["backend"] == {"paths": ["apps/backend"],
                                  "tables": ["Account", "Category", "Product", "Order", "OrderItem"]}
    assert graded(root) == set()
