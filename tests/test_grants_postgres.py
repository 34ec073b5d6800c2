"""``hos-lint grants`` against a real PostgreSQL server.

The throwaway cluster is the ``cluster`` fixture of ``tests/conftest.py``.
Each project's schemas, tables (``id serial primary key``, so sequences are
exercised too) and views (``SELECT id FROM <first base table>``) are derived
from ``project.context.names.relations`` and ``view_reads``, created as the
superuser (the migration owner); then the grants script is applied and every
service role is checked with ``SET ROLE`` (roles are NOLOGIN), which exercises
exactly the role's privileges. The full matrix role × relation × operation is
compared with what the manifest says, once after the first run of the script
and again after a second run.
"""
from __future__ import annotations

import csv
import io
import subprocess
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from trees import write_tree

from hos_lint import app, grants
from hos_lint.cli import cli
from hos_lint.model import RelationKind

write_project = partial(write_tree, dedent=True)

if TYPE_CHECKING:
    from conftest import Cluster

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hos-marketplace"
OPS = ("SELECT", "INSERT", "UPDATE", "DELETE")
VIEWS = (RelationKind.VIEW, RelationKind.MATVIEW)


# --- projects under test ----------------------------------------------------------------------

SMALL = {
    "hos-lint.yaml": """\
        version: 1
        services:
          api: {paths: [services/api], legacy: true, tables: [legacy_orders]}
          auth: {schema: auth_service}
          order: {schema: order_service, role: order_rw}
          search: {schema: search_service}
        allow:
          - service: search
            read: [order_service.orders]
            reason: indexing reads until order events carry full payloads
          - service: search
            write: [auth_service.users]
            reason: reviewed but never granted
        """,
    "services/api/README.md": "the legacy monolith\n",
    "services/auth/db/001_init.sql": """\
        CREATE TABLE auth_service.users (id serial primary key, email text);
        CREATE TABLE auth_service.sessions (id serial primary key);
        """,
    "services/order/prisma/schema.prisma": """\
        datasource db {
          provider = "postgresql"
          url      = env("DATABASE_URL")
          schemas  = ["order_service"]
        }
        model Order {
          id Int @id
          @@map("orders")
          @@schema("order_service")
        }
        model OrderItem {
          id Int @id
          @@map("order_items")
          @@schema("order_service")
        }
        """,
    "infrastructure/database/views.sql": """\
        CREATE VIEW search_service.order_summaries AS SELECT o.id FROM order_service.orders o;
        CREATE VIEW order_service.customer_emails AS SELECT u.id FROM auth_service.users u;
        """,
}




def _projects() -> list:
    params = [pytest.param("small", id="small-project")]
    if (FIXTURE / "hos-lint.yaml").is_file():
        params.append(pytest.param(str(FIXTURE), id="hos-marketplace"))
    return params


@dataclass(frozen=True)
class Database:
    name: str
    project: app.Project
    tables: tuple[str, ...]  # schema.name
    views: tuple[str, ...]


def setup_sql(project: app.Project) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Schemas, one minimal table per known table and one view per known view, as the superuser."""
    ctx = project.context
    known = sorted(ctx.names.relations.items())
    tables = [f"{s}.{n}" for (s, n), k in known if k.relation.kind is RelationKind.TABLE]
    views = {f"{s}.{n}" for (s, n), k in known if k.relation.kind in VIEWS}
    schemas = sorted({t.split(".")[0] for t in tables} | {v.split(".")[0] for v in views} |
                     {s.schema for s in project.manifest.services if s.schema} - {"public"})
    lines = [f"CREATE SCHEMA IF NOT EXISTS {grants.quote_ident(s)};" for s in schemas]
    lines += [f"CREATE TABLE {_q(t)} (id serial PRIMARY KEY);" for t in tables]
    made = []
    for view in sorted(views):
        base = _first_base(ctx, view, set(tables))
        lines.append(f"CREATE VIEW {_q(view)} AS SELECT id FROM {_q(base)};" if base else
                     f"CREATE VIEW {_q(view)} AS SELECT 1 AS id;")
        made.append(view)
    return "\n".join(lines) + "\n", tuple(tables), tuple(made)


def _first_base(ctx, view: str, tables: set[str]) -> str | None:
    """The first table the view's definition reads, so the view is auto-updatable like the real one."""
    for read in ctx.view_reads:
        if str(read.view) == view and str(read.base) in tables:
            return str(read.base)
    return None


