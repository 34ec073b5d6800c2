"""Knex: the query builder (tables, joins, withSchema, reads/writes/locks) and
the schema builder (DDL), on instances known by their origin, with the
look-alikes that must stay quiet."""
from __future__ import annotations

import textwrap

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile
from hos_lint.testing import run_files

PATH = "services/coupon/src/a.ts"
KNEX = "import knex from 'knex';\nconst db = knex({ client: 'pg' });\n"


def accesses(code: str, path: str = PATH) -> list[tuple]:
    src = SourceFile(path, "coupon", Language.TYPESCRIPT)
    result = ts.extract(src, textwrap.dedent(code), ExtractConfig())
    return sorted((a.location.line, a.location.col, a.ref.display(), a.kind.value, a.via, a.operation)
                  for a in result.accesses)


def test_calling_the_instance_names_the_table_and_writes_decide_the_kind():
    code = KNEX + textwrap.dedent("""\
        await db('coupon_service.coupons').where({ id }).update({ used: true });
        await db('coupon_service.coupons').insert({ code });
        await db('coupon_service.coupons').where({ id }).del();
        await db('coupon_service.coupons').delete();
        await db('coupon_service.audit').truncate();
        await db('coupon_service.stats').increment('uses', 1);
        await db('coupon_service.coupons').where({ code }).first();
        await db('coupon_service.coupons').pluck('id');
        const n = await db('coupon_service.coupons').count('id');
        """)
    assert accesses(code) == [
        (3, 11, "coupon_service.coupons", "write", "knex", "update"),
        (4, 11, "coupon_service.coupons", "write", "knex", "insert"),
        (5, 11, "coupon_service.coupons", "write", "knex", "del"),
        (6, 11, "coupon_service.coupons", "write", "knex", "delete"),
        (7, 11, "coupon_service.audit", "write", "knex", "truncate"),
        (8, 11, "coupon_service.stats", "write", "knex", "increment"),
        (9, 11, "coupon_service.coupons", "read", "knex", "select"),
        (10, 11, "coupon_service.coupons", "read", "knex", "select"),
        (11, 21, "coupon_service.coupons", "read", "knex", "select"),
    ]


def test_from_into_table_aliases_with_schema_and_joins():
    code = KNEX + textwrap.dedent("""\
        await db.select('c.*').from('coupons as c').withSchema('coupon_service')
          .leftJoin('order_service.orders as o', 'o.id', 'c.order_id')
          .innerJoin('rules', 'rules.id', 'c.rule_id');
        await db.insert({ a: 1 }).into({ r: 'coupon_service.redemptions' });
        await db.table('Campaigns').update({ active: false });
        await db.withSchema('payment_service').from('payments').forUpdate().first();
        """)
    assert accesses(code) == [
        (3, 30, "coupon_service.coupons", "read", "knex", "select"),
        (4, 14, "order_service.orders", "read", "knex", "select"),
        (5, 15, "rules", "read", "knex", "select"),
        (6, 38, "coupon_service.redemptions", "write", "knex", "insert"),
        (7, 17, "Campaigns", "write", "knex", "update"),
        (8, 46, "payment_service.payments", "write", "knex", "LOCK"),
    ]


def test_instances_by_type_transaction_and_require():
    code = textwrap.dedent("""\
        import { Knex } from 'knex';
        const legacy = require('knex')({ client: 'pg' });
        export class CouponRepository {
          constructor(@InjectConnection() private readonly k: Knex) {}
          async redeem(id: string, trx: Knex.Transaction) {
            await trx('coupon_service.coupons').update({ used: true });
            await this.k.transaction(async (tx) => { await tx('order_service.orders').del(); });
            const held = await this.k.transaction();
            await held('coupon_service.audit').insert({ id });
            await legacy('coupon_service.coupons');
          }
        }
        """)
    assert accesses(code) == [
        (6, 16, "coupon_service.coupons", "write", "knex", "update"),
        (7, 56, "order_service.orders", "write", "knex", "del"),
        (9, 17, "coupon_service.audit", "write", "knex", "insert"),
        (10, 19, "coupon_service.coupons", "read", "knex", "select"),
    ]


