"""``hos-lint grants`` as text: exact plans and SQL, quoting, --service, and the
script judged by the linter itself (no HOS301). The database behaviour is
proven in test_grants_postgres.py."""
from __future__ import annotations

import textwrap

import pytest

from hos_lint import grants
from hos_lint.app import Options, run
from hos_lint.manifest import parse_manifest

MANIFEST = """\
version: 1
services:
  api: {paths: [services/api], legacy: true, tables: [legacy_orders, site_settings]}
  auth: {schema: auth_service, tables: [users]}
  order: {schema: order_service, role: order_rw}
  content: {schema: content_service, tables: [site_settings]}
  docs: {paths: [services/docs]}
allow:
  - service: order
    read: [auth_service.users, feature_flags]
    reason: "checkout shows the buyer's e-mail\\nuntil the profile API ships"
  - service: order
    write: [auth_service.users]
    reason: reviewed, never granted
"""


@pytest.fixture
def manifest():
    return parse_manifest(MANIFEST, root="/tmp/p")


def test_plans_are_exact(manifest):
    got = [(p.service, p.role, p.schema, p.public_tables, p.allowed_reads, p.refused_writes)
           for p in grants.plan_grants(manifest)]
    reason = "checkout shows the buyer's e-mail\nuntil the profile API ships"
    assert got == [
        ("api", "api", None, ("legacy_orders", "site_settings"), (), ()),
        ("auth", "auth_service", "auth_service", ("users",), (), ()),
        # site_settings is claimed twice (HOS204): only its first claimant, api, gets it
        ("content", "content_service", "content_service", (), (), ()),
        ("docs", "docs", None, (), (), ()),
        ("order", "order_rw", "order_service", (),
         (grants.AllowedRead(schema="auth_service", name="users", reason=reason),
          grants.AllowedRead(schema="public", name="feature_flags", reason=reason)),
         ("auth_service.users",)),
    ]


def test_one_service_section_is_exact(manifest):
    sql = grants.generate_grants(manifest, service="order")
    body = sql.split("BEGIN;\n\n", 1)[1]
    assert body == textwrap.dedent("""\
        -- order: schema order_service, role order_rw
        DO $grants$
        BEGIN
          IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'order_rw') THEN
            CREATE ROLE "order_rw" NOLOGIN;
          END IF;
        END
        $grants$;
        GRANT USAGE ON SCHEMA "order_service" TO "order_rw";
        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA "order_service" TO "order_rw";
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "order_service" TO "order_rw";
        ALTER DEFAULT PRIVILEGES IN SCHEMA "order_service" GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLES TO "order_rw";
        ALTER DEFAULT PRIVILEGES IN SCHEMA "order_service" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "order_rw";
        -- Views stay read-only: ALL TABLES above includes them, and a write through a view
        -- runs with the view owner's rights on the table it reads (HOS104).
        DO $grants$
        DECLARE v record;
        BEGIN
          FOR v IN SELECT c.relname FROM pg_catalog.pg_class c
                   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'order_service' AND c.relkind IN ('v', 'm')
                   ORDER BY c.relname LOOP
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %I.%I FROM %I', 'order_service', v.relname, 'order_rw');
          END LOOP;
        END
        $grants$;
        GRANT USAGE ON SCHEMA "auth_service" TO "order_rw";  -- for the allow: reads below
        GRANT USAGE ON SCHEMA "public" TO "order_rw";  -- for the allow: reads below
        -- allow: checkout shows the buyer's e-mail until the profile API ships
        GRANT SELECT ON "auth_service"."users" TO "order_rw";
        -- allow: checkout shows the buyer's e-mail until the profile API ships
        GRANT SELECT ON "public"."feature_flags" TO "order_rw";
        -- allow: write auth_service.users is not granted: Phase 5 grants no write on another service's data; call its API or publish an event

        COMMIT;
        """)


def test_script_never_writes_a_password_and_every_role_is_nologin(manifest):
    sql = grants.generate_grants(manifest)
    assert sql.startswith(grants.HEADER) and sql.endswith("\nCOMMIT;\n")
    assert "PASSWORD '" not in sql.replace("PASSWORD '<from your secret store>'", "")
    created = [line.strip() for line in sql.splitlines() if line.strip().startswith("CREATE ROLE")]
    assert created == ['CREATE ROLE "api" NOLOGIN;', 'CREATE ROLE "auth_service" NOLOGIN;',
                       'CREATE ROLE "content_service" NOLOGIN;', 'CREATE ROLE "order_rw" NOLOGIN;']
    assert "-- docs: no schema, role docs\n-- owns no schema and no public tables: no role is created\n" in sql


