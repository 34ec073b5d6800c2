"""@vercel/postgres: the ``sql`` export and pools' ``sql`` are query tags;
``.query`` on them is raw SQL."""
from __future__ import annotations

from .tagged_helpers import accesses, problems


def test_sql_export_pool_sql_and_query():
    code = """\
import { sql, createPool, db } from '@vercel/postgres';
const pool = createPool({ connectionString: process.env.POSTGRES_URL });
const { rows } = await sql`SELECT * FROM ledger_service.accounts WHERE id = ${id}`;
await pool.sql`DELETE FROM ledger_service.holds WHERE id = ${id}`;
await db.sql`UPDATE order_service.orders SET paid = true`;
await sql.query('SELECT * FROM ledger_service.entries');
await pool.query(text);
"""
    assert accesses(code) == [
        (3, 42, "ledger_service.accounts", "read", "vercel-postgres", "SELECT"),
        (4, 28, "ledger_service.holds", "write", "vercel-postgres", "DELETE"),
        (5, 21, "order_service.orders", "write", "vercel-postgres", "UPDATE"),
        (6, 32, "ledger_service.entries", "read", "vercel-postgres", "SELECT"),
    ]
    assert [p[:3] for p in problems(code)] == [("HOS205", 7, 7)]


def test_lookalike_sql_from_elsewhere():
    code = """\
import { sql } from './vercel-like';
import { sql as kit } from '@vercel/kv';
const a = sql`SELECT * FROM ledger_service.accounts`;
const b = kit`SELECT * FROM ledger_service.accounts`;
"""
    assert accesses(code) == []
