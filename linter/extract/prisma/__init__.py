"""Prisma Schema Language: tokenizer, recursive-descent parser and extractor.

The modules: ``tokens`` (tokenizer, JSON strings), ``document`` (the parsed
records), ``cursor``/``expressions``/``parser`` (recursive descent and error
recovery), ``checks`` (the attributes facts come from, checked as Prisma
does), ``facts`` (blocks to project facts).

``parse_schema(text)`` is a pure parse into ``PrismaDocument`` (blocks plus
parse errors). ``extract(src, text, config)`` turns the document into the
project facts: ``PrismaModel`` (models and views), ``PrismaDatasource``,
``PrismaGenerator`` and HOS901 problems. A schema yields no accesses:
ownership rules work from the models.

The grammar is the one Prisma's own parser (prisma-engines, the engine behind
``@prisma/prisma-schema-wasm``) accepts, checked by a differential test against
it (``tests/extract/test_prisma_differential.py``):

- top-level blocks ``model | view | type | enum | datasource | generator``,
  keywords only at the top level (a field or enum value called ``model`` is an
  ordinary name) and, as in Prisma, not even separated from the name
  (``modelA {`` is model ``A``);
- everything after a block's ``{`` on the same line is ignored;
- one member per line, with at most one trailing comment; ``}`` closes a block
  only at the start of a line; newlines are never insignificant, not even
  inside ``(...)`` or ``[...]``;
- identifiers start with an ASCII letter or digit or a Unicode letter and go on
  with letters, digits, ``_`` and ``-`` (a letter is what Python's Unicode
  database calls one: category L); blanks are tabs and Unicode space
  separators. One deliberate difference: a byte-order mark at the very start
  is skipped (Prisma rejects the file; it is an encoding marker, not text);
- ``//`` comments run to the end of the line; ``/* ... */`` comments (not
  nested) may stand before the members of a line or trail it, nowhere else;
- strings are JSON strings: no raw control characters, only JSON escapes,
  ``\\uXXXX`` surrogates only as a high-low pair.

On top of the grammar, the attributes the facts come from are checked the way
Prisma checks them: ``@@map`` / ``@map`` take one string (``name``),
``@@schema`` one string (``map``), on models, views and enums alike,
``@relation`` a name string and ``fields`` /
``references`` that are field names (``[a, b]`` or a bare ``a``); a datasource's
``provider`` is a string, ``url`` a string or ``env("VAR")`` and ``schemas`` a
non-empty list of distinct strings; model, view and field names neither start
with a digit nor contain ``-``. Other validation (unknown types, missing
``@id``, relation consistency) is Prisma's business, not a linter's: such a
schema is read as written.

Error recovery: an error inside a block records one ``ParseError`` and skips
to the brace that closes the block, or to the next line that starts a block
(``model X {``), whichever comes first; the block is kept with
``complete=False`` and ``extract`` leaves it out, because its ``@@map`` /
``@@schema`` may be among the skipped lines. A block whose fact attributes fail
the checks above is left out the same way, with one error per failed check.
Argument nesting is bounded (``MAX_NESTING``) and every skip loop is
iterative, so no input raises.
"""
from __future__ import annotations

from hos_lint.extract.base import ExtractConfig, parse_error
from hos_lint.extract.prisma.document import (
    Argument,
    Attribute,
    Block,
    BlockKind,
    EnumValue,
    Field,
    ParseError,
    PrismaDocument,
    Property,
    Value,
    ValueKind,
)
from hos_lint.extract.prisma.expressions import MAX_NESTING
from hos_lint.extract.prisma.facts import comments, datasource, generator, model
from hos_lint.extract.prisma.parser import parse_schema
from hos_lint.extract.prisma.tokens import BadEscape, Tok, Token, describe, tokenize, unquote
from hos_lint.model import ExtractResult, Language, SourceFile

__all__ = [
    "ERROR_PREFIX", "LANGUAGE", "MAX_NESTING", "NAME", "Argument", "Attribute", "BadEscape", "Block",
    "BlockKind", "EnumValue", "Field", "ParseError", "PrismaDocument", "Property", "Tok", "Token", "Value",
    "ValueKind", "comments", "describe", "extract", "handles", "might_access_db", "parse_schema", "tokenize",
    "unquote",
]

NAME = "prisma"
LANGUAGE = Language.PRISMA

ERROR_PREFIX = "Prisma schema parse error: "


def handles(path: str) -> bool:
    return path.endswith(".prisma")


def might_access_db(data: bytes) -> bool:
    """A Prisma schema always matters: it defines the models and their tables."""
    return True


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Models, views, datasources, generators and HOS901 problems of one schema
    file. Blocks cut short by a parse error are left out (their error is reported)."""
    toks = tokenize(text)
    doc = parse_schema(text, toks)
    complete = tuple(b for b in doc.blocks if b.complete)
    return ExtractResult(
        path=src.path,
        service=src.service,
        comments=comments(text, toks) if config.comments else (),
        models=tuple(model(src, b) for b in complete if b.kind in (BlockKind.MODEL, BlockKind.VIEW)),
        datasources=tuple(datasource(src, b) for b in complete if b.kind is BlockKind.DATASOURCE),
        generators=tuple(generator(src, b) for b in complete if b.kind is BlockKind.GENERATOR),
        problems=tuple(parse_error(src, e.line, e.col, ERROR_PREFIX + e.message) for e in doc.errors),
    )
