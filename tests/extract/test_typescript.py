"""TypeScript/JavaScript extractor: exact accesses, facts and problems per snippet,
with the look-alikes that must not match next to the patterns that must."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.sql import SqlResult
from hos_lint.extract.typescript.prisma_queries import MAX_FIELD_PATH
from hos_lint.model import Anchor, ClientClass, Language, Location, SourceFile

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures"

PATH = "services/order/src/orders.ts"


def run(code: str, path: str = PATH, clients: tuple[str, ...] = ()):
    src = SourceFile(path, "order", Language.TYPESCRIPT)
    return ts.extract(src, textwrap.dedent(code), ExtractConfig(prisma_clients=clients))


def rows(code: str, path: str = PATH, clients: tuple[str, ...] = ()) -> list[tuple]:
    """(line, col, delegate, field_path, client_type, kind, operation) of every access."""
    result = run(code, path, clients)
    return [
        (a.location.line, a.location.col, a.ref.delegate, a.ref.field_path, a.ref.client_type, a.kind.value, a.operation)
        for a in result.accesses
    ]


def problems(code: str, path: str = PATH) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col, p.message) for p in run(code, path).problems]


@pytest.fixture
def sql_calls(monkeypatch):
    """Record every extract_sql call instead of analysing the SQL."""
    calls: list[dict] = []

    def record(text, origin, **kwargs):
        calls.append({"text": text, "origin": origin, **kwargs})
        return SqlResult()

    import hos_lint.extract.sql as sql_module  # typescript imports extract_sql at call time

    monkeypatch.setattr(sql_module, "extract_sql", record)
    return calls


# --- extractor surface ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.ts", True), ("a.tsx", True), ("a.js", True), ("a.jsx", True), ("a.mjs", True),
        ("a.cjs", True), ("A.TS", True), ("a.d.ts", False), ("a.py", False), ("a.json", False),
        ("a.tsbuildinfo", False),
    ],
)
def test_handles(path, expected):
    assert ts.handles(path) is expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"import { PrismaClient } from '@prisma/client'", True),
        (b"await tx.$queryRaw`SELECT 1`", True),
        (b"pool.query('SELECT 1')", True),
        (b"const k = require('knex')", True),
        (b"db.user.findMany()", True),
        (b"export const add = (a: number, b: number) => a + b;", False),
        (b"", False),
        # the triggers are whole call shapes: type arguments count, names that merely contain one do not
        (b"db.order.findMany<Order>({})", True),
        (b"this.db.raw<Row>('SELECT 1')", True),
        (b"db.$queryRawUnsafe(sql)", True),
        (b"function draw() { ctx.fill() }", False),
        (b"class T { get raw() { return 1 } }", False),
        (b"const order = findMany", False),
        (b"req.query.id", False),
    ],
)
def test_might_access_db(data, expected):
    assert ts.might_access_db(data) is expected


def _every_token_scan(data: bytes) -> bool:
    """The prefilter's definition: any library trigger occurs in the bytes."""
    return any(token in data for token in ts.PREFILTER_TOKENS)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*ts.PREFILTER_TOKENS, b".", b"(", b"<", b"$", b"x", b"_", b"..", b" ", b"\n",
                                 b".find", b"Many(", b"create", b"$query", b"a.b", b"9"]), max_size=12))
def test_the_one_scan_prefilter_answers_as_a_scan_per_token(parts):
    """``might_access_db`` finds the ``.name(`` triggers with one regex scan; on text built
    from triggers, their fragments and the characters around them, it answers exactly as
    looking for every token does (a miss would skip a file that touches the database)."""
    data = b"".join(parts)
    assert ts.might_access_db(data) is _every_token_scan(data)


