"""Prisma Schema Language parser and extractor: exact results, look-alikes that
must not match, error recovery and hostile input."""
from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hos_lint.extract import prisma
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.prisma import BlockKind, ValueKind, parse_schema
from hos_lint.model import ExtractResult, Language, Location, SourceFile

PATH = "services/order/prisma/schema.prisma"
SRC = SourceFile(PATH, "order", Language.PRISMA)
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/prisma-large/prisma/schema.prisma"
PREFIX = "Prisma schema parse error: "


def schema(text: str) -> str:
    """Dedent a test schema; line 1 is the first line after the opening quotes."""
    return textwrap.dedent(text).lstrip("\n")


def run(text: str) -> ExtractResult:
    return prisma.extract(SRC, text, ExtractConfig())


def models(result: ExtractResult) -> list[tuple]:
    return [(m.name, m.db_name, m.schema, m.is_view, m.location.line, m.location.col)
            for m in result.models]


def fields(result: ExtractResult, model: str) -> list[tuple]:
    found = next(m for m in result.models if m.name == model)
    return [(f.name, f.type, f.location.line, f.location.col, f.is_list, f.optional, f.db_name)
            for f in found.fields]


def relations(result: ExtractResult, model: str) -> list[tuple]:
    found = next(m for m in result.models if m.name == model)
    return [(f.name, f.relation_name, f.relation_fields, f.relation_references)
            for f in found.fields if "relation" in f.attributes]


def problems(result: ExtractResult) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col, p.message) for p in result.problems]


# --- extractor surface ----------------------------------------------------------


def test_extractor_surface():
    assert (prisma.NAME, prisma.LANGUAGE) == ("prisma", Language.PRISMA)
    assert [prisma.handles(p) for p in (
        "prisma/schema.prisma", "prisma/schema/orders.prisma",
        "schema.prisma.bak", "src/prisma.ts", "prisma/schema",
    )] == [True, True, False, False, False]
    assert prisma.might_access_db(b"") is True


def test_schema_yields_models_but_no_accesses():
    result = run("model A {\n  id Int @id\n}\n")
    assert (result.path, result.service, result.accesses) == (PATH, "order", ())
    assert models(result) == [("A", "A", None, False, 1, 1)]


# --- models and fields ------------------------------------------------------------


ORDER = schema('''
    /// An order.
    model Order {
      id        Int                 @id @default(autoincrement())
      buyerId   String              @map("buyer_id") @db.Uuid
      items     OrderItem[]
      note      String?             @db.VarChar(255)
      geom      Unsupported("geometry(Point, 4326)")?
      tags      String[]            @default([])

      @@index([buyerId], map: "orders_buyer_idx")
      @@map("orders")
      @@schema("order_service")
    }
''')


def test_model_fields_types_and_positions():
    result = run(ORDER)
    assert models(result) == [("Order", "orders", "order_service", False, 2, 1)]
    assert fields(result, "Order") == [
        ("id", "Int", 3, 3, False, False, None),
        ("buyerId", "String", 4, 3, False, False, "buyer_id"),
        ("items", "OrderItem", 5, 3, True, False, None),
        ("note", "String", 6, 3, False, True, None),
        ("geom", "Unsupported", 7, 3, False, True, None),
        ("tags", "String", 8, 3, True, False, None),
    ]
    assert [f.attributes for f in result.models[0].fields] == [
        ("id", "default"), ("map", "db.Uuid"), (), ("db.VarChar",), (), ("default",),
    ]
    assert result.models[0].schema_location == Location(PATH, 12, 3)
    assert result.problems == ()


def test_unsupported_type_keeps_its_argument_in_the_document():
    field = parse_schema(ORDER).blocks[0].fields[4]
    assert (field.name, field.type, field.type_arg, field.optional) == (
        "geom", "Unsupported", "geometry(Point, 4326)", True)


def test_model_without_map_or_schema_uses_its_name():
    result = run("model AuditEntry {\n  id Int @id\n}\n")
    assert models(result) == [("AuditEntry", "AuditEntry", None, False, 1, 1)]
    assert result.models[0].schema_location is None


def test_named_arguments_of_map_and_schema():
    # Prisma names the arguments `name` for @map / @@map and `map` for @@schema.
    result = run(schema('''
        model Order {
          id Int @id @map(name: "order_id")
          @@map(name: "orders")
          @@schema(map: "order_service")
        }
    '''))
    assert models(result) == [("Order", "orders", "order_service", False, 1, 1)]
    assert fields(result, "Order") == [("id", "Int", 2, 3, False, False, "order_id")]
    assert result.problems == ()


