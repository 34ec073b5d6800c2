"""Attributes, arguments and values (``@@map("t")``, ``env("X")``,
``[a, b(sort: Desc)]``): all on one line, as Prisma has no line continuation.
Nesting is bounded (``MAX_NESTING``) so no input exhausts the Python stack."""
from __future__ import annotations

from hos_lint.extract.prisma.cursor import Cursor, Failure
from hos_lint.extract.prisma.document import Argument, Attribute, Value, ValueKind
from hos_lint.extract.prisma.tokens import Tok, describe

# Deeper argument nesting than this is reported instead of recursed into, so
# 10,000 `[` cannot exhaust the Python stack (each level costs ~3 frames).
MAX_NESTING = 64


class ExpressionParser(Cursor):
    """Recursive descent over attributes and the expressions inside them."""

    def parse_attribute(self) -> Attribute:
        """``@path(args)`` / ``@@path(args)``; the arguments are optional."""
        marker = self.advance()
        first = self.peek()
        name = self.parse_path(f"an attribute name after '{marker.text}'")
        if name[0].isdigit():
            raise Failure(first, f"an attribute name must not start with a digit: '{name}'")
        args: tuple[Argument, ...] = ()
        if self.peek().kind is Tok.LPAREN:
            args = self.parse_args(1)
        return Attribute(name=name, args=args, line=marker.line, col=marker.col)

    def parse_path(self, what: str) -> str:
        """``ident(.ident)*`` written without blanks (pest's atomic ``path``)."""
        parts = [self.expect(Tok.IDENT, what)]
        while (self.peek().kind is Tok.DOT and self.peek().start == parts[-1].end
               and self.peek(1).kind is Tok.IDENT and self.peek(1).start == self.peek().end):
            self.advance()
            parts.append(self.advance())
        return ".".join(p.text for p in parts)

    def parse_args(self, depth: int) -> tuple[Argument, ...]:
        """``( [arg (, arg)*] )`` where arg is ``name: expr`` or ``expr``."""
        self.check_depth(depth)
        self.openers.append(self.advance())  # '('
        args: list[Argument] = []
        while self.check_line().kind is not Tok.RPAREN:
            args.append(self.parse_argument(depth))
            if self.check_line().kind is not Tok.COMMA:
                break
            comma = self.advance()
            if self.check_line().kind is Tok.RPAREN:
                raise Failure(comma, "trailing comma in an argument list")
        self.expect(Tok.RPAREN, "',' or ')' in an argument list")
        self.openers.pop()
        return tuple(args)

    def parse_argument(self, depth: int) -> Argument:
        tok = self.peek()
        name = None
        if tok.kind is Tok.IDENT and self.peek(1).kind is Tok.COLON:
            name = tok.text
            self.advance()
            self.advance()
        return Argument(name=name, value=self.parse_expr(depth), line=tok.line, col=tok.col)

    def parse_expr(self, depth: int) -> Value:
        """string | number | [array] | path | path(args). A name starting with a
        digit is no value (Prisma reads ``1x`` as the number 1 and a stray x)."""
        self.check_depth(depth)
        tok = self.check_line()
        if tok.kind is Tok.STRING:
            self.advance()
            return Value(kind=ValueKind.STRING, text=tok.text, line=tok.line, col=tok.col,
                         value=self.string(tok))
        if tok.kind is Tok.NUMBER:
            self.advance()
            return Value(kind=ValueKind.NUMBER, text=tok.text, line=tok.line, col=tok.col,
                         value=tok.text)
        if tok.kind is Tok.LBRACKET:
            return self.parse_array(depth)
        if tok.kind is Tok.IDENT and not tok.text[0].isdigit():
            return self.parse_path_or_call(depth)
        raise Failure(tok, f"expected a value, found {describe(tok)}")

    def parse_path_or_call(self, depth: int) -> Value:
        first = self.peek()
        name = self.parse_path("a name")
        if self.peek().kind is not Tok.LPAREN:
            return Value(kind=ValueKind.PATH, text=name, line=first.line, col=first.col, value=name)
        args = self.parse_args(depth + 1)
        return Value(kind=ValueKind.CALL, text=self.source_since(first), line=first.line,
                     col=first.col, value=name, args=args)

    def parse_array(self, depth: int) -> Value:
        """``[ [expr (, expr)*] ]``: no trailing comma (Prisma's grammar has none)."""
        first = self.advance()  # '['
        self.openers.append(first)
        items: list[Value] = []
        while self.check_line().kind is not Tok.RBRACKET:
            items.append(self.parse_expr(depth + 1))
            if self.check_line().kind is not Tok.COMMA:
                break
            self.advance()
            if self.check_line().kind is Tok.RBRACKET:
                raise Failure(self.peek(), "expected a value after ',' in a list, found ']'")
        self.expect(Tok.RBRACKET, "',' or ']' in a list")
        self.openers.pop()
        return Value(kind=ValueKind.ARRAY, text=self.source_since(first), line=first.line,
                     col=first.col, items=tuple(items))

    def check_depth(self, depth: int) -> None:
        if depth > MAX_NESTING:
            raise Failure(self.peek(), f"arguments nested deeper than {MAX_NESTING} levels")