def _q(qualified: str) -> str:
    schema, _, name = qualified.partition(".")
    return f"{grants.quote_ident(schema)}.{grants.quote_ident(name)}"


def make_database(cluster: Cluster, root: Path, name: str) -> Database:
    project = app.analyse(app.Options(paths=(str(root),), cache=False))
    cluster.run(f"DROP DATABASE IF EXISTS {name};\nCREATE DATABASE {name};\n")
    sql, tables, views = setup_sql(project)
    cluster.run(sql + TRY_FUNCTION, name)
    return Database(name=name, project=project, tables=tables, views=views)


@pytest.fixture(scope="module", params=_projects())
def database(request, cluster, tmp_path_factory) -> Database:
    if request.param == "small":
        return make_database(cluster, write_project(tmp_path_factory.mktemp("small"), SMALL), "hos_small")
    return make_database(cluster, Path(request.param), "hos_marketplace")


@pytest.fixture(scope="module")
def small_database(cluster, tmp_path_factory) -> Database:
    return make_database(cluster, write_project(tmp_path_factory.mktemp("spot"), SMALL), "hos_spot")


# Runs one statement and reports 'ok' or the SQLSTATE; an error rolls back only that statement.
TRY_FUNCTION = """
CREATE FUNCTION public.hos_try(stmt text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END
$f$;
"""
DENIED = "42501"  # insufficient_privilege


def statement(op: str, relation: str) -> str:
    return {"SELECT": f"SELECT count(*) FROM {_q(relation)}",
            "INSERT": f"INSERT INTO {_q(relation)} DEFAULT VALUES",
            "UPDATE": f"UPDATE {_q(relation)} SET id = id",
            "DELETE": f"DELETE FROM {_q(relation)}"}[op]


def observed(cluster: Cluster, db: Database) -> dict[tuple[str, str, str], str]:
    """role × relation × operation → 'ok' or SQLSTATE, all in one psql session."""
    roles = sorted({s.role_name for s in db.project.manifest.services})
    script = []
    for role in roles:
        script.append(f"SET ROLE {grants.quote_ident(role)};")
        for rel in (*db.tables, *db.views):
            for op in OPS:
                stmt = statement(op, rel).replace("'", "''")
                script.append(f"SELECT '{role}', '{rel}', '{op}', public.hos_try('{stmt}');")
        script.append("RESET ROLE;")
    out = cluster.run("\n".join(script) + "\n", db.name).stdout
    result = {}
    for line in out.splitlines():
        role, rel, op, outcome = line.split("\t")
        result[(role, rel, op)] = outcome
    return result


def expected(db: Database) -> dict[tuple[str, str, str], str]:
    """What the manifest promises: full rights on its own tables (schema or claimed public
    tables), SELECT only on its own views and on allowed reads, permission denied elsewhere."""
    manifest = db.project.manifest
    plans = {p.role: p for p in grants.plan_grants(manifest)}
    out = {}
    for role, plan in plans.items():
        allowed = {f"{r.schema}.{r.name}" for r in plan.allowed_reads}
        own_tables = {t for t in db.tables if t.split(".")[0] == plan.schema}
        own_tables |= {f"public.{t}" for t in plan.public_tables}
        for rel in (*db.tables, *db.views):
            own_view = rel in db.views and rel.split(".")[0] == plan.schema
            for op in OPS:
                ok = rel in own_tables or (op == "SELECT" and (own_view or rel in allowed))
                out[(role, rel, op)] = "ok" if ok else DENIED
    return out