def test_nothing_is_granted_on_another_service_schema_but_allowed_reads(manifest):
    sql = grants.generate_grants(manifest)
    foreign = [line for line in sql.splitlines() if line.startswith("GRANT") and "auth_service" in line
               and not line.endswith('TO "auth_service";')]
    assert foreign == ['GRANT USAGE ON SCHEMA "auth_service" TO "order_rw";  -- for the allow: reads below',
                       'GRANT SELECT ON "auth_service"."users" TO "order_rw";']


def test_unknown_service_is_a_clear_error(manifest):
    with pytest.raises(grants.UnknownService, match=r"--service nope: no such service in the manifest \(services: "
                                                     r"api, auth, content, docs, order\)"):
        grants.plan_grants(manifest, service="nope")


@pytest.mark.parametrize(("name", "quoted"), [
    ("order_service", '"order_service"'),  # always quoted: no keyword list to keep
    ("order", '"order"'),  # reserved
    ("user", '"user"'),
    ("Orders", '"Orders"'),  # upper case keeps its case only when quoted
    ("order-svc", '"order-svc"'),
    ('we"ird', '"we""ird"'),
    ("_x1$", '"_x1$"'),
])
def test_quote_ident(name, quoted):
    assert grants.quote_ident(name) == quoted


@pytest.mark.parametrize("name", ["", "a\nb", "a\x00b", "a\u202eb", "x" * 64])
def test_the_writer_refuses_an_identifier_plan_grants_would_have_refused(name):
    with pytest.raises(ValueError):
        grants.quote_ident(name)


@pytest.mark.parametrize("text", ["a\nb", "a\x00b", "a\u202eb", "a\rb"])
def test_the_writer_refuses_a_string_constant_with_a_control_character(text):
    with pytest.raises(ValueError):
        grants.quote_literal(text)


@pytest.mark.parametrize(("text", "literal"), [
    ("it's", "'it''s'"),
    ("plain", "'plain'"),
    ("a\\b", "E'a\\\\b'"),  # a backslash: an E'' string reads the same whatever standard_conforming_strings
    ("x\\'; --", "E'x\\\\''; --'"),
])
def test_quote_literal(text, literal):
    assert grants.quote_literal(text) == literal


@pytest.mark.parametrize(("body", "tag"), [
    ("\nBEGIN\nEND\n", "$grants$"),
    ("rolname = 'x$grants$y'", "$grants1$"),
    ("'$grants$' '$grants1$'", "$grants2$"),
    ("ends with $grants", "$grants1$"),  # "$grants" + "$grants$" would end one character early
    ("$grant", "$grants$"),
])
def test_dollar_tag_never_occurs_in_the_body(body, tag):
    assert grants.dollar_tag(body) == tag


def test_comment_shows_control_characters_escaped():
    assert grants.comment("v\nCREATE TABLE x(); --\r\x1b[2J\u202e") == "-- v\\x0aCREATE TABLE x(); --\\x0d\\x1b[2J\\u202e"


def test_reserved_role_names_are_quoted_everywhere():
    m = parse_manifest("version: 1\nservices:\n  user: {schema: user, role: user}\n", root="/tmp/p")
    sql = grants.generate_grants(m)
    assert 'CREATE ROLE "user" NOLOGIN;' in sql and 'GRANT USAGE ON SCHEMA "user" TO "user";' in sql
    assert "rolname = 'user'" in sql and "'user', v.relname, 'user'" in sql


def write_service_folders(root):
    """The folders the manifest's `paths:` name (an entry matching nothing is an error)."""
    for name in ("api", "docs"):
        (root / "services" / name).mkdir(parents=True)
        (root / "services" / name / "README.md").write_text(f"{name}\n")


def test_the_linter_finds_no_excess_grant_in_its_own_script(tmp_path, manifest):
    (tmp_path / "hos-lint.yaml").write_text(MANIFEST)
    write_service_folders(tmp_path)
    db = tmp_path / "infrastructure/database"
    db.mkdir(parents=True)
    (db / "grants.sql").write_text(grants.generate_grants(manifest))
    result = run(Options(paths=(str(tmp_path),), cache=False, select=("HOS301", "HOS901")))
    assert [(f.code, f.location.line) for f in result.findings] == []


def test_the_linter_does_flag_a_look_alike_write_grant(tmp_path):
    (tmp_path / "hos-lint.yaml").write_text(MANIFEST)
    write_service_folders(tmp_path)
    db = tmp_path / "infrastructure/database"
    db.mkdir(parents=True)
    (db / "grants.sql").write_text("GRANT INSERT ON auth_service.users TO order_rw;\n")
    result = run(Options(paths=(str(tmp_path),), cache=False, select=("HOS301",)))
    assert [(f.code, f.location.line) for f in result.findings] == [("HOS301", 1)]
