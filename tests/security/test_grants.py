"""Hostile names never make ``hos-lint grants`` write anything but its grants.

Names in the script come from the manifest (service names, ``role:``,
``schema:``, ``tables:``, ``allow:`` entries) and from the checked code (view
names learned from migrations); whoever can open a pull request writes them,
and a privileged role applies the script.

The end-to-end tests write a small project, run ``hos-lint grants`` on it,
run the project's migrations in a fresh database of the throwaway cluster
(``cluster`` in tests/conftest.py), apply the script the way an operator
does (``psql -f`` with psql's defaults, so an error does not stop it), and
compare catalog snapshots taken before and after: exactly the expected
roles, grants and default privileges are new, and nothing else is created,
dropped or changed. The refusal tests check exit 2 and the one line per
problem. The property test feeds random names to the script writer and
parses its output with pglast (PostgreSQL's own parser).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pglast.parser import parse_plpgsql_json, parse_sql_json
from trees import write_tree as write

from hos_lint import grants, grants_check
from hos_lint.cli import cli
from hos_lint.context import KnownRelation, Names
from hos_lint.manifest import AllowEntry, Claim, Manifest, ServiceConfig
from hos_lint.model import AccessKind, Location, Relation, RelationKind
from hos_lint.ownership import Ownership
from hos_lint.safe import is_printable, printable

TABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
SEQUENCE = ("USAGE", "SELECT", "UPDATE")
PWNED = "CREATE TABLE public.pwned(x int); --"


# --- helpers --------------------------------------------------------------------------------------



def manifest_text(data: dict) -> str:
    """YAML for a manifest; names with newlines come out as double-quoted escapes."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def grants_cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["grants", "--no-cache", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# One row per catalog fact, as JSON so names with newlines stay on one line. Grants are
# exploded, with the owner's implicit rights filled in (acldefault), so a first GRANT on
# an object shows only what it adds. The grantor is left out: PostgreSQL records the
# object's owner as grantor when a superuser grants.
SNAPSHOT = """
SELECT json_build_array('role', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
                        rolreplication, rolbypassrls, rolconnlimit)::text FROM pg_catalog.pg_roles
UNION ALL SELECT json_build_array('member', pg_catalog.pg_get_userbyid(roleid),
                                  pg_catalog.pg_get_userbyid(member))::text FROM pg_catalog.pg_auth_members
UNION ALL SELECT json_build_array('database', datname)::text FROM pg_catalog.pg_database
UNION ALL SELECT json_build_array('schema', nspname, pg_catalog.pg_get_userbyid(nspowner))::text
  FROM pg_catalog.pg_namespace
UNION ALL SELECT json_build_array('relation', n.nspname, c.relname, c.relkind,
                                  pg_catalog.pg_get_userbyid(c.relowner))::text
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
UNION ALL SELECT json_build_array('function', n.nspname, p.proname,
                                  pg_catalog.pg_get_function_identity_arguments(p.oid))::text
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
UNION ALL SELECT json_build_array('extension', extname)::text FROM pg_catalog.pg_extension
UNION ALL SELECT json_build_array('event trigger', evtname)::text FROM pg_catalog.pg_event_trigger
UNION ALL SELECT json_build_array('grant', 'schema', n.nspname, '',
                                  CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                  a.privilege_type, a.is_grantable)::text
  FROM pg_catalog.pg_namespace n,
       pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner))) a
UNION ALL SELECT json_build_array('grant', c.relkind, n.nspname, c.relname,
                                  CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                  a.privilege_type, a.is_grantable)::text
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
       pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault(
           CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner))) a
UNION ALL SELECT json_build_array('grant', 'database', d.datname, '',
                                  CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                  a.privilege_type, a.is_grantable)::text
  FROM pg_catalog.pg_database d,
       pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d'::"char", d.datdba))) a
UNION ALL SELECT json_build_array('default', pg_catalog.pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''),
                                  d.defaclobjtype,
                                  CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                  a.privilege_type)::text
  FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace,
       pg_catalog.aclexplode(d.defaclacl) a;
"""


