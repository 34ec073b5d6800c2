"""sqlglot (PostgreSQL dialect) parsing of one statement.

A trailing ``WITH [NO] DATA`` is cut first (sqlglot does not know it); a
statement that fails only because a host interpolation stands where a name
belongs is parsed again with the marker swapped for an identifier that
remembers it (the classifier reports it as HOS205, not HOS901).
"""
from __future__ import annotations

import logging
import re
from functools import cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError
from sqlglot.parser import Parser
from sqlglot.tokenizer_core import Token
from sqlglot.tokens import Tokenizer

from hos_lint.extract.sql.lexer import Statement

TRAILING_DATA = re.compile(r"\s+WITH\s+(NO\s+)?DATA\s*$", re.IGNORECASE)


def quiet_sqlglot() -> None:
    """sqlglot logs a warning for every statement it parses as a Command;
    we report those ourselves, and stray stderr output would corrupt the
    CLI's formats. Done per call (idempotent) rather than at import time."""
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def without_trailing_data(text: str) -> str:
    """``text`` without a trailing ``WITH [NO] DATA`` (offsets unchanged)."""
    tail = TRAILING_DATA.search(text)
    return text[: tail.start()] if tail else text


def parse(stmt: Statement, placeholders: frozenset[str]) -> tuple[exp.Expr | None, list[Token],
                                                                   BaseException | None]:
    """Parse one statement: (tree, its tokens, None) or (None, [], the error).

    A trailing ``WITH [NO] DATA`` (CREATE MATERIALIZED VIEW / TABLE AS) is cut
    off first: sqlglot does not know it and it holds no relation; cutting the
    tail keeps every offset. On failure, retry with each host placeholder
    replaced by a same-length identifier (``$1`` → ``_1``): if that parses,
    the failure came from an interpolation standing where a name belongs,
    which the classifier reports as HOS205, not HOS901."""
    text = without_trailing_data(stmt.text)
    try:
        return (*parse_one(text), None)
    except Exception as err:  # noqa: BLE001 - sqlglot raises ParseError,
        # TokenError and, on odd input, plain internal errors alike.
        retry = _parse_with_markers(text, placeholders)
        return (*retry, None) if retry is not None else (None, [], err)


def parse_one(text: str) -> tuple[exp.Expr, list[Token]]:
    """``sqlglot.parse_one(text, read="postgres")`` that also returns the
    tokens it parsed, so judging the statement's shape does not tokenize it
    a second time."""
    tokenizer, parser = _postgres()
    tokens = tokenizer.tokenize(text)
    trees = parser.parse(tokens, text)
    if not trees or trees[0] is None:
        raise ParseError(f"No expression was parsed from '{text[:60]}'")
    return (exp.Block(expressions=trees) if len(trees) > 1 else trees[0]), tokens


@cache
def _postgres() -> tuple[Tokenizer, Parser]:
    """One PostgreSQL tokenizer and parser per process, reused for every statement (each
    call resets them; a new dialect, tokenizer and parser per statement cost a fifth of
    parsing a migration)."""
    dialect = Dialect.get_or_raise("postgres")
    return dialect.tokenizer(), dialect.parser()


_MARKER = re.compile(r"\$(\d+)")
_SWAPPED = re.compile(r"_\d+")


def _parse_with_markers(text: str, placeholders: frozenset[str]) -> tuple[exp.Expr, list[Token]] | None:
    if not placeholders:
        return None
    swapped = _MARKER.sub(lambda m: "_" + m.group(1) if m.group(0) in placeholders else m.group(0), text)
    if swapped == text:
        return None
    try:
        tree, tokens = parse_one(swapped)
    except Exception:  # noqa: BLE001 - still unparseable: caller reports HOS901
        return None
    _mark_swapped(tree, text)
    return tree, tokens


def _mark_swapped(tree: exp.Expr, original: str) -> None:
    """Identifiers that replaced a placeholder remember it (``meta``), so the
    classifier treats them like a bind marker in a name position."""
    for ident in tree.find_all(exp.Identifier):
        start = ident.meta.get("start")
        if start is not None and original.startswith("$", start) and _SWAPPED.fullmatch(ident.name):
            ident.meta["marker"] = True
