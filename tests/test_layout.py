"""Zero-config service inference from the project root's layout (markers and
workspace globs), with the look-alikes that must not become services, and the
ownership it infers: public tables, legacy, HOS204, other databases."""
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hos_lint import infer
from hos_lint.app import Options, run
from hos_lint.cli import cli


def services(files, workspaces=(), root_name="repo"):
    return [(s.name, s.paths, s.paths_source) for s in infer.infer_services(files, workspaces, root_name)]


# --- markers ---------------------------------------------------------------------------------------------


def test_services_folder_children_with_markers():
    files = ["services/order/package.json", "services/order/src/a.ts", "services/order/prisma/schema.prisma",
             "services/recs/requirements.txt", "services/recs/app/main.py",
             "services/catalog/prisma/schema/models.prisma", "services/catalog/src/x.ts",
             "infrastructure/database/views.sql", "README.md"]
    assert services(files) == [
        ("catalog", ("services/catalog",), "holds a Prisma schema"),
        ("order", ("services/order",), "holds package.json"),
        ("recs", ("services/recs",), "holds requirements.txt"),
    ]


def test_folders_inside_a_service_are_never_services():
    """What `hos-lint services/seller` used to do: src/ and prisma/ are part of seller."""
    files = ["services/seller/package.json", "services/seller/src/a.ts", "services/seller/prisma/schema.prisma",
             "services/seller/scripts/package.json", "services/seller/docker/Dockerfile"]
    assert services(files) == [("seller", ("services/seller",), "holds package.json")]


def test_code_folders_beside_services_are_services_but_shared_folders_are_not():
    files = ["services/order/package.json", "services/legacy-sql/reports/q.sql", "services/shared/util.ts",
             "services/docs/intro.md", "services/.github/ci.ts"]
    assert [name for name, *_ in services(files)] == ["legacy-sql", "order"]
    assert services(files)[0][2] == "beside the other services in services/"


def test_look_alikes_that_are_not_services():
    files = ["services/order/package.json",
             "db/Dockerfile", "db/init.sql",  # a database image: a Dockerfile without code
             ".devcontainer/Dockerfile", ".devcontainer/setup.py",  # hidden
             "tests/fixtures/app/package.json", "tests/fixtures/app/a.ts"]  # test data
    assert [name for name, *_ in services(files)] == ["order"]


def test_a_dockerfile_next_to_code_marks_an_app():
    assert services(["worker/Dockerfile", "worker/main.py"]) == [("worker", ("worker",), "holds Dockerfile")]


def test_apps_directly_under_the_root():
    files = ["backend/package.json", "backend/src/main.ts", "frontend/package.json", "frontend/src/App.tsx",
             "docs/notes.md"]
    assert [name for name, *_ in services(files)] == ["backend", "frontend"]


def test_name_collisions_use_the_path():
    files = ["apps/web/package.json", "services/web/package.json", "services/api/package.json"]
    assert [name for name, *_ in services(files)] == ["apps-web", "api", "services-web"]


# --- workspaces --------------------------------------------------------------------------------------------


def test_workspace_globs_are_read_from_package_json_and_pnpm():
    assert infer.workspace_globs('{"workspaces": ["apps/*", "./packages/*/"]}', None) == ("apps/*", "packages/*")
    assert infer.workspace_globs('{"workspaces": {"packages": ["apps/*"]}}', None) == ("apps/*",)
    assert infer.workspace_globs(None, "packages:\n  - 'apps/*'\n  - '!apps/sandbox'\n") == ("apps/*", "!apps/sandbox")
    for bad in ("not json", '["apps/*"]', '{"workspaces": "apps/*"}', '{"workspaces": [1, null]}', "[" * 100000):
        assert infer.workspace_globs(bad, None) == ()
    assert infer.workspace_globs(None, "packages: {a: 1}\n") == ()
    assert infer.workspace_globs(None, "- [unbalanced\n") == ()


