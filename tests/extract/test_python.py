"""Python extractor: exact accesses, ORM models and problems per snippet, with
the look-alikes that must NOT match next to the patterns that must."""
from __future__ import annotations

import gc
import textwrap

import libcst as cst
import pytest

from hos_lint.extract import python as py
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Anchor, Language, Location, RelationRef, SourceFile

PATH = "services/order/app/repo.py"


def run(code: str, clients: tuple[str, ...] = ()):
    src = SourceFile(PATH, "order", Language.PYTHON)
    return py.extract(src, textwrap.dedent(code), ExtractConfig(prisma_clients=clients))


def rows(code: str, clients: tuple[str, ...] = ()) -> list[tuple]:
    """(line, col, ref as displayed, kind, via, operation) of every access."""
    return [
        (a.location.line, a.location.col, a.ref.display(), a.kind.value, a.via, a.operation)
        for a in run(code, clients).accesses
    ]


def problems(code: str) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col) for p in run(code).problems]


def models(code: str) -> list[tuple]:
    """(line, col, class_name, schema, name) of every ORM model."""
    return [
        (m.location.line, m.location.col, m.class_name, m.ref.schema, m.ref.name)
        for m in run(code).orm_models
    ]


def literal(code: str):
    """sql_literal of the value of the last statement ``x = <expr>`` in ``code``."""
    module, host = py.parse_host(code)
    statement = module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign)
    return py.sql_literal(assign.value, host)


def at(result, word: str, nth: int = 0) -> tuple[int, int]:
    """Host (line, col) of the nth occurrence of ``word`` in the extracted text."""
    text, origin, _ = result
    index = -1
    for _ in range(nth + 1):
        index = text.index(word, index + 1)
    return origin.position(index)


# --- the surface -------------------------------------------------------------------------


def test_handles_only_python_files():
    assert [py.handles(p) for p in ("a.py", "a.pyi", "a.ts", "py")] == [True, False, False, False]


def test_prefilter_keeps_db_code_and_skips_the_rest():
    assert py.might_access_db(b"cur.execute('SELECT 1')") is True
    assert py.might_access_db(b"from sqlalchemy import Table") is True
    assert py.might_access_db(b"import os\nprint(os.getcwd())\n") is False


# --- sql_literal: decoded text and origin --------------------------------------------------


def test_single_line_string_maps_table_name_to_host_column():
    result = literal('x = "SELECT * FROM orders"\n')
    assert result[0] == "SELECT * FROM orders"
    assert result[2] == frozenset()
    assert at(result, "orders") == (1, 20)


def test_implicit_concatenation_across_lines():
    code = 'x = ("SELECT * "\n     "FROM orders")\n'
    result = literal(code)
    assert result[0] == "SELECT * FROM orders"
    assert at(result, "orders") == (2, 12)
    assert at(result, "SELECT") == (1, 7)


def test_triple_quoted_multi_line_string():
    code = 'x = """\n    SELECT id\n      FROM order_service.orders\n"""\n'
    result = literal(code)
    assert result[0] == "\n    SELECT id\n      FROM order_service.orders\n"
    assert at(result, "order_service") == (3, 12)


def test_escapes_are_decoded_and_keep_positions():
    code = 'x = "SELECT\\t* FROM \\"Orders\\" WHERE a = \'\\x41\'"\n'
    result = literal(code)
    assert result[0] == "SELECT\t* FROM \"Orders\" WHERE a = 'A'"
    # the quote escape `\"` sits at col 21, `Orders` right after it
    assert at(result, '"Orders"') == (1, 21)
    assert at(result, "Orders") == (1, 23)
    assert at(result, "WHERE") == (1, 32)


def test_line_continuation_inside_a_string_joins_lines():
    code = 'x = "SELECT * \\\nFROM orders"\n'
    result = literal(code)
    assert result[0] == "SELECT * FROM orders"
    assert at(result, "orders") == (2, 6)


