"""Exact tests for linter.extract.sql: positions, search_path, quoting,
statement splitting, HOS901/HOS205, grants, relation definitions and
embedded SQL mapped through an OriginBuilder."""
from __future__ import annotations

import json

import pglast
import pytest

from hos_lint.embedded import LineIndex, Origin, OriginBuilder
from hos_lint.extract import sql
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.sql import HOS205_MESSAGE, extract_sql, split_statements
from hos_lint.model import (
    Access,
    AccessKind,
    Anchor,
    Grant,
    GrantObjectType,
    Language,
    Location,
    RelationDef,
    RelationKind,
    RelationRef,
    SourceFile,
    Via,
)


def run(text: str, **kw) -> sql.SqlResult:
    return extract_sql(text, Origin.identity(text), path="db/m.sql", service="order", **kw)


def rows(result) -> list[tuple]:
    return [
        (a.location.line, a.location.col, a.ref.schema, a.ref.name, a.kind.value, a.operation)
        for a in result.accesses
    ]


def problems(result) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col) for p in result.problems]


# --- positions -----------------------------------------------------------------


def test_multiline_positions_point_at_the_qualified_reference():
    text = (
        "-- report\n"
        "SELECT o.id, u.email\n"
        "  FROM order_service.orders o\n"
        "  JOIN   auth_service.\"Users\" u ON u.id = o.user_id\n"
        " WHERE o.id IN (SELECT order_id FROM items);\n"
    )
    assert rows(run(text)) == [
        (3, 8, "order_service", "orders", "read", "SELECT"),
        (4, 10, "auth_service", "Users", "read", "SELECT"),
        (5, 38, None, "items", "read", "SELECT"),
    ]


def test_full_access_record_with_statement_anchor():
    text = "\n\nUPDATE order_service.orders\n   SET total = 0;\n"
    [access] = run(text).accesses
    assert access == Access(
        service="order",
        location=Location("db/m.sql", 3, 8),
        ref=RelationRef(name="orders", schema="order_service"),
        kind=AccessKind.WRITE,
        via=Via.SQL,
        operation="UPDATE",
        anchor=Anchor(start_line=3, end_line=4, text="UPDATE order_service.orders SET total = 0"),
    )


def test_given_anchor_replaces_statement_anchor_and_via_is_passed_through():
    host = Anchor(start_line=10, end_line=12, text="prisma.$queryRaw`...`")
    [access] = run("SELECT * FROM t", anchor=host, via=Via.PRISMA_RAW).accesses
    assert (access.anchor, access.via) == (host, Via.PRISMA_RAW)


def test_via_is_a_closed_set_whose_value_every_output_shows():
    """``Via`` is a ``str`` enum: JSON, f-strings and ``str`` show the value, as the
    plain strings it replaced did, and a value no extractor sets is no member."""
    assert json.dumps({"via": Via.PRISMA_RAW}) == '{"via": "prisma-raw"}'
    assert (f"{Via.POSTGRES_JS}", str(Via.MIKRO_ORM), Via("dbapi")) == ("postgres.js", "mikro-orm", Via.DBAPI)
    with pytest.raises(ValueError):
        Via("prisma-schema")


def test_positions_of_second_statement_on_same_line():
    assert rows(run("SELECT 1 FROM a; DELETE FROM b")) == [
        (1, 15, None, "a", "read", "SELECT"),
        (1, 30, None, "b", "write", "DELETE"),
    ]


# --- search_path and quoting -----------------------------------------------------


def test_search_path_applies_to_later_statements_only_and_reset_clears_it():
    text = (
        "SELECT * FROM a;\n"
        "SET search_path TO Order_Service, \"Mixed\", public;\n"
        "SELECT * FROM b;\n"
        "SET LOCAL search_path = auth_service;\n"
        "SELECT * FROM c;\n"
        "RESET search_path;\n"
        "SELECT * FROM d;\n"
    )
    paths = [(a.ref.name, a.ref.search_path) for a in run(text).accesses]
    assert paths == [
        ("a", ()),
        ("b", ("order_service", "Mixed", "public")),
        ("c", ("auth_service",)),
        ("d", ()),
    ]