def snapshot(cluster, database: str) -> set[tuple]:
    out = cluster.run(SNAPSHOT, database).stdout
    return {tuple(json.loads(line)) for line in out.splitlines() if line.strip()}


def new_role(name: str) -> tuple:
    """A role as the script creates it: NOLOGIN, nothing else."""
    return ("role", name, False, True, False, False, False, False, False, -1)


def schema_usage(schema: str, role: str) -> set[tuple]:
    return {("grant", "schema", schema, "", role, "USAGE", False)}


def on(kind: str, schema: str, name: str, role: str, privileges: tuple[str, ...]) -> set[tuple]:
    return {("grant", kind, schema, name, role, p, False) for p in privileges}


def defaults(schema: str, role: str) -> set[tuple]:
    """ALTER DEFAULT PRIVILEGES for what the superuser creates in the schema later."""
    return ({("default", "postgres", schema, "r", role, p) for p in TABLE}
            | {("default", "postgres", schema, "S", role, p) for p in SEQUENCE})


def own_schema(schema: str, role: str, tables: tuple[str, ...] = ("t",), views: tuple[str, ...] = ()) -> set[tuple]:
    """Everything a service owning ``schema`` gets: USAGE, full rights on each table
    ``<t>`` and its serial sequence ``<t>_id_seq``, SELECT on each view, defaults."""
    out = schema_usage(schema, role) | defaults(schema, role)
    for t in tables:
        out |= on("r", schema, t, role, TABLE) | on("S", schema, f"{t}_id_seq", role, SEQUENCE)
    for v in views:
        out |= on("v", schema, v, role, ("SELECT",))
    return out


@dataclass
class Applied:
    sql: str
    added: set[tuple]
    removed: set[tuple]
    psql_errors: list[str]


@pytest.fixture
def sandbox(cluster, tmp_path, request):
    """``apply(files, setup_sql)``: a project, its migrations in a fresh database, its
    grants applied; the databases and the roles the test made are dropped afterwards."""
    made: list[str] = []
    roles_before = {r[1] for r in snapshot(cluster, "postgres") if r[0] == "role"}

    def apply(files: dict[str, str], setup_sql: str) -> Applied:
        root = write(tmp_path / f"p{len(made)}", files)
        code, sql, err = grants_cli(root)
        assert code == 0, err
        database = f"hos_security_{len(made)}"
        made.append(database)
        cluster.run(f"DROP DATABASE IF EXISTS {database};\nCREATE DATABASE {database};\n")
        cluster.run(setup_sql, database)
        before = snapshot(cluster, database)
        done = cluster.apply(sql, database)
        after = snapshot(cluster, database)
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
        return Applied(sql=sql, added=after - before, removed=before - after, psql_errors=errors)

    yield apply
    for database in made:
        cluster.run(f"DROP DATABASE IF EXISTS {database};\n")
    roles_after = {r[1] for r in snapshot(cluster, "postgres") if r[0] == "role"}
    for role in sorted(roles_after - roles_before):
        cluster.run(f"DROP ROLE {_q(role)};\n")


# --- a name cannot end a comment ----------------------------------------------------------------

def test_a_view_name_with_a_newline_stays_inside_its_comment(sandbox):
    view = f"v\n{PWNED}"
    migration = f'CREATE TABLE a_service.t (id serial PRIMARY KEY);\nCREATE VIEW a_service."{view}" AS SELECT 1;\n'
    applied = sandbox({"hos-lint.yaml": "version: 1\nservices:\n  a: {schema: a_service}\n",
                       "services/a/db/001.sql": migration},
                      "CREATE SCHEMA a_service;\n" + migration)
    assert "-- Views in this schema known to hos-lint: a_service.v\\x0aCREATE TABLE public.pwned(x int); --\n" \
        in applied.sql
    assert applied.psql_errors == []
    assert applied.added == {new_role("a_service")} | own_schema("a_service", "a_service", views=(view,))
    assert applied.removed == set()