def test_raw_string_keeps_backslashes():
    result = literal("x = r'SELECT \\d FROM orders'\n")
    assert result[0] == "SELECT \\d FROM orders"
    assert at(result, "orders") == (1, 22)


def test_wide_characters_count_as_one_column():
    result = literal('x = "/* é */ SELECT * FROM orders"\n')
    assert at(result, "orders") == (1, 28)


@pytest.mark.parametrize(("code", "position"), [
    ("\x0ccur.execute('SELECT * FROM orders')", (1, 29)),  # and no final line break
    ("x = 1\n\x0ccur.execute('SELECT * FROM orders')\n", (2, 29)),
    ("x = 1\rcur.execute('SELECT * FROM orders')\r", (2, 28)),
])
def test_positions_count_characters_libcst_does_not_regenerate(code, position):
    """libcst drops a form feed that starts a line, and the last CR of a file
    whose lines end in CR alone: positions still count them."""
    assert [row[:3] for row in rows(code)] == [(*position, "orders")]


def test_fstring_fields_become_markers_at_their_brace():
    result = literal('x = f"SELECT * FROM {table} WHERE id = {{literal}} AND b = {b!r}"\n')
    assert result[0] == "SELECT * FROM $1 WHERE id = {literal} AND b = $2"
    assert result[2] == frozenset({"$1", "$2"})
    assert at(result, "$1") == (1, 21)
    assert at(result, "WHERE") == (1, 29)


def test_fstring_markers_are_numbered_after_existing_binds():
    result = literal('x = f"SELECT * FROM t WHERE a = $1 AND b = {b}"\n')
    assert result[0] == "SELECT * FROM t WHERE a = $1 AND b = $2"
    assert result[2] == frozenset({"$2"})


def test_dbapi_and_sqlalchemy_binds_in_a_plain_literal_stay():
    result = literal('x = "SELECT * FROM t WHERE a = %s AND b = %(b)s AND c = :c"\n')
    assert result[0] == "SELECT * FROM t WHERE a = %s AND b = %(b)s AND c = :c"
    assert result[2] == frozenset()


def test_percent_formatting_slots_become_markers():
    result = literal("x = \"SELECT * FROM %s WHERE name LIKE 'a%%' AND id = %(id)d\" % args\n")
    assert result[0] == "SELECT * FROM $1 WHERE name LIKE 'a%' AND id = $2"
    assert at(result, "$1") == (1, 20)


def test_format_fields_become_markers():
    result = literal('x = "SELECT * FROM {} WHERE a = \'{{}}\' AND b = {b}".format(t, b=b)\n')
    assert result[0] == "SELECT * FROM $1 WHERE a = '{}' AND b = $2"
    assert at(result, "$1") == (1, 20)


def test_plus_concatenation_with_a_non_literal_operand():
    result = literal('x = "SELECT * FROM " + table + " WHERE id = 1"\n')
    assert result[0] == "SELECT * FROM $1 WHERE id = 1"
    assert at(result, "$1") == (1, 24)
    assert at(result, "WHERE") == (1, 34)


@pytest.mark.parametrize("expr", ["table", "build_sql()", "a + b", "len('x') % 2", "1"])
def test_expressions_without_literals_are_not_sql_literals(expr):
    assert literal(f"x = {expr}\n") is None


# --- SQL strings in calls ---------------------------------------------------------------