def test_map_or_schema_that_prisma_rejects_is_reported_and_the_model_left_out():
    text = schema('''
        model A {
          id Int @id @map(orders)
        }
        model B {
          id Int @id
          @@map(42)
        }
        model C {
          id Int @id
          @@schema(name: "order_service")
        }
        model D {
          id Int @id
          @@map("d", "e")
          @@map(map: "f")
        }
        model E {
          id Int @id
          @@schema("x")
          @@schema("y")
        }
        model F {
          id Int @id
          @@map("f")
          @@schema("order_service")
        }
    ''')
    result = run(text)
    assert models(result) == [("F", "f", "order_service", False, 22, 1)]
    map_msg = '@@map takes exactly one string argument (@@map("...") or @@map(name: "..."))'
    assert problems(result) == [
        ("HOS901", 2, 14, PREFIX + '@map takes exactly one string argument (@map("...") or @map(name: "..."))'
                                   " (in model A)"),
        ("HOS901", 6, 3, PREFIX + map_msg + " (in model B)"),
        ("HOS901", 10, 3, PREFIX + '@@schema takes exactly one string argument (@@schema("...") or '
                                   '@@schema(map: "...")) (in model C)'),
        ("HOS901", 14, 3, PREFIX + map_msg + " (in model D)"),
        ("HOS901", 15, 3, PREFIX + "@@map is given twice (in model D)"),
        ("HOS901", 15, 3, PREFIX + map_msg + " (in model D)"),
        ("HOS901", 20, 3, PREFIX + "@@schema is given twice (in model E)"),
    ]


def test_view_block_is_a_model_with_is_view():
    result = run(schema('''
        view OrderTotals {
          orderId Int     @unique @map("order_id")
          total   Decimal @db.Decimal(10, 2)

          @@map("order_totals")
          @@schema("payment_service")
        }
    '''))
    assert models(result) == [("OrderTotals", "order_totals", "payment_service", True, 1, 1)]
    assert result.models[0].schema_location == Location(PATH, 6, 3)


def test_enum_and_composite_type_are_parsed_but_are_not_models():
    text = schema('''
        enum Status {
          ACTIVE
          ARCHIVED @map("archived")
          @@map("status")
          @@schema("order_service")
        }
        type Address {
          street String
          zip    String? @map("postal_code")
        }
    ''')
    assert run(text).models == ()
    enum, composite = parse_schema(text).blocks
    assert (enum.kind, enum.name, [(v.name, v.line, v.col) for v in enum.values]) == (
        BlockKind.ENUM, "Status", [("ACTIVE", 2, 3), ("ARCHIVED", 3, 3)])
    assert [a.name for a in enum.values[1].attributes] == ["map"]
    assert [(a.name, a.string("name", 0)) for a in enum.attributes] == [
        ("map", "status"), ("schema", "order_service")]
    assert (composite.kind, [(f.name, f.type, f.optional) for f in composite.fields]) == (
        BlockKind.TYPE, [("street", "String", False), ("zip", "String", True)])


# --- relations --------------------------------------------------------------------


def test_relation_fields_references_and_names():
    result = run(schema('''
        model OrderItem {
          orderId Int
          lineNo  Int
          order   Order @relation("Lines", fields: [orderId], references: [id], onDelete: Cascade)
          parent  OrderItem? @relation(name: "Split", fields: [orderId, lineNo], references: [orderId, lineNo])
          splits  OrderItem[] @relation("Split")
          product Product @relation(fields: [productId], references: [id])
          productId Int
        }
    '''))
    assert relations(result, "OrderItem") == [
        ("order", "Lines", ("orderId",), ("id",)),
        ("parent", "Split", ("orderId", "lineNo"), ("orderId", "lineNo")),
        ("splits", "Split", (), ()),
        ("product", None, ("productId",), ("id",)),
    ]


def test_self_relation_on_a_category_tree():
    result = run(schema('''
        model Category {
          id       Int        @id
          parentId Int?
          parent   Category?  @relation("Tree", fields: [parentId], references: [id])
          children Category[] @relation("Tree")
        }
    '''))
    assert fields(result, "Category")[2:] == [
        ("parent", "Category", 4, 3, False, True, None),
        ("children", "Category", 5, 3, True, False, None),
    ]
    assert relations(result, "Category") == [
        ("parent", "Tree", ("parentId",), ("id",)),
        ("children", "Tree", (), ()),
    ]


def test_attribute_arguments_cannot_span_lines():
    # Prisma's grammar has no newline inside (...) or [...]: the model is left out.
    text = schema('''
        model OrderItem {
          orderId Int
          order   Order @relation(fields: [orderId],
            references: [id])
          @@schema("order_service")
        }
        model Other {
          id Int @id
          @@index([id,
            id])
        }
        model Kept {
          id Int @id
        }
    ''')
    result = run(text)
    assert models(result) == [("Kept", "Kept", None, False, 12, 1)]
    tail = " (a Prisma attribute or value cannot span lines)"
    assert problems(result) == [
        ("HOS901", 3, 26, PREFIX + "'(' is not closed on its line" + tail + " (in model OrderItem)"),
        ("HOS901", 9, 11, PREFIX + "'[' is not closed on its line" + tail + " (in model Other)"),
    ]


def test_index_arguments_keep_their_structure():
    doc = parse_schema(schema('''
        model A {
          a Int
          b Int
          @@index([a, b(sort: Desc, ops: raw("gin_trgm_ops"))], map: "ix", type: Gin)
        }
    '''))
    index = doc.blocks[0].attribute("index")
    columns = index.argument("fields", 0)
    assert (index.line, index.col, columns.kind, columns.names()) == (4, 3, ValueKind.ARRAY, ("a", "b"))
    call = columns.items[1]
    assert (call.kind, call.text, [a.name for a in call.args]) == (
        ValueKind.CALL, 'b(sort: Desc, ops: raw("gin_trgm_ops"))', ["sort", "ops"])
    assert (index.string("map"), index.argument("type").value) == ("ix", "Gin")