def test_a_service_name_with_a_newline_stays_inside_its_comment(sandbox):
    manifest = manifest_text({"version": 1, "services": {f"a\n{PWNED}": {"schema": "a_service",
                                                                          "paths": ["services/a"]}}})
    migration = "CREATE TABLE a_service.t (id serial PRIMARY KEY);\n"
    applied = sandbox({"hos-lint.yaml": manifest, "services/a/db/001.sql": migration},
                      "CREATE SCHEMA a_service;\n" + migration)
    assert "-- a\\x0aCREATE TABLE public.pwned(x int); --: schema a_service, role a_service\n" in applied.sql
    assert applied.psql_errors == []
    assert applied.added == {new_role("a_service")} | own_schema("a_service", "a_service")
    assert applied.removed == set()


def test_an_allow_write_entry_with_a_newline_stays_inside_its_comment(sandbox):
    manifest = manifest_text({"version": 1,
                              "services": {"a": {"schema": "a_service"}, "b": {"schema": "b_service"}},
                              "allow": [{"service": "a", "write": [f"b_service.t\r\n{PWNED}"],
                                         "reason": "reviewed, never granted"}]})
    migration = "CREATE TABLE a_service.t (id serial PRIMARY KEY);\nCREATE TABLE b_service.t (id serial PRIMARY KEY);\n"
    applied = sandbox({"hos-lint.yaml": manifest, "services/a/db/001.sql": migration},
                      "CREATE SCHEMA a_service;\nCREATE SCHEMA b_service;\n" + migration)
    assert ("-- allow: write b_service.t\\x0d\\x0aCREATE TABLE public.pwned(x int); -- is not granted: "
            in applied.sql)
    assert applied.psql_errors == []
    assert applied.added == ({new_role("a_service"), new_role("b_service")}
                             | own_schema("a_service", "a_service") | own_schema("b_service", "b_service"))
    assert applied.removed == set()


# --- a name cannot end a string -----------------------------------------------------------------

def test_a_name_holding_the_dollar_quote_tag_cannot_end_the_do_block(sandbox):
    role = "x$grants$;ROLLBACK;CREATE TABLE pwned(x int);SELECT $grants$"
    assert len(role.encode()) <= 63
    manifest = manifest_text({"version": 1, "services": {"a": {"schema": "a_service", "role": role}}})
    migration = "CREATE TABLE a_service.t (id serial PRIMARY KEY);\n"
    applied = sandbox({"hos-lint.yaml": manifest, "services/a/db/001.sql": migration},
                      "CREATE SCHEMA a_service;\n" + migration)
    assert "DO $grants1$\n" in applied.sql
    assert applied.psql_errors == []
    assert applied.added == {new_role(role)} | own_schema("a_service", role)
    assert applied.removed == set()


def test_quotes_and_backslashes_stay_inside_their_quotes_whatever_standard_conforming_strings(sandbox):
    """A role and a public table whose names try to close the identifier and the string
    constants around them, applied to a database that turns standard_conforming_strings
    off (there ``\\'`` inside a plain '' string is a quote, not the string's end)."""
    role = "r\\'); CREATE TABLE pwned(x int); --\""
    table = 'o"; CREATE TABLE pwned(x int); --'
    manifest = manifest_text({"version": 1, "services": {"api": {"legacy": True, "role": role,
                                                                 "tables": [table]}}})
    migration = f'CREATE TABLE public."{table.replace(chr(34), chr(34) * 2)}" (id serial PRIMARY KEY);\n'
    legacy_strings = ("DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET standard_conforming_strings = off', "
                      "current_database()); END$$;\n")
    applied = sandbox({"hos-lint.yaml": manifest, "services/api/db/001.sql": migration}, legacy_strings + migration)
    assert "rolname = E'r\\\\''); CREATE TABLE pwned(x int); --\"') THEN" in applied.sql
    assert applied.psql_errors == []
    assert applied.added == ({new_role(role)} | schema_usage("public", role) | on("r", "public", table, role, TABLE)
                             | on("S", "public", f"{table}_id_seq", role, SEQUENCE))
    assert applied.removed == set()


# --- names PostgreSQL reserves or would read otherwise -----------------------------------------