def test_workspace_globs_mark_folders_and_the_root_is_not_an_app():
    files = ["package.json", "apps/api/src/main.ts", "apps/sandbox/src/x.ts", "packages/ui/src/index.tsx",
             "scripts/release.ts"]
    found = services(files, ("apps/*", "packages/*", "!apps/sandbox"))
    assert found == [("api", ("apps/api",), "matches the workspace glob apps/*"),
                     ("ui", ("packages/ui",), "matches the workspace glob packages/*")]


# --- one app -----------------------------------------------------------------------------------------------


def test_a_repository_that_is_one_app_is_one_service():
    files = ["package.json", "prisma/schema.prisma", "src/main.ts", "src/users/users.service.ts"]
    assert services(files, root_name="shop") == [("shop", (".",), "one app: package.json at the project root")]


def test_a_single_app_with_a_nested_package_keeps_its_own_code():
    files = ["package.json", "src/main.ts", "docs/package.json", "docs/site.js"]
    assert services(files, root_name="shop") == [
        ("shop", (".",), "package.json at the project root, and code of its own there"),
        ("docs", ("docs",), "holds package.json")]


def test_a_single_app_with_a_nested_front_end_keeps_its_server_code():
    files = ["package.json", "server/index.ts", "client/package.json", "client/src/App.tsx"]
    assert [name for name, *_ in services(files, root_name="shop")] == ["shop", "client"]
    assert [name for name, *_ in services(["package.json", "index.js", "client/package.json"], root_name="s")] \
        == ["s", "client"]


def test_a_tooling_root_with_services_is_not_itself_a_service():
    files = ["package.json", "services/order/package.json", "services/order/src/a.ts",
             "infrastructure/database/schemas.sql", "scripts/release.ts", "tests/e2e/checkout.spec.ts",
             "vite.config.ts", ".eslintrc.js", "setup.py"]
    assert [name for name, *_ in services(files)] == ["order"]


def test_no_markers_no_services():
    assert services(["report.sql", "scripts/backfill.sh"]) == []


# --- end to end ----------------------------------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


PRISMA = 'datasource db {{\n  provider = "{provider}"\n  url      = {url}\n}}\n\n{models}'
CLIENT = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"


def model(name: str, table: str, schema: str | None = None) -> str:
    extra = f'\n  @@schema("{schema}")' if schema else ""
    return f'model {name} {{\n  id String @id\n\n  @@map("{table}"){extra}\n}}\n\n'


def check(root: Path, *paths: str, config: str | None = None):
    result = run(Options(paths=tuple(str(root / p) for p in paths) or (str(root),), cache=False, config=config))
    return result, {(f.location.path, f.location.line, f.code, f.severity.value) for f in result.findings}


def test_single_app_repository_is_checked_without_a_manifest(tmp_path):
    root = write(tmp_path / "shop", {
        "package.json": "{}\n",
        "prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                              models=model("User", "users") + model("Order", "orders")),
        "src/orders.ts": CLIENT + "export const list = () => prisma.order.findMany({ include: { user: true } });\n"
                                  "export const raw = () => prisma.$queryRaw`SELECT * FROM users`;\n"
                                  "export const audit = () => prisma.$queryRaw`SELECT * FROM audit_log`;\n"
                                  "export const again = () => prisma.$queryRaw`SELECT 1 FROM audit_log`;\n",
    })
    result, found = check(root)
    assert result.services == ("shop",)
    assert found == {("src/orders.ts", 5, "HOS203", "warning")}
    (finding,) = result.findings
    assert (finding.message, finding.hint) == (
        "shop reads public.audit_log, which no service owns, here and at 1 more place",
        "give table audit_log in public an owner in hos-lint.yaml")
    assert finding.full_message == ("shop reads public.audit_log, which no service owns, here and at 1 more "
                                    "place; give table audit_log in public an owner in hos-lint.yaml")
    code = CliRunner().invoke(cli, ["check", str(root), "--no-cache"]).exit_code
    assert code == 0  # a warning: nothing at or above error