# --- argument values -------------------------------------------------------------


def test_argument_value_kinds():
    doc = parse_schema(schema(r'''
        model A {
          s String @default("a\"b\\c\u0041\n")
          n Int @default(-12)
          f Float @default(1.5)
          b Boolean @default(false)
          j Json @default("{}")
          l Int[] @default([1, [2, 3], []])
          g String @default(dbgenerated("gen_random_uuid()"))
          c String @default(cuid(2))
          t DateTime @default(now())
        }
    '''))
    default = [f.attribute("default").argument("value", 0) for f in doc.blocks[0].fields]
    assert [(v.kind, v.value) for v in default] == [
        (ValueKind.STRING, 'a"b\\cA\n'),
        (ValueKind.NUMBER, "-12"),
        (ValueKind.NUMBER, "1.5"),
        (ValueKind.PATH, "false"),
        (ValueKind.STRING, "{}"),
        (ValueKind.ARRAY, ""),
        (ValueKind.CALL, "dbgenerated"),
        (ValueKind.CALL, "cuid"),
        (ValueKind.CALL, "now"),
    ]
    nested = default[5]
    assert [(i.kind, i.text) for i in nested.items] == [
        (ValueKind.NUMBER, "1"), (ValueKind.ARRAY, "[2, 3]"), (ValueKind.ARRAY, "[]")]
    assert default[6].args[0].value.value == "gen_random_uuid()"
    assert default[7].args[0].value.text == "2"
    assert doc.errors == ()


def test_trailing_commas_prisma_rejects():
    text = 'model A {\n  t DateTime @default(now(),)\n}\nmodel B {\n  t Int[] @default([1, 2,])\n}\n'
    assert problems(run(text)) == [
        ("HOS901", 2, 28, PREFIX + "trailing comma in an argument list (in model A)"),
        ("HOS901", 5, 26, PREFIX + "expected a value after ',' in a list, found ']' (in model B)"),
    ]


def test_dotted_attribute_names_need_no_blanks():
    doc = parse_schema("model A {\n  id String @db.VarChar(10)\n}\n")
    assert [a.name for a in doc.blocks[0].fields[0].attributes] == ["db.VarChar"]
    bad = run("model A {\n  id String @db .VarChar(10)\n}\n")
    assert problems(bad) == [("HOS901", 2, 17, PREFIX + "expected end of line, found '.' (in model A)")]


# --- datasource and generator ----------------------------------------------------


def test_datasource_with_env_url_and_schemas():
    result = run(schema('''
        datasource db {
          provider = "postgresql"
          url      = env("DATABASE_URL")
          schemas  = ["order_service", "auth_service"]
        }
    '''))
    (ds,) = result.datasources
    assert (ds.name, ds.location, ds.provider, ds.url, ds.url_env, ds.schemas, ds.schemas_location) == (
        "db", Location(PATH, 1, 1), "postgresql", 'env("DATABASE_URL")', "DATABASE_URL",
        ("order_service", "auth_service"), Location(PATH, 4, 3))
    assert ds.service == "order"


def test_datasource_with_literal_url_and_no_schemas():
    result = run(schema('''
        datasource main {
          provider = "postgresql"
          url = "postgresql://u:p@db:5432/app?schema=order_service"
          relationMode = "prisma"
        }
    '''))
    (ds,) = result.datasources
    assert (ds.name, ds.url, ds.url_env, ds.schemas, ds.schemas_location) == (
        "main", "postgresql://u:p@db:5432/app?schema=order_service", None, (), None)


def test_datasource_schemas_with_extensions_and_as_a_single_string():
    result = run(schema('''
        datasource db {
          provider   = "postgresql"
          url        = env("DATABASE_URL")
          extensions = [pgcrypto, postgis(version: "3.4.0")]
          schemas    = ["order_service", "public"]
        }
        datasource single {
          provider = "postgresql"
          url      = env("DATABASE_URL")
          schemas  = "order_service"
        }
    '''))
    assert [(d.name, d.schemas, d.schemas_location) for d in result.datasources] == [
        ("db", ("order_service", "public"), Location(PATH, 5, 3)),
        ("single", ("order_service",), Location(PATH, 10, 3)),
    ]
    assert result.problems == ()


