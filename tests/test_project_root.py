"""The repository root is a wall (SPEC §2 "The project root"): a git repository
in a temporary folder, with a hos-lint.yaml and a sibling project with a
violation in the folder ABOVE it. Every way of pointing hos-lint at the
repository finds the same services, reads nothing above the repository and
writes nothing there; `--config` names the manifest, never the root."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from trees import write_tree as write

from hos_lint.cli import cli

ORDER_SCHEMA = """\
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["multiSchema"]
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
  schemas  = ["order_service"]
}

model Order {
  id     String @id
  userId String @map("user_id")

  @@map("orders")
  @@schema("order_service")
}
"""
AUTH_SCHEMA = ORDER_SCHEMA.replace("order_service", "auth_service").replace(
    "model Order {\n  id     String @id\n  userId String @map(\"user_id\")\n\n  @@map(\"orders\")",
    "model User {\n  id    String @id\n  email String\n\n  @@map(\"users\")")
PRISMA_SERVICE = """\
import { PrismaClient } from '@prisma/client';

export class PrismaService extends PrismaClient {}
"""
SYNC = """\
import { PrismaService } from '../prisma.service';

export class Sync {
  constructor(private readonly prisma: PrismaService) {}

  touch(id: string) {
    return this.prisma.$executeRaw`UPDATE auth_service.users SET email = lower(email) WHERE id = ${id}`;
  }
}
"""
SERVICES = ["auth", "order", "web"]
WRITE = ("services/order/src/sync/sync.ts", 7, "HOS101")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          check=True, capture_output=True, text=True)
    return done.stdout


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """outer/{hos-lint.yaml, sibling/…, repo/…}: the manifest and the sibling's
    violation are above the repository and must never be seen."""
    outer = tmp_path / "outer"
    repo = outer / "repo"
    write(outer, {
        # read, this manifest would make every service legacy (all findings info, exit 0) ...
        "hos-lint.yaml": "version: 1\nservices:\n  order: {legacy: true, paths: [repo/services/order]}\n",
        # ... and scanning the sibling would report its write
        "sibling/services/billing/package.json": "{}\n",
        "sibling/services/billing/db/x.sql": "DELETE FROM auth_service.users;\n",
    })
    write(repo, {
        "services/order/package.json": '{"name": "order"}\n',
        "services/order/prisma/schema.prisma": ORDER_SCHEMA,
        "services/order/src/prisma.service.ts": PRISMA_SERVICE,
        "services/order/src/sync/sync.ts": SYNC,
        "services/auth/package.json": '{"name": "auth"}\n',
        "services/auth/prisma/schema.prisma": AUTH_SCHEMA,
        "services/auth/src/prisma.service.ts": PRISMA_SERVICE,
        "services/web/package.json": '{"name": "web"}\n',
        "services/web/src/page.tsx": "export default function Page() { return <main>shop</main>; }\n",
    })
    git(repo, "init", "-q")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("CI", raising=False)
    return outer, repo


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_json(*args: str):
    code, out, err = run("check", "--format", "json", *args)
    doc = json.loads(out)
    return code, doc, err


@pytest.mark.parametrize("paths", [(), (".",), ("services/",), ("services/order",),
                                   ("services/order/src/sync/sync.ts",)], ids=lambda p: " ".join(p) or "none")
def test_every_way_of_pointing_finds_the_same_services_and_stays_inside(layout, paths):
    outer, repo = layout
    before = listing(outer)
    code, doc, err = check_json(*paths)
    assert code == 1, err
    assert doc["summary"]["services"] == SERVICES
    found = {(f["path"], f["line"], f["code"]) for f in doc["findings"]}
    assert found == {WRITE}
    assert all("sibling" not in f["path"] for f in doc["findings"])
    assert "no hos-lint.yaml found; inferred 3 services" in err
    assert listing(outer) == before  # no cache, no manifest written above the repository
    assert (repo / ".hos-lint-cache").is_dir()


def test_a_subfolder_run_reports_only_that_folder_but_knows_every_service(layout):
    _, repo = layout
    code, doc, _ = check_json("services/auth")
    assert code == 0 and doc["findings"] == [] and doc["summary"]["services"] == SERVICES


def test_init_writes_at_the_repository_root_and_the_result_checks_the_same(layout):
    outer, repo = layout
    before = listing(outer)
    os.chdir(repo / "services/order")
    code, out, err = run("init", ".")
    assert (code, err) == (0, "")
    assert out.startswith(f"Wrote {repo / 'hos-lint.yaml'} with 3 services (2 with a schema)")
    assert listing(outer) == before
    text = (repo / "hos-lint.yaml").read_text()
    assert "  order:\n    schema: order_service  # from services/order/prisma/schema.prisma:9 " \
           "(Prisma datasource schemas)\n    paths: [services/order]  # holds package.json\n" in text
    assert "  web:\n    # schema: ?" in text
    os.chdir(repo)
    code, doc, err = check_json()
    assert code == 1 and err == ""
    assert {(f["path"], f["line"], f["code"]) for f in doc["findings"]} == {WRITE}
    assert run("init")[0] == 2  # never overwritten without --force


def test_a_manifest_in_the_repository_is_found_from_any_subfolder(layout):
    outer, repo = layout
    write(repo, {"hos-lint.yaml": "version: 1\nservices:\n  order: {schema: order_service}\n"
                                  "  auth: {schema: auth_service}\n"})
    os.chdir(repo / "services/order/src")
    code, doc, err = check_json()
    assert (code, err) == (1, "")
    assert doc["summary"]["services"] == ["order", "auth"]
    assert [f["path"] for f in doc["findings"]] == [WRITE[0]]


def test_a_parent_manifest_is_not_read_even_when_broken(layout):
    outer, _ = layout
    (outer / "hos-lint.yaml").write_text("version: 1\nservices: [\n")
    code, doc, _ = check_json(".")
    assert code == 1 and doc["summary"]["services"] == SERVICES


def test_pre_commit_shape_without_a_manifest_fails_on_the_staged_cross_service_write(layout):
    """What the hook runs: `hos-lint check` with the staged file names, no manifest anywhere."""
    _, repo = layout
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base", "--", "services/auth", "services/web", "services/order/package.json",
        "services/order/prisma", "services/order/src/prisma.service.ts")
    staged = git(repo, "diff", "--cached", "--name-only").split()
    assert staged == [WRITE[0]]
    code, out, err = run("check", *staged)
    assert code == 1, out + err
    assert out.splitlines()[0].startswith(
        "services/order/src/sync/sync.ts:7:43: HOS101 order writes auth_service.users (owned by auth) with UPDATE")
    assert "across 3 services" in out.splitlines()[-1]
    # a staged file that only touches the service's own tables passes
    write(repo, {WRITE[0]: SYNC.replace("auth_service.users SET email = lower(email)",
                                        "order_service.orders SET user_id = user_id")})
    assert run("check", *staged)[0] == 0


# --- --config and root: ---------------------------------------------------------------------------------


def test_config_outside_the_repository_never_moves_the_root(layout):
    outer, repo = layout
    config = outer / "elsewhere.yaml"
    config.write_text("version: 1\nservices:\n  order:\n    schema: order_service\n"
                      "  auth:\n    schema: auth_service\n")
    before = listing(outer)
    code, doc, err = check_json("--config", str(config))
    assert (code, err) == (1, "")
    assert doc["summary"]["services"] == ["order", "auth"]  # paths default to services/<name> of the repository
    assert [f["path"] for f in doc["findings"]] == [WRITE[0]]
    assert listing(outer) == before


def test_root_key_names_the_project_root_relative_to_the_manifest(layout):
    _, repo = layout
    write(repo, {"config/lint.yaml": "version: 1\nroot: ../services\nservices:\n  order:\n    schema: order_service\n"
                                     "    paths: [order]\n  auth:\n    schema: auth_service\n    paths: [auth]\n"})
    code, doc, _ = check_json("--config", "config/lint.yaml")
    assert code == 1
    # the project root is services/; machine formats still name files from the repository root
    assert [f["path"] for f in doc["findings"]] == [WRITE[0]]
    assert (repo / "services/.hos-lint-cache").is_dir()


@pytest.mark.parametrize("value, message", [
    ("../..", "lint.yaml:2: root: '../..' leads outside the repository root {repo}; name a folder inside it"),
    ("nowhere", "lint.yaml:2: root: 'nowhere' is not a folder (it is read relative to lint.yaml)"),
    ("/etc", "lint.yaml:2: root: expected a folder path relative to this file, got '/etc'"),
    ("[a]", "lint.yaml:2: root: expected a folder path relative to this file, got a list"),
])
def test_root_key_may_not_leave_the_repository(layout, value, message):
    _, repo = layout
    write(repo, {"lint.yaml": f"version: 1\nroot: {value}\nservices:\n  order: {{schema: order_service}}\n"})
    code, out, err = run("check", "--config", "lint.yaml")
    assert code == 2 and out == ""
    assert err == f"hos-lint: {message.format(repo=repo.resolve())}\n"


# --- paths of each format ------------------------------------------------------------------------------------


@pytest.fixture
def nested(layout):
    """The manifest lives in a subfolder (backend/) of the repository."""
    _, repo = layout
    write(repo, {
        "backend/hos-lint.yaml": "version: 1\nservices:\n  order: {schema: order_service}\n"
                                 "  auth: {schema: auth_service}\n",
        "backend/services/order/db/sync.sql": "SELECT 1;\nDELETE FROM auth_service.users;\n",
    })
    return repo


def test_machine_formats_name_files_from_the_repository_root(nested):
    want = "backend/services/order/db/sync.sql"
    _, doc, _ = check_json("backend")
    assert [f["path"] for f in doc["findings"]] == [want]
    _, out, _ = run("check", "--format", "github", "backend")
    assert out.startswith(f"::error file={want},line=2,col=13,title=HOS101 cross-service-write::")
    _, out, _ = run("check", "--format", "sarif", "backend")
    location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": want, "uriBaseId": "%SRCROOT%"}
    _, out, _ = run("check", "--format", "junit", "backend")
    assert f'<testcase classname="{want}" name="HOS101 {want}:2:13">' in out
    _, out, _ = run("check", "--format", "markdown", "backend")
    assert f"| `{want}:2` | HOS101 |" in out


def test_text_names_files_from_the_cwd(nested):
    code, out, _ = run("check", "backend")
    assert code == 1 and out.startswith("backend/services/order/db/sync.sql:2:13: HOS101 ")
    os.chdir(nested / "backend/services/order")
    assert run("check")[1].startswith("db/sync.sql:2:13: HOS101 ")
    os.chdir(nested / "services")  # outside the project: absolute, as ruff prints it
    code, out, _ = run("check", "../backend")
    assert out.startswith(f"{nested.resolve()}/backend/services/order/db/sync.sql:2:13: HOS101 ")


# --- outside any repository ------------------------------------------------------------------------------


@pytest.fixture
def no_repo(tmp_path, monkeypatch):
    outer = tmp_path / "outer"
    proj = outer / "proj"
    write(outer, {"hos-lint.yaml": "version: 1\nservices: [\n",  # broken: reading it would exit 2
                  "sibling/services/x/package.json": "{}\n"})
    write(proj, {"services/order/package.json": "{}\n",
                 "services/order/db/sync.sql": "DELETE FROM auth_service.users;\n",
                 "services/auth/package.json": "{}\n",
                 "services/auth/db/schema.sql": "CREATE TABLE auth_service.users (id int);\n"})
    monkeypatch.chdir(proj)
    return outer, proj


def test_without_a_repository_nothing_above_the_cwd_or_the_path_is_read(no_repo):
    outer, proj = no_repo
    before = listing(outer)
    # without a manifest the project root is the first PATH (or the cwd): nothing beside it is walked
    for paths, shown in [((), "services/order/db/sync.sql"), ((".",), "services/order/db/sync.sql"),
                         (("services",), "order/db/sync.sql")]:
        code, doc, err = check_json(*paths)
        assert code == 1, err  # auth_service appears in the project: auth owns it by convention
        assert doc["summary"]["services"] == ["auth", "order"], paths
        assert [f["path"] for f in doc["findings"]] == [shown]
    elsewhere = outer.parent / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)  # a PATH outside the cwd: its own folder is the wall
    code, doc, _ = check_json(str(proj / "services/order/db/sync.sql"))
    assert (code, doc["summary"]["services"]) == (0, [])  # the file's folder is the whole project
    assert listing(outer) == before


def test_without_a_repository_a_manifest_in_the_cwd_is_found_from_a_path_inside_it(no_repo):
    _, proj = no_repo
    write(proj, {"hos-lint.yaml": "version: 1\nservices:\n  order: {schema: order_service}\n"
                                  "  auth: {schema: auth_service}\n"})
    code, doc, _ = check_json("services/order")
    assert code == 1 and [f["path"] for f in doc["findings"]] == ["services/order/db/sync.sql"]


def test_zero_config_says_how_many_inferred_services_have_a_schema(layout):
    """web has no schema: the run does not claim it inferred one for every service."""
    _, repo = layout
    code, out, err = run("check", "services/order")
    assert code == 1
    assert err.splitlines()[0] == (f"hos-lint: no hos-lint.yaml found; inferred 3 services (2 with a schema) from "
                                   f"the layout of {repo} (`hos-lint init` writes them down for review)")


def test_one_inferred_service_is_one_service(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    write(repo, {"services/order/package.json": '{"name": "order"}\n',
                 "services/order/prisma/schema.prisma": ORDER_SCHEMA})
    git(repo, "init", "-q")
    monkeypatch.chdir(repo)
    code, out, err = run("check")
    assert (code, err.splitlines()[0]) == (0, f"hos-lint: no hos-lint.yaml found; inferred 1 service (1 with a "
                                               f"schema) from the layout of {repo} (`hos-lint init` writes them "
                                               "down for review)")
    code, out, err = run("init")
    assert (code, out, err) == (0, "Wrote hos-lint.yaml with 1 service (1 with a schema); review each value, "
                                   "then commit it.\n", "")
