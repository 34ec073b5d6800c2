"""Reproducers (issue 11): SQL that PostgreSQL rejects is never a clean access,
and suppressions come from each extractor's own lexer.

Each test failed before the fix it names:
- DDL read by the token fallback after a parse error gave accesses and no HOS901;
- a ``/* hos-lint: ignore[...] */`` SQL block comment was neither applied nor
  reported as unused;
- a suppression after an ``E'a\\'b'`` string was missed (the suppression
  scanner's own SQL lexer ended the string at the escaped quote);
- files with CR-only line endings (old Mac) gave wrong lines.
"""
from __future__ import annotations

import json

from hos_lint.embedded import Origin
from hos_lint.extract import extractor_for
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.sql import extract_sql
from hos_lint.model import SourceFile
from hos_lint.suppressions import find_suppressions
from hos_lint.testing import run_files

MIGRATION = "services/order/db/001.sql"


def sql_rows(text: str) -> tuple[list[tuple], list[tuple]]:
    result = extract_sql(text, Origin.identity(text), path=MIGRATION, service="order")
    accesses = [(a.location.line, a.location.col, a.ref.display(), a.kind.value, a.operation)
                for a in result.accesses]
    problems = [(p.code, p.location.line, p.location.col) for p in result.problems]
    return accesses, problems


def findings(files: dict[str, str]) -> set[tuple[str, int, str]]:
    return {(f.location.path, f.location.line, f.code) for f in run_files(files)}


def suppressions_in(path: str, text: str):
    """The suppressions in the comments the file's own extractor hands over."""
    ext = extractor_for(path)
    result = ext.extract(SourceFile(path, "order", ext.LANGUAGE), text, ExtractConfig())
    return find_suppressions(path, result.comments)


# --- DDL that does not parse ----------------------------------------------------------


def test_alter_table_with_an_unclosed_call_is_hos901_and_keeps_its_access():
    text = "SELECT 1;\nALTER TABLE order_service.orders ADD COLUMN c timestamptz DEFAULT now(;\n"
    accesses, problems = sql_rows(text)
    assert accesses == [(2, 13, "order_service.orders", "ddl", "ALTER TABLE")]
    assert problems == [("HOS901", 2, 1)]


def test_create_index_with_an_unclosed_column_list_is_hos901_and_keeps_its_access():
    text = "CREATE INDEX ON order_service.orders (a;\n"
    accesses, problems = sql_rows(text)
    assert accesses == [(1, 17, "order_service.orders", "ddl", "CREATE INDEX")]
    assert problems == [("HOS901", 1, 1)]


def test_broken_ddl_is_a_hos901_finding_end_to_end():
    sql = "ALTER TABLE order_service.orders\n  ADD COLUMN c timestamptz DEFAULT now(;\n"
    assert findings({MIGRATION: sql}) == {(MIGRATION, 1, "HOS901")}


# --- SQL block comments as suppressions ---------------------------------------------------

REPORT = "services/order/db/report.sql"


def test_sql_block_comment_above_a_statement_suppresses_it():
    sql = ("/* hos-lint: ignore[HOS102] nightly report until the view lands */\n"
           "SELECT o.id\nFROM auth_service.users o;\n")
    assert findings({REPORT: sql}) == set()


def test_sql_block_comment_spanning_lines_reaches_the_statement_below_it():
    sql = ("SELECT 1;\n/*\n * hos-lint: ignore[HOS102] nightly report\n * until PLAT-7 adds the view\n */\n"
           "SELECT * FROM auth_service.users;\n")
    assert findings({REPORT: sql}) == set()
    [s] = suppressions_in(REPORT, sql)
    assert (s.location.line, s.location.col, s.codes, s.reason, s.lines) == (
        2, 1, ("HOS102",), "nightly report * until PLAT-7 adds the view", (2, 6))


def test_sql_block_comment_inside_a_statement_suppresses_it():
    sql = "SELECT * FROM /* hos-lint: ignore[HOS102] reviewed */ auth_service.users;\n"
    assert findings({REPORT: sql}) == set()


def test_unused_sql_block_comment_is_hos902_and_suppresses_nothing_else():
    sql = ("/* hos-lint: ignore[HOS101] nothing writes here */ SELECT 1;\n"
           "SELECT * FROM auth_service.users;\n")
    assert findings({REPORT: sql}) == {(REPORT, 1, "HOS902"), (REPORT, 2, "HOS102")}


def test_sql_block_comment_without_a_reason_is_hos902():
    sql = "/* hos-lint: ignore[HOS102] */\nSELECT * FROM auth_service.users;\n"
    assert findings({REPORT: sql}) == {(REPORT, 1, "HOS902"), (REPORT, 2, "HOS102")}


# --- the suppression scanner and the SQL extractor agree on strings -----------------------


def test_suppression_after_an_escape_string_with_an_escaped_quote_is_found():
    sql = "SELECT E'a\\'b' AS x FROM auth_service.users; -- hos-lint: ignore[HOS102] reviewed in PLAT-7\n"
    assert findings({REPORT: sql}) == set()


def test_directive_inside_an_escape_string_is_not_a_suppression():
    sql = "SELECT E'\\' -- hos-lint: ignore[HOS102] not a comment' FROM auth_service.users;\n"
    assert findings({REPORT: sql}) == {(REPORT, 1, "HOS102")}


def test_suppression_after_a_standard_string_ending_in_a_backslash_is_found():
    sql = "SELECT 'C:\\' AS x FROM auth_service.users; -- hos-lint: ignore[HOS102] reviewed in PLAT-7\n"
    assert findings({REPORT: sql}) == set()


