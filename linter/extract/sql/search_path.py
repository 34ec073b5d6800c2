"""``SET search_path`` and ``RESET``: the search path recorded on the refs of
the statements that follow, in the same SQL text."""
from __future__ import annotations

from sqlglot.tokenizer_core import TokenType

from hos_lint.extract.sql.facts import Ctx, Sink
from hos_lint.extract.sql.lexer import Statement
from hos_lint.extract.sql.tokens import TokenReader


def set_(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
    """``SET [SESSION|LOCAL] search_path {TO|=} …`` replaces the search path
    recorded on later refs; other settings are ignored."""
    reader.accept("SESSION") or reader.accept("LOCAL")
    if reader.word() != "SEARCH_PATH":
        return
    reader.i += 1
    if reader.require(reader.accept("TO") or reader.accept("="), "TO or = after search_path") \
            and reader.require(not reader.at_end(), "a schema after search_path TO"):
        sink.search_path = _search_path_values(reader)


def _search_path_values(reader: TokenReader) -> tuple[str, ...]:
    values: list[str] = []
    while not reader.at_end():
        tok = reader.tokens[reader.i]
        reader.i += 1
        if tok.token_type == TokenType.COMMA:
            continue
        if tok.token_type == TokenType.DEFAULT:
            return ()
        quoted = tok.token_type in (TokenType.IDENTIFIER, TokenType.STRING)
        values.append(tok.text if quoted else tok.text.lower())
    return tuple(values)


def reset(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
    """``RESET search_path`` / ``RESET ALL``: back to the service default."""
    reader.require(not reader.at_end(), "a parameter after RESET")
    if reader.word() in {"SEARCH_PATH", "ALL"}:
        sink.search_path = ()