def test_models_in_a_url_schema_are_not_public_tables(tmp_path):
    url = '"postgresql://u@h/db?schema=shop_service"'
    root = write(tmp_path / "shop", {
        "package.json": "{}\n",
        "prisma/schema.prisma": PRISMA.format(provider="postgresql", url=url, models=model("User", "users")),
    })
    (svc,) = _inferred(root)
    assert (svc.schema, svc.schema_source, svc.tables, svc.legacy) == (
        "shop_service", "prisma/schema.prisma:1 (Prisma datasource url ?schema=)", (), False)


def _inferred(root: Path):
    from hos_lint.app import analyse

    return analyse(Options(paths=(str(root),), cache=False)).manifest.services


def test_env_url_schema_comes_from_the_services_connection(tmp_path):
    root = write(tmp_path / "r", {
        "services/a/package.json": "{}\n",
        "services/a/.env": "DATABASE_URL=postgresql://u@h/db?schema=a_service\n",
        "services/a/prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                                         models=model("Thing", "things")),
        "services/b/package.json": "{}\n",
        "services/b/prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                                         models=model("Other", "others")),
    })
    got = {s.name: (s.schema, s.tables, s.legacy) for s in _inferred(root)}
    # b keeps its table in public while a owns a schema: b is the monolith being decomposed
    assert got == {"a": ("a_service", (), False), "b": (None, ("others",), True)}


def test_two_services_defining_the_same_public_table_is_hos204_with_both_places(tmp_path):
    root = write(tmp_path / "r", {
        "services/a/package.json": "{}\n",
        "services/a/prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                                         models=model("Setting", "settings")),
        "services/b/package.json": "{}\n",
        "services/b/prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                                         models=model("Flag", "flags") + model("Set", "settings")),
    })
    result, found = check(root)
    assert found == {("services/b/prisma/schema.prisma", 12, "HOS204", "error"),
                     ("services/b/prisma/schema.prisma", 12, "HOS105", "warning")}  # b models a's table
    assert [f.full_message for f in result.findings if f.code == "HOS204"][0] == (
        "b claims public table settings here, already owned by a (services/a/prisma/schema.prisma:6); "
        "give every schema and public table exactly one owner")


def test_a_modular_monolith_has_no_legacy_service(tmp_path):
    """Nobody owns a schema of their own, so nobody is a monolith being decomposed."""
    root = write(tmp_path / "r", {
        "apps/backend/package.json": "{}\n",
        "apps/backend/prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                                           models=model("User", "users")),
        "apps/web/package.json": "{}\n",
    })
    got = {s.name: (s.schema, s.tables, s.legacy) for s in _inferred(root)}
    assert got == {"backend": (None, ("users",), False), "web": (None, (), False)}


# --- databases other than PostgreSQL -------------------------------------------------------------------------


TSQL = "CREATE TABLE [dbo].[Users] ([Id] INT IDENTITY(1,1) NOT NULL, CONSTRAINT [PK_Users] PRIMARY KEY ([Id]));\nGO\n"


@pytest.mark.parametrize("provider", ["sqlserver", "mysql", "sqlite", "mongodb"])
def test_a_project_on_another_database_is_one_notice_and_its_sql_is_not_parsed(tmp_path, provider):
    root = write(tmp_path / "app", {
        "package.json": "{}\n",
        "prisma/schema.prisma": PRISMA.format(provider=provider, url='env("DATABASE_URL")', models=model("U", "u")),
        "prisma/migrations/1_init/migration.sql": TSQL,
        "prisma/migrations/2_more/migration.sql": TSQL.replace("Users", "Orders"),
        "src/raw.ts": CLIENT + "export const q = () => prisma.$queryRaw`SELECT TOP 5 [Id] FROM [dbo].[Users]`;\n",
    })
    result, found = check(root)
    assert found == set()
    (notice,) = result.notices
    assert notice.path == "prisma/migrations/1_init/migration.sql"
    assert notice.reason == (f"service app uses a {provider} database (prisma/schema.prisma:1); hos-lint checks "
                             "PostgreSQL, so its 2 SQL files are not parsed")
    out = CliRunner().invoke(cli, ["check", str(root), "--no-cache"])
    assert out.exit_code == 0
    assert f"hos-lint: service app uses a {provider} database" in out.stderr
    assert out.stdout.splitlines()[-1].startswith("No problems found in 2 files across 1 services; 1 file not analysed")


