"""Issue 11, Prisma parser: each schema Prisma's own parser reads differently
from hos-lint, as the minimal reproducer, with the exact tables, schemas,
columns and foreign keys (checked against Prisma itself by
tests/extract/test_prisma_differential.py)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli
from hos_lint.extract import prisma
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import ExtractResult, Language, SourceFile

PATH = "services/order/prisma/schema.prisma"
PREFIX = "Prisma schema parse error: "


def run(text: str) -> ExtractResult:
    return prisma.extract(SourceFile(PATH, "order", Language.PRISMA), text, ExtractConfig())


def facts(result: ExtractResult) -> dict:
    names = {m.name for m in result.models}
    return {
        "tables": [(m.name, m.db_name, m.schema) for m in result.models],
        "columns": [(m.name, f.name, f.db_name or f.name) for m in result.models for f in m.fields
                    if f.type not in names],
        "foreign_keys": [(m.name, f.name, f.relation_fields, f.relation_references)
                         for m in result.models for f in m.fields if f.relation_fields],
        "problems": [(p.code, p.location.line, p.location.col, p.message) for p in result.problems],
    }


# --- identifiers with non-ASCII letters --------------------------------------------


def test_identifiers_with_non_ascii_letters_are_read():
    text = ('model Ürün {\n  id Int @id\n  größe String @map("groesse")\n  заказы Заказ[]\n'
            '  @@schema("katalog")\n}\n'
            'model Заказ {\n  id Int @id\n  ürünId Int\n  ürün Ürün @relation(fields: [ürünId], references: [id])\n'
            '  @@map("siparis")\n  @@schema("katalog")\n}\n')
    assert facts(run(text)) == {
        "tables": [("Ürün", "Ürün", "katalog"), ("Заказ", "siparis", "katalog")],
        "columns": [("Ürün", "id", "id"), ("Ürün", "größe", "groesse"),
                    ("Заказ", "id", "id"), ("Заказ", "ürünId", "ürünId")],
        "foreign_keys": [("Заказ", "ürün", ("ürünId",), ("id",))],
        "problems": [],
    }


@pytest.mark.parametrize(("line", "col", "message"), [
    ("x² Int", 4, "expected a type for field x, found '²'"),  # a superscript digit is no letter
    ("x٣ Int", 4, "expected a type for field x, found '٣'"),  # nor is a digit of another script
    ("xⅫ Int", 4, "expected a type for field x, found 'Ⅻ'"),  # nor a letter-like numeral
    ("xb\u0308 Int", 5, "expected a type for field xb, found '\u0308'"),  # nor a combining mark
    ("_x Int", 3, "expected a field or '@@' attribute, found '_'"),  # a first character is a letter or digit
    ("é Ünï", 0, ""),  # while a Unicode letter may come first
])
def test_identifiers_prisma_rejects_are_reported(line, col, message):
    result = run(f"model A {{\n  id Int @id\n  {line}\n}}\nmodel B {{\n  id Int @id\n}}\n")
    if not message:
        assert (facts(result)["tables"], facts(result)["problems"]) == ([("A", "A", None), ("B", "B", None)], [])
        return
    assert facts(result)["tables"] == [("B", "B", None)]
    assert facts(result)["problems"] == [("HOS901", 3, col, PREFIX + message + " (in model A)")]


# --- @@schema(map: "x") --------------------------------------------------------------


def test_schema_with_its_named_argument_map():
    text = 'model A {\n  id Int @id\n  @@schema(map: "billing")\n}\n'
    assert facts(run(text)) == {
        "tables": [("A", "A", "billing")], "columns": [("A", "id", "id")], "foreign_keys": [], "problems": []}


def test_schema_with_an_argument_prisma_does_not_know_is_reported_not_read_as_public():
    # Prisma: `Argument "map" is missing` / `No such argument`. Read as "no
    # @@schema", the model would silently land in the default schema.
    text = 'model A {\n  id Int @id\n  @@schema(name: "billing")\n}\n'
    assert facts(run(text)) == {
        "tables": [], "columns": [], "foreign_keys": [],
        "problems": [("HOS901", 3, 3, PREFIX + '@@schema takes exactly one string argument '
                                              '(@@schema("...") or @@schema(map: "...")) (in model A)')],
    }


# --- @relation(fields: aId, references: id) --------------------------------------------


def test_relation_fields_and_references_without_brackets():
    text = ('model A {\n  id Int @id\n  bs B[]\n}\n'
            'model B {\n  id Int @id\n  aId Int\n  a A @relation(fields: aId, references: id)\n}\n')
    assert facts(run(text)) == {
        "tables": [("A", "A", None), ("B", "B", None)],
        "columns": [("A", "id", "id"), ("B", "id", "id"), ("B", "aId", "aId")],
        "foreign_keys": [("B", "a", ("aId",), ("id",))],
        "problems": [],
    }


def test_relation_fields_as_strings_are_reported():
    text = ('model A {\n  id Int @id\n  bs B[]\n}\n'
            'model B {\n  id Int @id\n  aId Int\n  a A @relation(fields: "aId", references: [id])\n}\n')
    assert facts(run(text))["problems"] == [
        ("HOS901", 8, 17, PREFIX + "@relation: 'fields' must be a field name or a list of field names (in model B)")]


# --- url = env(named: "X") ----------------------------------------------------------------


def test_env_with_a_named_argument():
    # Prisma takes env's one string argument whatever its name (with a warning).
    (ds,) = run('datasource db {\n  provider = "postgresql"\n  url = env(named: "ORDER_DB_URL")\n}\n').datasources
    assert (ds.url_env, ds.url, ds.schemas) == ("ORDER_DB_URL", 'env(named: "ORDER_DB_URL")', ())


def test_env_with_two_arguments_is_reported():
    result = run('datasource db {\n  provider = "postgresql"\n  url = env("A", "B")\n}\n')
    assert (result.datasources, facts(result)["problems"]) == ((), [
        ("HOS901", 3, 3, PREFIX + 'datasource \'url\' must be a string or env("VARIABLE") (in datasource db)')])


# --- string escapes and surrogates ----------------------------------------------------------


def test_surrogate_pair_escape_is_one_encodable_character():
    text = 'model A {\n  id Int @id @map("c\\uD83D\\uDE00")\n  @@map("t\\uD83D\\uDE00")\n}\n'
    result = run(text)
    assert facts(result) == {
        "tables": [("A", "t\U0001F600", None)], "columns": [("A", "id", "c\U0001F600")],
        "foreign_keys": [], "problems": []}
    assert result.models[0].db_name.encode("utf-8") == b"t\xf0\x9f\x98\x80"


@pytest.mark.parametrize(("literal", "message"), [
    ("\\uD83D", "invalid unicode escape: lone surrogate '\\uD83D'"),
    ("\\uDE00\\uD83D", "invalid unicode escape: lone surrogate '\\uDE00'"),
    ("\\uD83D\\u0041", "invalid unicode escape: lone surrogate '\\uD83D'"),
    ("\\u12", "invalid unicode escape: '\\u' needs four hex digits"),
    ("\\q", "unknown escape sequence '\\q' in a string"),
])
def test_escapes_prisma_rejects_are_reported_and_never_reach_a_name(literal, message):
    result = run(f'model A {{\n  id Int @id\n  @@map("t{literal}")\n}}\n')
    assert facts(result)["tables"] == []
    assert facts(result)["problems"] == [("HOS901", 3, 11, PREFIX + message + " (in model A)")]


def test_surrogates_end_to_end_in_text_json_and_cache(tmp_path, monkeypatch):
    """The table name with an emoji goes through text and JSON output and the
    cache; the lone surrogate is one HOS901 and crashes nothing (it used to
    reach the output as an unencodable string: exit 3)."""
    (tmp_path / "hos-lint.yaml").write_text("version: 1\nservices:\n  order: {schema: order_service}\n")
    schema_dir = tmp_path / "services/order/prisma"
    schema_dir.mkdir(parents=True)
    (schema_dir / "schema.prisma").write_text(
        'model Emoji {\n  id Int @id\n  @@map("t\\uD83D\\uDE00")\n  @@schema("order_service")\n}\n'
        'model Broken {\n  id Int @id\n  @@map("\\uD83D")\n  @@schema("order_service")\n}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for _ in range(2):  # the second run reads the cache the first wrote
        text = runner.invoke(cli, ["ownership"], catch_exceptions=False)
        assert (text.exit_code, text.stdout.split()[0]) == (0, "order_service.t\U0001F600")
        as_json = runner.invoke(cli, ["ownership", "--format", "json"], catch_exceptions=False)
        assert [r["relation"] for r in json.loads(as_json.stdout)["relations"]] == ["order_service.t\U0001F600"]
        check = runner.invoke(cli, ["check", "--format", "json"], catch_exceptions=False)
        assert check.exit_code in (0, 1)  # the severity policy of HOS901 is not this test's business
        assert [(f["code"], f["line"], f["col"], f["message"].split(";")[0])
                for f in json.loads(check.stdout)["findings"]] == [
            ("HOS901", 8, 10, PREFIX + "invalid unicode escape: lone surrogate '\\uD83D' (in model Broken)")]
    assert (tmp_path / ".hos-lint-cache").is_dir()