# --- CR-only line endings (old Mac) --------------------------------------------------------

PRISMA_SEARCH = 'model Product {\r  id Int @id\r  @@map("products")\r  @@schema("product_service")\r}\r'


def test_cr_only_sql_gives_real_lines_and_its_comments_end_at_cr():
    sql = ("-- nightly cleanup\rSELECT 1;\r-- hos-lint: ignore[HOS101] agreed with auth (AUTH-88)\r"
           "DELETE FROM auth_service.sessions;\rSELECT *\r  FROM auth_service.users;\r")
    assert findings({REPORT: sql}) == {(REPORT, 6, "HOS102")}


def test_cr_only_typescript_gives_real_lines():
    ts = ("import { PrismaClient } from '@prisma/client';\rconst prisma = new PrismaClient();\r"
          "// hos-lint: ignore[HOS102] indexing reads until product events carry payloads\r"
          "await prisma.product.findMany();\rawait prisma.product.count();\r")
    got = findings({"services/search/prisma/schema.prisma": PRISMA_SEARCH, "services/search/src/a.ts": ts})
    assert got == {("services/search/prisma/schema.prisma", 1, "HOS105"), ("services/search/src/a.ts", 5, "HOS102")}


def test_cr_only_python_gives_real_lines():
    py = ("import psycopg\r\rcur = psycopg.connect('').cursor()\r"
          "# hos-lint: ignore[HOS101] nightly cleanup agreed with auth (AUTH-88)\r"
          "cur.execute('DELETE FROM auth_service.sessions')\rcur.execute('DELETE FROM auth_service.users')\r")
    assert findings({"services/order/jobs/cleanup.py": py}) == {("services/order/jobs/cleanup.py", 6, "HOS101")}


def test_cr_only_prisma_gives_real_lines():
    prisma = "// users live in auth\r\r" + PRISMA_SEARCH.replace("Product", "User").replace(
        "products", "users").replace("product_service", "auth_service")
    assert findings({"services/order/prisma/schema.prisma": prisma}) == {
        ("services/order/prisma/schema.prisma", 3, "HOS105")}


def test_cr_only_compose_and_env_give_real_lines():
    compose = ("# local stack\rservices:\r  order-service:\r    build: ./services/order\r    environment:\r"
               "      DATABASE_URL: postgresql://u:p@db:5432/hos?schema=order_service,auth_service\r")
    env = "# order\rPORT=3000\rDATABASE_URL=postgresql://u:p@db:5432/hos?schema=auth_service # shared\r"
    assert findings({"docker-compose.yml": compose, "services/order/.env": env}) == {
        ("docker-compose.yml", 6, "HOS201"), ("services/order/.env", 3, "HOS201")}


def test_cr_only_shell_script_gives_real_lines_and_its_suppressions_apply():
    sh = ("#!/bin/sh\r# hos-lint: ignore[HOS101] nightly cleanup agreed with auth (AUTH-88)\r"
          "psql -c 'DELETE FROM auth_service.sessions'\rpsql <<EOF\rSELECT 1;\rDELETE FROM auth_service.users;\rEOF\r")
    assert findings({"services/order/scripts/cleanup.sh": sh}) == {("services/order/scripts/cleanup.sh", 6, "HOS101")}


def test_show_source_prints_the_line_extraction_counted(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hos_lint.cli import cli

    (tmp_path / "hos-lint.yaml").write_text("version: 1\nservices:\n  order: {schema: order_service}\n"
                                            "  auth: {schema: auth_service}\n")
    db = tmp_path / "services/order/db"
    db.mkdir(parents=True)
    # a form feed is no line break for extraction (nor for PostgreSQL); CR alone is
    (db / "bad.sql").write_bytes(b"\xef\xbb\xbfSELECT 1;\x0c\rSELECT 2;\rDELETE FROM auth_service.users;\r")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "services", "--show-source", "--no-cache"], catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("services/order/db/bad.sql:3:13: HOS101 ")
    assert lines[1].strip() == "DELETE FROM auth_service.users;"


def test_cr_only_file_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte():
    from hos_lint.app import extract_bytes
    from hos_lint.model import Language

    result = extract_bytes(SourceFile(REPORT, "order", Language.SQL), b"SELECT 1;\rSELECT 2;\r\r\nSELECT '\xff';\r",
                           ExtractConfig())
    assert [(p.code, p.location.line) for p in result.problems] == [("HOS901", 4)]


def test_a_warm_cached_run_applies_the_same_suppressions(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hos_lint.cli import cli

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    project = tmp_path / "project"
    (project / "services/order/db").mkdir(parents=True)
    (project / "hos-lint.yaml").write_text("version: 1\nservices:\n  order: {schema: order_service}\n"
                                           "  auth: {schema: auth_service}\n")
    (project / "services/order/db/r.sql").write_text(
        "/* hos-lint: ignore[HOS102] nightly report */\nSELECT * FROM auth_service.users;\n"
        "/* hos-lint: ignore[HOS101] unused */ SELECT 1;\n")
    monkeypatch.chdir(project)
    runs = [CliRunner().invoke(cli, ["check", "services", "--format", "json"], catch_exceptions=False)
            for _ in range(2)]
    assert (project / ".hos-lint-cache").is_dir()
    cold, warm = (json.loads(r.stdout) for r in runs)
    assert [(f["code"], f["line"]) for f in warm["findings"]] == [("HOS902", 3)]
    assert (warm["findings"], warm["summary"]["suppressed"]) == (cold["findings"], 1)