def test_dbapi_psycopg_asyncpg_pandas_and_text_calls():
    code = '''\
    import pandas as pd
    from sqlalchemy import text

    async def handler(cur, conn, session, uid):
        cur.execute("SELECT * FROM order_service.orders WHERE id = %s", (uid,))
        cur.executemany("INSERT INTO order_items (id) VALUES (%s)", rows)
        await conn.fetchrow("SELECT * FROM payments WHERE id = $1", uid)
        await conn.execute("UPDATE carts SET x = 1")
        cur.copy_expert("COPY invoices TO STDOUT", out)
        cur.copy("COPY ledger FROM STDIN")
        pd.read_sql("SELECT * FROM stats", conn)
        session.execute(text("DELETE FROM audit WHERE id = :id"), {"id": uid})
        cur.execute(query="SELECT 1 FROM kw_table")
    '''
    assert rows(code) == [
        (5, 32, "order_service.orders", "read", "dbapi", "SELECT"),
        (6, 34, "order_items", "write", "dbapi", "INSERT"),
        (7, 40, "payments", "read", "asyncpg", "SELECT"),
        (8, 32, "carts", "write", "asyncpg", "UPDATE"),
        (9, 27, "invoices", "read", "dbapi", "COPY"),
        (10, 20, "ledger", "write", "dbapi", "COPY"),
        (11, 32, "stats", "read", "pandas", "SELECT"),
        (12, 39, "audit", "write", "sqlalchemy", "DELETE"),
        (13, 38, "kw_table", "read", "dbapi", "SELECT"),
    ]
    assert run(code).problems == ()


def test_non_sql_strings_and_non_db_calls_do_not_match():
    code = '''\
    import subprocess

    def build(executor, logger, client):
        """SELECT * FROM orders -- a docstring is not a query."""
        executor.execute("build")
        subprocess.run(["psql", "-c", "SELECT * FROM orders"])
        logger.info("SELECT * FROM orders")  # not a database call
        # cur.execute("SELECT * FROM orders")
        client.fetch("https://example.com/orders")
        message = "DELETE FROM orders"
        cur.execute  # not a call
    '''
    assert rows(code) == []
    assert run(code).problems == ()


def test_sql_in_a_module_constant_points_at_the_constant():
    code = '''\
    ORDERS_SQL = """
        SELECT id
          FROM order_service.orders
    """

    def load(cursor):
        cursor.execute(ORDERS_SQL)
    '''
    result = run(code)
    assert rows(code) == [(3, 12, "order_service.orders", "read", "dbapi", "SELECT")]
    assert result.accesses[0].anchor == Anchor(7, 7, "cursor.execute(ORDERS_SQL)")


def test_sql_extended_with_plus_equals_is_analysed_as_the_whole_text():
    code = '''\
    def load(cursor, status):
        sql = "SELECT * FROM orders o"
        sql += " JOIN customers c ON c.id = o.customer_id"
        cursor.execute(sql)
    '''
    assert rows(code) == [
        (2, 26, "orders", "read", "dbapi", "SELECT"),
        (3, 19, "customers", "read", "dbapi", "SELECT"),
    ]


def test_a_local_binding_shadows_the_module_constant():
    code = '''\
    SQL = "SELECT * FROM module_level"

    def load(cursor):
        SQL = "SELECT * FROM local_level"
        cursor.execute(SQL)

    def other(cursor):
        cursor.execute(SQL)
    '''
    assert rows(code) == [
        (1, 22, "module_level", "read", "dbapi", "SELECT"),
        (4, 26, "local_level", "read", "dbapi", "SELECT"),
    ]


# --- HOS205 -----------------------------------------------------------------------------------


def test_identifier_interpolations_are_hos205_value_interpolations_are_binds():
    code = '''\
    def load(cur, table, uid):
        cur.execute(f"SELECT * FROM {table}")
        cur.execute(f"SELECT * FROM orders WHERE id = {uid}")
        cur.execute("SELECT * FROM %s" % table)
        cur.execute("SELECT * FROM {}".format(table))
        cur.execute("SELECT * FROM " + table)
        cur.execute("SELECT * FROM carts WHERE id = %s" % uid)
    '''
    assert rows(code) == [
        (3, 33, "orders", "read", "dbapi", "SELECT"),
        (7, 32, "carts", "read", "dbapi", "SELECT"),
    ]
    assert problems(code) == [
        ("HOS205", 2, 33),
        ("HOS205", 4, 32),
        ("HOS205", 5, 32),
        ("HOS205", 6, 36),
    ]