def test_datasource_settings_prisma_rejects_are_reported():
    text = schema('''
        datasource a {
          provider = "postgresql"
          schemas  = [
            "order_service"
          ]
        }
        datasource b {
          provider = "postgresql"
          schemas  = []
        }
        datasource c {
          provider = "postgresql"
          schemas  = ["x", "x"]
        }
        datasource d {
          provider = "postgresql"
          schemas  = [x]
        }
        datasource e {
          provider = postgresql
          schemas  = ["x"]
          schemas  = ["y"]
        }
    ''')
    result = run(text)
    assert result.datasources == ()
    assert problems(result) == [
        ("HOS901", 3, 14, PREFIX + "'[' is not closed on its line (a Prisma attribute or value cannot span lines)"
                                   " (in datasource a)"),
        ("HOS901", 9, 3, PREFIX + "datasource 'schemas' must be a non-empty list of strings (in datasource b)"),
        ("HOS901", 13, 3, PREFIX + "datasource 'schemas' lists a schema twice (in datasource c)"),
        ("HOS901", 17, 3, PREFIX + "datasource 'schemas' must list strings (in datasource d)"),
        ("HOS901", 20, 3, PREFIX + "datasource 'provider' must be a string (in datasource e)"),
        ("HOS901", 22, 3, PREFIX + "datasource property 'schemas' is given twice (in datasource e)"),
    ]


def test_url_env_only_from_an_env_call():
    result = run(schema('''
        datasource a {
          url = "env(\\"DATABASE_URL\\")"
        }
        datasource b {
          url = env(named: "OTHER_URL")
        }
    '''))
    assert [(d.name, d.url, d.url_env) for d in result.datasources] == [
        ("a", 'env("DATABASE_URL")', None),
        ("b", 'env(named: "OTHER_URL")', "OTHER_URL"),
    ]
    assert result.problems == ()


def test_url_that_prisma_rejects_is_reported():
    text = schema('''
        datasource b {
          url = fromVault("DATABASE_URL")
        }
        datasource c {
          url = env(DATABASE_URL)
        }
        datasource d {
          url = env("A", "B")
        }
        datasource e {
          url = env()
        }
    ''')
    result = run(text)
    assert result.datasources == ()
    message = PREFIX + 'datasource \'url\' must be a string or env("VARIABLE") (in datasource {})'
    assert problems(result) == [("HOS901", line, 3, message.format(name))
                                for line, name in ((2, "b"), (5, "c"), (8, "d"), (11, "e"))]


def test_schemas_outside_a_datasource_are_not_datasource_schemas():
    result = run(schema('''
        generator client {
          provider = "prisma-client-js"
          schemas  = ["order_service"]
        }
        model A {
          id Int @id
          @@unique(fields: [id], name: "schemas")
        }
    '''))
    assert (result.datasources, relations(result, "A"), result.problems) == ((), [], ())
    assert result.models[0].fields[0].relation_fields == ()


def test_generator_provider_features_and_output():
    result = run(schema('''
        generator client {
          provider        = "prisma-client-js"
          previewFeatures = ["multiSchema", "views"]
          output          = "../generated/client"
        }
        generator erd {
          provider = "prisma-erd-generator"
        }
    '''))
    assert [(g.name, g.location.line, g.provider, g.preview_features, g.output)
            for g in result.generators] == [
        ("client", 1, "prisma-client-js", ("multiSchema", "views"), "../generated/client"),
        ("erd", 6, "prisma-erd-generator", (), None),
    ]


# --- comments and layout ---------------------------------------------------------


def test_comments_are_ignored_everywhere():
    result = run(schema('''
        // leading comment
        /// doc comment on the model
        model A { // trailing comment after the brace
          /// doc comment on the field
          id Int @id // trailing comment
          /* block comment */ name String
          /* a block comment
             across lines */
          @@map("a_table") // @@map("not_this")
        }
    '''))
    assert models(result) == [("A", "a_table", None, False, 3, 1)]
    assert fields(result, "A") == [
        ("id", "Int", 5, 3, False, False, None),
        ("name", "String", 6, 23, False, False, None),
    ]
    assert result.problems == ()


def test_crlf_line_endings_give_the_same_positions():
    text = "model A {\r\n  id Int @id\r\n\r\n  name String\r\n}\r\n"
    assert fields(run(text), "A") == [
        ("id", "Int", 2, 3, False, False, None), ("name", "String", 4, 3, False, False, None)]


def test_columns_count_characters_and_tabs():
    text = "model A {\n\tid Int\n  /* é ü */ name String\n}\n"
    assert fields(run(text), "A") == [
        ("id", "Int", 2, 2, False, False, None), ("name", "String", 3, 13, False, False, None)]


def test_text_after_an_opening_brace_is_ignored_like_prisma_does():
    # Prisma's BLOCK_OPEN is `{` and the rest of its line: a member there is
    # not read, and a one-line block never closes.
    text = 'model A { @@map("ghost")\n  id Int @id\n}\nmodel B { id Int @id }\n'
    result = run(text)
    assert models(result) == [("A", "A", None, False, 1, 1)]
    assert problems(result) == [
        ("HOS901", 4, 1, PREFIX + "expected '}' to close model B (opened at line 4) before the end of input at line 4"),
    ]


def test_closing_brace_only_at_the_start_of_a_line():
    result = run("model A {\n  id Int @id }\nmodel B {\n  id Int @id\n  }\n")
    assert models(result) == [("B", "B", None, False, 3, 1)]
    assert problems(result) == [("HOS901", 2, 14, PREFIX + "expected end of line, found '}' (in model A)")]