def test_the_notice_follows_the_scope_of_a_pre_commit_run(tmp_path):
    root = write(tmp_path / "app", {
        "package.json": "{}\n",
        "prisma/schema.prisma": PRISMA.format(provider="sqlserver", url='env("DATABASE_URL")', models=""),
        "db/a.sql": TSQL,
        "src/x.ts": "export const x = 1;\n",
    })
    assert [n.path for n in check(root, "db/a.sql")[0].notices] == ["db/a.sql"]
    assert check(root, "src/x.ts")[0].notices == ()


def test_postgresql_look_alikes_are_parsed(tmp_path):
    root = write(tmp_path / "app", {
        "package.json": "{}\n",
        "prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")', models=""),
        "db/a.sql": "SELECT FROM WHERE;\n",
    })
    result, found = check(root)
    assert found == {("db/a.sql", 1, "HOS901", "warning")} and result.notices == ()


# --- init ----------------------------------------------------------------------------------------------------


def test_init_quotes_odd_names_and_keeps_comments_on_one_line(tmp_path, monkeypatch):
    root = write(tmp_path / "r", {
        "services/yes/package.json": "{}\n",
        "services/2024/package.json": "{}\n",
        "services/a: b/package.json": "{}\n",
        "services/x\ny/package.json": "{}\n",
    })
    monkeypatch.chdir(root)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    text = (root / "hos-lint.yaml").read_text()
    assert set(yaml.safe_load(text)["services"]) == {"yes", "2024", "a: b", "x\ny"}
    assert yaml.safe_load(text)["services"]["x\ny"] == {"paths": ["services/x\ny"]}
    assert all(line.startswith(("#", "version", "services", "  ")) for line in text.splitlines())


def test_init_renders_an_empty_project():
    from hos_lint.manifest import Manifest

    text = infer.render_manifest(Manifest(root="/r", path=None, services=()))
    assert yaml.safe_load(text) == {"version": 1, "services": {}}
    assert json.dumps(infer._yaml_str("on")) == '"\\"on\\""'


def test_inferred_names_reach_the_terminal_without_control_characters(tmp_path):
    odd = "mono\x1b[2Jlith"
    root = write(tmp_path / "r", {
        f"services/{odd}/package.json": "{}\n",
        f"services/{odd}/prisma/schema.prisma": PRISMA.format(provider="postgresql", url='env("DATABASE_URL")',
                                                              models=model("User", "users")),
        "services/order/package.json": "{}\n",
        "services/order/prisma/schema.prisma": PRISMA.format(provider='sql\\u001bserver', url='env("DATABASE_URL")',
                                                             models=model("Order", "orders", "order_service")),
    })
    out = CliRunner().invoke(cli, ["check", str(root), "--no-cache"])
    assert "\x1b" not in out.stderr
    assert "hos-lint: mono\\x1b[2Jlith keeps its tables in public while other services own schemas" in out.stderr
    assert "hos-lint: service order uses a 'sql\\x1bserver' database" in out.stderr


def test_a_pnpm_workspace_alias_bomb_is_not_read():
    """Read with the bounded YAML loader: past its alias limit the file gives no globs
    (the markers still find the apps)."""
    import time

    bomb = "a: &a [x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n"
                                      for i in range(20)) + "packages: ['apps/*']\n"
    started = time.perf_counter()
    assert infer.workspace_globs(None, bomb) == ()
    assert time.perf_counter() - started < 2
    assert infer.workspace_globs(None, bomb.replace("[*", "[").replace(", *", ", ")) == ("apps/*",)