def schema_usage(cluster: Cluster, db: Database) -> set[tuple[str, str]]:
    roles = sorted({s.role_name for s in db.project.manifest.services})
    values = ", ".join(f"('{r}')" for r in roles)
    sql = (f"SELECT r.name, n.nspname FROM (VALUES {values}) AS r(name) CROSS JOIN pg_namespace n "
           "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', 'public') "
           "AND has_schema_privilege(r.name, n.oid, 'USAGE') ORDER BY 1, 2;")
    return {tuple(line.split("\t")) for line in cluster.run(sql, db.name).stdout.splitlines()}


def expected_usage(db: Database) -> set[tuple[str, str]]:
    out = set()
    for plan in grants.plan_grants(db.project.manifest):
        schemas = {plan.schema} | {r.schema for r in plan.allowed_reads}
        out |= {(plan.role, s) for s in schemas if s and s != "public"}
    return out


# --- the tests ----------------------------------------------------------------------------------------


def test_each_role_writes_its_own_tables_and_nothing_else(cluster, database):
    script = grants.generate_grants(database.project.manifest, database.project.context)
    cluster.run(script, database.name)
    assert observed(cluster, database) == expected(database)
    assert schema_usage(cluster, database) == expected_usage(database)


def test_running_the_grants_twice_is_harmless(cluster, database):
    script = grants.generate_grants(database.project.manifest, database.project.context)
    first = cluster.run(script, database.name)
    second = cluster.run(script, database.name)
    assert (first.returncode, second.returncode) == (0, 0)
    assert observed(cluster, database) == expected(database)
    assert schema_usage(cluster, database) == expected_usage(database)


def test_the_small_project_matrix_is_what_the_issue_asks_for(cluster, small_database):
    """Spot checks in plain words, so a bug in `expected` cannot hide one in the grants."""
    database = small_database
    cluster.run(grants.generate_grants(database.project.manifest, database.project.context), database.name)
    seen = observed(cluster, database)
    assert [seen[("order_rw", "order_service.orders", op)] for op in OPS] == ["ok"] * 4
    assert [seen[("order_rw", "auth_service.users", op)] for op in OPS] == [DENIED] * 4
    assert [seen[("order_rw", "order_service.customer_emails", op)] for op in OPS] == ["ok"] + [DENIED] * 3
    assert [seen[("search_service", "order_service.orders", op)] for op in OPS] == ["ok"] + [DENIED] * 3
    assert [seen[("search_service", "auth_service.users", op)] for op in OPS] == [DENIED] * 4
    assert [seen[("api", "public.legacy_orders", op)] for op in OPS] == ["ok"] * 4
    assert [seen[("auth_service", "public.legacy_orders", op)] for op in OPS] == [DENIED] * 4


