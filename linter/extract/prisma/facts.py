"""A parsed schema's blocks as project facts: ``PrismaModel`` (models and
views), ``PrismaDatasource``, ``PrismaGenerator``; and its comments."""
from __future__ import annotations

from hos_lint.embedded import LINE_BREAK, LineIndex
from hos_lint.extract.base import comment_at
from hos_lint.extract.prisma.checks import env_argument
from hos_lint.extract.prisma.document import Block, BlockKind, Field, Value, ValueKind
from hos_lint.extract.prisma.tokens import Tok, Token
from hos_lint.model import Comment, Location, PrismaDatasource, PrismaField, PrismaGenerator, PrismaModel, SourceFile


def comments(text: str, toks: list[Token]) -> tuple[Comment, ...]:
    """The comment tokens among ``toks`` (``text``'s tokens, the ones the parser
    read), and a ``//`` comment in the rest of a ``{`` line (which the
    tokenizer leaves out, as Prisma ignores it)."""
    lines = LineIndex.of(text)
    out = []
    for tok in toks:
        if tok.kind is Tok.COMMENT:
            out.append(comment_at(text, lines, tok.start, tok.end))
        elif tok.kind is Tok.LBRACE:
            eol = m.start() if (m := LINE_BREAK.search(text, tok.end)) else len(text)
            rest = text[tok.end:eol].lstrip(" \t")
            if rest.startswith("//"):
                out.append(comment_at(text, lines, eol - len(rest), eol))
    return tuple(out)


def model(src: SourceFile, block: Block) -> PrismaModel:
    mapped = block.attribute("map")
    schema = block.attribute("schema")
    return PrismaModel(
        service=src.service,
        name=block.name,
        location=Location(src.path, block.line, block.col),
        db_name=(mapped.string("name", 0) if mapped else None) or block.name,
        schema=schema.string("map", 0) if schema else None,  # Prisma names it map
        is_view=block.kind is BlockKind.VIEW,
        fields=tuple(_field(src, f) for f in block.fields),
        schema_location=Location(src.path, schema.line, schema.col) if schema else None,
    )


def _field(src: SourceFile, field: Field) -> PrismaField:
    mapped = field.attribute("map")
    relation = field.attribute("relation")
    fields = relation.argument("fields") if relation else None
    references = relation.argument("references") if relation else None
    return PrismaField(
        name=field.name,
        type=field.type,
        location=Location(src.path, field.line, field.col),
        is_list=field.is_list,
        optional=field.optional,
        db_name=mapped.string("name", 0) if mapped else None,
        relation_name=relation.string("name", 0) if relation else None,
        relation_fields=_names(fields),
        relation_references=_names(references),
        attributes=tuple(a.name for a in field.attributes),
    )


def _names(value: Value | None) -> tuple[str, ...]:
    """``[a, b]`` or a bare ``a`` (Prisma reads a single value as a one-item list)."""
    if value is None:
        return ()
    return (value.value,) if value.kind is ValueKind.PATH else value.names()


def _strings(block: Block, key: str) -> tuple[str, ...]:
    """Property ``key`` as ``["a", "b"]`` or a bare ``"a"`` (Prisma reads a
    single string as a one-item list); () when the block does not set it."""
    prop = block.property(key)
    if prop is None:
        return ()
    value = prop.value
    return (value.value,) if value.kind is ValueKind.STRING else value.strings()


def _written(block: Block, key: str) -> str | None:
    """Property ``key``: a string's value, or any other expression as written
    (``env("X")``); None when the block does not set it."""
    prop = block.property(key)
    if prop is None:
        return None
    return prop.value.value if prop.value.kind is ValueKind.STRING else prop.value.text


def datasource(src: SourceFile, block: Block) -> PrismaDatasource:
    url = block.property("url")
    schemas = block.property("schemas")
    return PrismaDatasource(
        service=src.service, name=block.name, location=Location(src.path, block.line, block.col),
        provider=_written(block, "provider"),
        url=_written(block, "url"),
        url_env=env_argument(url.value) if url else None,  # env("VAR") or env(any_name: "VAR")
        schemas=_strings(block, "schemas"),
        schemas_location=Location(src.path, schemas.line, schemas.col) if schemas else None,
    )


def generator(src: SourceFile, block: Block) -> PrismaGenerator:
    return PrismaGenerator(
        service=src.service, name=block.name, location=Location(src.path, block.line, block.col),
        provider=_written(block, "provider"),
        preview_features=_strings(block, "previewFeatures"),
        output=_written(block, "output"),
    )