def test_block_comments_stand_before_or_after_the_members_of_a_line():
    result = run(schema('''
        /* a */ model A {
          /* b */ /* c */ id Int @id /* d */
          /* e
             f */ name String
          @@map("a_table") /**/
          /* g */ }
        /* h */
    '''))
    assert models(result) == [("A", "a_table", None, False, 1, 9)]
    assert [(f.name, f.location.line, f.location.col) for f in result.models[0].fields] == [
        ("id", 2, 19), ("name", 4, 11)]
    assert result.problems == ()


def test_comments_prisma_rejects_are_reported():
    text = schema('''
        model A {
          id /* between */ Int @id
        }
        model B {
          id Int @id /* one */ // two
        }
        model C {
          id Int @id
          /* a /* nested */ b */
        }
        model D /* here */ {
          id Int @id
        }
        model E {
          id Int @id
        }
    ''')
    result = run(text)
    assert models(result) == [("E", "E", None, False, 14, 1)]
    assert problems(result) == [
        ("HOS901", 2, 6, PREFIX + "expected a type for field id, found a /* comment */ (in model A)"),
        ("HOS901", 5, 24, PREFIX + "expected end of line, found a // comment (in model B)"),
        ("HOS901", 9, 23, PREFIX + "expected a type for field b, found '*' (in model C)"),
        ("HOS901", 11, 9, PREFIX + "expected '{' after model D, found a /* comment */ (in model D)"),
    ]


def test_comment_tokens_carry_their_text_and_lines():
    tokens = [(t.kind, t.text, t.line) for t in prisma.tokenize("a // x\n/* y\nz */ b\n")]
    assert tokens == [
        (prisma.Tok.IDENT, "a", 1), (prisma.Tok.COMMENT, "// x", 1), (prisma.Tok.NEWLINE, "\n", 1),
        (prisma.Tok.COMMENT, "/* y\nz */", 2), (prisma.Tok.IDENT, "b", 3), (prisma.Tok.NEWLINE, "\n", 3),
        (prisma.Tok.EOF, "", 4)]


def test_keyword_glued_to_the_name_like_prisma_reads_it():
    # Prisma's grammar needs no blank after a keyword: `modelA {` is model A,
    # `models {` model s. Not a keyword with `_` or `-` after it, nor a field.
    result = run("modelA {\n  id Int @id\n}\nviews {\n  id Int @unique\n}\nmodel_x {\n}\n"
                 "model C {\n  modelB Int\n}\n")
    assert models(result) == [("A", "A", None, False, 1, 1), ("s", "s", None, True, 4, 1),
                              ("C", "C", None, False, 9, 1)]
    assert fields(result, "C") == [("modelB", "Int", 10, 3, False, False, None)]
    assert problems(result) == [("HOS901", 7, 1, PREFIX + "expected a block (model, view, type, enum, "
                                                       "datasource, generator), found 'model_x'")]


def test_blanks_are_tabs_and_space_separators_only():
    ok = run("\ufeffmodel\u00a0A\u3000{\n\u2003id\tInt @id\n}\n")
    assert (models(ok), ok.problems) == ([("A", "A", None, False, 1, 2)], ())
    for blank in ("\x0b", "\x0c", "\x85", "\u2028", "\u200b", "\ufeff"):
        result = run(f"model A {{\n  id{blank}Int @id\n}}\n")
        assert result.models == (), repr(blank)
        assert [(p.location.line, p.location.col) for p in result.problems] == [(2, 5)], repr(blank)


def test_strings_hold_no_raw_control_characters():
    result = run('model A {\n  id Int @id\n  @@map("a\tb")\n}\nmodel B {\n  id Int @id\n  @@map("a\x7fb")\n}\n')
    assert models(result) == [("B", "a\x7fb", None, False, 5, 1)]
    assert problems(result) == [
        ("HOS901", 3, 9, PREFIX + "expected a value, found control character U+0009 in a string (in model A)")]


def test_type_modifiers_and_unsupported_are_written_without_inner_blanks():
    ok = run('model A {\n  id Int @id\n  a Int []\n  b Int ?\n  g Unsupported("x")?\n}\n')
    assert [(f.name, f.is_list, f.optional) for f in ok.models[0].fields] == [
        ("id", False, False), ("a", True, False), ("b", False, True), ("g", False, True)]
    bad = run('model A {\n  a Int[ ]\n}\nmodel B {\n  g Unsupported ("x")\n}\n')
    assert problems(bad) == [
        ("HOS901", 2, 10, PREFIX + "expected ']' right after '[' in a list type, found ']' (in model A)"),
        ("HOS901", 5, 17, PREFIX + "expected end of line, found '(' (in model B)"),
    ]