def test_instance_imported_from_the_service_in_a_file_that_uses_knex():
    code = "import type { Knex } from 'knex';\nimport { db } from '../db';\nawait db('coupon_service.coupons').del();\n"
    assert accesses(code) == [(3, 11, "coupon_service.coupons", "write", "knex", "del")]
    # the same call in a file that shows no sign of knex
    assert accesses("import { db } from '../db';\nawait db('coupon_service.coupons').del();\n") == []
    # a module-level require is a sign of knex as much as an import is
    required = "const knex = require('knex');\nimport { db } from '../db';\nawait db('coupon_service.coupons').del();\n"
    assert accesses(required) == [(3, 11, "coupon_service.coupons", "write", "knex", "del")]
    # requiring a look-alike package is not
    assert accesses("const k = require('knex-utils');\nimport { db } from '../db';\n"
                    "await db('coupon_service.coupons').del();\n") == []


def test_lookalikes_named_like_knex_or_calling_with_table_strings():
    code = textwrap.dedent("""\
        import { t } from 'i18next';
        import moment from 'moment';
        import knexLike from './search-index';
        const knex = createSearchIndex();
        knex('order_service.orders').update({});
        t('order_service.orders');
        moment().from('order_service.orders');
        Array.from('order_service.orders');
        knexLike('order_service.orders').del();
        function purge(knex: SearchIndex) { knex('payment_service.payments').del(); }
        function load(knex) { return knex('payment_service.payments'); }
        """)
    assert accesses(code) == []


def test_schema_builder_is_ddl():
    code = textwrap.dedent("""\
        import type { Knex } from 'knex';
        export async function up(knex: Knex): Promise<void> {
          await knex.schema.withSchema('coupon_service').createTable('coupons', (t) => { t.uuid('id'); })
            .alterTable('rules', (t) => { t.dropColumn('x'); });
          await knex.schema.dropTableIfExists('order_service.legacy_coupons');
          await knex.schema.renameTable('coupon_service.old', 'new');
        }
        """)
    assert accesses(code) == [
        (3, 63, "coupon_service.coupons", "ddl", "knex", "createTable"),
        (4, 18, "coupon_service.rules", "ddl", "knex", "alterTable"),
        (5, 40, "order_service.legacy_coupons", "ddl", "knex", "dropTableIfExists"),
        (6, 34, "coupon_service.old", "ddl", "knex", "renameTable"),
    ]


def test_untyped_migration_and_seed_parameters_are_instances():
    code = textwrap.dedent("""\
        exports.up = function (db) {
          return db.schema.createTable('order_service.coupon_usage', () => {});
        };
        exports.seed = async (db) => { await db('coupon_service.coupons').insert([{ code: 'X' }]); };
        """)
    assert accesses(code, "services/coupon/migrations/001_init.js") == [
        (2, 33, "order_service.coupon_usage", "ddl", "knex", "createTable"),
        (4, 42, "coupon_service.coupons", "write", "knex", "insert"),
    ]
    # a helper that is not an exported migration function
    lookalike = "function up(db) { return db.schema.createTable('order_service.x', () => {}); }\n"
    assert accesses(lookalike, "services/coupon/migrations/helpers.js") == []


def test_knex_writes_and_ddl_on_another_services_tables_end_to_end():
    files = {
        "services/order/src/coupons.ts": KNEX + "await db('product_service.coupons').update({ used: true });\n",
        "services/order/migrations/001.ts": (
            "import type { Knex } from 'knex';\n"
            "export async function up(knex: Knex) {\n"
            "  await knex.schema.withSchema('auth_service').alterTable('users', (t) => t.integer('coupons'));\n"
            "}\n"
        ),
    }
    found = sorted((f.code, f.location.path, f.location.line, f.location.col, f.relation) for f in run_files(files))
    assert found == [
        ("HOS101", "services/order/src/coupons.ts", 3, 11, "product_service.coupons"),
        ("HOS103", "services/order/migrations/001.ts", 3, 60, "auth_service.users"),
    ]


def test_examples_cover_every_method():
    from hos_lint.extract.typescript import knex

    examples = "\n".join(knex.KNOWLEDGE.examples)
    for name in knex.TABLE_METHODS | knex.JOINS | knex.DDL | knex.LOCKS | set(knex.WRITES):
        assert f".{name}(" in examples, name
    for name in knex.MIGRATION_EXPORTS:
        assert any(f"{name}" in e and "knex" not in e for e in knex.KNOWLEDGE.examples), name
