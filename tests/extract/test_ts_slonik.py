"""slonik: ``sql.unsafe``/``sql.typeAlias``/``sql.type``/``sql.fragment``
templates from the ``slonik`` import, ``sql.identifier``, and pool methods
that take query objects (never HOS205)."""
from __future__ import annotations

from .tagged_helpers import accesses, problems


def test_tag_forms_and_identifiers():
    code = """\
import { createPool, createSqlTag, sql } from 'slonik';
import { z } from 'zod';
const pool = await createPool(process.env.DATABASE_URL!);
const typed = createSqlTag({ typeAliases: { id: z.object({ id: z.number() }) } });
await pool.any(sql.unsafe`SELECT * FROM ledger_service.entries WHERE id = ${id}`);
await pool.one(sql.typeAlias('id')`SELECT id FROM ledger_service.accounts`);
await pool.query(sql.type(z.object({ n: z.number() }))`DELETE FROM order_service.carts`);
await pool.many(typed.typeAlias('id')`SELECT id FROM ${sql.identifier(['payment_service', 'payments'])}`);
const where = sql.fragment`WHERE amount > ${min}`;
await pool.query(query);
"""
    assert accesses(code) == [
        (5, 41, "ledger_service.entries", "read", "slonik", "SELECT"),
        (6, 51, "ledger_service.accounts", "read", "slonik", "SELECT"),
        (7, 68, "order_service.carts", "write", "slonik", "DELETE"),
        (8, 73, "payment_service.payments", "read", "slonik", "SELECT"),
    ]
    assert problems(code) == []


def test_lookalike_sql_tags_not_from_slonik():
    code = """\
import { sql } from '@databases/sqlite';
const local = { unsafe: (s: TemplateStringsArray) => s };
sql`SELECT * FROM ledger_service.entries`;
local.unsafe`DELETE FROM ledger_service.entries`;
"""
    assert accesses(code) == []


def test_examples_cover_every_tag_form():
    from hos_lint.extract.typescript import slonik

    examples = "\n".join(slonik.KNOWLEDGE.examples)
    for steps in slonik.TAG_STEPS:
        assert "sql" + "".join(s for s in steps if s != "()") in examples, steps