def test_names_prisma_rejects_are_reported():
    text = schema('''
        model A-B {
          id Int @id
        }
        model C {
          id Int @id
          1x Int
          y-z Int
        }
        model D {
          id Int @id @1map("x")
        }
        enum E {
          A @map(b)
          @@map(name: "e", map: "f")
        }
        model F {
          id Int @id
        }
    ''')
    result = run(text)
    assert models(result) == [("F", "F", None, False, 16, 1)]
    assert problems(result) == [
        ("HOS901", 1, 1, PREFIX + "'-' is not allowed in model names: 'A-B' (in model A-B)"),
        ("HOS901", 6, 3, PREFIX + "the name of a field must not start with a digit: '1x' (in model C)"),
        ("HOS901", 7, 3, PREFIX + "'-' is not allowed in field names: 'y-z' (in model C)"),
        ("HOS901", 10, 15, PREFIX + "an attribute name must not start with a digit: '1map' (in model D)"),
        ("HOS901", 13, 5, PREFIX + '@map takes exactly one string argument (@map("...") or @map(name: "..."))'
                                   " (in enum E)"),
        ("HOS901", 14, 3, PREFIX + '@@map takes exactly one string argument (@@map("...") or '
                                   '@@map(name: "...")) (in enum E)'),
    ]


def test_relation_arguments_prisma_rejects_are_reported():
    text = schema('''
        model B {
          id  Int @id
          aId Int
          a1 A @relation("r", "s")
          a2 A @relation("r", name: "s")
          a3 A @relation(fields: [aId(sort: Desc)], references: [id])
          a4 A @relation(fields: [], references: [id])
          a5 A @relation(fields: [aId], refs: [id])
          a6 A @relation(name: r)
          a7 A @relation(fields: [aId], fields: [aId])
        }
    ''')
    assert problems(run(text)) == [
        ("HOS901", 4, 8, PREFIX + "@relation takes one unnamed argument, its name (in model B)"),
        ("HOS901", 5, 8, PREFIX + "@relation takes one unnamed argument, its name (in model B)"),
        ("HOS901", 6, 18, PREFIX + "@relation: 'fields' must be a field name or a list of field names (in model B)"),
        ("HOS901", 7, 18, PREFIX + "@relation: 'fields' must be a field name or a list of field names (in model B)"),
        ("HOS901", 8, 33, PREFIX + "@relation: unknown or repeated argument 'refs' (in model B)"),
        ("HOS901", 9, 18, PREFIX + "@relation: 'name' must be a string (in model B)"),
        ("HOS901", 10, 18, PREFIX + "@relation: unknown or repeated argument 'fields' (in model B)"),
        ("HOS901", 10, 33, PREFIX + "@relation: unknown or repeated argument 'fields' (in model B)"),
    ]


# --- look-alikes that must not produce a model ------------------------------------


def test_model_keyword_in_a_comment_is_not_a_model():
    text = "// model Ghost {\n/// model Ghost2 {\nmodel A {\n  id Int\n}\n"
    assert models(run(text)) == [("A", "A", None, False, 3, 1)]
    assert run(text).problems == ()


def test_model_inside_a_block_comment_is_not_a_model():
    text = "/* model Ghost {\n  id Int\n} */\nmodel A {\n  id Int\n}\n"
    assert models(run(text)) == [("A", "A", None, False, 4, 1)]


def test_model_inside_a_string_default_is_not_a_model():
    text = schema('''
        model A {
          id   Int    @id
          kind String @default("model X {")
          more String @default("}\\nmodel Y {")
        }
    ''')
    result = run(text)
    assert models(result) == [("A", "A", None, False, 1, 1)]
    assert [f.name for f in result.models[0].fields] == ["id", "kind", "more"]
    assert result.problems == ()


def test_field_named_model_or_view_is_a_field():
    result = run(schema('''
        model Device {
          id    Int    @id
          model String
          view  Int
          type  String
          enum  String?
        }
    '''))
    assert models(result) == [("Device", "Device", None, False, 1, 1)]
    assert fields(result, "Device") == [
        ("id", "Int", 2, 3, False, False, None),
        ("model", "String", 3, 3, False, False, None),
        ("view", "Int", 4, 3, False, False, None),
        ("type", "String", 5, 3, False, False, None),
        ("enum", "String", 6, 3, False, True, None),
    ]


def test_enum_values_named_model_and_view_are_values():
    text = "enum Kind {\n  model\n  view\n  datasource\n}\n"
    result = run(text)
    assert (result.models, result.problems) == ((), ())
    assert [v.name for v in parse_schema(text).blocks[0].values] == ["model", "view", "datasource"]


def test_map_and_schema_in_comments_are_ignored():
    text = schema('''
        model A {
          id Int @id
          // @@map("ghost_table")
          /// @@schema("ghost_schema")
        }
    ''')
    assert models(run(text)) == [("A", "A", None, False, 1, 1)]


def test_datasource_string_mentioning_model_is_not_a_model():
    text = 'datasource db {\n  provider = "postgresql"\n  url = "model X {"\n}\n'
    result = run(text)
    assert (result.models, result.datasources[0].url, result.problems) == ((), "model X {", ())


# --- error recovery ---------------------------------------------------------------


def test_garbled_block_between_two_good_models():
    text = schema('''
        model A {
          id Int @id
          @@schema("order_service")
        }

        model Broken {
          id   Int    @id
          name String @default("x"
        }

        model B {
          id Int @id
          @@schema("order_service")
        }
    ''')
    result = run(text)
    assert models(result) == [
        ("A", "A", "order_service", False, 1, 1),
        ("B", "B", "order_service", False, 11, 1),
    ]
    assert problems(result) == [(
        "HOS901", 8, 23,
        PREFIX + "'(' is not closed on its line (a Prisma attribute or value cannot span lines) (in model Broken)",
    )]


