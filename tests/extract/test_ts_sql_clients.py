"""Whose ``.query``/``.raw`` is SQL: decided by where the receiver comes from
(its import, factory call or declared type), the conventional driver names
only for receivers the file says nothing about."""
from __future__ import annotations

import textwrap

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile

PATH = "services/order/src/a.ts"
DYNAMIC = "SQL passed to .query is built at run time; its relations cannot be known statically"


def run(code: str, path: str = PATH):
    src = SourceFile(path, "order", Language.TYPESCRIPT)
    return ts.extract(src, textwrap.dedent(code), ExtractConfig())


def accesses(code: str, path: str = PATH) -> list[tuple]:
    return sorted((a.location.line, a.location.col, a.ref.display(), a.kind.value, a.via)
                  for a in run(code, path).accesses)


def problems(code: str, path: str = PATH) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col, p.message) for p in run(code, path).problems]


def test_pg_values_are_sql_receivers_whatever_their_name():
    code = """\
    import { Pool, PoolClient } from 'pg';
    import pg from 'pg';
    const reader = new Pool();
    const other = new pg.Client();
    export class Repo {
      constructor(private readonly source: Pool) {}
      async run(conn: PoolClient) {
        await reader.query(text);
        await other.query(build());
        await this.source.query(text);
        await conn.query(text);
        const held = await reader.connect();
        await held.query(text);
        await this.source.query('DELETE FROM order_service.carts');
      }
    }
    """
    assert problems(code) == [
        ("HOS205", 8, 11, DYNAMIC), ("HOS205", 9, 11, DYNAMIC), ("HOS205", 10, 11, DYNAMIC),
        ("HOS205", 11, 11, DYNAMIC), ("HOS205", 13, 11, DYNAMIC),
    ]
    assert accesses(code) == [(14, 42, "order_service.carts", "write", "pg")]


def test_knex_raw_by_origin_and_typeorm_via():
    code = """\
    import Knex from 'knex';
    import { DataSource } from 'typeorm';
    const builder = Knex({ client: 'pg' });
    const source = new DataSource({});
    builder.raw(q);
    await source.query('SELECT * FROM order_service.orders');
    """
    assert problems(code) == [
        ("HOS205", 5, 1, "SQL passed to .raw is built at run time; its relations cannot be known statically"),
    ]
    assert accesses(code) == [(6, 35, "order_service.orders", "read", "typeorm")]


def test_apollo_client_query_in_a_next_page_is_not_sql():
    code = """\
    import { ApolloClient, InMemoryCache, gql, useApolloClient } from '@apollo/client';
    import client from '../lib/apollo-client';

    const apollo = new ApolloClient({ cache: new InMemoryCache(), uri: '/graphql' });
    const ORDERS = gql`query Orders { orders { id } }`;

    export async function getServerSideProps() {
      const { data } = await client.query({ query: ORDERS });
      await apollo.query({ query: gql`query { payments { id } }`, variables });
      await client.query(options);
      return { props: { data } };
    }

    export default function Page() {
      const hooked = useApolloClient();
      hooked.query(options);
      return <div>{hooked.query({ query: ORDERS }) ? 'x' : 'y'}</div>;
    }
    """
    assert problems(code, "services/order/pages/orders.tsx") == []
    assert accesses(code, "services/order/pages/orders.tsx") == []


def test_other_packages_and_local_values_named_like_drivers_are_not_sql():
    code = """\
    import { Client } from '@elastic/elasticsearch';
    const client = new Client({ node: 'http://es' });
    await client.sql.query(body);
    await client.query('SELECT * FROM order_service.orders');
    function run(pool: WorkerPool, db) { pool.query(job); db.query(filter); }
    const knex = makeSearchIndex();
    knex.raw(term);
    """
    assert problems(code) == []
    assert accesses(code) == []


def test_service_imports_read_literal_sql_but_report_nothing_built():
    code = """\
    import { pool } from '../db';
    await pool.query('SELECT * FROM order_service.orders');
    await pool.query(text);
    """
    assert accesses(code) == [(2, 33, "order_service.orders", "read", "pg")]
    assert problems(code) == []


def test_undeclared_conventional_names_still_fall_back_to_the_name():
    code = "await pool.query(buildQuery());\nthis.db.query(text);\nrouter.query(sql);\n"
    assert problems(code) == [("HOS205", 1, 7, DYNAMIC), ("HOS205", 2, 1, DYNAMIC)]


def test_an_options_object_without_text_is_not_sql():
    code = """\
    import { Pool } from 'pg';
    const pool = new Pool();
    await pool.query({ name: 'by-id', values: [1] });
    await pool.query({ text: built, values });
    """
    assert problems(code) == [("HOS205", 4, 7, DYNAMIC)]