def test_set_search_path_to_default_and_other_settings():
    text = "SET search_path TO x;\nSET statement_timeout = 0;\nSELECT 1 FROM a;\nSET search_path TO DEFAULT;\nSELECT 1 FROM b;"
    assert [(a.ref.name, a.ref.search_path) for a in run(text).accesses] == [("a", ("x",)), ("b", ())]


def test_quoted_names_keep_case_and_set_quoted():
    refs = [a.ref for a in run('SELECT * FROM "Auth"."Users", Auth.Users, "auth"."users"').accesses]
    assert refs == [
        RelationRef(name="Users", schema="Auth", quoted=True),
        RelationRef(name="users", schema="auth", quoted=False),
        RelationRef(name="users", schema="auth", quoted=True),
    ]


# --- splitting ---------------------------------------------------------------------


def test_split_respects_strings_identifiers_dollar_bodies_and_comments():
    text = (
        "SELECT 'a;b', E'it\\'s;', \"x;y\" FROM t1;\n"
        "/* a; /* nested; */ still; */ SELECT 1 FROM t2; -- trailing; comment\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $$ ; $fn$;\n"
        "SELECT $1 FROM t3 -- ; not a split\n WHERE x = 1;;\n"
    )
    assert [s.text for s in split_statements(text)] == [
        "SELECT 'a;b', E'it\\'s;', \"x;y\" FROM t1",
        "SELECT 1 FROM t2",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $$ ; $fn$",
        "SELECT $1 FROM t3 -- ; not a split\n WHERE x = 1",
    ]


def test_split_keeps_offsets_and_drops_comment_only_statements():
    text = "  -- only a comment;\n\n  SELECT 1 FROM a ;  /* c */ ;"
    [stmt] = split_statements(text)
    assert (stmt.text, stmt.start, text[stmt.start]) == ("SELECT 1 FROM a", 24, "S")


def test_psql_meta_commands_are_stripped_and_end_a_statement():
    text = "\\set ON_ERROR_STOP on\nSELECT 1 FROM a\n\\gset\n  \\connect other\nDELETE FROM b;\n"
    assert rows(run(text)) == [(2, 15, None, "a", "read", "SELECT"), (5, 13, None, "b", "write", "DELETE")]
    assert run(text).problems == ()


def test_backslash_inside_a_statement_line_is_not_a_meta_command():
    assert rows(run("SELECT E'\\\\n' FROM a")) == [(1, 20, None, "a", "read", "SELECT")]


def test_semicolon_in_standard_string_with_doubled_quote():
    assert rows(run("SELECT 'it''s; fine' FROM a; SELECT 1 FROM b")) == [
        (1, 27, None, "a", "read", "SELECT"),
        (1, 44, None, "b", "read", "SELECT"),
    ]


# --- problems ----------------------------------------------------------------------


def test_unparseable_statement_is_hos901_and_the_next_one_is_still_analysed():
    text = "SELECT * FROM a;\nSELECT FROM WHERE ((;\nINSERT INTO b VALUES (1);\n"
    result = run(text)
    assert problems(result) == [("HOS901", 2, 1)]
    assert result.problems[0].message.startswith("could not parse SQL statement (SELECT FROM WHERE): ")
    assert rows(result) == [(1, 15, None, "a", "read", "SELECT"), (3, 13, None, "b", "write", "INSERT")]


def test_not_a_statement_is_hos901():
    result = run("SELEC x FROM t;")
    assert (problems(result), rows(result)) == ([("HOS901", 1, 1)], [])


def test_unsupported_command_form_is_hos901_benign_commands_are_ignored():
    text = "VACUUM a;\nCREATE RECURSIVE VIEW v (n) AS SELECT 1;\nANALYZE b;\nLISTEN ch;\nSELECT 1 FROM c;"
    result = run(text)
    assert problems(result) == [("HOS901", 2, 1)]
    assert "sqlglot does not support this form" in result.problems[0].message
    assert rows(result) == [(5, 15, None, "c", "read", "SELECT")]


