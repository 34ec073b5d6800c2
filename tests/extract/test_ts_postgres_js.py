"""postgres.js: ``sql`…``` on an instance known by its origin, ``${sql('s.t')}``
identifiers, ``sql.unsafe``, and the tags that are not postgres.js."""
from __future__ import annotations

from .tagged_helpers import accesses, problems

SQL = "import postgres from 'postgres';\nconst sql = postgres(process.env.DATABASE_URL!);\n"


def test_templates_on_an_instance_are_queries_with_bind_parameters():
    code = SQL + """\
const rows = await sql`SELECT * FROM ledger_service.entries WHERE account_id = ${id}`;
await sql`
  UPDATE payment_service.payments SET settled = true WHERE id = ${paymentId}
`;
const where = sql`AND settled = ${flag}`;
"""
    assert accesses(code) == [
        (3, 38, "ledger_service.entries", "read", "postgres.js", "SELECT"),
        (5, 10, "payment_service.payments", "write", "postgres.js", "UPDATE"),
    ]
    assert problems(code) == []


def test_identifier_helper_is_the_table_and_other_interpolations_are_binds():
    code = SQL + """\
await sql`INSERT INTO ${sql('ledger_service.Entries')} ${sql(row, 'id', 'amount')}`;
await sql`SELECT * FROM ${sql(tableName)}`;
await sql`UPDATE ledger_service.accounts SET ${sql(account, 'balance')} WHERE id IN ${sql(ids)}`;
await sql`insert into ledger_service.holds ${sql(rows)} returning id`;
"""
    assert accesses(code) == [
        (3, 30, "ledger_service.Entries", "write", "postgres.js", "INSERT"),
        (5, 18, "ledger_service.accounts", "write", "postgres.js", "UPDATE"),
        (6, 23, "ledger_service.holds", "write", "postgres.js", "INSERT"),
    ]
    assert [p[:3] for p in problems(code)] == [("HOS205", 4, 25)]


def test_instances_by_type_require_begin_and_reserve():
    code = """\
import type { Sql } from 'postgres';
const pg = require('postgres')(url);
export async function post(db: Sql) {
  await db.begin(async (sql) => {
    await sql`INSERT INTO ledger_service.entries (id) VALUES (${id})`;
  });
  const reserved = await pg.reserve();
  await reserved`DELETE FROM ledger_service.holds`;
}
"""
    assert accesses(code) == [
        (5, 27, "ledger_service.entries", "write", "postgres.js", "INSERT"),
        (8, 30, "ledger_service.holds", "write", "postgres.js", "DELETE"),
    ]


def test_unsafe_literal_and_built_at_run_time():
    code = SQL + "await sql.unsafe('TRUNCATE ledger_service.scratch');\nawait sql.unsafe(`SELECT * FROM ${table}`);\nawait sql.unsafe(query);\n"
    assert accesses(code) == [(3, 28, "ledger_service.scratch", "write", "postgres.js", "TRUNCATE")]
    assert [p[:3] for p in problems(code)] == [("HOS205", 4, 33), ("HOS205", 5, 7)]
    assert problems(code)[1][3] == "SQL passed to sql.unsafe is built at run time; its relations cannot be known statically"


def test_service_import_is_followed_only_in_a_file_that_uses_postgres():
    used = "import type { Sql } from 'postgres';\nimport sql from '../db';\nawait sql`DELETE FROM ledger_service.holds`;\n"
    assert accesses(used) == [(3, 23, "ledger_service.holds", "write", "postgres.js", "DELETE")]
    assert accesses("import sql from '../db';\nawait sql`DELETE FROM ledger_service.holds`;\n") == []
    required = "const postgres = require('postgres');\nimport sql from '../db';\nawait sql`DELETE FROM ledger_service.holds`;\n"
    assert accesses(required) == [(3, 23, "ledger_service.holds", "write", "postgres.js", "DELETE")]
    assert accesses("const p = require('postgres-array');\nimport sql from '../db';\n"
                    "await sql`DELETE FROM ledger_service.holds`;\n") == []


def test_lookalike_tags_are_not_sql():
    code = """\
import styled, { css } from 'styled-components';
import { gql } from '@apollo/client';
import { html } from 'lit';
import postgres from 'postgres';
function sql(strings: TemplateStringsArray) { return strings.join(''); }
const Row = styled.div`SELECT: none;`;
const mixin = css`DELETE: 1;`;
const Q = gql`query { entries { id } }`;
const page = html`<p>UPDATE ledger_service.entries</p>`;
const note = sql`DELETE FROM ledger_service.entries`;
const make = (postgres: any) => postgres`DELETE FROM ledger_service.entries`;
"""
    assert accesses(code) == []
    assert problems(code) == []