def refused(tmp_path: Path, manifest: str) -> tuple[int, str, list[str]]:
    write(tmp_path, {"hos-lint.yaml": manifest})
    code, out, err = grants_cli(tmp_path)
    return code, out, err.splitlines()


def test_schema_public_without_a_role_is_refused(tmp_path):
    code, out, err = refused(tmp_path, "version: 1\nservices:\n  web: {schema: public}\n")
    assert (code, out) == (2, "")
    assert err == ['hos-lint: hos-lint.yaml:3: services.web: the role would be named "public" after its schema, '
                   "but a role name PostgreSQL reserves, in any letter case (PUBLIC means every role); "
                   "set `role:` to a name of its own"]


def test_schema_public_with_a_role_of_its_own_is_fine(tmp_path):
    write(tmp_path, {"hos-lint.yaml": "version: 1\nservices:\n  web: {schema: public, role: web_rw}\n"})
    code, out, _ = grants_cli(tmp_path)
    assert code == 0
    assert 'GRANT USAGE ON SCHEMA "public" TO "web_rw";\n' in out
    assert " TO public" not in out and 'TO "public"' not in out and "ROLE public" not in out


KEYWORD = "a role name PostgreSQL reserves, in any letter case ({} is a role keyword)"
PG_PREFIX = "PostgreSQL reserves role names starting with pg_, in any letter case, for its own roles"


@pytest.mark.parametrize(("role", "why"), [
    ("public", "a role name PostgreSQL reserves, in any letter case (PUBLIC means every role)"),
    ("PUBLIC", "a role name PostgreSQL reserves, in any letter case (PUBLIC means every role)"),
    ("none", KEYWORD.format("NONE")),
    ("current_user", KEYWORD.format("CURRENT_USER")),
    ("Session_User", KEYWORD.format("SESSION_USER")),
    ("current_role", KEYWORD.format("CURRENT_ROLE")),
    ("pg_monitor", PG_PREFIX),
    ("pg_read_all_data", PG_PREFIX),
    ("PG_write_all_data", PG_PREFIX),
])
def test_reserved_role_names_are_refused(tmp_path, role, why):
    code, out, err = refused(tmp_path, f"version: 1\nservices:\n  a:\n    schema: a_service\n    role: {role}\n")
    assert (code, out) == (2, "")
    assert err == [f'hos-lint: hos-lint.yaml:3: services.a.role: "{role}": {why}']


@pytest.mark.parametrize("role", ["public_api", "nonetheless", "pg", "pgx_reader", "my_pg_reader", "currentuser"])
def test_look_alikes_of_reserved_role_names_are_fine(tmp_path, role):
    write(tmp_path, {"hos-lint.yaml": f"version: 1\nservices:\n  a: {{schema: a_service, role: {role}}}\n"})
    code, out, _ = grants_cli(tmp_path)
    assert code == 0
    assert f'CREATE ROLE "{role}" NOLOGIN;' in out


def test_system_schemas_get_no_rights(tmp_path):
    code, out, err = refused(tmp_path, textwrap.dedent("""\
        version: 1
        services:
          a: {schema: pg_catalog, role: a_rw}
          b: {schema: b_service}
        allow:
          - service: b
            read: [pg_catalog.pg_authid, information_schema.tables, Pg_Toast.x]
            reason: reviewed
        """))
    assert (code, out) == (2, "")
    system = "a PostgreSQL system schema: the script never grants rights on one"
    assert err == [f'hos-lint: hos-lint.yaml:3: services.a.schema: "pg_catalog": {system}',
                   f'hos-lint: hos-lint.yaml:6: allow.0.read: "pg_catalog.pg_authid": {system}',
                   f'hos-lint: hos-lint.yaml:6: allow.0.read: "information_schema.tables": {system}',
                   f'hos-lint: hos-lint.yaml:6: allow.0.read: "Pg_Toast.x": {system}']


