"""Prisma Schema Language: tokenizer, recursive-descent parser and extractor.

``parse_schema(text)`` is a pure parse into ``PrismaDocument`` (blocks plus
parse errors). ``extract(src, text, config)`` turns the document into the
project facts: ``PrismaModel`` (models and views), ``PrismaDatasource``,
``PrismaGenerator`` and HOS901 problems. A schema yields no accesses:
ownership rules work from the models.

The grammar follows prisma-engines' ``datamodel.pest``: top-level blocks
``model | view | type | enum | datasource | generator``; one member per line;
newlines are insignificant only inside ``(...)`` and ``[...]``. Keywords are
keywords only at the top level, so a field or enum value called ``model`` or
``view`` is an ordinary name.

Error recovery: an error inside a block records one ``ParseError`` and skips
to the brace that closes the block, or to the next line that starts a block
(``model X {``), whichever comes first; the block is kept with
``complete=False`` and ``extract`` leaves it out, because its ``@@map`` /
``@@schema`` may be among the skipped lines. Argument nesting is bounded
(``MAX_NESTING``) and every skip loop is iterative, so no input raises.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import NamedTuple

from linter.extract.base import ExtractConfig, parse_error
from linter.model import (
    ExtractResult,
    Language,
    Location,
    PrismaDatasource,
    PrismaField,
    PrismaGenerator,
    PrismaModel,
    SourceFile,
)

NAME = "prisma"
LANGUAGE = Language.PRISMA

# Deeper argument nesting than this is reported instead of recursed into, so
# 10,000 `[` cannot exhaust the Python stack (each level costs ~3 frames).
MAX_NESTING = 64

ERROR_PREFIX = "Prisma schema parse error: "


# --- tokens -------------------------------------------------------------------


class Tok(enum.Enum):
    IDENT = "identifier"
    NUMBER = "number"
    STRING = "string"
    NEWLINE = "end of line"
    AT = "'@'"
    ATAT = "'@@'"
    LBRACE = "'{'"
    RBRACE = "'}'"
    LPAREN = "'('"
    RPAREN = "')'"
    LBRACKET = "'['"
    RBRACKET = "']'"
    COMMA = "','"
    COLON = "':'"
    EQUALS = "'='"
    QUESTION = "'?'"
    DOT = "'.'"
    BAD = "invalid input"  # unterminated string or comment, stray character
    EOF = "end of input"


class Token(NamedTuple):
    """One token. A NamedTuple rather than a frozen dataclass: tokens never
    leave this module and a large schema makes ~10^5 of them, where the
    dataclass's frozen ``__init__`` doubles the tokenizer's cost."""

    kind: Tok
    text: str
    line: int
    col: int
    start: int  # character offsets into the source
    end: int


_PUNCT = {
    "@@": Tok.ATAT, "@": Tok.AT, "{": Tok.LBRACE, "}": Tok.RBRACE,
    "(": Tok.LPAREN, ")": Tok.RPAREN, "[": Tok.LBRACKET, "]": Tok.RBRACKET,
    ",": Tok.COMMA, ":": Tok.COLON, "=": Tok.EQUALS, "?": Tok.QUESTION, ".": Tok.DOT,
}

_TOKEN_RE = re.compile(
    r"""
    (?P<newline>\r\n|\n|\r)                      # the grammar's NEWLINE (lone \r too)
  | (?P<ws>[^\S\r\n]+|\ufeff)                    # blanks, tabs, a byte-order mark
  | (?P<comment>//[^\r\n]*)                      # // and /// run to end of line
  | (?P<block_comment>/\*.*?(?:\*/|\Z))          # not Prisma syntax, tolerated
  | (?P<string>"[^"\\\r\n]*(?:\\[^\r\n][^"\\\r\n]*)*")   # JSON-style string literal
  | (?P<bad_string>"[^"\\\r\n]*(?:\\[^\r\n][^"\\\r\n]*)*\\?)  # no closing quote on its line
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z0-9_-]))
  | (?P<ident>[A-Za-z0-9][A-Za-z0-9_-]*)         # pest: ASCII_ALPHANUMERIC ~ (_|-|alnum)*
  | (?P<punct>@@|[@{}()\[\],:=?.])
  | (?P<other>[^\sA-Za-z0-9"@{}()\[\],:=?./-]+|.)  # one run of garbage, one token
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[Token]:
    """Every token of ``text``, comments dropped, ending with one EOF token.

    Lines count ``\\n`` only (like ``linter.embedded.LineIndex``); columns are
    1-based character offsets within the line. A block comment spanning lines
    yields one NEWLINE so it still separates members. Never raises: anything
    unrecognised becomes a ``Tok.BAD`` token for the parser to report.
    """
    tokens: list[Token] = []
    line, line_start = 1, 0
    for m in _TOKEN_RE.finditer(text):
        group, start, end = m.lastgroup, m.start(), m.end()
        if group == "ws" or group == "comment":
            continue
        kind = _token_kind(group, m.group())
        if kind is not None:
            tokens.append(Token(kind, m.group(), line, start - line_start + 1, start, end))
        if group in _MULTILINE and "\n" in m.group():
            line += text.count("\n", start, end)
            line_start = text.rindex("\n", start, end) + 1
            if group == "block_comment":
                tokens.append(Token(Tok.NEWLINE, "\n", line, 1, end, end))
    tokens.append(Token(Tok.EOF, "", line, len(text) - line_start + 1, len(text), len(text)))
    return tokens


# Only these groups can contain a "\n" (strings and garbage runs stop at one).
_MULTILINE = frozenset({"newline", "block_comment"})
_SIMPLE_KINDS = {"newline": Tok.NEWLINE, "string": Tok.STRING, "number": Tok.NUMBER,
                 "ident": Tok.IDENT, "bad_string": Tok.BAD, "other": Tok.BAD}


def _token_kind(group: str | None, text: str) -> Tok | None:
    """The token kind for one regex match; None for a closed block comment."""
    if group == "punct":
        return _PUNCT[text]
    if group == "block_comment":
        return None if text.endswith("*/") and len(text) >= 4 else Tok.BAD
    return _SIMPLE_KINDS.get(group or "other", Tok.BAD)


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.DOTALL)


def unquote(literal: str) -> str:
    """The value of a terminated string token (JSON escapes; unknown ones keep the char)."""
    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        if len(esc) == 5:
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, esc)

    return _ESCAPE_RE.sub(repl, literal[1:-1])


# --- document -----------------------------------------------------------------


class ValueKind(enum.Enum):
    STRING = "string"
    NUMBER = "number"
    PATH = "path"  # identifiers and constants: Cascade, true, db.Text
    ARRAY = "array"
    CALL = "call"  # env("X"), now(), a(sort: Desc)


@dataclass(frozen=True, slots=True, kw_only=True)
class Value:
    """One expression. ``text`` is the source as written; ``value`` is the
    decoded string (STRING), the digits (NUMBER) or the name (PATH, CALL)."""

    kind: ValueKind
    text: str
    line: int
    col: int
    value: str = ""
    items: tuple[Value, ...] = ()  # ARRAY
    args: tuple[Argument, ...] = ()  # CALL

    def strings(self) -> tuple[str, ...]:
        """The string items of an array value (non-strings skipped); () otherwise."""
        return tuple(i.value for i in self.items if i.kind is ValueKind.STRING)

    def names(self) -> tuple[str, ...]:
        """The names in an array of paths or calls (``[a, b(sort: Desc)]``)."""
        return tuple(i.value for i in self.items if i.kind in (ValueKind.PATH, ValueKind.CALL))


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    name: str | None  # None for a positional argument
    value: Value
    line: int
    col: int


def _find_argument(args: tuple[Argument, ...], name: str, position: int | None) -> Value | None:
    """The argument called ``name``, else the ``position``-th positional one."""
    for arg in args:
        if arg.name == name:
            return arg.value
    positional = [a.value for a in args if a.name is None]
    if position is not None and position < len(positional):
        return positional[position]
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    """``@name(args)`` or ``@@name(args)``; ``name`` has no ``@``; line/col of the ``@``."""

    name: str
    args: tuple[Argument, ...]
    line: int
    col: int

    def argument(self, name: str, position: int | None = None) -> Value | None:
        return _find_argument(self.args, name, position)

    def string(self, name: str, position: int | None = None) -> str | None:
        """The decoded string argument, or None when absent or not a string."""
        value = self.argument(name, position)
        return value.value if value is not None and value.kind is ValueKind.STRING else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A model/view/type field; line/col of its name."""

    name: str
    type: str  # "Unsupported" for Unsupported("..."), whose argument is type_arg
    line: int
    col: int
    optional: bool = False
    is_list: bool = False
    type_arg: str | None = None
    attributes: tuple[Attribute, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Property:
    """``key = value`` inside a datasource or generator; line/col of the key."""

    key: str
    value: Value
    line: int
    col: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumValue:
    name: str
    line: int
    col: int
    attributes: tuple[Attribute, ...] = ()


class BlockKind(enum.Enum):
    MODEL = "model"
    VIEW = "view"
    TYPE = "type"
    ENUM = "enum"
    DATASOURCE = "datasource"
    GENERATOR = "generator"


KEYWORDS = frozenset(k.value for k in BlockKind)


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """A top-level block; line/col of its keyword. ``complete`` is False when a
    parse error cut it short (its members are those read before the error)."""

    kind: BlockKind
    name: str
    line: int
    col: int
    fields: tuple[Field, ...] = ()
    attributes: tuple[Attribute, ...] = ()  # block attributes (@@...)
    properties: tuple[Property, ...] = ()  # datasource / generator
    values: tuple[EnumValue, ...] = ()  # enum
    complete: bool = True

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def property(self, key: str) -> Property | None:
        return next((p for p in self.properties if p.key == key), None)


@dataclass(frozen=True, slots=True)
class ParseError:
    line: int
    col: int
    message: str


@dataclass(frozen=True, slots=True)
class PrismaDocument:
    blocks: tuple[Block, ...]
    errors: tuple[ParseError, ...]

    def of_kind(self, *kinds: BlockKind) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind in kinds)


# --- parser -------------------------------------------------------------------


class _Failure(Exception):
    """A syntax error at ``token``; caught at block level, never escapes the module."""

    def __init__(self, token: Token, message: str) -> None:
        super().__init__(message)
        self.token = token
        self.message = message


@dataclass(slots=True)
class _Members:
    """Members collected so far for the block being parsed (mutable builder)."""

    fields: list[Field]
    attributes: list[Attribute]
    properties: list[Property]
    values: list[EnumValue]


def describe(token: Token) -> str:
    """A short human name for a token in error messages."""
    if token.kind in (Tok.EOF, Tok.NEWLINE):
        return token.kind.value
    if token.kind is Tok.BAD:
        return _describe_bad(token.text)
    text = token.text if len(token.text) <= 30 else token.text[:27] + "..."
    return f"'{text}'"


def _describe_bad(text: str) -> str:
    if text.startswith('"'):
        return "unterminated string"
    if text.startswith("/*"):
        return "unterminated /* comment"
    if not text[0].isprintable():
        return f"character U+{ord(text[0]):04X}"
    return f"'{text}'" if len(text) <= 30 else f"'{text[:27]}...'"


class _Parser:
    """Recursive descent over the token list; one instance per parse."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.pos = 0
        self.errors: list[ParseError] = []

    # token helpers

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
            raise _Failure(tok, f"expected {what}, found {describe(tok)}")
        return self.advance()

    def skip_newlines(self) -> None:
        while self.peek().kind is Tok.NEWLINE:
            self.advance()

    def at_line_start(self, i: int) -> bool:
        return i == 0 or self.toks[i - 1].kind is Tok.NEWLINE

    def at_block_start(self, i: int) -> bool:
        """Does token ``i`` open a block: ``keyword Name {`` at the start of a line?"""
        toks, last = self.toks, len(self.toks) - 1
        if i + 2 > last or not self.at_line_start(i):
            return False
        kw, name, brace = toks[i], toks[i + 1], toks[i + 2]
        return (kw.kind is Tok.IDENT and kw.text in KEYWORDS
                and name.kind is Tok.IDENT and brace.kind is Tok.LBRACE)

    def error(self, token: Token, message: str) -> None:
        self.errors.append(ParseError(token.line, token.col, message))

    # top level

    def parse(self) -> PrismaDocument:
        blocks: list[Block] = []
        while self.peek().kind is not Tok.EOF:
            tok = self.peek()
            if tok.kind is Tok.NEWLINE:
                self.advance()
            elif tok.kind is Tok.IDENT and tok.text in KEYWORDS:
                blocks.append(self.parse_block())
            else:
                self.error(tok, f"expected a block (model, view, type, enum, datasource, "
                                f"generator), found {describe(tok)}")
                self.skip_to_block_start()
        return PrismaDocument(tuple(blocks), tuple(self.errors))

    def skip_to_block_start(self) -> None:
        """Skip at least one token, then up to the next block start or EOF."""
        self.advance()
        while self.peek().kind is not Tok.EOF and not self.at_block_start(self.pos):
            self.advance()

    def parse_block(self) -> Block:
        """``keyword Name { members }``; on a syntax error, record it and recover."""
        keyword = self.advance()
        kind = BlockKind(keyword.text)
        members = _Members([], [], [], [])
        name = ""
        body_start = None
        try:
            name = self.expect(Tok.IDENT, f"a name after '{keyword.text}'").text
            self.expect(Tok.LBRACE, f"'{{' after {keyword.text} {name}")
            body_start = self.pos
            complete = self.parse_members(kind, keyword, name, members)
        except _Failure as failure:
            self.recover(failure, keyword, name, body_start)
            complete = False
        return Block(kind=kind, name=name, line=keyword.line, col=keyword.col,
                     fields=tuple(members.fields), attributes=tuple(members.attributes),
                     properties=tuple(members.properties), values=tuple(members.values),
                     complete=complete)

    def parse_members(self, kind: BlockKind, keyword: Token, name: str, members: _Members) -> bool:
        """Members up to the closing brace: True when it was found; False (with an
        error at the keyword) when EOF or another block's start came first."""
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok.kind is Tok.RBRACE:
                self.advance()
                return True
            if tok.kind is Tok.EOF or self.at_block_start(self.pos):
                self.error(keyword, _unclosed_message(keyword, name, self.interrupter()))
                return False
            self.parse_member(kind, members)
            end = self.peek()
            if end.kind not in (Tok.NEWLINE, Tok.RBRACE, Tok.EOF):
                raise _Failure(end, f"expected end of line, found {describe(end)}")

    def interrupter(self) -> str:
        """What stopped an unclosed block: the next block or the end of input."""
        tok = self.peek()
        if tok.kind is Tok.EOF:
            last = self.toks[-2] if len(self.toks) > 1 else tok
            return f"the end of input at line {last.line}"
        return f"{tok.text} {self.peek(1).text} at line {tok.line}"

    def parse_member(self, kind: BlockKind, members: _Members) -> None:
        tok = self.peek()
        if tok.kind is Tok.ATAT and kind not in (BlockKind.DATASOURCE, BlockKind.GENERATOR):
            members.attributes.append(self.parse_attribute())
        elif tok.kind is not Tok.IDENT:
            raise _Failure(tok, f"expected {_MEMBER_WHAT[kind]}, found {describe(tok)}")
        elif kind in (BlockKind.DATASOURCE, BlockKind.GENERATOR):
            members.properties.append(self.parse_property())
        elif kind is BlockKind.ENUM:
            members.values.append(self.parse_enum_value())
        else:
            members.fields.append(self.parse_field())

    def recover(self, failure: _Failure, keyword: Token, name: str, body_start: int | None) -> None:
        """Record ``failure`` and skip to the end of the broken block.

        The scan restarts at the first token of the failing line (but inside the
        body), so a ``model B {`` line that an unclosed argument list swallowed
        still starts block B. It stops before a block start, or after the brace
        that balances the block's own ``{``, or at EOF.
        """
        if failure.token.kind is Tok.EOF and body_start is not None:
            self.error(keyword, _unclosed_message(keyword, name, self.interrupter()))
        else:
            self.error(failure.token, f"{failure.message} (in {keyword.text} {name or '?'})")
        self.pos = self.line_start_index(self.pos, floor=body_start if body_start is not None else self.pos)
        depth = 0 if body_start is None else 1
        while self.peek().kind is not Tok.EOF and not self.at_block_start(self.pos):
            tok = self.advance()
            depth += {Tok.LBRACE: 1, Tok.RBRACE: -1}.get(tok.kind, 0)
            if tok.kind is Tok.RBRACE and depth <= 0:
                return

    def line_start_index(self, i: int, floor: int) -> int:
        while i > floor and not self.at_line_start(i):
            i -= 1
        return i

    # members

    def parse_field(self) -> Field:
        """``name Type[]? @attr...``: the type may be ``Unsupported("...")``."""
        name = self.advance()
        type_tok = self.expect(Tok.IDENT, f"a type for field {name.text}")
        type_arg = None
        if type_tok.text == "Unsupported" and self.peek().kind is Tok.LPAREN:
            self.advance()
            type_arg = unquote(self.expect(Tok.STRING, "a string in Unsupported(...)").text)
            self.expect(Tok.RPAREN, "')' after Unsupported(\"...\"")
        is_list = self.peek().kind is Tok.LBRACKET
        if is_list:
            self.advance()
            self.expect(Tok.RBRACKET, "']' after '[' in a list type")
        optional = self.peek().kind is Tok.QUESTION
        if optional:
            self.advance()
        return Field(name=name.text, type=type_tok.text, line=name.line, col=name.col,
                     optional=optional, is_list=is_list, type_arg=type_arg,
                     attributes=self.parse_field_attributes())

    def parse_field_attributes(self) -> tuple[Attribute, ...]:
        attributes = []
        while self.peek().kind is Tok.AT:
            attributes.append(self.parse_attribute())
        return tuple(attributes)

    def parse_enum_value(self) -> EnumValue:
        name = self.advance()
        return EnumValue(name=name.text, line=name.line, col=name.col,
                         attributes=self.parse_field_attributes())

    def parse_property(self) -> Property:
        key = self.advance()
        self.expect(Tok.EQUALS, f"'=' after {key.text}")
        return Property(key=key.text, value=self.parse_expr(0), line=key.line, col=key.col)

    def parse_attribute(self) -> Attribute:
        """``@path(args)`` / ``@@path(args)``; the arguments are optional."""
        marker = self.advance()
        name = self.parse_path(f"an attribute name after '{marker.text}'")
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

    # arguments and expressions (newlines are insignificant inside brackets)

    def parse_args(self, depth: int) -> tuple[Argument, ...]:
        """``( [arg (, arg)*] [,] )`` where arg is ``name: expr`` or ``expr``."""
        self.check_depth(depth)
        opener = self.advance()  # '('
        args: list[Argument] = []
        self.skip_bracketed_newlines(opener)
        while self.peek().kind is not Tok.RPAREN:
            args.append(self.parse_argument(depth))
            self.skip_bracketed_newlines(opener)
            if self.peek().kind is not Tok.COMMA:
                break
            self.advance()
            self.skip_bracketed_newlines(opener)
        self.expect(Tok.RPAREN, "',' or ')' in an argument list")
        return tuple(args)

    def parse_argument(self, depth: int) -> Argument:
        tok = self.peek()
        name = None
        if tok.kind is Tok.IDENT and self.peek(1).kind is Tok.COLON:
            name = tok.text
            self.advance()
            self.advance()
            self.skip_newlines()
        return Argument(name=name, value=self.parse_expr(depth), line=tok.line, col=tok.col)

    def parse_expr(self, depth: int) -> Value:
        """string | number | [array] | path | path(args)."""
        self.check_depth(depth)
        tok = self.peek()
        if tok.kind is Tok.STRING:
            self.advance()
            return Value(kind=ValueKind.STRING, text=tok.text, line=tok.line, col=tok.col,
                         value=unquote(tok.text))
        if tok.kind is Tok.NUMBER:
            self.advance()
            return Value(kind=ValueKind.NUMBER, text=tok.text, line=tok.line, col=tok.col,
                         value=tok.text)
        if tok.kind is Tok.LBRACKET:
            return self.parse_array(depth)
        if tok.kind is Tok.IDENT:
            return self.parse_path_or_call(depth)
        raise _Failure(tok, f"expected a value, found {describe(tok)}")

    def parse_path_or_call(self, depth: int) -> Value:
        first = self.peek()
        name = self.parse_path("a name")
        if self.peek().kind is not Tok.LPAREN:
            return Value(kind=ValueKind.PATH, text=name, line=first.line, col=first.col, value=name)
        args = self.parse_args(depth + 1)
        return Value(kind=ValueKind.CALL, text=self.source_since(first), line=first.line,
                     col=first.col, value=name, args=args)

    def parse_array(self, depth: int) -> Value:
        """``[ [expr (, expr)*] [,] ]``; a trailing comma is tolerated."""
        first = self.advance()  # '['
        items: list[Value] = []
        self.skip_bracketed_newlines(first)
        while self.peek().kind is not Tok.RBRACKET:
            items.append(self.parse_expr(depth + 1))
            self.skip_bracketed_newlines(first)
            if self.peek().kind is not Tok.COMMA:
                break
            self.advance()
            self.skip_bracketed_newlines(first)
        self.expect(Tok.RBRACKET, "',' or ']' in a list")
        return Value(kind=ValueKind.ARRAY, text=self.source_since(first), line=first.line,
                     col=first.col, items=tuple(items))

    def skip_bracketed_newlines(self, opener: Token) -> None:
        """Skip newlines inside ``(...)``/``[...]``; a line that starts a block
        means ``opener`` was never closed (reported there, not at the block)."""
        if self.peek().kind is not Tok.NEWLINE:
            return
        self.skip_newlines()
        if self.at_block_start(self.pos):
            tok = self.peek()
            raise _Failure(opener, f"'{opener.text}' is never closed before "
                                   f"{tok.text} {self.peek(1).text} at line {tok.line}")

    def check_depth(self, depth: int) -> None:
        if depth > MAX_NESTING:
            raise _Failure(self.peek(), f"arguments nested deeper than {MAX_NESTING} levels")

    def source_since(self, first: Token) -> str:
        """The source text from ``first`` to the last consumed token."""
        return self.text[first.start:self.toks[self.pos - 1].end]


_MEMBER_WHAT = {
    BlockKind.MODEL: "a field or '@@' attribute",
    BlockKind.VIEW: "a field or '@@' attribute",
    BlockKind.TYPE: "a field",
    BlockKind.ENUM: "an enum value or '@@' attribute",
    BlockKind.DATASOURCE: "a 'key = value' line",
    BlockKind.GENERATOR: "a 'key = value' line",
}


def _unclosed_message(keyword: Token, name: str, interrupter: str) -> str:
    return (f"expected '}}' to close {keyword.text} {name} (opened at line {keyword.line}) "
            f"before {interrupter}")


def parse_schema(text: str) -> PrismaDocument:
    """Parse Prisma Schema Language text. Pure; never raises: syntax errors are
    returned in ``errors`` and the rest of the document is still parsed."""
    return _Parser(text).parse()


# --- extractor ----------------------------------------------------------------


def handles(path: str) -> bool:
    return path.endswith(".prisma")


def might_access_db(data: bytes) -> bool:
    """A Prisma schema always matters: it defines the models and their tables."""
    return True


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Models, views, datasources, generators and HOS901 problems of one schema
    file. Blocks cut short by a parse error are left out (their error is reported)."""
    doc = parse_schema(text)
    complete = tuple(b for b in doc.blocks if b.complete)
    return ExtractResult(
        path=src.path,
        service=src.service,
        models=tuple(_model(src, b) for b in complete if b.kind in (BlockKind.MODEL, BlockKind.VIEW)),
        datasources=tuple(_datasource(src, b) for b in complete if b.kind is BlockKind.DATASOURCE),
        generators=tuple(_generator(src, b) for b in complete if b.kind is BlockKind.GENERATOR),
        problems=tuple(parse_error(src, e.line, e.col, ERROR_PREFIX + e.message) for e in doc.errors),
    )


def _model(src: SourceFile, block: Block) -> PrismaModel:
    mapped = block.attribute("map")
    schema = block.attribute("schema")
    return PrismaModel(
        service=src.service,
        name=block.name,
        location=Location(src.path, block.line, block.col),
        db_name=(mapped.string("name", 0) if mapped else None) or block.name,
        schema=schema.string("name", 0) if schema else None,
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
        relation_fields=fields.names() if fields else (),
        relation_references=references.names() if references else (),
        attributes=tuple(a.name for a in field.attributes),
    )


def _written(value: Value | None) -> str | None:
    """A string's value, or any other expression as written (``env("X")``)."""
    if value is None:
        return None
    return value.value if value.kind is ValueKind.STRING else value.text


def _env_var(value: Value | None) -> str | None:
    """VAR from ``env("VAR")``; None for anything else."""
    if value is None or value.kind is not ValueKind.CALL or value.value != "env":
        return None
    arg = _find_argument(value.args, "name", 0)
    return arg.value if arg is not None and arg.kind is ValueKind.STRING else None


def _datasource(src: SourceFile, block: Block) -> PrismaDatasource:
    url = block.property("url")
    schemas = block.property("schemas")
    provider = block.property("provider")
    return PrismaDatasource(
        service=src.service,
        name=block.name,
        location=Location(src.path, block.line, block.col),
        provider=_written(provider.value) if provider else None,
        url=_written(url.value) if url else None,
        url_env=_env_var(url.value) if url else None,
        schemas=schemas.value.strings() if schemas else (),
        schemas_location=Location(src.path, schemas.line, schemas.col) if schemas else None,
    )


def _generator(src: SourceFile, block: Block) -> PrismaGenerator:
    provider = block.property("provider")
    features = block.property("previewFeatures")
    output = block.property("output")
    return PrismaGenerator(
        service=src.service,
        name=block.name,
        location=Location(src.path, block.line, block.col),
        provider=_written(provider.value) if provider else None,
        preview_features=features.value.strings() if features else (),
        output=_written(output.value) if output else None,
    )