def test_unresolvable_sql_variables_on_clear_db_calls_are_hos205():
    code = '''\
    from sqlalchemy import text
    import pandas as pd
    from app.queries import REPORT_SQL

    def load(cursor, session, conn, sql: str, stmt: Select, name):
        cursor.execute(sql)
        session.execute(text(name))
        pd.read_sql(REPORT_SQL, conn)
        q = "SELECT * FROM a"
        q = "SELECT * FROM b"
        cursor.execute(q)
        session.execute(stmt)
        built = select(Order)
        session.execute(built)
        executor.execute(sql)
        runner.execute(name)
    '''
    assert problems(code) == [
        ("HOS205", 6, 5),
        ("HOS205", 7, 21),
        ("HOS205", 8, 5),
        ("HOS205", 11, 5),
    ]
    messages = [p.message for p in run(code).problems]
    assert messages[0] == (
        "SQL passed to .execute() is the parameter `sql`; its relations cannot be known statically"
    )
    assert messages[2] == (
        "SQL passed to read_sql() is `REPORT_SQL`, imported from another module; "
        "its relations cannot be known statically"
    )


def test_awaited_asyncpg_fetch_with_a_variable_is_hos205_on_any_receiver():
    code = '''\
    async def load(repo, query):
        await repo.fetch(query)
        repo.fetch(query)
    '''
    assert problems(code) == [("HOS205", 2, 11)]


# --- SQLAlchemy models -----------------------------------------------------------------------


def test_core_tables_with_explicit_and_metadata_schema():
    code = '''\
    import sqlalchemy as sa
    from sqlalchemy import Column, MetaData, Table

    metadata = MetaData(schema="auth_service")
    plain = MetaData()
    users = Table("users", metadata, Column("id", sa.Integer))
    orders = Table("orders", plain, Column("id"), schema="order_service")
    tokens = sa.Table("RefreshTokens", metadata)
    legacy = Table("legacy", plain)
    '''
    assert models(code) == [
        (6, 9, "users", "auth_service", "users"),
        (7, 10, "orders", "order_service", "orders"),
        (8, 10, "tokens", "auth_service", "RefreshTokens"),
        (9, 10, "legacy", None, "legacy"),
    ]
    assert run(code).orm_models[2].ref == RelationRef(name="RefreshTokens", schema="auth_service", quoted=True)


def test_tables_that_are_not_sqlalchemy_do_not_match():
    code = '''\
    from rich.table import Table
    from sqlalchemy import Table as SaTable

    results = Table("Results")
    styled = Table("Results", title)

    def render():
        class Table:
            pass
        return Table("x", y)

    no_metadata = SaTable("orders")
    computed = SaTable(name, metadata)
    '''
    assert models(code) == []


def test_declarative_models_and_schema_sources():
    code = '''\
    from sqlalchemy import Index, MetaData
    from sqlalchemy.orm import DeclarativeBase, declarative_base

    Base = declarative_base(metadata=MetaData(schema="order_service"))

    class CatalogBase(DeclarativeBase):
        metadata = MetaData(schema="product_service")

    class Order(Base):
        __tablename__ = "orders"

    @decorated
    class Product(CatalogBase):
        __tablename__ = "products"

    class Item(Base):
        __tablename__ = "order_items"
        __table_args__ = (Index("ix_item"), {"schema": "legacy"})

    class Mixin:
        pass

    class Note(Mixin, Base):
        __tablename__ = "notes"
        __table_args__ = {"schema": "notes_service", "comment": "x"}

    class NotAModel(Base):
        name = "orders"
    '''
    assert models(code) == [
        (9, 1, "Order", "order_service", "orders"),
        (13, 1, "Product", "product_service", "products"),
        (16, 1, "Item", "legacy", "order_items"),
        (23, 1, "Note", "notes_service", "notes"),
    ]