def test_names_postgresql_would_cut_or_cannot_hold_are_refused(tmp_path):
    long = "t" * 63 + "x"  # 64 bytes: PostgreSQL would read t * 63, which may be another table
    code, out, err = refused(tmp_path, textwrap.dedent(f"""\
        version: 1
        services:
          a:
            schema: a_service
            role: "r\\e[2Jx"
            tables: [{long}, ""]
          b: {{schema: "b\\u202Eecivres"}}
        allow:
          - service: b
            read: [a_service.{long}, a_service.t{"é" * 31}]
            reason: reviewed
        """))
    assert (code, out) == (2, "")
    control = "the name holds a control, bidirectional or undecodable character (shown escaped)"
    cut = "64 bytes long; PostgreSQL keeps only the first 63, which could name another object"
    assert err == [
        f'hos-lint: hos-lint.yaml:3: services.a.role: "r\\x1b[2Jx": {control}',
        'hos-lint: hos-lint.yaml:3: services.a.tables: "": an empty name',
        f'hos-lint: hos-lint.yaml:3: services.a.tables: "{long}": {cut}',
        f'hos-lint: hos-lint.yaml:7: services.b.schema: "b\\u202eecivres": {control}',
        f'hos-lint: hos-lint.yaml:9: allow.0.read: "a_service.{long}": {cut}',
    ]


# --- the property: whatever the names, only the expected statements -----------------------------

# Pieces that try to end an identifier, a string, a dollar quote, a comment or a statement,
# or to reach psql (backslash commands, :variables): any of them may appear in a name.
QUOTING = ["'", '"', "\\", "$$", "$grants$", "$grants1$", "$", "--", "/*", "*/", ";", "%I", "%s", "E'", ":x",
           "\\!", " ", ".", ",", ")", "(", "é", "ß", "日本", "🦀"]
# Pieces that make a name one the script must refuse.
REFUSED = ["\n", "\r", "\r\n", "\x1b[31m", "\x07", "\x00", "\x85", "\u2028", "\u202e", "\ud800", "public", "pg_",
           "PUBLIC", "none", "current_user", "information_schema"]
# Names written only in comments (service names, views, refused writes, reasons) take anything;
# names the script uses as identifiers take a refused piece now and then, so most scripts are written.
anything = st.lists(st.one_of(st.sampled_from(QUOTING + REFUSED), st.text(st.characters(codec=None), min_size=1,
                                                                          max_size=4)), max_size=4).map("".join)
ident = st.lists(st.one_of(st.sampled_from(QUOTING * 6 + REFUSED),
                           st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                                   max_size=3)), min_size=1, max_size=4).map("".join)


@st.composite
def projects(draw):
    """A manifest (built directly: no YAML in the way) and the views a context knows."""
    count = draw(st.integers(1, 3))
    services, claims = [], []
    names = draw(st.lists(anything, min_size=count, max_size=count, unique=True))
    for service in names:
        schema = draw(st.one_of(st.none(), ident, ident))
        role = draw(st.one_of(st.none(), ident))
        tables = tuple(draw(st.lists(ident, max_size=2)))
        services.append(ServiceConfig(name=service, schema=schema, paths=(f"services/{service}",), tables=tables,
                                      role=role))
        claims += [Claim(kind="schema", value=schema, service=service, location=None)] if schema else []
        claims += [Claim(kind="table", value=t, service=service, location=None) for t in tables]
    allow = []
    for _ in range(draw(st.integers(0, 2))):
        service = draw(st.sampled_from(names))
        reads = draw(st.lists(st.one_of(ident, st.tuples(ident, ident).map(".".join)), max_size=2))
        writes = draw(st.lists(anything, max_size=2))
        allow.append(AllowEntry(service=service, read=tuple(reads), write=tuple(writes), reason=draw(anything)))
    views = {}
    for svc in services:
        if svc.schema is not None:
            for view in draw(st.lists(anything, max_size=2)):
                views[(svc.schema, view)] = KnownRelation(Relation(svc.schema, view, RelationKind.VIEW), (), None)
    manifest = Manifest(root="/p", path="hos-lint.yaml", services=tuple(services), allow=tuple(allow),
                        claims=tuple(claims))
    return manifest, SimpleNamespace(names=Names(relations=views))


def bad_identifier(text: str) -> bool:
    return not text or not is_printable(text) or len(text.encode("utf-8", "surrogatepass")) > 63


