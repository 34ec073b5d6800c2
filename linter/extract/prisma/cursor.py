"""The parser's cursor over the token list: lookahead, expectations and the
``Failure`` a syntax error raises (caught at block level, see ``parser``)."""
from __future__ import annotations

from hos_lint.extract.prisma.document import ParseError
from hos_lint.extract.prisma.tokens import BadEscape, Tok, Token, describe, unquote


class Failure(Exception):
    """A syntax error at ``token``; caught at block level, never escapes the package."""

    def __init__(self, token: Token, message: str) -> None:
        super().__init__(message)
        self.token = token
        self.message = message


class Cursor:
    """The token list of one parse and the position in it."""

    def __init__(self, text: str, toks: list[Token]) -> None:
        self.text = text
        self.toks = toks
        self.pos = 0
        self.errors: list[ParseError] = []
        self.openers: list[Token] = []  # the '(' and '[' being read, innermost last

    def peek(self, ahead: int = 0) -> Token:
        # pos never passes the final EOF token; only lookahead needs clamping
        if ahead == 0:
            return self.toks[self.pos]
        return self.toks[min(self.pos + ahead, len(self.toks) - 1)]

    def advance(self) -> Token:
        tok = self.toks[self.pos]
        if tok.kind is not Tok.EOF:
            self.pos += 1
        return tok

    def expect(self, kind: Tok, what: str) -> Token:
        tok = self.peek()
        if tok.kind is not kind:
            raise Failure(tok, f"expected {what}, found {describe(tok)}")
        return self.advance()

    def glued(self, previous: Token, kind: Tok) -> bool:
        """Is the next token of ``kind`` and written right after ``previous``?"""
        tok = self.peek()
        return tok.kind is kind and tok.start == previous.end

    def string(self, tok: Token) -> str:
        """The decoded value of a string token; an escape Prisma rejects fails here."""
        try:
            return unquote(tok.text)
        except BadEscape as bad:
            at = tok._replace(col=tok.col + bad.offset)
            raise Failure(at, str(bad)) from None

    def error(self, token: Token, message: str) -> None:
        self.errors.append(ParseError(token.line, token.col, message))

    def check_line(self) -> Token:
        """The next token; a line ending inside brackets fails at the bracket
        (Prisma's grammar has no newline inside an argument list or a list)."""
        tok = self.peek()
        if self.openers and tok.kind in (Tok.NEWLINE, Tok.EOF):
            opener = self.openers[-1]
            raise Failure(opener, f"'{opener.text}' is not closed on its line "
                                  f"(a Prisma attribute or value cannot span lines)")
        return tok

    def source_since(self, first: Token) -> str:
        """The source text from ``first`` to the last consumed token."""
        return self.text[first.start:self.toks[self.pos - 1].end]