def test_metadata_schema_through_a_named_metadata_and_base_metadata():
    code = '''\
    from sqlalchemy import MetaData, Table
    from sqlalchemy.orm import declarative_base

    meta = MetaData(schema="search_service")
    Base = declarative_base(metadata=meta)

    class Doc(Base):
        __tablename__ = "docs"

    tags = Table("tags", Base.metadata)
    '''
    assert models(code) == [
        (7, 1, "Doc", "search_service", "docs"),
        (10, 8, "tags", "search_service", "tags"),
    ]


# --- SQLAlchemy uses ---------------------------------------------------------------------------


ORM_HEADER = '''\
from sqlalchemy import Table, MetaData, select, insert, update, delete
from app.models import Customer

metadata = MetaData()
users = Table("users", metadata)

class Order(Base):
    __tablename__ = "orders"

'''


def test_statement_constructors_and_table_methods():
    code = ORM_HEADER + '''\
def f(session, my_list):
    session.execute(select(Order.id, Order.total, Customer))
    session.execute(insert(Order).values(id=1))
    session.execute(update(Customer).where(Customer.id == 1))
    session.execute(delete(users))
    users.select()
    users.insert()
    select(Order).join(Customer)
    select(my_list)
    select(Unknown)
    my_list.insert(0, Order)
'''
    assert rows(code) == [
        (11, 28, "Order", "read", "sqlalchemy", "select"),
        (11, 51, "Customer", "read", "sqlalchemy", "select"),
        (12, 28, "Order", "write", "sqlalchemy", "insert"),
        (13, 28, "Customer", "write", "sqlalchemy", "update"),
        (14, 28, "users", "write", "sqlalchemy", "delete"),
        (15, 5, "users", "read", "sqlalchemy", "select"),
        (16, 5, "users", "write", "sqlalchemy", "insert"),
        (17, 12, "Order", "read", "sqlalchemy", "select"),
        (17, 24, "Customer", "read", "sqlalchemy", "select"),
    ]


def test_session_methods():
    code = ORM_HEADER + '''\
def f(session, db, order_id, payload):
    session.query(Order).filter(Order.id == order_id).all()
    db.get(Customer, order_id)
    session.add(Order(id=1))
    session.add_all([Customer(id=1), Order(id=2)])
    session.add_all([Order(**row) for row in payload])
    session.query(Customer).filter(Customer.id == 1).delete()
    session.delete(order)
    session.add(order)
    session.query(my_list)
    cache.get(Order, 1)
    cache.add(Order(id=1))
'''
    assert rows(code) == [
        (11, 19, "Order", "read", "sqlalchemy", "query"),
        (12, 12, "Customer", "read", "sqlalchemy", "get"),
        (13, 17, "Order", "write", "sqlalchemy", "add"),
        (14, 22, "Customer", "write", "sqlalchemy", "add"),
        (14, 38, "Order", "write", "sqlalchemy", "add"),
        (15, 22, "Order", "write", "sqlalchemy", "add"),
        (16, 19, "Customer", "write", "sqlalchemy", "delete"),
        (16, 19, "Customer", "read", "sqlalchemy", "query"),
    ]


def test_select_that_is_not_sqlalchemy_does_not_match():
    code = '''\
    from selectors import select
    from app.models import Order

    select(Order)
    '''
    assert rows(code) == []


# --- Prisma Client Python -----------------------------------------------------------------------


def test_prisma_clients_by_construction_annotation_and_self():
    code = '''\
    from prisma import Prisma

    db = Prisma()

    async def handler(client: Prisma, other):
        await db.user.find_many(where={"id": 1})
        await client.orderitem.create(data={})
        await other.user.create(data={})

    class Repo:
        def __init__(self, prisma: Prisma | None = None):
            self.prisma = prisma
            self.cache = Cache()

        async def go(self):
            await self.prisma.order.upsert(where={}, data={})
            await self.cache.order.delete()
            async with db.tx() as tx:
                await tx.payment.group_by(by=["id"])
    '''
    assert rows(code) == [
        (6, 14, "user", "read", "prisma-client-python", "find_many"),
        (7, 18, "orderitem", "write", "prisma-client-python", "create"),
        (16, 27, "order", "write", "prisma-client-python", "upsert"),
        (19, 22, "payment", "read", "prisma-client-python", "group_by"),
    ]