def test_garbage_line_inside_a_block_skips_only_that_block():
    text = "model A {\n  id Int\n}\nmodel Bad {\n  id Int ]] @@@\n  x String\n}\nmodel B {\n  id Int\n}\n"
    result = run(text)
    assert [m.name for m in result.models] == ["A", "B"]
    assert problems(result) == [("HOS901", 5, 10, PREFIX + "expected end of line, found ']' (in model Bad)")]
    assert [(b.name, b.complete) for b in parse_schema(text).blocks] == [
        ("A", True), ("Bad", False), ("B", True)]


def test_missing_closing_brace_before_the_next_model():
    text = "model A {\n  id Int\n\nmodel B {\n  id Int\n}\n"
    result = run(text)
    assert models(result) == [("B", "B", None, False, 4, 1)]
    assert problems(result) == [(
        "HOS901", 1, 1,
        PREFIX + "expected '}' to close model A (opened at line 1) before model B at line 4",
    )]


def test_unclosed_parenthesis_does_not_swallow_the_next_model():
    text = "model A {\n  id Int @default(\nmodel B {\n  id Int\n}\n"
    result = run(text)
    assert models(result) == [("B", "B", None, False, 3, 1)]
    assert problems(result) == [(
        "HOS901", 2, 18,
        PREFIX + "'(' is not closed on its line (a Prisma attribute or value cannot span lines) (in model A)")]


def test_truncated_file_reports_the_open_block():
    text = schema('''
        model A {
          id Int @id
        }

        model Order {
          id     Int @id
          userId String
    ''')
    result = run(text)
    assert models(result) == [("A", "A", None, False, 1, 1)]
    assert problems(result) == [(
        "HOS901", 5, 1,
        PREFIX + "expected '}' to close model Order (opened at line 5) before the end of input at line 7",
    )]


def test_truncated_inside_an_argument_list():
    result = run('model Order {\n  id Int @id\n  x  Int[] @default([1,\n')
    assert problems(result) == [(
        "HOS901", 3, 21,
        PREFIX + "'[' is not closed on its line (a Prisma attribute or value cannot span lines) (in model Order)",
    )]
    # Cut off without a final newline, the block is what is left open.
    result = run('model Order {\n  id Int @id')
    assert problems(result) == [(
        "HOS901", 1, 1,
        PREFIX + "expected '}' to close model Order (opened at line 1) before the end of input at line 2",
    )]
    assert result.models == ()


def test_junk_at_top_level_is_reported_once_per_run():
    text = "foo bar baz\nqux {\n}\nmodel B {\n  id Int\n}\n}\n"
    result = run(text)
    assert models(result) == [("B", "B", None, False, 4, 1)]
    expected = "expected a block (model, view, type, enum, datasource, generator), found "
    assert problems(result) == [
        ("HOS901", 1, 1, PREFIX + expected + "'foo'"),
        ("HOS901", 7, 1, PREFIX + expected + "'}'"),
    ]


def test_block_header_errors():
    text = "model {\n  id Int\n}\nmodel 1x\n{\n}\nmodel C {\n  id Int\n}\n"
    result = run(text)
    assert models(result) == [("C", "C", None, False, 7, 1)]
    assert problems(result) == [
        ("HOS901", 1, 7, PREFIX + "expected a name after 'model', found '{' (in model ?)"),
        ("HOS901", 4, 9, PREFIX + "expected '{' after model 1x, found end of line (in model 1x)"),
    ]


def test_unterminated_string_and_stray_characters():
    text = 'model A {\n  x String @default("abc)\n}\nmodel B {\n  id Int $\n}\nmodel C {\n  id Int\n}\n'
    result = run(text)
    assert models(result) == [("C", "C", None, False, 7, 1)]
    assert problems(result) == [
        ("HOS901", 2, 21, PREFIX + "expected a value, found unterminated string (in model A)"),
        ("HOS901", 5, 10, PREFIX + "expected end of line, found '$' (in model B)"),
    ]


def test_field_without_type_and_datasource_without_equals():
    text = "model A {\n  id\n}\ndatasource db {\n  provider \"postgresql\"\n}\n"
    result = run(text)
    assert (result.models, result.datasources) == ((), ())
    assert problems(result) == [
        ("HOS901", 2, 5, PREFIX + "expected a type for field id, found end of line (in model A)"),
        ("HOS901", 5, 12, PREFIX + "expected '=' after provider, found '\"postgresql\"' (in datasource db)"),
    ]


def test_unterminated_block_comment_is_reported():
    result = run("model A {\n  id Int\n}\n/* model X {\n")
    assert models(result) == [("A", "A", None, False, 1, 1)]
    assert problems(result) == [(
        "HOS901", 4, 1,
        PREFIX + "expected a block (model, view, type, enum, datasource, generator), "
                 "found unterminated /* comment",
    )]


# --- hostile input ---------------------------------------------------------------


def test_empty_and_blank_input():
    for text in ("", "\n\n", "   \t\n// only a comment\n"):
        result = run(text)
        assert (result.models, result.datasources, result.generators, result.problems) == ((), (), (), ())


