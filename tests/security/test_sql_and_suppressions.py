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

from linter.embedded import Origin
from linter.extract.sql import extract_sql
from linter.testing import run_files

MIGRATION = "services/order/db/001.sql"


def sql_rows(text: str) -> tuple[list[tuple], list[tuple]]:
    result = extract_sql(text, Origin.identity(text), path=MIGRATION, service="order")
    accesses = [(a.location.line, a.location.col, a.ref.display(), a.kind.value, a.operation)
                for a in result.accesses]
    problems = [(p.code, p.location.line, p.location.col) for p in result.problems]
    return accesses, problems


def findings(files: dict[str, str]) -> set[tuple[str, int, str]]:
    return {(f.location.path, f.location.line, f.code) for f in run_files(files)}


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