def refusable(manifest: Manifest) -> bool:
    """The oracle for a refusal, worked out from the manifest apart from the code under
    test: a service that gets a role (it owns a schema or first claims a public table)
    uses a name PostgreSQL reserves, cuts or cannot hold."""
    owners = Ownership.of(manifest)
    reserved = {"public", "none", "current_user", "session_user", "current_role"}
    for svc in manifest.services:
        tables = [t for t in svc.tables if owners.public_tables.get(t) == svc.name]
        if not (svc.schema or tables):
            continue
        role = svc.role or svc.schema or svc.name
        if bad_identifier(role) or role.lower().startswith("pg_") or role.lower() in reserved:
            return True
        reads = [r.split(".", 1) if "." in r else ["public", r] for e in manifest.allow if e.service == svc.name
                 for r in e.read]
        schemas = [svc.schema] * bool(svc.schema) + [schema for schema, _ in reads]
        if any(bad_identifier(s) or s.lower().startswith("pg_") or s.lower() == "information_schema"
               for s in schemas):
            return True
        if any(bad_identifier(n) for n in (*tables, *(n for _, n in reads))):
            return True
    return False


def strings_in(node) -> list[str]:
    """Every string constant in a parse tree (JSON form)."""
    if isinstance(node, dict):
        found = [node["A_Const"]["sval"]["sval"]] if "A_Const" in node and "sval" in node["A_Const"] else []
        return found + [s for value in node.values() for s in strings_in(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return []


def plpgsql_statements(node) -> list[tuple[str, dict]]:
    if isinstance(node, dict):
        here = [(key, value) for key, value in node.items() if key.startswith("PLpgSQL_stmt_")]
        return here + [s for value in node.values() for s in plpgsql_statements(value)]
    if isinstance(node, list):
        return [s for item in node for s in plpgsql_statements(item)]
    return []


def plpgsql_queries(node) -> list[tuple[str, int]]:
    if isinstance(node, dict):
        here = [(node["PLpgSQL_expr"]["query"], node["PLpgSQL_expr"].get("parseMode", 0))] \
            if "PLpgSQL_expr" in node else []
        return here + [q for value in node.values() for q in plpgsql_queries(value)]
    if isinstance(node, list):
        return [q for item in node for q in plpgsql_queries(item)]
    return []


DO_STATEMENTS = {"PLpgSQL_stmt_block", "PLpgSQL_stmt_if", "PLpgSQL_stmt_execsql", "PLpgSQL_stmt_fors",
                 "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_return"}
CONSTANTS = {"v", "m", "S", "a", "i", "public",
             f"REVOKE {grants.VIEW_WRITE_PRIVILEGES} ON %I.%I FROM %I",
             f"GRANT {grants.SEQUENCE_PRIVILEGES} ON SEQUENCE public.%I TO %I"}


@settings(max_examples=300, deadline=None)
@given(projects())
def test_any_names_give_only_the_expected_statements(project):
    manifest, context = project
    try:
        sql = grants.generate_grants(manifest, context)
    except grants.GrantsError as err:
        event("refused")
        assert refusable(manifest), err.errors
        assert all(is_printable(line) for line in err.errors)
        return
    assert not refusable(manifest)
    plans = [p for p in grants.plan_grants(manifest, context) if p.schema or p.public_tables]
    event(f"written, {min(len(plans), 2)}+ roles")
    # nothing raw reaches the terminal or ends a line early: the only control character is the line end
    assert is_printable(sql.replace("\n", ""))
    stmts = [s["stmt"] for s in json.loads(parse_sql_json(sql))["stmts"]]
    kinds = [next(iter(s)) for s in stmts]
    expected = 2 + sum(1 + (6 if p.schema else 0) + (2 + len(p.public_tables) if p.public_tables else 0)
                       + len({r.schema for r in p.allowed_reads} - {p.schema}) + len(p.allowed_reads)
                       for p in plans)
    assert len(stmts) == expected, kinds
    assert set(kinds) <= {"TransactionStmt", "DoStmt", "GrantStmt", "AlterDefaultPrivilegesStmt"}, kinds
    assert [s["TransactionStmt"]["kind"] for s in stmts if "TransactionStmt" in s] == \
        ["TRANS_STMT_BEGIN", "TRANS_STMT_COMMIT"]
    roles = {p.role for p in plans}
    schemas = {p.schema for p in plans if p.schema} | {r.schema for p in plans for r in p.allowed_reads} | {"public"}
    relations = ({("public", t) for p in plans for t in p.public_tables}
                 | {(r.schema, r.name) for p in plans for r in p.allowed_reads})
    for stmt in stmts:
        grant = stmt.get("GrantStmt") or stmt.get("AlterDefaultPrivilegesStmt", {}).get("action")
        if grant:
            assert [(g["RoleSpec"]["roletype"], g["RoleSpec"].get("rolename") in roles)
                    for g in grant["grantees"]] == [("ROLESPEC_CSTRING", True)]
            for obj in grant.get("objects", []):
                if "String" in obj:
                    assert obj["String"]["sval"] in schemas
                else:
                    assert (obj["RangeVar"]["schemaname"], obj["RangeVar"]["relname"]) in relations
        if "DoStmt" in stmt:
            body = stmt["DoStmt"]["args"][0]["DefElem"]["arg"]["String"]["sval"]
            function = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS '" + body.replace("'", "''") + "'"
            tree = json.loads(parse_plpgsql_json(function))
            assert {kind for kind, _ in plpgsql_statements(tree)} <= DO_STATEMENTS
            names = roles | schemas | {t for _, t in relations}
            for query, mode in plpgsql_queries(tree):
                parsed = json.loads(parse_sql_json(query if mode == 0 else f"SELECT {query}"))["stmts"]
                assert len(parsed) == 1
                kind = next(iter(parsed[0]["stmt"]))
                if kind == "CreateRoleStmt":
                    assert parsed[0]["stmt"][kind]["role"] in roles
                else:
                    assert kind == "SelectStmt"
                assert set(strings_in(parsed)) <= names | CONSTANTS


# --- the probe script (grants --probes) -------------------------------------------------------------

HOSTILE_TABLES = ("t'); CREATE TABLE pwned(x int); --", "d$grants$;CREATE TABLE pwned(x int);$grants$",
                  "b\\'; CREATE TABLE pwned(x int); --", "p%I%s%%L")


def test_hostile_relation_and_role_names_only_reach_the_probes_as_data(sandbox, cluster, tmp_path):
    """Tables whose names try to end the string constant, the dollar quote and format()'s
    pattern, read by a role whose name tries the same: the probe script run with psql's
    defaults changes nothing in the catalog and reports each name exactly."""
    role = "r$grants$;ROLLBACK;CREATE TABLE pwned(x int);--'\\"
    manifest = manifest_text({"version": 1, "services": {"a": {"schema": "a_service", "role": role},
                                                          "b": {"schema": "b_service"}}})
    tables = [f'a_service."{t.replace(chr(34), chr(34) * 2)}"' for t in HOSTILE_TABLES]
    migration = "".join(f"CREATE TABLE {t} (id serial PRIMARY KEY);\n" for t in tables)
    migration += 'CREATE TABLE b_service."o""; x" (id serial PRIMARY KEY);\n'
    code = "".join(f"SELECT id FROM {t};\nDELETE FROM {t};\n" for t in tables)
    code += 'SELECT id FROM b_service."o""; x";\n'
    files = {"hos-lint.yaml": manifest, "services/a/db/001.sql": migration, "services/a/queries/q.sql": code}
    applied = sandbox(files, "CREATE SCHEMA a_service;\nCREATE SCHEMA b_service;\n" + migration)
    assert applied.psql_errors == []
    root = tmp_path / "p0"  # the project the sandbox wrote
    status, script, err = grants_cli(root, "--probes")
    assert (status, err) == (0, "")
    before = snapshot(cluster, "hos_security_0")
    done = cluster.apply(script, "hos_security_0")
    assert "ERROR" not in done.stderr
    assert snapshot(cluster, "hos_security_0") == before
    csv_run = subprocess.run([cluster.psql, "-X", "-q", "--csv", "-h", cluster.socket_dir, "-U", "postgres",
                              "-d", "hos_security_0", "-f", "-"], input=script, capture_output=True, text=True,
                             timeout=120)
    rows = [(r["service"], r["relation"], r["statement"], r["expected"], r["observed"])
            for r in csv.DictReader(io.StringIO(csv_run.stdout))]
    expected = [("a", f"a_service.{t}", statement, "allowed", "allowed") for t in sorted(HOSTILE_TABLES)
                for statement in ("SELECT", "INSERT", "UPDATE", "DELETE")]
    expected.insert(0, ("a", 'b_service.o"; x', "SELECT", "denied", "denied"))
    assert sorted(rows) == sorted(expected)


VERDICT_NAMES = st.one_of(anything, ident)


@st.composite
def checks(draw):
    """A GrantsCheck built directly: any names, any verdicts, both kinds."""
    verdicts = []
    for _ in range(draw(st.integers(0, 4))):
        verdicts.append(grants_check.Verdict(
            service=draw(anything), role=draw(st.one_of(st.none(), VERDICT_NAMES)),
            relation=Relation(draw(VERDICT_NAMES), draw(VERDICT_NAMES)),
            kind=draw(st.sampled_from([AccessKind.READ, AccessKind.WRITE])),
            location=Location(draw(anything) or "f", draw(st.integers(1, 10**6)), 1),
            allowed=draw(st.booleans()), why=draw(anything)))
    return grants_check.GrantsCheck(verdicts=tuple(verdicts))


PROBE_CONSTANTS = {"SELECT", "INSERT", "UPDATE", "DELETE", "read", "write", "allowed", "denied", "missing",
                   "no role", "error", "role", "statement", "HLP01", "42501", "", ".",
                   "SELECT 1 FROM %I.%I LIMIT 0", "INSERT INTO %I.%I SELECT WHERE false",
                   "UPDATE %I.%I SET %I = DEFAULT WHERE false", "DELETE FROM %I.%I WHERE false", "SET LOCAL ROLE %I"}


@settings(max_examples=200, deadline=None)
@given(checks())
def test_any_names_give_only_the_probe_statements(check):
    sql = grants_check.render_probes(check)
    assert is_printable(sql.replace("\n", ""))
    stmts = [s["stmt"] for s in json.loads(parse_sql_json(sql))["stmts"]]
    kinds = [next(iter(s)) for s in stmts]
    assert kinds == ["TransactionStmt", "CreateStmt", *(["DoStmt"] if check.verdicts else []), "SelectStmt",
                     "TransactionStmt"]
    assert [s["TransactionStmt"]["kind"] for s in stmts if "TransactionStmt" in s] == \
        ["TRANS_STMT_BEGIN", "TRANS_STMT_ROLLBACK"]
    assert stmts[1]["CreateStmt"]["relation"]["relpersistence"] == "t"
    if not check.verdicts:
        return
    body = stmts[2]["DoStmt"]["args"][0]["DefElem"]["arg"]["String"]["sval"]
    function = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS '" + body.replace("'", "''") + "'"
    tree = json.loads(parse_plpgsql_json(function))
    assert {kind for kind, _ in plpgsql_statements(tree)} <= {
        "PLpgSQL_stmt_block", "PLpgSQL_stmt_fors", "PLpgSQL_stmt_if", "PLpgSQL_stmt_assign",
        "PLpgSQL_stmt_execsql", "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_raise", "PLpgSQL_stmt_return"}
    names = {printable(x) for v in check.verdicts
             for x in (v.service, v.role or "", v.relation.schema, v.relation.name,
                       f"{v.location.path}:{v.location.line}")}
    for query, mode in plpgsql_queries(tree):
        if mode >= 3:  # an assignment, `target := expression`
            query = query.split(":=", 1)[1]
        parsed = json.loads(parse_sql_json(query if mode == 0 else f"SELECT {query}"))["stmts"]
        assert len(parsed) == 1
        assert next(iter(parsed[0]["stmt"])) in ("SelectStmt", "InsertStmt")
        assert set(strings_in(parsed)) <= names | PROBE_CONSTANTS