# Valid PostgreSQL that sqlglot cannot parse (or keeps opaque), ending with or
# holding words the shape check watches: none of them may be HOS901.
VALID_OUTSIDE_SQLGLOT = (
    "CREATE INDEX i ON ONLY s.t (a)",
    "CREATE UNIQUE INDEX i ON s.t (a) NULLS NOT DISTINCT",
    "CREATE FUNCTION s.f(VARIADIC a int[]) RETURNS int AS 'select 1' LANGUAGE sql SET search_path = s",
    "CREATE FUNCTION s.f() RETURNS int SET enable_seqscan TO on LANGUAGE sql RETURN 1",
    "ALTER TABLE s.t OWNER TO CURRENT_USER",
    'ALTER TABLE s.t SET SCHEMA "Other"',
    "ALTER TABLE s.t NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE s.t ATTACH PARTITION s.t2 DEFAULT",
    "ALTER TABLE s.t DISABLE TRIGGER ALL",
    "ALTER SEQUENCE s.seq OWNED BY NONE",
    "ALTER SEQUENCE s.seq RESTART",
    "ALTER FUNCTION s.f RESET ALL",
    "ALTER ROLE r SET enable_seqscan = on",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON TABLES TO r",
    "LOCK TABLE s.t, s.u IN SHARE ROW EXCLUSIVE MODE NOWAIT",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY s.v WITH NO DATA",
    "GRANT SELECT, REFERENCES ON s.t TO a, GROUP b WITH GRANT OPTION",
    "GRANT USAGE ON FOREIGN DATA WRAPPER w TO r",
    "GRANT SELECT ON LARGE OBJECT 1234 TO r",
    "SET search_path TO a, on",
    "SET LOCAL search_path TO DEFAULT",
    "CREATE ROLE r WITH",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH",
    "SELECT",
    "SELECT * FROM s.t FETCH FIRST 1 ROWS ONLY",
    "SELECT trim(FROM ' a '), ARRAY[1, 2], '(,)', \"to\" FROM s.t",
    "SELECT 'a' AS \"from\", x AS \"to\"",
    "VACUUM",
    "EXPLAIN SELECT",
    "DO $$ BEGIN PERFORM f(1,); END $$",
)


@pytest.mark.parametrize("text", VALID_OUTSIDE_SQLGLOT)
def test_valid_postgresql_is_never_hos901(text):
    pglast.parse_sql(text)  # the list holds valid PostgreSQL only
    assert problems(run(text)) == []


@pytest.mark.parametrize("text,reason", [
    ("ALTER TABLE s.t OWNER TO", "missing a role after OWNER TO"),
    ("ALTER TABLE s.t OWNER bob", "missing a role after OWNER TO"),
    ("ALTER TABLE s.t SET SCHEMA", "missing a schema after SET SCHEMA"),
    ("ALTER TABLE s.t ENABLE ROW LEVEL", "missing SECURITY after ROW LEVEL"),
    ("LOCK s.t IN EXCLUSIVE MODE x", "missing the end of the LOCK statement"),
    ("LOCK s.t IN SHARE EXCLUSIVE MODE", "missing a lock mode after IN"),
    ("REFRESH MATERIALIZED VIEW s.v x", "missing the end of the REFRESH statement"),
    ("GRANT ON s.t TO bob", "missing a privilege or role"),
    ("GRANT SELECT ON s.t TO", "missing a grantee"),
    ("RESET", "missing a parameter after RESET"),
    ("CREATE INDEX i ON ONLY s.t (a", "'(' is never closed"),
    ("ALTER TABLE s.t OWNER TO r)", "unbalanced ')'"),
    ("ALTER TABLE s.t SET (a = b[1)]", "unbalanced ')'"),
    ("CREATE TABLE s.t (, a int)", "',' with nothing before it"),
    ("SELECT a,, b FROM s.t", "',' with nothing before it"),
    ("ALTER ROLE r SET x =", "it ends with '='"),
    ("ALTER TABLE s.", "it ends with '.'"),
    ("CREATE INDEX i ON s.t (a) WHERE", "it ends with WHERE"),
    ("ALTER TABLE s.t ALTER COLUMN c TYPE bigint USING", "it ends with USING"),
    ("EXPLAIN", "nothing follows EXPLAIN"),
])
def test_postgresql_would_reject_is_hos901_with_the_reason(text, reason):
    pytest.raises(pglast.parser.ParseError, pglast.parse_sql, text)  # the list holds invalid SQL only
    [problem] = run(text).problems
    assert (problem.code, problem.location.line, problem.location.col) == ("HOS901", 1, 1)
    assert problem.message.split("): ", 1)[1].split(";")[0] == reason