def test_the_one_scan_prefilter_answers_as_a_scan_per_token_on_the_fixture():
    files = sorted(FIXTURE.rglob("*.ts"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert ts.might_access_db(data) is _every_token_scan(data), path


def test_might_access_db_accepts_configured_client_names():
    assert ts.might_access_db(b"store.thing", ExtractConfig(prisma_clients=("store",))) is True
    assert ts.might_access_db(b"other.thing", ExtractConfig(prisma_clients=("store",))) is False


@pytest.mark.parametrize(
    ("library", "example"), [(k.name, example) for k in ts.LIBRARIES for example in k.examples]
)
def test_every_recognised_call_passes_the_prefilter(library, example):
    """Each library's examples (one per pattern, built from the tables that drive
    extraction) yield a fact, and their bytes pass the prefilter without the
    configuration (as the pipeline calls it)."""
    result = run(example, clients=("db",))
    facts = [(a.ref.display(), a.via) for a in result.accesses]
    facts += [(p.code, p.message) for p in result.problems]
    facts += [(m.class_name, str(m.ref)) for m in result.orm_models]
    assert facts, example
    assert ts.might_access_db(example.encode()) is True


@pytest.mark.parametrize(
    ("library", "example"), [(k.name, example) for k in ts.LIBRARIES for example in k.examples]
)
def test_a_file_is_handed_to_every_library_whose_example_it_holds(library, example):
    """Calls go only to the libraries whose triggers occur in the file: each
    example's own library is among them without any configured client."""
    assert library in [k.name for k in ts.libraries_in(example.encode(), ExtractConfig())]


def test_a_configured_client_name_keeps_every_library():
    assert ts.libraries_in(b"store.thing()", ExtractConfig(prisma_clients=("store",))) == ts.LIBRARIES
    assert ts.libraries_in(b"other.thing()", ExtractConfig(prisma_clients=("store",))) == ()
    assert [k.name for k in ts.libraries_in(b"import { x } from 'slonik'", ExtractConfig())] == ["slonik"]


def test_handing_calls_to_the_triggered_libraries_only_changes_nothing(monkeypatch):
    """Every TS/JS file of the fixtures, extracted with the libraries its triggers
    select and with all of them: the same facts."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "fixtures"
    files = sorted(p for p in root.rglob("*") if p.is_file() and ts.handles(p.name))
    assert len(files) > 100
    config = ExtractConfig(comments=False)

    def extract_all():
        return [ts.extract(SourceFile(str(p), "s", Language.TYPESCRIPT), p.read_text("utf-8"), config)
                for p in files]

    gated = extract_all()
    monkeypatch.setattr(ts, "libraries_in", lambda data, config: ts.LIBRARIES)
    assert extract_all() == gated


def test_every_library_brings_examples_and_triggers():
    assert [k.name for k in ts.LIBRARIES] == [
        "prisma-client", "raw-sql", "typeorm", "mikro-orm", "sequelize", "drizzle", "knex", "kysely",
        "postgres.js", "vercel-postgres", "slonik", "pg-promise",
    ]
    for knowledge in ts.LIBRARIES:
        assert knowledge.examples and knowledge.triggers, knowledge.name
        assert knowledge.triggers <= set(ts.PREFILTER_TOKENS), knowledge.name


def test_examples_cover_every_prisma_operation_and_raw_sql_method():
    from hos_lint.extract.typescript import raw_sql

    examples = "\n".join(example for k in ts.LIBRARIES for example in k.examples)
    for op in ts.READ_OPS | ts.WRITE_OPS:
        assert f"db.order.{op}()" in examples
    for site in raw_sql.SITES:
        assert f".{site.method}" in examples


def test_generic_calls_are_extracted_like_plain_ones():
    code = "db.order.findMany<Order>({ include: { items: true } });\nthis.db.raw<Row>('SELECT * FROM t');\n"
    assert [(a.location.line, a.ref.delegate or a.ref.name, a.ref.field_path, a.via)
            for a in run(code, clients=("db",)).accesses] == [
        (1, "order", (), "prisma-client"), (1, "order", ("items",), "prisma-client"), (2, "t", (), "knex"),
    ]


def test_the_walker_hands_every_call_to_each_recogniser_in_its_scope():
    """A library is a recogniser in the table: the walker hands it every call
    (tagged templates included) with the scope it was met in."""
    from hos_lint.extract.typescript.prisma_clients import Clients
    from hos_lint.extract.typescript.sites import FileFacts
    from hos_lint.extract.typescript.walker import Walker

    code = "const db = new PrismaClient();\nf(g(1));\nfunction h(db) { db.x`t`; }\ndb.y(2);\n"
    host = ts.HostText(code)
    facts = FileFacts(SourceFile(PATH, "order", Language.TYPESCRIPT), host, Clients(host, ()), parse_sql=True)
    seen: list[tuple[str, str, str, bool]] = []

    def record(site, facts):
        receiver = site.function.child_by_field_name("object")
        client = facts.clients.of_expression(receiver, site.scope) if receiver is not None else None
        seen.append((host.node_text(site.function), site.arguments.type, host.node_text(site.call), client is not None))

    Walker(facts, [record, record]).visit_program(ts.parse_tree(host.data, PATH))
    assert seen == [
        ("f", "arguments", "f(g(1))", False), ("f", "arguments", "f(g(1))", False),
        ("g", "arguments", "g(1)", False), ("g", "arguments", "g(1)", False),
        ("db.x", "template_string", "db.x`t`", False), ("db.x", "template_string", "db.x`t`", False),
        ("db.y", "arguments", "db.y(2)", True), ("db.y", "arguments", "db.y(2)", True),
    ]


# --- client recognition ----------------------------------------------------------------


def test_module_client_created_with_new_prisma_client_is_definite():
    code = """\
    const prisma = new PrismaClient();
    await prisma.order.findMany();
    """
    assert rows(code) == [(2, 14, "order", (), None, "read", "findMany")]


def test_function_declared_above_module_client_still_sees_it():
    code = """\
    export function list() { return prisma.order.count(); }
    const prisma = new PrismaClient();
    """
    assert rows(code) == [(1, 40, "order", (), None, "read", "count")]


def test_nest_constructor_parameter_property_is_a_candidate_and_class_fact_emitted():
    code = """\
    export class PrismaService extends PrismaClient {}
    export class OrderService {
      constructor(private readonly prisma: PrismaService) {}
      list() { return this.prisma.order.findMany(); }
    }
    """
    result = run(code)
    assert rows(code) == [(4, 31, "order", (), "PrismaService", "read", "findMany")]
    assert result.client_classes == (
        ClientClass(service="order", name="PrismaService", base="PrismaClient", location=Location(PATH, 1, 14)),
    )


def test_class_field_typed_prisma_client_is_definite_via_this():
    code = """\
    class Repo {
      private db: PrismaClient;
      save() { this.db.order.create({ data: {} }); }
    }
    """
    assert rows(code) == [(3, 20, "order", (), None, "write", "create")]


def test_transaction_client_types_are_definite():
    code = """\
    function a(tx: Prisma.TransactionClient) { tx.order.update({}); }
    function b(c: PrismaClient | Prisma.TransactionClient) { c.item.delete({}); }
    function d(c: Omit<PrismaClient, '$connect'>) { c.item.upsert({}); }
    function e(c?: PrismaService | null) { c.item.count(); }
    """
    assert rows(code) == [
        (1, 47, "order", (), None, "write", "update"),
        (2, 60, "item", (), None, "write", "delete"),
        (3, 51, "item", (), None, "write", "upsert"),
        (4, 42, "item", (), "PrismaService", "read", "count"),
    ]


def test_transaction_callback_parameter_is_the_receivers_client():
    code = """\
    const prisma = new PrismaClient();
    await prisma.$transaction(async (tx) => {
      await tx.order.create({ data: {} });
    });
    prisma.$transaction(function (t) { return t.item.deleteMany(); });
    prisma.$transaction(t2 => t2.cart.delete({}));
    """
    assert rows(code) == [
        (3, 12, "order", (), None, "write", "create"),
        (5, 45, "item", (), None, "write", "deleteMany"),
        (6, 30, "cart", (), None, "write", "delete"),
    ]


def test_transaction_on_candidate_client_keeps_the_candidate_type():
    code = """\
    class S {
      constructor(private prisma: PrismaService) {}
      run() { return this.prisma.$transaction(async (tx) => tx.order.findFirst()); }
    }
    """
    assert rows(code) == [(3, 60, "order", (), "PrismaService", "read", "findFirst")]


def test_extends_result_is_the_same_client():
    code = """\
    const base = new PrismaClient();
    const xprisma = base.$extends({ result: {} }).$extends({});
    xprisma.order.findUnique({ where: { id } });
    """
    assert rows(code) == [(3, 9, "order", (), None, "read", "findUnique")]


def test_global_singleton_pattern_is_a_client():
    code = """\
    export const prisma = globalForPrisma.prisma ?? new PrismaClient();
    prisma.user.findFirstOrThrow();
    """
    assert rows(code) == [(2, 8, "user", (), None, "read", "findFirstOrThrow")]


def test_configured_client_names_are_definite():
    code = """\
    import { db } from './db';
    db.order.groupBy({ by: ['status'] });
    class S { m() { return this.db.item.aggregate({}); } }
    other.order.findMany();
    """
    assert rows(code, clients=("db",)) == [
        (2, 4, "order", (), None, "read", "groupBy"),
        (3, 32, "item", (), None, "read", "aggregate"),
    ]


def test_javascript_constructor_assignment_declares_the_field():
    code = """\
    class Repo {
      constructor() { this.prisma = new PrismaClient(); this.cache = new Map(); }
      all() { return this.prisma.order.findMany(); }
    }
    """
    assert rows(code, path="services/order/src/repo.js") == [(3, 30, "order", (), None, "read", "findMany")]


def test_this_inside_class_extending_prisma_client_is_definite():
    code = """\
    class Db extends PrismaClient {
      purge() { return this.session.deleteMany(); }
    }
    """
    assert rows(code) == [(2, 25, "session", (), None, "write", "deleteMany")]


def test_class_extending_something_else_makes_this_a_candidate_named_after_the_class():
    code = """\
    class OrderRepo extends Repository {
      all() { return this.order.findMany(); }
    }
    """
    result = run(code)
    assert rows(code) == [(2, 23, "order", (), "OrderRepo", "read", "findMany")]
    assert [(c.name, c.base) for c in result.client_classes] == [("OrderRepo", "Repository")]


def test_receiver_typed_as_repository_is_a_candidate_that_resolution_drops():
    code = """\
    class S {
      constructor(private readonly orders: Repository<Order>) {}
      all() { return this.orders.order.findMany(); }
    }
    """
    assert rows(code) == [(3, 30, "order", (), "Repository", "read", "findMany")]


def test_class_facts_for_every_identifier_base_and_none_for_expressions():
    code = """\
    class A extends B<C> {}
    abstract class D extends A {}
    class E extends mixin(F) {}
    class G {}
    """
    facts = [(c.name, c.base, c.location.line, c.location.col) for c in run(code).client_classes]
    assert facts == [("A", "B", 1, 7), ("D", "A", 2, 16)]


@pytest.mark.parametrize("op", sorted(ts.READ_OPS))
def test_every_read_operation(op):
    code = f"const p = new PrismaClient(); p.order.{op}();"
    assert rows(code) == [(1, 33, "order", (), None, "read", op)]


@pytest.mark.parametrize("op", sorted(ts.WRITE_OPS))
def test_every_write_operation(op):
    code = f"const p = new PrismaClient(); p.order.{op}();"
    assert rows(code) == [(1, 33, "order", (), None, "write", op)]


def test_optional_chain_and_non_null_receivers():
    code = """\
    const p = new PrismaClient();
    (await p).order?.findMany();
    """
    assert rows(code) == [(2, 11, "order", (), None, "read", "findMany")]


def test_columns_are_characters_not_bytes():
    code = 'const p = new PrismaClient(); const s = "héllo→"; p.order.count();\n'
    assert rows(code) == [(1, 53, "order", (), None, "read", "count")]


# --- relation traversal ----------------------------------------------------------------


def test_include_and_select_traversal_with_nesting_and_count():
    code = """\
    const p = new PrismaClient();
    p.order.findMany({
      where: { customer: { name: 'x' } },
      include: { items: true, customer: { include: { addresses: true } }, notes: false },
      select: { id: true, lines: { select: { product: true } }, _count: { select: { items: true } } },
    });
    """
    assert rows(code) == [
        (2, 3, "order", (), None, "read", "findMany"),
        (4, 14, "order", ("items",), None, "read", "include"),
        (4, 27, "order", ("customer",), None, "read", "include"),
        (4, 50, "order", ("customer", "addresses"), None, "read", "include"),
        (5, 13, "order", ("id",), None, "read", "select"),
        (5, 23, "order", ("lines",), None, "read", "select"),
        (5, 42, "order", ("lines", "product"), None, "read", "select"),
        (5, 81, "order", ("items",), None, "read", "select"),
    ]


def test_quoted_keys_and_variable_values():
    code = """\
    const p = new PrismaClient();
    p.order.findFirst({ include: { 'items': true, customer: withAddresses, [k]: true } });
    """
    assert rows(code) == [
        (2, 3, "order", (), None, "read", "findFirst"),
        (2, 32, "order", ("items",), None, "read", "include"),
    ]


def test_nested_writes_in_data():
    code = """\
    const p = new PrismaClient();
    p.order.create({
      data: {
        total: 3,
        meta: { kind: 'x' },
        items: { create: [{ product: { connectOrCreate: { where: {}, create: { tags: { connect: [] } } } } }] },
        customer: { connect: { id }, disconnect: true },
      },
    });
    """
    assert rows(code) == [
        (2, 3, "order", (), None, "write", "create"),
        (6, 5, "order", ("items",), None, "write", "create"),
        (6, 25, "order", ("items", "product"), None, "write", "connectOrCreate"),
        (6, 76, "order", ("items", "product", "tags"), None, "write", "connect"),
        (7, 5, "order", ("customer",), None, "write", "connect"),
        (7, 5, "order", ("customer",), None, "write", "disconnect"),
    ]


def test_upsert_branches_and_nested_update_data():
    code = """\
    const p = new PrismaClient();
    p.order.upsert({
      create: { lines: { create: {} } },
      update: { lines: { update: { where: { id }, data: { product: { set: [] } } } } },
    });
    """
    assert rows(code) == [
        (2, 3, "order", (), None, "write", "upsert"),
        (3, 13, "order", ("lines",), None, "write", "create"),
        (4, 13, "order", ("lines",), None, "write", "update"),
        (4, 55, "order", ("lines", "product"), None, "write", "set"),
    ]


def test_create_and_update_keys_of_non_upsert_are_not_data():
    code = """\
    const p = new PrismaClient();
    p.order.update({ where: { id }, create: { items: { create: {} } } });
    """
    assert rows(code) == [(2, 3, "order", (), None, "write", "update")]


# --- look-alikes that must not match ------------------------------------------------------


def test_lookalike_untyped_cache_field():
    code = """\
    class S {
      constructor(cache) { this.cache = createCache(); }
      m() { this.cache.user.create(); }
    }
    """
    assert rows(code, path="services/order/src/s.js") == []


def test_lookalike_map_typed_cache_field():
    code = """\
    class S {
      private cache: Map<string, User> = new Map();
      m() { this.cache.user.create(); }
    }
    """
    assert rows(code) == []


def test_lookalike_repository_method_named_like_an_operation():
    code = """\
    class S {
      constructor(private orderRepository: OrderRepository) {}
      m() { return this.orderRepository.findMany(); }
    }
    """
    assert rows(code) == []


def test_lookalike_map_named_like_a_model():
    code = """\
    const order = new Map();
    order.delete(k);
    class S { private users = new Map(); m() { this.users.get(id); this.users.delete(id); } }
    """
    assert rows(code) == []


def test_lookalike_untyped_receiver():
    assert rows("foo.user.create({ data: {} });") == []


def test_lookalike_calls_in_comments():
    code = """\
    const prisma = new PrismaClient();
    // prisma.order.findMany()
    /* prisma.order.delete({}) */
    """
    assert rows(code) == []


def test_lookalike_calls_in_string_and_template_text():
    code = """\
    const prisma = new PrismaClient();
    const a = 'prisma.order.findMany()';
    const b = `call prisma.order.delete() then ${a}`;
    """
    assert rows(code) == []


def test_lookalike_property_chain_without_call_is_no_access():
    code = """\
    const prisma = new PrismaClient();
    const f = prisma.order.findMany;
    const g = prisma.order.fields;
    """
    assert rows(code) == []


def test_lookalike_transaction_parameter_shadowed_by_inner_parameter():
    code = """\
    const prisma = new PrismaClient();
    prisma.$transaction(async (tx) => {
      jobs.forEach((tx: Queue) => tx.order.create({}));
      if (retry) { const tx = new Map(); tx.order.delete(k); }
      return tx.order.count();
    });
    """
    # The typed inner parameter only yields a candidate that resolution drops
    # unless Queue extends PrismaClient; the Map shadow yields nothing.
    assert rows(code) == [
        (3, 34, "order", (), "Queue", "write", "create"),
        (5, 13, "order", (), None, "read", "count"),
    ]


def test_lookalike_tx_parameter_of_unrelated_function():
    code = """\
    const prisma = new PrismaClient();
    function save(tx) { return tx.order.create({}); }
    queue.$transaction(async (tx) => tx.order.create({}));
    """
    assert rows(code) == []


def test_lookalike_client_methods_that_are_not_model_delegates():
    code = """\
    const prisma = new PrismaClient();
    await prisma.$connect();
    prisma.$on.findMany();
    prisma.$disconnect();
    """
    assert rows(code) == []


def test_lookalike_include_object_passed_to_non_prisma_call():
    code = """\
    const prisma = new PrismaClient();
    api.get('/orders', { include: { items: true }, data: { items: { create: {} } } });
    """
    assert rows(code) == []


def test_lookalike_shadowing_parameter_of_another_type():
    code = """\
    const prisma = new PrismaClient();
    function a(prisma: any) { return prisma.order.findMany(); }
    function b(prisma) { return prisma.order.findMany(); }
    function c() { const { prisma } = ctx; return prisma.order.findMany(); }
    for (const prisma of mocks) prisma.order.findMany();
    """
    assert rows(code) == []


def test_lookalike_plain_function_rebinds_this():
    code = """\
    class S {
      private prisma: PrismaClient;
      m() { return items.map(function () { return this.prisma.order.findMany(); }); }
    }
    """
    assert rows(code) == []


def test_lookalike_field_of_another_class_is_not_visible():
    code = """\
    class A { private prisma: PrismaClient; }
    class B { m() { return this.prisma.order.findMany(); } }
    """
    assert rows(code) == []


def test_explicit_type_overrides_configured_name():
    code = """\
    function f(db: Knex) { return db.order.findMany(); }
    function g(db) { return db.order.findMany(); }
    """
    assert rows(code, clients=("db",)) == [
        (1, 34, "order", (), "Knex", "read", "findMany"),
        (2, 28, "order", (), None, "read", "findMany"),
    ]


# --- anchors -----------------------------------------------------------------------------


def test_anchor_is_the_enclosing_statement_across_lines():
    code = """\
    const p = new PrismaClient();
    const rows = await p.order
      .findMany({
        take: 10,
      });
    """
    access = run(code).accesses[0]
    assert access.anchor == Anchor(2, 5, "const rows = await p.order .findMany({ take: 10, });")


def test_anchor_of_a_call_nested_in_arguments_is_the_call_chain():
    code = """\
    const p = new PrismaClient();
    await Promise.all([
      p.order.count().then(n => n),
      p.item.count(),
    ]);
    """
    anchors = [a.anchor for a in run(code).accesses]
    assert anchors == [Anchor(3, 3, "p.order.count().then(n => n)"), Anchor(4, 4, "p.item.count()")]


# --- parse errors ------------------------------------------------------------------------


def test_parse_error_is_reported_and_the_rest_still_extracted():
    code = """\
    const p = new PrismaClient();
    const x = ) 3;
    p.order.findMany();
    """
    assert problems(code) == [
        ("HOS901", 2, 11, "TypeScript parse error near ') 3;'; accesses in this region may be missed"),
    ]
    assert rows(code) == [(3, 3, "order", (), None, "read", "findMany")]


def test_clean_file_has_no_problems():
    assert problems("const p = new PrismaClient(); p.order.count();") == []


def test_tsx_file_uses_the_tsx_grammar():
    code = """\
    const prisma = new PrismaClient();
    export const Page = () => <div>{prisma.order.count()}</div>;
    """
    assert rows(code, path="services/web/page.tsx") == [(2, 40, "order", (), None, "read", "count")]
    assert problems(code, path="services/web/page.tsx") == []


def test_jsx_in_plain_js_file_falls_back_to_tsx_grammar():
    code = "const prisma = new PrismaClient();\nexport const Page = () => <div>{prisma.order.count()}</div>;\n"
    assert problems(code, path="services/web/page.js") == []
    assert rows(code, path="services/web/page.js") == [(2, 40, "order", (), None, "read", "count")]


def test_binary_and_empty_input_never_raise():
    assert run("").accesses == ()
    result = run("\x00\x01\ufffd prisma.order.findMany(")
    assert result.accesses == ()
    assert [p.code for p in result.problems] == ["HOS901"]


def test_deep_nesting_is_reported_not_crashing():
    code = "const p = new PrismaClient();\n" + "f(" * 400 + "p.order.count()" + ")" * 400 + ";\n"
    result = run(code)
    assert [p.code for p in result.problems] == ["HOS901"]
    assert "too deep" in result.problems[0].message


# --- raw SQL: the text and origin handed to extract_sql ---------------------------------


def literal_of(code: str, path: str = PATH):
    """sql_literal of the first argument of the first call in ``code`` (or the tagged template)."""
    host = ts.HostText(code)
    root = ts.parse_tree(host.data, path)
    stack = [root]
    while stack:
        node = stack.pop(0)
        if node.type == "call_expression":
            args = node.child_by_field_name("arguments")
            first = args if args.type == "template_string" else args.named_children[0]
            return ts.sql_literal(first, host)
        stack.extend(node.named_children)
    raise AssertionError("no call")


def test_raw_sql_keeps_a_relation_named_like_a_table_object_marker():
    code = "pool.query('CREATE TABLE hos_orm_table__0 (id int)');\nprisma.$executeRaw`CREATE TABLE orders (id int)`;"
    assert [(d.ref.display(), d.location.line) for d in run(code).relation_defs] == [
        ("hos_orm_table__0", 1), ("orders", 2),
    ]


def test_sql_literal_decodes_escapes_and_maps_back_to_host():
    code = "pool.query('SELECT *\\n\\tFROM \"orders\" WHERE a = \\'x\\'')"
    text, origin, placeholders = literal_of(code)
    assert text == "SELECT *\n\tFROM \"orders\" WHERE a = 'x'"
    assert placeholders == frozenset()
    assert origin.position(text.index("orders")) == (1, 31)
    assert origin.position(text.index("\t")) == (1, 23)  # the escape's own position
    assert origin.position(text.index("'x'") + 1) == (1, 51)


def test_sql_literal_template_interpolations_become_numbered_markers():
    code = "prisma.$queryRaw`SELECT * FROM orders\n  WHERE id = ${id} AND s IN (${Prisma.join(xs)})`"
    text, origin, placeholders = literal_of(code)
    assert text == "SELECT * FROM orders\n  WHERE id = $1 AND s IN ($2)"
    assert placeholders == frozenset({"$1", "$2"})
    assert origin.position(text.index("orders")) == (1, 32)
    assert origin.position(text.index("$1")) == (2, 14)
    assert origin.position(text.index("$2")) == (2, 30)


def test_sql_literal_markers_are_numbered_after_existing_bind_parameters():
    code = "pool.query(`SELECT * FROM t WHERE a = $1 AND b = $2 AND c = ${c}`)"
    text, _, placeholders = literal_of(code)
    assert text == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3"
    assert placeholders == frozenset({"$3"})


def test_sql_literal_joins_concatenated_literals():
    code = "knex.raw('SELECT * ' +\n  \"FROM orders \" + (`WHERE id = ${id}`))"
    text, origin, placeholders = literal_of(code)
    assert text == "SELECT * FROM orders WHERE id = $1"
    assert placeholders == frozenset({"$1"})
    assert origin.position(text.index("orders")) == (2, 9)
    assert origin.position(text.index("WHERE")) == (2, 22)


def test_sql_literal_unicode_and_hex_escapes_and_line_continuation():
    code = "q.query('SELECT \\u{41}\\x42\\u0043 \\\nFROM é_t')"
    text, origin, _ = literal_of(code)
    assert text == "SELECT ABC FROM é_t"
    assert origin.position(text.index("FROM")) == (2, 1)
    assert origin.position(text.index("B")) == (1, 23)


def test_sql_literal_columns_count_characters_after_non_ascii_host_text():
    code = "const ä = 1; pool.query('SELECT * FROM orders')"
    text, origin, _ = literal_of(code)
    assert origin.position(text.index("orders")) == (1, 40)


@pytest.mark.parametrize("arg", ["sql", "'SELECT ' + table", "build()", "`a` + b"])
def test_sql_literal_rejects_non_literals(arg):
    assert literal_of(f"pool.query({arg})") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT 1", True), ("  with x as (select 1) select * from x", True),
        ("-- note\nDELETE FROM t", True), ("/* c */ (select 1)", True), ("insert into t values (1)", True),
        ("id", False), ("selected", False), ("query { users }", False), ("", False),
    ],
)
def test_looks_like_sql(text, expected):
    assert ts.looks_like_sql(text) is expected


# --- raw SQL call sites ---------------------------------------------------------------------


def calls_of(calls: list[dict]) -> list[tuple]:
    return [(c["text"], c["via"], sorted(c["placeholders"]), c["anchor"].start_line, c["anchor"].end_line) for c in calls]


def test_prisma_raw_call_sites(sql_calls):
    code = """\
    const p = new PrismaClient();
    await p.$queryRaw`SELECT * FROM orders WHERE id = ${id}`;
    await p.$executeRaw`DELETE FROM carts`;
    await p.$queryRaw(Prisma.sql`SELECT * FROM items`);
    await p.$queryRawUnsafe('SELECT * FROM a WHERE x = $1', x);
    await p.$executeRawUnsafe(`TRUNCATE b`);
    """
    run(code)
    assert calls_of(sql_calls) == [
        ("SELECT * FROM orders WHERE id = $1", "prisma-raw", ["$1"], 2, 2),
        ("DELETE FROM carts", "prisma-raw", [], 3, 3),
        ("SELECT * FROM items", "prisma-raw", [], 4, 4),
        ("SELECT * FROM a WHERE x = $1", "prisma-raw", [], 5, 5),
        ("TRUNCATE b", "prisma-raw", [], 6, 6),
    ]
    assert sql_calls[0]["path"] == PATH and sql_calls[0]["service"] == "order"
    assert sql_calls[0]["anchor"].text == "await p.$queryRaw`SELECT * FROM orders WHERE id = ${id}`;"


def test_pg_knex_and_typeorm_call_sites(sql_calls):
    code = """\
    await pool.query('SELECT * FROM orders WHERE id = $1', [id]);
    await this.pool.query({ text: 'UPDATE carts SET n = 1', values });
    await knex.raw('select * from products');
    await this.manager.query(`DELETE FROM sessions`);
    await dataSource.query('SELECT 1');
    """
    assert problems(code) == []
    assert calls_of(sql_calls) == [
        ("SELECT * FROM orders WHERE id = $1", "pg", [], 1, 1),
        ("UPDATE carts SET n = 1", "pg", [], 2, 2),
        ("select * from products", "knex", [], 3, 3),
        ("DELETE FROM sessions", "typeorm", [], 4, 4),
        ("SELECT 1", "typeorm", [], 5, 5),
    ]


def test_prisma_sql_fragments_only_when_they_start_a_statement(sql_calls):
    code = """\
    const where = Prisma.sql`AND status = ${s}`;
    const q = Prisma.sql`SELECT id FROM orders WHERE 1 = 1 ${where}`;
    """
    run(code)
    assert calls_of(sql_calls) == [("SELECT id FROM orders WHERE 1 = 1 $1", "prisma-raw", ["$1"], 2, 2)]


def test_lookalike_query_with_non_sql_strings(sql_calls):
    code = """\
    router.query('id');
    const id = req.query('id');
    client.query(`query { users { id } }`);
    String.raw`SELECT * FROM nothing`;
    tag`SELECT * FROM nothing`;
    """
    assert problems(code) == []
    assert sql_calls == []


def test_sql_in_comments_and_plain_strings_is_not_a_call_site(sql_calls):
    code = """\
    // pool.query('SELECT * FROM orders')
    const s = "pool.query('SELECT * FROM orders')";
    """
    run(code)
    assert sql_calls == []


def test_concatenated_literals_are_not_dynamic_sql(sql_calls):
    code = "const p = new PrismaClient(); p.$queryRawUnsafe('SELECT' + ' literal');"
    assert problems(code) == []
    assert calls_of(sql_calls) == [("SELECT literal", "prisma-raw", [], 1, 1)]


def test_dynamic_sql_is_hos205_at_the_call():
    code = """\
    const p = new PrismaClient();
    await p.$queryRawUnsafe(sql);
    p.$executeRawUnsafe('DELETE FROM ' + table);
    await pool.query(buildQuery());
    this.db.query(text);
    knex.raw(q);
    """
    assert problems(code) == [
        ("HOS205", 2, 7, "SQL passed to $queryRawUnsafe is built at run time; its relations cannot be known statically"),
        ("HOS205", 3, 1, "SQL passed to $executeRawUnsafe is built at run time; its relations cannot be known statically"),
        ("HOS205", 4, 7, "SQL passed to .query is built at run time; its relations cannot be known statically"),
        ("HOS205", 5, 1, "SQL passed to .query is built at run time; its relations cannot be known statically"),
        ("HOS205", 6, 1, "SQL passed to .raw is built at run time; its relations cannot be known statically"),
    ]
    hos205 = run(code).problems[0]
    assert hos205.service == "order"
    assert hos205.anchor == Anchor(2, 2, "await p.$queryRawUnsafe(sql);")


def test_lookalike_non_literal_query_on_unknown_receiver_is_ignored():
    code = """\
    router.query(sql);
    this.http.query(params);
    Prisma.raw(column);
    """
    assert problems(code) == []


# --- raw SQL end to end (through extract_sql) ---------------------------------------------


def sql_rows(code: str) -> list[tuple]:
    return [
        (a.location.line, a.location.col, a.ref.schema, a.ref.name, a.kind.value, a.via, a.operation)
        for a in run(code).accesses
    ]


def test_end_to_end_template_sql_positions_map_into_the_host_file():
    code = """\
    const p = new PrismaClient();
    const rows = await p.$queryRaw`
      SELECT * FROM order_service.orders o
      JOIN items i ON i.order_id = o.id WHERE o.id = ${id}`;
    await pool.query('DELETE FROM carts WHERE id = $1', [id]);
    """
    assert sql_rows(code) == [
        (3, 17, "order_service", "orders", "read", "prisma-raw", "SELECT"),
        (4, 8, None, "items", "read", "prisma-raw", "SELECT"),
        (5, 31, None, "carts", "write", "pg", "DELETE"),
    ]
    anchors = {a.anchor for a in run(code).accesses}
    assert [(x.start_line, x.end_line) for x in sorted(anchors, key=lambda x: x.start_line)] == [(2, 4), (5, 5)]


def test_end_to_end_interpolated_identifier_is_hos205_at_the_interpolation():
    code = "const p = new PrismaClient();\np.$executeRawUnsafe(`UPDATE ${table} SET a = 1`);\n"
    assert [(p.code, p.location.line, p.location.col) for p in run(code).problems] == [("HOS205", 2, 29)]


def test_type_aliases_of_client_types():
    code = """\
    type Tx = Prisma.TransactionClient;
    export type Db = PrismaClient | Tx;
    type Shape = { id: string };
    function a(tx: Tx) { tx.order.count(); }
    function b(db: Db) { db.order.count(); }
    function c(s: Shape) { s.order.count(); }
    """
    assert rows(code) == [(4, 25, "order", (), None, "read", "count"), (5, 25, "order", (), None, "read", "count")]


def test_generic_tagged_template_is_not_a_parse_error(sql_calls):
    code = """\
    const p = new PrismaClient();
    const rows = await p.$queryRaw<{ id: string }[]>`SELECT id FROM orders WHERE id = ${id}`;
    """
    assert problems(code) == []
    assert calls_of(sql_calls) == [("SELECT id FROM orders WHERE id = $1", "prisma-raw", ["$1"], 2, 2)]


def test_real_error_after_a_generic_tagged_template_is_still_reported():
    code = "p.$queryRaw<Row[]>`SELECT 1`;\nconst x = ) 3;\n"
    assert [(p[0], p[1], p[2]) for p in problems(code)] == [("HOS901", 2, 11)]


def test_deeply_nested_include_is_cut_off_not_crashing():
    code = "const p = new PrismaClient();\np.order.findMany(" + "{ include: { a: " * 300 + "true" + " } }" * 300 + ");\n"
    result = run(code)
    assert len(result.accesses) == 1 + MAX_FIELD_PATH + 1
    assert result.accesses[-1].ref.field_path == ("a",) * (MAX_FIELD_PATH + 1)


@pytest.mark.parametrize("escape", ["\\u{FFFFFFFFFFFFFFFFFFFFFF}", "\\u{zz}", "\\x4", "\\"])
def test_malformed_escapes_never_raise(escape):
    assert isinstance(ts.decode_escape(escape), str)


_FRAGMENTS = st.sampled_from([
    "const p = new PrismaClient();", "p.order.findMany({ include: { a: true } })", "`", "'", "${", "}", "{",
    "(", ")", "\\", "pool.query('SELECT * FROM t')", "p.$queryRaw`SELECT ${x}`", "é", "\n", "class A extends B {",
    "async (tx) => tx.a.create({ data: { b: { create: {} } } })", "/*", "*/", "//", "<div>", "\x00",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=30), st.sampled_from(["a.ts", "a.tsx", "a.js"]))
def test_any_input_extracts_without_raising_and_positions_are_in_the_file(parts, path):
    code = " ".join(parts)
    lines = code.split("\n")
    result = ts.extract(SourceFile(path, "order", Language.TYPESCRIPT), code, ExtractConfig())
    for loc in [a.location for a in result.accesses] + [p.location for p in result.problems]:
        assert 1 <= loc.line <= len(lines) and 1 <= loc.col <= len(lines[loc.line - 1]) + 1


# --- tagged templates with type arguments ----------------------------------------------------
# tree-sitter reads ``tag<Row>`…``` as two comparisons where an expression may follow, and
# ``() => tag<Row[]>`…``` as the arrow tagging the template: both are the tag's call.

_PRISMA = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"
_POSTGRES = "import postgres from 'postgres';\nconst sql = postgres(url);\n"
_VERCEL = "import { sql } from '@vercel/postgres';\n"
_DRIZZLE = "import { sql } from 'drizzle-orm';\nimport { db } from './db';\n"
_Q = "`SELECT * FROM payment_service.payments`"


@pytest.mark.parametrize("code", [
    _PRISMA + f"export async function f() {{ const rows = await prisma.$queryRaw<User>{_Q}; return rows; }}\n",
    _PRISMA + f"export function f() {{ return prisma.$queryRaw<User>{_Q}; }}\n",
    _PRISMA + f"export const f = () => prisma.$queryRaw<User[]>{_Q};\n",
    _PRISMA + f"export const f = () => prisma.$queryRaw<User>{_Q};\n",
    _PRISMA + f"export const f = async () => await prisma.$queryRaw<User[]>{_Q};\n",
    _PRISMA + f"export async function f() {{ return prisma.$queryRaw<User[]>{_Q}; }}\n",
    _POSTGRES + f"export const rows = sql<Row>{_Q};\n",
    _POSTGRES + f"export const f = () => sql<Row[]>{_Q};\n",
    _VERCEL + f"export const rows = sql<Row>{_Q};\n",
    _DRIZZLE + f"export const f = () => db.execute(sql<number>{_Q});\n",
    _DRIZZLE + f"export const n = db.execute(sql<Count>{_Q});\n",
], ids=["prisma-await", "prisma-return", "prisma-arrow-array", "prisma-arrow", "prisma-async-arrow",
        "prisma-array", "postgres", "postgres-arrow", "vercel", "drizzle-arrow", "drizzle"])
def test_a_tagged_template_with_type_arguments_is_the_tags_call(code):
    result = run(code)
    assert [(a.ref.display(), a.location.line) for a in result.accesses] == [
        ("payment_service.payments", code.count("\n"))]
    assert result.problems == ()


@pytest.mark.parametrize("code", [
    f"const a = 1, b = 2;\nexport const x = a < b > {_Q};\n",  # two comparisons, no tag
    f"const sql = (s: TemplateStringsArray) => s;\nexport const x = sql<Row>{_Q};\n",  # a local tag
    f"import {{ sql }} from './not-a-driver';\nexport const f = () => sql<Row[]>{_Q};\n",
    _POSTGRES + f"export const f = (sql: Formatter) => sql<Row[]>{_Q};\n",  # the parameter shadows it
    _PRISMA + f"export const x = prisma.count < limit > {_Q};\n",  # a comparison on a client's member
])
def test_look_alikes_of_a_typed_tag_are_nothing(code):
    result = run(code)
    assert result.accesses == () and result.problems == ()