def test_prisma_look_alikes_do_not_match():
    code = '''\
    from prisma import Prisma
    from other import Client

    client = Client()
    local = Prisma
    db = Prisma()

    def f(db, repo):
        db.user.create(data={})
        repo.user.find_many()
        client.user.find_many()
        local.user.find_many()
    '''
    assert rows(code) == []


def test_configured_prisma_client_names():
    code = '''\
    async def f():
        await db.user.find_first()
        await self.db.order.delete_many()
        await other.order.delete_many()
    '''
    assert rows(code, clients=("db",)) == [
        (2, 14, "user", "read", "prisma-client-python", "find_first"),
        (3, 19, "order", "write", "prisma-client-python", "delete_many"),
    ]


def test_prisma_raw_sql():
    code = '''\
    from prisma import Prisma

    db = Prisma()

    async def f(sql):
        await db.query_raw("SELECT * FROM order_service.orders WHERE id = $1", 1)
        await db.execute_raw(sql)
    '''
    assert rows(code) == [(6, 39, "order_service.orders", "read", "prisma-client-python", "SELECT")]
    assert problems(code) == [("HOS205", 7, 11)]


# --- asyncpg copy_to_table ----------------------------------------------------------------------


def test_asyncpg_copy_table_methods():
    code = '''\
    async def f(conn, rows):
        await conn.copy_to_table("orders", source="o.csv", schema_name="order_service")
        await conn.copy_records_to_table("Items", records=rows)
        await conn.copy_from_table(table_name="invoices", output="i.csv")
        await conn.copy_to_table(name, source="x")
    '''
    assert rows(code) == [
        (2, 31, "order_service.orders", "write", "asyncpg", "COPY"),
        (3, 39, "Items", "write", "asyncpg", "COPY"),
        (4, 44, "invoices", "read", "asyncpg", "COPY"),
    ]


# --- anchors, parse errors --------------------------------------------------------------------


def test_anchor_spans_the_whole_multi_line_statement():
    code = '''\
    def f(cur):
        cur.execute(
            """
            SELECT *
              FROM orders
            """,
        )
        if session.query(Order).count():
            pass
    '''
    result = run(code)
    assert [a.anchor for a in result.accesses] == [
        Anchor(2, 7, 'cur.execute( """ SELECT * FROM orders """, )'),
    ]


def test_anchor_in_a_compound_statement_header_is_that_header():
    code = '''\
    from app.models import Order

    def f(session):
        if session.query(Order).count() > 1:
            pass
    '''
    result = run(code)
    assert [(a.location.line, a.anchor) for a in result.accesses] == [
        (4, Anchor(4, 4, "session.query(Order).count() > 1")),
    ]


def test_syntax_error_is_one_hos901_and_nothing_else():
    code = '''\
    cur.execute("SELECT * FROM orders")
    def broken(:
        pass
    '''
    result = run(code)
    assert result.accesses == ()
    # at the offending `:` (CPython's position; libcst reports the next line)
    assert [(p.code, p.location, p.message) for p in result.problems] == [
        ("HOS901", Location(PATH, 2, 12), "Python syntax error: invalid syntax"),
    ]


@pytest.mark.parametrize(("code", "position"), [
    ("0=\n0", (1, 1)),
    ("x = (1,", (1, 5)),
    ("def f():", (1, 9)),
    ("if x:\n  y\n z\n", (3, 3)),
])
def test_syntax_error_positions_stay_inside_the_file(code, position):
    result = py.extract(SourceFile(PATH, "order", Language.PYTHON), code, ExtractConfig())
    assert [(p.code, p.location.line, p.location.col) for p in result.problems] == [("HOS901", *position)]