def test_the_readme_commands_write_and_apply_the_script(cluster, tmp_path):
    """README: `hos-lint grants --output grants.sql`, then `psql -v ON_ERROR_STOP=1 -f grants.sql`."""
    root = write_project(tmp_path / "project", SMALL)
    result = CliRunner().invoke(cli, ["grants", "--no-cache", "--output", str(tmp_path / "grants.sql"), str(root)])
    assert (result.exit_code, result.stdout) == (0, "")
    database = make_database(cluster, root, "hos_readme")
    done = subprocess.run([cluster.psql, "-X", "-h", cluster.socket_dir, "-U", "postgres", "-d", database.name,
                           "-v", "ON_ERROR_STOP=1", "-f", str(tmp_path / "grants.sql")],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert observed(cluster, database) == expected(database)


# --- grants --check and --probes against the server -------------------------------------------------


def probed_database(cluster: Cluster, root: Path, name: str) -> Database:
    """``make_database``, plus a table for every relation the code touches that no migration
    defines (so PostgreSQL has something to allow or deny), then the grants applied."""
    db = make_database(cluster, root, name)
    known = set(db.tables) | set(db.views)
    extra = sorted({str(a.relation) for a in db.project.accesses if a.relation is not None} - known)
    schemas = sorted({r.split(".")[0] for r in extra})
    cluster.run("".join(f"CREATE SCHEMA IF NOT EXISTS {grants.quote_ident(s)};\n" for s in schemas)
                + "".join(f"CREATE TABLE {_q(r)} (id serial PRIMARY KEY);\n" for r in extra), name)
    cluster.run(grants.generate_grants(db.project.manifest, db.project.context), name)
    return db


def run_probes(cluster: Cluster, root: Path, database: str, tmp_path: Path) -> list[dict[str, str]]:
    """README: `hos-lint grants --probes -o probes.sql`, then `psql -X -q --csv -f probes.sql`."""
    script = tmp_path / "probes.sql"
    result = CliRunner().invoke(cli, ["grants", "--probes", "--no-cache", "--output", str(script), str(root)])
    assert (result.exit_code, result.stdout) == (0, "")
    done = subprocess.run([cluster.psql, "-X", "-q", "--csv", "-h", cluster.socket_dir, "-U", "postgres",
                           "-d", database, "-f", str(script)], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (0, "")
    return list(csv.DictReader(io.StringIO(done.stdout)))


def denied_by_check(root: Path) -> tuple[int, set[tuple[str, str, str]]]:
    """`hos-lint grants --check`: its exit code and the (service, relation, kind) it lists as denied."""
    result = CliRunner().invoke(cli, ["grants", "--check", "--no-cache", str(root)])
    verbs = {"reads": "read", "writes": "write"}
    out = set()
    for line in result.stdout.splitlines()[:-1]:
        _where, what, verdict, _why = line.split(": ", 3)
        service, verb, relation = what.split(" ")
        assert verdict == "denied"
        out.add((service, relation, verbs[verb]))
    return result.exit_code, out


@pytest.fixture(scope="module", params=_projects())
def probed(request, cluster, tmp_path_factory) -> tuple[Path, Database]:
    if request.param == "small":
        root = write_project(tmp_path_factory.mktemp("probed"), {**SMALL, **SMALL_CODE})
        return root, probed_database(cluster, root, "hos_probed_small")
    return Path(request.param), probed_database(cluster, Path(request.param), "hos_probed_marketplace")


# Code for the small project: one access of each verdict.
SMALL_CODE = {
    "services/search/queries/index.sql": """\
        SELECT id FROM order_service.orders;
        SELECT id FROM order_service.order_items;
        SELECT id FROM search_service.order_summaries;
        UPDATE search_service.order_summaries SET id = id;
        UPDATE auth_service.users SET id = id;
        """,
    "services/order/queries/orders.sql": """\
        INSERT INTO order_service.orders (id) VALUES (1);
        SELECT id FROM order_service.customer_emails;
        DELETE FROM public.legacy_orders;
        """,
    "services/api/queries/legacy.sql": """\
        UPDATE legacy_orders SET id = id;
        SELECT id FROM auth_service.sessions;
        """,
}


def test_postgresql_allows_exactly_what_grants_check_says(cluster, probed, tmp_path):
    root, db = probed
    rows = run_probes(cluster, root, db.name, tmp_path)
    code, denied = denied_by_check(root)
    assert {r["observed"] for r in rows} == {"allowed", "denied"}  # nothing missing, no other error
    assert [(r["service"], r["relation"], r["statement"]) for r in rows if r["observed"] != r["expected"]] == []
    observed_denied = {(r["service"], r["relation"], r["access"]) for r in rows if r["observed"] == "denied"}
    observed_allowed = {(r["service"], r["relation"], r["access"]) for r in rows if r["observed"] == "allowed"}
    assert observed_denied == denied
    assert not observed_allowed & denied
    assert code == 1
    assert len(rows) == len({(r["service"], r["relation"], r["access"]) for r in rows if r["access"] == "read"}) \
        + 3 * len({(r["service"], r["relation"], r["access"]) for r in rows if r["access"] == "write"})