def test_rejected_statement_keeps_its_accesses_and_says_so():
    result = run("SELECT 1;\nALTER TABLE order_service.orders\n  OWNER TO;\nSELECT * FROM b;")
    assert problems(result) == [("HOS901", 2, 1)]
    assert result.problems[0].message == (
        "could not parse SQL statement (ALTER TABLE order_service.orders): missing a role after OWNER TO; "
        "what it names is still checked")
    assert rows(result) == [(2, 13, "order_service", "orders", "ddl", "ALTER TABLE"),
                            (4, 15, None, "b", "read", "SELECT")]


def test_ignored_statements_yield_nothing():
    text = (
        "BEGIN; CREATE SCHEMA s; CREATE EXTENSION pgcrypto; CREATE TYPE s.t AS ENUM ('a');\n"
        "DO $$ BEGIN DELETE FROM auth_service.users; END $$; COMMIT;"
    )
    assert run(text) == sql.SqlResult()


# --- placeholders --------------------------------------------------------------------


def test_placeholder_in_relation_position_is_hos205_other_relations_still_extracted():
    text = "SELECT * FROM $1 JOIN b ON b.id = $2\nJOIN c ON true"
    result = run(text, placeholders=frozenset({"$1", "$2"}))
    assert problems(result) == [("HOS205", 1, 15)]
    assert result.problems[0].message == HOS205_MESSAGE
    assert rows(result) == [(1, 23, None, "b", "read", "SELECT"), (2, 6, None, "c", "read", "SELECT")]


def test_placeholder_in_value_positions_is_fine():
    text = "SELECT * FROM t WHERE a = $1 AND b = ANY($2) LIMIT $3"
    result = run(text, placeholders=frozenset({"$1", "$2", "$3"}))
    assert (problems(result), rows(result)) == ([], [(1, 15, None, "t", "read", "SELECT")])


def test_placeholder_as_schema_or_inside_a_name():
    text = 'INSERT INTO $1.orders (a) VALUES ($2);\nSELECT * FROM "$1".x, orders_$1, s.y'
    result = run(text, placeholders=frozenset({"$1", "$2"}))
    assert problems(result) == [("HOS205", 1, 13), ("HOS205", 2, 16), ("HOS205", 2, 30)]
    assert rows(result) == [(2, 34, "s", "y", "read", "SELECT")]


def test_placeholder_that_breaks_parsing_is_hos205_not_hos901():
    result = run("SELECT * FROM $1.$2 JOIN t ON true", placeholders=frozenset({"$1", "$2"}))
    assert problems(result) == [("HOS205", 1, 15)]
    assert rows(result) == [(1, 26, None, "t", "read", "SELECT")]


def test_unparseable_with_placeholders_elsewhere_stays_hos901():
    result = run("SELECT * FROM t WHERE ((( $1", placeholders=frozenset({"$1"}))
    assert problems(result) == [("HOS901", 1, 1)]


def test_placeholder_in_token_read_statements():
    result = run("LOCK TABLE $1, b;\nALTER TABLE $2 OWNER TO r", placeholders=frozenset({"$1", "$2"}))
    assert problems(result) == [("HOS205", 1, 12), ("HOS205", 2, 13)]
    assert rows(result) == [(1, 16, None, "b", "write", "LOCK")]


def test_positions_through_an_origin_builder_with_interpolations():
    # host: a TypeScript template literal spread over lines 2-3, `${table}` and
    # `${id}` replaced by $1 and $2 by the host extractor
    host = "const q = 1;\nawait db.query(`SELECT * FROM ${table} t\n  JOIN order_service.items i ON i.id = ${id}`);\n"
    lines = LineIndex.of(host)
    start = host.index("SELECT")
    b = OriginBuilder(lines)
    b.add("SELECT * FROM ", start)
    b.add("$1", host.index("${table}"))
    after_table = host.index("${table}") + len("${table}")
    b.add(host[after_table:host.index("${id}")], after_table)
    b.add("$2", host.index("${id}"))
    text, origin = b.build()
    result = extract_sql(text, origin, path="src/a.ts", service="order", placeholders=frozenset({"$1", "$2"}))
    assert problems(result) == [("HOS205", 2, 31)]
    assert rows(result) == [(3, 8, "order_service", "items", "read", "SELECT")]