def test_bad_input_never_raises():
    assert run("").accesses == ()
    assert run("\x00\x01").problems[0].code == "HOS901"
    # libcst's native parser would crash the process on this: reported unparsed
    deep = "y = 1\nx = " + "(" * 2000 + "1" + ")" * 2000 + "\n"
    assert [(p.code, p.location.line, p.location.col) for p in run(deep).problems] == [("HOS901", 2, 1)]
    shallow = "x = " + "(" * 150 + "1" + ")" * 150 + "\n"
    assert run(shallow).problems == ()


def test_a_deep_expression_matters_only_where_something_is_reported():
    """Positions come from the code of the statements that report, generated
    alone: an expression too deep for code generation elsewhere in the file
    (but not for the walk) no longer keeps the file from being analysed; in a
    statement that reports, the file is still reported unanalysed."""
    deep = "-" * 600 + "1"
    elsewhere = run(f"import psycopg\nx = {deep}\ncursor.execute('DELETE FROM auth_service.users')\n")
    assert [(a.location.line, a.location.col, a.ref.display()) for a in elsewhere.accesses] == [
        (3, 29, "auth_service.users")]
    assert (elsewhere.problems, elsewhere.skipped) == ((), None)
    here = run(f"import psycopg\nx = 1\ncursor.execute('DELETE FROM auth_service.users', {deep})\n")
    assert [(p.code, p.location.line, p.location.col, p.message) for p in here.problems] == [
        ("HOS901", 1, 1, "Python file is nested too deeply to analyse")]
    assert here.accesses == ()


def test_extraction_leaves_the_garbage_collector_as_it_found_it():
    code = "import psycopg\ncursor.execute('SELECT * FROM orders')\n"
    assert gc.isenabled()
    assert len(run(code).accesses) == 1
    assert gc.isenabled()
    gc.disable()
    try:
        assert len(run(code).accesses) == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert run("x = (\n").problems[0].code == "HOS901"
    assert gc.isenabled()


def test_a_files_tree_is_freed_when_its_extraction_returns():
    """No reference cycle keeps a libcst tree alive for the cyclic collector to find."""
    code = "from app.models import Order\n" + "class Repo:\n    def get(self, session):\n        return session.query(Order).all()\n" * 20
    run(code)
    gc.collect()
    gc.disable()
    try:
        before = sum(isinstance(o, cst.CSTNode) for o in gc.get_objects())
        assert len(run(code).accesses) == 20
        after = sum(isinstance(o, cst.CSTNode) for o in gc.get_objects())
    finally:
        gc.enable()
    assert after == before


def test_class_constants_through_self_cls_and_the_class_name():
    code = '''\
    class Repo:
        LIST_SQL = "SELECT * FROM orders"
        STATE = "SELECT * FROM changing"

        def __init__(self):
            self.STATE = pick()

        def list(self, cur):
            cur.execute(self.LIST_SQL)
            cur.execute(Repo.LIST_SQL)
            cur.execute(self.STATE)
            cur.execute(self.MISSING)
    '''
    assert rows(code) == [
        (2, 31, "orders", "read", "dbapi", "SELECT"),
        (2, 31, "orders", "read", "dbapi", "SELECT"),
    ]
    assert [a.anchor.start_line for a in run(code).accesses] == [9, 10]
    assert run(code).problems == ()


def test_models_inside_sql_functions_and_labels():
    code = ORM_HEADER + '''\
def f(session):
    session.execute(select(func.count(Order.id), Customer.name.label("n")))
    session.add(wrap(Order))
    session.add(Order(customer=Customer(id=1)))
'''
    assert rows(code) == [
        (11, 39, "Order", "read", "sqlalchemy", "select"),
        (11, 50, "Customer", "read", "sqlalchemy", "select"),
        (13, 17, "Order", "write", "sqlalchemy", "add"),
    ]
