"""A cursor over a statement's sqlglot tokens, for the small recursive-descent
readers of the forms sqlglot keeps as an opaque ``Command`` (``LOCK``,
``REFRESH MATERIALIZED VIEW``, ``SET``, most ``GRANT``/``REVOKE`` and many
``ALTER`` actions).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import ClassVar

from sqlglot.dialects.postgres import Postgres
from sqlglot.tokenizer_core import Token, TokenType

from hos_lint.extract.sql.facts import MARKER_IN_NAME, Ctx, Name, Sink
from hos_lint.extract.sql.lexer import Statement

_PUNCTUATION = frozenset(
    {TokenType.COMMA, TokenType.DOT, TokenType.L_PAREN, TokenType.R_PAREN,
     TokenType.SEMICOLON, TokenType.EQ, TokenType.STAR, TokenType.STRING, TokenType.NUMBER}
)
_NAME_START = re.compile(r"[A-Za-z_\"]")


class _PlainTokenizer(Postgres.Tokenizer):
    """Postgres tokens without command collapsing: sqlglot's tokenizer turns
    everything after LOCK, EXECUTE, REFRESH… into one opaque string."""

    COMMANDS: ClassVar[set[TokenType]] = set()


@cache
def _plain_tokenizer() -> _PlainTokenizer:
    """One per process: ``tokenize`` resets it."""
    return _PlainTokenizer()


# One name part: (folded text, quoted, offset, bind-marker offset).
Part = tuple[str, bool, int, "int | None"]


class TokenReader:
    """A cursor over the sqlglot tokens of a statement after its first
    keyword (offsets relative to the statement)."""

    def __init__(self, stmt: Statement) -> None:
        self.all: list[Token] = _plain_tokenizer().tokenize(stmt.text)
        self.tokens: list[Token] = self.all[1:]
        self.shift = 0
        self.i = 0
        self.complaint: str | None = None  # the first thing a reader found missing

    def require(self, ok: bool, what: str) -> bool:
        """Note ``what`` as missing unless ``ok`` (the first complaint wins)."""
        if not ok and self.complaint is None:
            self.complaint = what
        return ok

    def word(self, ahead: int = 0) -> str:
        """Upper-cased text of the token ``ahead`` positions on ('' past the end)."""
        j = self.i + ahead
        if j >= len(self.tokens) or self.tokens[j].token_type == TokenType.IDENTIFIER:
            return ""
        return self.tokens[j].text.upper()

    def accept(self, *words: str) -> bool:
        """Consume the words if they come next, in order."""
        if all(self.word(k) == w for k, w in enumerate(words)):
            self.i += len(words)
            return True
        return False

    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    def offset(self, token: Token) -> int:
        return token.start + self.shift

    def is_name(self) -> bool:
        if self.at_end():
            return False
        tok = self.tokens[self.i]
        return tok.token_type == TokenType.PARAMETER or (
            tok.token_type not in _PUNCTUATION and bool(_NAME_START.match(tok.text or "x"))
        ) or tok.token_type == TokenType.IDENTIFIER

    def part(self) -> Part:
        """One name part: (folded text, quoted, offset, bind-marker offset)."""
        tok = self.tokens[self.i]
        self.i += 1
        start = self.offset(tok)
        if tok.token_type == TokenType.PARAMETER:
            if not self.at_end() and self.tokens[self.i].token_type == TokenType.NUMBER:
                self.i += 1
            return "", False, start, start
        quoted = tok.token_type == TokenType.IDENTIFIER
        found = MARKER_IN_NAME.search(tok.text)
        marker = start + quoted + found.start() if found else None
        return (tok.text if quoted else tok.text.lower()), quoted, start, marker

    def name(self) -> Name | None:
        """A possibly qualified relation name (``a``, ``s.a``, ``db.s.a``)."""
        if not self.is_name():
            return None
        parts = [self.part()]
        while self.word() == "." and (self.i + 1) < len(self.tokens):
            self.i += 1
            if not self.is_name():
                break
            parts.append(self.part())
        last, schema = parts[-1], parts[-2] if len(parts) > 1 else None
        dynamic = next((p[3] for p in parts if p[3] is not None), None)
        return Name(last[0], schema[0] if schema else None, last[1], parts[0][2], dynamic)

    def names(self) -> list[Name]:
        """A comma-separated list of names."""
        out: list[Name] = []
        while True:
            name = self.name()
            if name is None:
                return out
            out.append(name)
            self.accept("*")  # LOCK t * (descendant tables): no new name
            if not self.accept(","):
                return out

    def skip_parens(self) -> None:
        """Skip a balanced ``( … )`` group if one comes next."""
        if self.word() != "(":
            return
        depth = 0
        while not self.at_end():
            word = self.word()
            depth += (word == "(") - (word == ")")
            self.i += 1
            if depth == 0:
                return


# A token reader of one statement form: it records what it found in the sink.
TokenFn = Callable[[Statement, TokenReader, Ctx, Sink], None]