# --- writes, locks, copy --------------------------------------------------------------


def test_select_into_and_row_locks():
    text = "SELECT * INTO archive FROM orders;\nSELECT * FROM a x JOIN b y ON true FOR UPDATE OF y"
    assert rows(run(text)) == [
        (1, 15, None, "archive", "write", "SELECT INTO"),
        (1, 28, None, "orders", "read", "SELECT"),
        (2, 15, None, "a", "read", "SELECT"),
        (2, 24, None, "b", "write", "LOCK"),
    ]


def test_copy_directions_and_data_modifying_cte():
    text = "COPY a FROM STDIN;\nCOPY b TO STDOUT;\nWITH d AS (DELETE FROM c RETURNING *) INSERT INTO e SELECT * FROM d"
    assert rows(run(text)) == [
        (1, 6, None, "a", "write", "COPY"),
        (2, 6, None, "b", "read", "COPY"),
        (3, 24, None, "c", "write", "DELETE"),
        (3, 51, None, "e", "write", "INSERT"),
    ]


# --- DDL, references, relation definitions -------------------------------------------------


def test_create_table_with_references_and_relation_def():
    text = "CREATE TABLE order_service.orders (\n  id int,\n  user_id int REFERENCES auth_service.users (id)\n);"
    result = run(text)
    table = RelationRef(name="orders", schema="order_service")
    assert rows(result) == [
        (1, 14, "order_service", "orders", "ddl", "CREATE TABLE"),
        (3, 26, "auth_service", "users", "reference", "REFERENCES"),
    ]
    assert result.accesses[1].referrer_ref == table
    assert result.relation_defs == (
        RelationDef(service="order", ref=table, kind=RelationKind.TABLE,
                    location=Location("db/m.sql", 1, 14), what="CREATE TABLE"),
    )


def test_view_reads_have_the_view_as_referrer_and_relation_def_lists_reads():
    text = "CREATE MATERIALIZED VIEW search_service.catalog AS\nSELECT * FROM product_service.products p JOIN cats c ON true;"
    result = run(text)
    view = RelationRef(name="catalog", schema="search_service")
    assert rows(result) == [
        (1, 26, "search_service", "catalog", "ddl", "CREATE MATERIALIZED VIEW"),
        (2, 15, "product_service", "products", "read", "CREATE MATERIALIZED VIEW"),
        (2, 47, None, "cats", "read", "CREATE MATERIALIZED VIEW"),
    ]
    assert [a.referrer_ref for a in result.accesses] == [None, view, view]
    assert result.relation_defs == (
        RelationDef(service="order", ref=view, kind=RelationKind.MATVIEW,
                    location=Location("db/m.sql", 1, 26),
                    reads=(RelationRef(name="products", schema="product_service"), RelationRef(name="cats")),
                    what="CREATE MATERIALIZED VIEW"),
    )


def test_sequence_and_function_defs_function_body_not_parsed():
    text = (
        "CREATE SEQUENCE s.seq;\n"
        "CREATE FUNCTION s.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM x.y; END $$;"
    )
    result = run(text)
    assert rows(result) == [
        (1, 17, "s", "seq", "ddl", "CREATE SEQUENCE"),
        (2, 17, "s", "touch", "ddl", "CREATE FUNCTION"),
    ]
    assert [(d.ref.name, d.kind, d.what) for d in result.relation_defs] == [
        ("seq", RelationKind.SEQUENCE, "CREATE SEQUENCE"),
        ("touch", RelationKind.FUNCTION, "CREATE FUNCTION"),
    ]


def test_alter_set_schema_and_foreign_key_constraint():
    text = "ALTER TABLE public.users SET SCHEMA auth_service;\nALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES auth_service.users (id);"
    result = run(text)
    assert rows(result) == [
        (1, 13, "public", "users", "ddl", "ALTER TABLE"),
        (1, 37, "auth_service", "users", "ddl", "ALTER TABLE SET SCHEMA"),
        (2, 13, None, "o", "ddl", "ALTER TABLE"),
        (2, 60, "auth_service", "users", "reference", "REFERENCES"),
    ]
    assert result.accesses[3].referrer_ref == RelationRef(name="o")