def test_binary_garbage_is_one_problem():
    result = run("\x00\x01\ufffd\xff{{}}\"\\")
    assert problems(result) == [(
        "HOS901", 1, 1,
        PREFIX + "expected a block (model, view, type, enum, datasource, generator), found character U+0000",
    )]


def test_ten_thousand_brackets_inside_an_attribute():
    text = "model A {\n  x Int @default(" + "[" * 10_000 + "\n}\nmodel B {\n  id Int\n}\n"
    result = run(text)
    assert models(result) == [("B", "B", None, False, 4, 1)]
    assert problems(result) == [(
        "HOS901", 2, 18 + prisma.MAX_NESTING,  # the first "[" deeper than the limit
        PREFIX + f"arguments nested deeper than {prisma.MAX_NESTING} levels (in model A)",
    )]


def test_ten_thousand_parentheses_and_brackets_at_top_level():
    for opener in ("(", "[", "{"):
        result = run(opener * 10_000 + "\nmodel B {\n  id Int\n}\n")
        assert models(result) == [("B", "B", None, False, 2, 1)]
        assert len(result.problems) == 1


def test_nested_calls_are_bounded_too():
    text = "model A {\n  x Int @default(" + "f(" * 5_000 + ")\n}\n"
    result = run(text)
    assert result.models == ()
    assert [p.message.endswith(f"nested deeper than {prisma.MAX_NESTING} levels (in model A)")
            for p in result.problems] == [True]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    result = run(text)
    assert all(p.code == "HOS901" and p.location.line >= 1 and p.location.col >= 1
               for p in result.problems)


PRISMA_PIECES = st.sampled_from([
    "model", "view", "enum", "type", "datasource", "generator", "A", "id", "Int", "String",
    "{", "}", "(", ")", "[", "]", "@", "@@", "map", "schema", "relation", ",", ":", "=", "?",
    ".", '"x"', '"', "1", "-2", "//c", "/*", "*/", "\n", " ", "\t", "\r\n",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(PRISMA_PIECES, max_size=80))
def test_prisma_like_token_soup_never_raises(pieces):
    text = " ".join(pieces)
    doc = parse_schema(text)
    result = run(text)
    assert len(result.problems) == len(doc.errors)
    # A model is only reported when its block parsed completely.
    assert len(result.models) == len([b for b in doc.blocks
                                      if b.complete and b.kind in (BlockKind.MODEL, BlockKind.VIEW)])


# --- the large fixture ------------------------------------------------------------


def test_large_fixture_counts():
    text = FIXTURE.read_text(encoding="utf-8")
    doc = parse_schema(text)
    assert doc.errors == ()
    kinds = [b.kind for b in doc.blocks]
    assert [kinds.count(k) for k in BlockKind] == [99, 5, 0, 11, 1, 1]
    result = prisma.extract(SourceFile("prisma/schema.prisma", None, Language.PRISMA), text, ExtractConfig())
    assert (len(result.models), sum(m.is_view for m in result.models), result.problems) == (104, 5, ())
    assert sorted({m.schema for m in result.models}) == [
        "analytics_service", "auth_service", "inventory_service", "notification_service",
        "order_service", "payment_service", "product_service", "review_service",
        "search_service", "shipping_service",
    ]


def test_large_fixture_spot_checks():
    result = prisma.extract(SourceFile("prisma/schema.prisma", None, Language.PRISMA),
                            FIXTURE.read_text(encoding="utf-8"), ExtractConfig())
    by_name = {m.name: m for m in result.models}
    picks = ("Order", "OrderItem", "Category", "Synonym", "ProductSearchSource", "UserRole")
    assert [(n, by_name[n].db_name, by_name[n].schema, by_name[n].is_view, by_name[n].location.line)
            for n in picks] == [
        ("Order", "orders", "order_service", False, 630),
        ("OrderItem", "order_items", "order_service", False, 653),
        ("Category", "categories", "product_service", False, 301),
        ("Synonym", "Synonym", "search_service", False, 1221),
        ("ProductSearchSource", "product_search_source", "search_service", True, 1443),
        ("UserRole", "user_roles", "auth_service", False, 115),
    ]
    assert relations(result, "OrderItem") == [
        ("order", "OrderLines", ("orderId",), ("id",))]
    assert relations(result, "OrderItemAdjustment") == [
        ("item", None, ("orderId", "lineNo"), ("orderId", "lineNo"))]
    assert relations(result, "Category") == [
        ("parent", "CategoryTree", ("parentId",), ("id",)),
        ("children", "CategoryTree", (), ()),
    ]
    assert by_name["Order"].schema_location == Location("prisma/schema.prisma", 650, 3)
    (ds,) = result.datasources
    assert (ds.url_env, len(ds.schemas), ds.schemas_location.line) == ("DATABASE_URL", 10, 17)
    (gen,) = result.generators
    assert gen.preview_features == ("multiSchema", "views", "postgresqlExtensions")
    assert "Ghost" not in by_name
    push = {f.name: f for f in by_name["PushDevice"].fields}
    assert (push["model"].type, push["model"].optional) == ("String", True)
