"""pg-promise: the query methods of a database or task known by its origin,
pg-promise's own variable syntax, QueryFiles and prepared statements."""
from __future__ import annotations

from .tagged_helpers import accesses, problems

DB = "import pgPromise from 'pg-promise';\nconst pgp = pgPromise();\nconst db = pgp(process.env.DATABASE_URL!);\n"


def test_methods_with_literal_sql_and_pg_promise_variables():
    code = DB + """\
await db.none('UPDATE ledger_service.accounts SET balance = ${balance} WHERE id = $<id>', { balance, id });
const row = await db.oneOrNone('SELECT * FROM ledger_service.entries WHERE id = $1 AND kind = $2:raw', [id, k]);
await db.any(`SELECT * FROM order_service.orders WHERE id = $(id) AND c = ${jsValue}`, { id });
await db.result('DELETE FROM ledger_service.holds WHERE id IN ($1:csv)', [ids]);
"""
    assert accesses(code) == [
        (4, 23, "ledger_service.accounts", "write", "pg-promise", "UPDATE"),
        (5, 47, "ledger_service.entries", "read", "pg-promise", "SELECT"),
        (6, 29, "order_service.orders", "read", "pg-promise", "SELECT"),
        (7, 30, "ledger_service.holds", "write", "pg-promise", "DELETE"),
    ]
    assert problems(code) == []


def test_a_variable_naming_a_relation_is_hos205_at_the_variable():
    code = DB + "await db.any('SELECT * FROM ${table:name} WHERE id = $1', [id]);\nawait db.none('DELETE FROM $1~', [t]);\n"
    assert [p[:3] for p in problems(code)] == [("HOS205", 4, 29), ("HOS205", 5, 28)]


def test_tasks_transactions_types_and_prepared_statements():
    code = """\
import pgPromise, { IDatabase, PreparedStatement } from 'pg-promise';
export class Ledger {
  constructor(private readonly db: IDatabase<unknown>) {}
  async move(id: string) {
    await this.db.tx('move', async (t) => {
      await t.none('UPDATE ledger_service.accounts SET held = true WHERE id = $1', [id]);
      await t.none(new PreparedStatement({ name: 'del', text: 'DELETE FROM ledger_service.holds WHERE id = $1' }));
    });
    await this.db.task((task) => task.any({ text: 'SELECT * FROM payment_service.payments' }));
  }
}
"""
    assert accesses(code) == [
        (6, 28, "ledger_service.accounts", "write", "pg-promise", "UPDATE"),
        (7, 76, "ledger_service.holds", "write", "pg-promise", "DELETE"),
        (9, 66, "payment_service.payments", "read", "pg-promise", "SELECT"),
    ]


def test_query_files_are_read_elsewhere_and_other_values_are_hos205():
    code = DB + """\
import { QueryFile } from 'pg-promise';
import { accounts } from '../sql';
const findAll = new QueryFile('./sql/find-all.sql', { minify: true });
await db.any(findAll);
await db.any(accounts.add, [1]);
await db.any(new pgp.QueryFile('./x.sql'));
await db.none('DELETE FROM ledger_service.' + table);
await db.any(built);
"""
    assert [p[:4] for p in problems(code)] == [
        ("HOS205", 10, 7, "SQL passed to .none is built at run time; its relations cannot be known statically"),
        ("HOS205", 11, 7, "SQL passed to .any is built at run time; its relations cannot be known statically"),
    ]


def test_lookalike_methods_on_other_receivers():
    code = """\
import { Observable } from 'rxjs';
const stream = new Observable();
const list = [1, 2];
list.map('SELECT * FROM ledger_service.entries');
stream.any?.('DELETE FROM ledger_service.entries');
function check(store: Store) { store.none('DELETE FROM ledger_service.entries'); store.one(built); }
"""
    assert accesses(code) == []
    assert problems(code) == []


def test_examples_cover_every_method():
    from hos_lint.extract.typescript import pg_promise

    examples = "\n".join(pg_promise.KNOWLEDGE.examples)
    for name in pg_promise.METHODS:
        assert f"db.{name}(" in examples, name