def test_comment_refresh_and_lock():
    text = "COMMENT ON COLUMN s.t.c IS 'x';\nREFRESH MATERIALIZED VIEW CONCURRENTLY s.mv;\nLOCK s.a IN SHARE MODE;"
    assert rows(run(text)) == [
        (1, 19, "s", "t", "ddl", "COMMENT ON"),
        (2, 40, "s", "mv", "ddl", "REFRESH MATERIALIZED VIEW"),
        (3, 6, "s", "a", "write", "LOCK"),
    ]


# --- grants --------------------------------------------------------------------------------


def _grant(**kw) -> Grant:
    line = kw.pop("line")
    base = dict(service="order", location=Location("db/m.sql", line, 1))
    return Grant(**base, **kw)


def test_grants_and_revokes_are_facts_without_accesses():
    text = (
        "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA order_service TO order_role;\n"
        "GRANT USAGE ON SCHEMA auth_service TO \"Search\", PUBLIC;\n"
        "REVOKE ALL PRIVILEGES ON TABLE auth_service.users, t FROM order_role;\n"
        "GRANT reader TO search_role;\n"
        "GRANT SELECT (id, email) ON auth_service.users TO r WITH GRANT OPTION;\n"
        "GRANT EXECUTE ON FUNCTION s.f(int), s.g() TO r;\n"
    )
    result = run(text)
    assert (result.accesses, result.problems) == ((), ())
    got = [(g.location.line, g.privileges, g.object_type, g.objects, g.grantees, g.revoke) for g in result.grants]
    assert got == [
        (1, ("SELECT", "INSERT"), GrantObjectType.ALL_TABLES, (RelationRef(name="order_service"),), ("order_role",), False),
        (2, ("USAGE",), GrantObjectType.SCHEMA, (RelationRef(name="auth_service"),), ("Search", "public"), False),
        (3, ("ALL",), GrantObjectType.TABLE, (RelationRef(name="users", schema="auth_service"), RelationRef(name="t")),
         ("order_role",), True),
        (4, (), GrantObjectType.ROLE, (RelationRef(name="reader"),), ("search_role",), False),
        (5, ("SELECT",), GrantObjectType.TABLE, (RelationRef(name="users", schema="auth_service"),), ("r",), False),
        (6, ("EXECUTE",), GrantObjectType.FUNCTION, (RelationRef(name="f", schema="s"), RelationRef(name="g", schema="s")),
         ("r",), False),
    ]
    assert result.grants[0].anchor == Anchor(1, 1, "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA order_service TO order_role")


# --- the .sql extractor surface ------------------------------------------------------------


def test_extractor_surface():
    src = SourceFile("db/001.sql", "order", Language.SQL)
    text = "CREATE VIEW v AS SELECT * FROM t;\nGRANT SELECT ON v TO r;\nnot sql;"
    result = sql.extract(src, text, ExtractConfig())
    assert (result.path, result.service) == ("db/001.sql", "order")
    assert [(a.ref.name, a.kind.value) for a in result.accesses] == [("v", "ddl"), ("t", "read")]
    assert [d.ref.name for d in result.relation_defs] == ["v"]
    assert len(result.grants) == 1
    assert problems(result) == [("HOS901", 3, 1)]
    assert (sql.NAME, sql.LANGUAGE) == ("sql", Language.SQL)


def test_handles_and_prefilter():
    assert sql.handles("a/b/001_init.SQL") and not sql.handles("a/b/sql.py")
    assert sql.might_access_db(b"-- x\nInsert into t values (1)")
    assert sql.might_access_db(b"SELEC * FROM t")  # misspelt: must reach HOS901
    assert not sql.might_access_db(b"-- only a comment\n\\echo hello\n")


def test_never_raises_on_garbage():
    for text in ["\x00\x01;;", "'unterminated", "$$ never closed", "/* open", '"open', "SELECT (((((", ")"]:
        result = run(text)
        assert result.accesses == ()
        assert all(p.code == "HOS901" for p in result.problems)
