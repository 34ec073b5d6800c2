"""Prisma Schema Language: tokenizer, recursive-descent parser and extractor.

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

import dataclasses
import enum
import re
from dataclasses import dataclass
from typing import NamedTuple

from linter.embedded import LINE_BREAK, LineIndex
from linter.extract.base import ExtractConfig, comment_at, parse_error
from linter.model import (
    Comment,
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
    COMMENT = "comment"  # // to end of line, or /* ... */ (possibly across lines)
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
    "@@": Tok.ATAT, "@": Tok.AT, "}": Tok.RBRACE,
    "(": Tok.LPAREN, ")": Tok.RPAREN, "[": Tok.LBRACKET, "]": Tok.RBRACKET,
    ",": Tok.COMMA, ":": Tok.COLON, "=": Tok.EQUALS, "?": Tok.QUESTION, ".": Tok.DOT,
}

# Prisma's WHITESPACE: a tab or a Unicode space separator (category Zs). Not
# \v, \f, U+0085, U+2028 or a byte-order mark, which Python's \s would take.
_BLANKS = " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"

_TOKEN_RE = re.compile(
    r"""
    (?P<newline>\r\n|\n|\r)                      # the grammar's NEWLINE (lone \r too)
  | (?P<ws>[BLANKS]+)
  | (?P<comment>//[^\r\n]*|/\*.*?\*/)            # // and /// to end of line; /* */ not nested
  | (?P<bad_comment>/\*.*)                       # /* never closed: the rest of the input
  | (?P<string>"(?:[^"\\\x00-\x1f]|\\[^\r\n])*")   # JSON string: no raw control characters
  | (?P<bad_string>"(?:[^"\\\x00-\x1f]|\\[^\r\n])*(?:\\|[\x00-\x09\x0b\x0c\x0e-\x1f])?)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?![\w-]))
  | (?P<ident>[^\W_][\w-]*)                      # cut by _ident_end to letters and digits
  | (?P<lbrace>\{[^\r\n]*)                       # an opening brace ignores the rest of its line
  | (?P<punct>@@|[@}()\[\],:=?.])
  | (?P<other>[^\s\w"@{}()\[\],:=?./-]+|.)       # one run of garbage, one token
    """.replace("BLANKS", _BLANKS),
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[Token]:
    """Every token of ``text``, comments included, ending with one EOF token.

    Lines break at LF, CR LF and a lone CR (like ``linter.embedded.LineIndex``); columns are
    1-based character offsets within the line. A byte-order mark is skipped at
    offset 0 only. Never raises: anything unrecognised becomes a ``Tok.BAD``
    token for the parser to report.
    """
    tokens: list[Token] = []
    line, line_start = 1, 0
    for m in _TOKEN_RE.finditer(text, 1 if text.startswith("\ufeff") else 0):
        group, start, end = m.lastgroup, m.start(), m.end()
        if group == "ws":
            continue
        if group == "ident":
            _append_ident(tokens, m.group(), line, start - line_start + 1, start)
        elif group == "lbrace":
            tokens.append(Token(Tok.LBRACE, "{", line, start - line_start + 1, start, start + 1))
        else:
            tokens.append(Token(_token_kind(group, m.group()), m.group(), line,
                                start - line_start + 1, start, end))
        if group == "newline":
            line, line_start = line + 1, end
        elif group in _MULTILINE and (breaks := list(LINE_BREAK.finditer(text, start, end))):
            line, line_start = line + len(breaks), breaks[-1].end()
    tokens.append(Token(Tok.EOF, "", line, len(text) - line_start + 1, len(text), len(text)))
    return tokens


# Besides a newline, only these groups can hold a line break (strings and garbage runs stop at one).
_MULTILINE = frozenset({"comment", "bad_comment"})
_SIMPLE_KINDS = {"newline": Tok.NEWLINE, "string": Tok.STRING, "number": Tok.NUMBER,
                 "comment": Tok.COMMENT, "bad_comment": Tok.BAD, "bad_string": Tok.BAD,
                 "other": Tok.BAD}


def _token_kind(group: str | None, text: str) -> Tok:
    """The token kind for one regex match (identifiers and '{' are handled apart)."""
    if group == "punct":
        return _PUNCT[text]
    return _SIMPLE_KINDS.get(group or "other", Tok.BAD)


def _ident_end(text: str) -> int:
    """How much of a ``[^\\W_][\\w-]*`` run is a Prisma identifier: ASCII letters
    and digits, Unicode letters, and after the first character ``_`` and ``-``.
    (Python's ``\\w`` also takes other scripts' digits, numerals and marks.)"""
    for i, ch in enumerate(text):
        if ch.isascii() and (ch.isalnum() or (i and ch in "_-")):
            continue
        if not ch.isascii() and ch.isalpha():
            continue
        return i
    return len(text)


def _append_ident(tokens: list[Token], text: str, line: int, col: int, start: int) -> None:
    """An identifier token, and a BAD token for a tail that is not one (``a²``)."""
    cut = _ident_end(text)
    if cut:
        tokens.append(Token(Tok.IDENT, text[:cut], line, col, start, start + cut))
    if cut < len(text):
        tokens.append(Token(Tok.BAD, text[cut:], line, col + cut, start + cut, start + len(text)))


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")


class BadEscape(ValueError):
    """A string literal with an escape Prisma rejects; ``offset`` is the
    backslash's offset within the literal (its opening quote is 0)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


def _hex4(body: str, at: int) -> int | None:
    digits = body[at:at + 4]
    return int(digits, 16) if len(digits) == 4 and all(c in _HEX for c in digits) else None


def unquote(literal: str) -> str:
    """The value of a terminated string token, decoded as a JSON string.

    ``\\uD83D\\uDE00`` (a high and a low surrogate) is one character, U+1F600.
    An unknown escape, a lone or reversed surrogate, or a ``\\u`` without four
    hex digits raises ``BadEscape`` (Prisma rejects them too), so a decoded
    string never holds a lone surrogate and always encodes as UTF-8.
    """
    body, out, i = literal[1:-1], [], 0
    while (j := body.find("\\", i)) >= 0:
        out.append(body[i:j])
        esc = body[j + 1:j + 2]
        i = j + 2
        if esc != "u":
            if esc not in _ESCAPES:
                raise BadEscape(j + 1, f"unknown escape sequence '\\{esc}' in a string")
            out.append(_ESCAPES[esc])
            continue
        code = _hex4(body, i)
        if code is None:
            raise BadEscape(j + 1, "invalid unicode escape: '\\u' needs four hex digits")
        i += 4
        if 0xD800 <= code <= 0xDBFF:
            low = _hex4(body, i + 2) if body.startswith("\\u", i) else None
            if low is not None and 0xDC00 <= low <= 0xDFFF:
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                i += 6
        if 0xD800 <= code <= 0xDFFF:
            raise BadEscape(j + 1, f"invalid unicode escape: lone surrogate '\\u{code:04X}'")
        out.append(chr(code))
    out.append(body[i:])
    return "".join(out)


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


class _Header(NamedTuple):
    """``keyword Name {`` (or Prisma's ``keywordName {``) starting at a token."""

    kind: BlockKind
    keyword: Token  # the keyword alone, even when glued to the name
    name: Token  # the name alone
    brace: int  # index of the '{' token


def describe(token: Token) -> str:
    """A short human name for a token in error messages."""
    if token.kind in (Tok.EOF, Tok.NEWLINE):
        return token.kind.value
    if token.kind is Tok.BAD:
        return _describe_bad(token.text)
    if token.kind is Tok.COMMENT:
        return "a /* comment */" if token.text.startswith("/*") else "a // comment"
    return _quoted(token.text)


def _quoted(text: str) -> str:
    return f"'{text}'" if len(text) <= 30 else f"'{text[:27]}...'"


def _describe_bad(text: str) -> str:
    if text.startswith('"'):
        last = text[-1]
        if len(text) > 1 and last < " " and last not in "\r\n":
            return f"control character U+{ord(last):04X} in a string"
        return "unterminated string"
    if text.startswith("/*"):
        return "unterminated /* comment"
    if not text[0].isprintable():
        return f"character U+{ord(text[0]):04X}"
    return _quoted(text)


class _Parser:
    """Recursive descent over the token list; one instance per parse."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.pos = 0
        self.errors: list[ParseError] = []
        self.openers: list[Token] = []  # the '(' and '[' being read, innermost last

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

    def skip_trivia(self) -> None:
        """Newlines and comments between members and between blocks."""
        while self.peek().kind in (Tok.NEWLINE, Tok.COMMENT):
            self.advance()

    def at_line_start(self, i: int) -> bool:
        """Is token ``i`` the first on its line (comments before it aside)?"""
        while i > 0 and self.toks[i - 1].kind is Tok.COMMENT:
            i -= 1
        return i == 0 or self.toks[i - 1].kind is Tok.NEWLINE

    def header(self, i: int) -> _Header | None:
        """The block header at token ``i``: ``model A {``, or ``modelA {`` which
        Prisma's grammar reads as model ``A`` (a keyword needs no blank after it)."""
        toks, last = self.toks, len(self.toks) - 1
        first = toks[i]
        if first.kind is not Tok.IDENT or i + 1 > last:
            return None
        if first.text in KEYWORDS:
            if i + 2 <= last and toks[i + 1].kind is Tok.IDENT and toks[i + 2].kind is Tok.LBRACE:
                return _Header(BlockKind(first.text), first, toks[i + 1], i + 2)
            return None
        if toks[i + 1].kind is not Tok.LBRACE:
            return None
        for keyword in KEYWORDS:
            rest = first.text[len(keyword):]
            if first.text.startswith(keyword) and rest[:1] not in ("", "_", "-"):
                n = len(keyword)
                kw = first._replace(text=keyword, end=first.start + n)
                name = first._replace(text=rest, col=first.col + n, start=first.start + n)
                return _Header(BlockKind(keyword), kw, name, i + 1)
        return None

    def at_block_start(self, i: int) -> bool:
        """Does token ``i`` open a block at the start of a line? (The cheap test
        first: walking back over comments happens for block headers only.)"""
        return self.header(i) is not None and self.at_line_start(i)

    def error(self, token: Token, message: str) -> None:
        self.errors.append(ParseError(token.line, token.col, message))

    # top level

    def parse(self) -> PrismaDocument:
        blocks: list[Block] = []
        while self.peek().kind is not Tok.EOF:
            tok = self.peek()
            if tok.kind in (Tok.NEWLINE, Tok.COMMENT):
                self.advance()
            elif tok.kind is Tok.IDENT and (tok.text in KEYWORDS or self.header(self.pos)):
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
        """``keyword Name { members }``; on a syntax error, record it and recover.
        Everything after the ``{`` on its line was left out by the tokenizer,
        as Prisma ignores it."""
        head = self.header(self.pos)
        keyword = head.keyword if head else self.peek()
        kind = BlockKind(keyword.text)
        members = _Members([], [], [], [])
        name = ""
        body_start = None
        try:
            if head is None:
                self.advance()
                name = self.expect(Tok.IDENT, f"a name after '{keyword.text}'").text
                self.expect(Tok.LBRACE, f"'{{' after {keyword.text} {name}")
            else:
                name = head.name.text
                self.pos = head.brace + 1
            body_start = self.pos
            complete = self.parse_members(kind, keyword, name, members)
        except _Failure as failure:
            self.recover(failure, keyword, name, body_start)
            complete = False
        block = Block(kind=kind, name=name, line=keyword.line, col=keyword.col,
                      fields=tuple(members.fields), attributes=tuple(members.attributes),
                      properties=tuple(members.properties), values=tuple(members.values),
                      complete=complete)
        if complete:
            where = f" (in {keyword.text} {name})"
            problems = [dataclasses.replace(e, message=e.message + where)
                        for e in sorted(_check_block(block), key=lambda e: (e.line, e.col))]
            self.errors.extend(problems)
            if problems:
                block = dataclasses.replace(block, complete=False)
        return block

    def parse_members(self, kind: BlockKind, keyword: Token, name: str, members: _Members) -> bool:
        """Members up to the closing brace: True when it was found; False (with an
        error at the keyword) when EOF or another block's start came first."""
        while True:
            self.skip_trivia()
            tok = self.peek()
            if tok.kind is Tok.RBRACE:
                self.advance()
                return True
            if tok.kind is Tok.EOF or self.at_block_start(self.pos):
                self.error(keyword, _unclosed_message(keyword, name, self.interrupter()))
                return False
            self.parse_member(kind, members)
            if self.peek().kind is Tok.COMMENT:  # one trailing comment
                self.advance()
            end = self.peek()
            if end.kind not in (Tok.NEWLINE, Tok.EOF):
                raise _Failure(end, f"expected end of line, found {describe(end)}")

    def interrupter(self) -> str:
        """What stopped an unclosed block: the next block or the end of input."""
        tok = self.peek()
        if tok.kind is Tok.EOF:
            last = self.toks[-2] if len(self.toks) > 1 else tok
            return f"the end of input at line {last.line}"
        head = self.header(self.pos)
        label = f"{head.keyword.text} {head.name.text}" if head else tok.text
        return f"{label} at line {tok.line}"

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
        while i > floor and self.toks[i - 1].kind is not Tok.NEWLINE:
            i -= 1
        return i

    # members

    def parse_field(self) -> Field:
        """``name Type[]? @attr...``: the type may be ``Unsupported("...")``
        (no blank before the ``(``, none inside the ``[]``)."""
        name = self.advance()
        type_tok = self.expect(Tok.IDENT, f"a type for field {name.text}")
        type_arg = None
        if type_tok.text == "Unsupported" and self.glued(type_tok, Tok.LPAREN):
            self.advance()
            type_arg = self.string(self.expect(Tok.STRING, "a string in Unsupported(...)"))
            self.expect(Tok.RPAREN, "')' after Unsupported(\"...\"")
        is_list = self.peek().kind is Tok.LBRACKET
        if is_list:
            opener = self.advance()
            if not self.glued(opener, Tok.RBRACKET):
                raise _Failure(self.peek(), f"expected ']' right after '[' in a list type, "
                                            f"found {describe(self.peek())}")
            self.advance()
        optional = self.peek().kind is Tok.QUESTION
        if optional:
            self.advance()
        return Field(name=name.text, type=type_tok.text, line=name.line, col=name.col,
                     optional=optional, is_list=is_list, type_arg=type_arg,
                     attributes=self.parse_field_attributes())

    def glued(self, previous: Token, kind: Tok) -> bool:
        """Is the next token of ``kind`` and written right after ``previous``?"""
        tok = self.peek()
        return tok.kind is kind and tok.start == previous.end

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
        first = self.peek()
        name = self.parse_path(f"an attribute name after '{marker.text}'")
        if name[0].isdigit():
            raise _Failure(first, f"an attribute name must not start with a digit: '{name}'")
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

    def string(self, tok: Token) -> str:
        """The decoded value of a string token; an escape Prisma rejects fails here."""
        try:
            return unquote(tok.text)
        except BadEscape as bad:
            at = tok._replace(col=tok.col + bad.offset)
            raise _Failure(at, str(bad)) from None

    # arguments and expressions (all on one line: Prisma has no line continuation)

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
                raise _Failure(comma, "trailing comma in an argument list")
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
                raise _Failure(self.peek(), "expected a value after ',' in a list, found ']'")
        self.expect(Tok.RBRACKET, "',' or ']' in a list")
        self.openers.pop()
        return Value(kind=ValueKind.ARRAY, text=self.source_since(first), line=first.line,
                     col=first.col, items=tuple(items))

    def check_line(self) -> Token:
        """The next token; a line ending inside brackets fails at the bracket
        (Prisma's grammar has no newline inside an argument list or a list)."""
        tok = self.peek()
        if self.openers and tok.kind in (Tok.NEWLINE, Tok.EOF):
            opener = self.openers[-1]
            raise _Failure(opener, f"'{opener.text}' is not closed on its line "
                                   f"(a Prisma attribute or value cannot span lines)")
        return tok

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


# --- checks of the attributes the facts come from -------------------------------


def _check_block(block: Block) -> list[ParseError]:
    """What Prisma would reject about the parts of ``block`` hos-lint reads:
    table, column and schema names, relations, datasource settings."""
    if block.kind in (BlockKind.MODEL, BlockKind.VIEW):
        return _check_model(block)
    if block.kind is BlockKind.DATASOURCE:
        return _check_datasource(block)
    if block.kind is BlockKind.ENUM:
        return _check_enum(block)
    return []


def _check_enum(block: Block) -> list[ParseError]:
    """Enums are no tables, but their ``@@map`` / ``@@schema`` / ``@map`` follow
    the same rules (a schema breaking them is no schema Prisma runs)."""
    errors = _check_unique_attributes(block.attributes, "@@")
    errors += _check_map_and_schema(block.attributes)
    for value in block.values:
        errors += _check_unique_attributes(value.attributes, "@")
        for attr in value.attributes:
            if attr.name == "map":
                errors += _check_one_string(attr, "@map", "name")
    return errors


def _check_map_and_schema(attributes: tuple[Attribute, ...]) -> list[ParseError]:
    errors = []
    for attr in attributes:
        if attr.name == "map":
            errors += _check_one_string(attr, "@@map", "name")
        elif attr.name == "schema":
            errors += _check_one_string(attr, "@@schema", "map")
    return errors


def _check_model(block: Block) -> list[ParseError]:
    label = block.kind.value
    errors = _check_name(block.name, label, block.line, block.col)
    errors += _check_unique_attributes(block.attributes, "@@")
    errors += _check_map_and_schema(block.attributes)
    for field in block.fields:
        errors += _check_name(field.name, "field", field.line, field.col)
        errors += _check_unique_attributes(field.attributes, "@")
        for attr in field.attributes:
            if attr.name == "map":
                errors += _check_one_string(attr, "@map", "name")
            elif attr.name == "relation":
                errors += _check_relation(attr)
    return errors


def _check_name(name: str, what: str, line: int, col: int) -> list[ParseError]:
    if name[:1].isdigit():
        return [ParseError(line, col, f"the name of a {what} must not start with a digit: '{name}'")]
    if "-" in name:
        return [ParseError(line, col, f"'-' is not allowed in {what} names: '{name}'")]
    return []


_FACT_ATTRIBUTES = frozenset({"map", "schema", "relation"})


def _check_unique_attributes(attributes: tuple[Attribute, ...], marker: str) -> list[ParseError]:
    seen: set[str] = set()
    errors = []
    for attr in attributes:
        if attr.name in _FACT_ATTRIBUTES and attr.name in seen:
            errors.append(ParseError(attr.line, attr.col, f"{marker}{attr.name} is given twice"))
        seen.add(attr.name)
    return errors


def _check_one_string(attr: Attribute, label: str, arg_name: str) -> list[ParseError]:
    """``label("x")`` or ``label(arg_name: "x")``: one string, nothing else."""
    args = attr.args
    if (len(args) == 1 and args[0].name in (None, arg_name)
            and args[0].value.kind is ValueKind.STRING):
        return []
    return [ParseError(attr.line, attr.col,
                       f'{label} takes exactly one string argument ({label}("...") or '
                       f'{label}({arg_name}: "..."))')]


_RELATION_ARGUMENTS = frozenset({"name", "fields", "references", "map", "onDelete", "onUpdate"})


def _check_relation(attr: Attribute) -> list[ParseError]:
    """``@relation("name"?, fields: f, references: r, map: "fk", onDelete: X, onUpdate: Y)``,
    where ``f`` and ``r`` are a field name or a list of field names."""
    errors = []
    positional = [a for a in attr.args if a.name is None]
    named = [a.name for a in attr.args if a.name is not None]
    if len(positional) > 1 or (positional and "name" in named):
        errors.append(ParseError(attr.line, attr.col, "@relation takes one unnamed argument, its name"))
    for arg in attr.args:
        key, value = arg.name or "name", arg.value
        if arg.name is not None and (arg.name not in _RELATION_ARGUMENTS or named.count(arg.name) > 1):
            errors.append(ParseError(arg.line, arg.col,
                                     f"@relation: unknown or repeated argument '{arg.name}'"))
        elif key in ("name", "map") and value.kind is not ValueKind.STRING:
            errors.append(ParseError(arg.line, arg.col, f"@relation: '{key}' must be a string"))
        elif key in ("fields", "references") and not _field_names(value):
            errors.append(ParseError(arg.line, arg.col,
                                     f"@relation: '{key}' must be a field name or a list of field names"))
    return errors


def _field_names(value: Value) -> bool:
    """A bare name (``aId``) or a non-empty list of bare names (``[a, b]``)."""
    if value.kind is ValueKind.PATH:
        return True
    return (value.kind is ValueKind.ARRAY and bool(value.items)
            and all(i.kind is ValueKind.PATH for i in value.items))


def _check_datasource(block: Block) -> list[ParseError]:
    errors = []
    seen: set[str] = set()
    for prop in block.properties:
        if prop.key in seen and prop.key in ("provider", "url", "schemas"):
            errors.append(ParseError(prop.line, prop.col, f"datasource property '{prop.key}' is given twice"))
        seen.add(prop.key)
        value = prop.value
        if prop.key == "provider" and value.kind is not ValueKind.STRING:
            errors.append(ParseError(prop.line, prop.col, "datasource 'provider' must be a string"))
        elif prop.key == "url" and value.kind is not ValueKind.STRING and _env_argument(value) is None:
            errors.append(ParseError(prop.line, prop.col,
                                     "datasource 'url' must be a string or env(\"VARIABLE\")"))
        elif prop.key == "schemas":
            errors += _check_schemas(prop)
    return errors


def _check_schemas(prop: Property) -> list[ParseError]:
    value = prop.value
    names = (value.value,) if value.kind is ValueKind.STRING else value.strings()
    if value.kind is ValueKind.ARRAY and len(names) != len(value.items):
        return [ParseError(prop.line, prop.col, "datasource 'schemas' must list strings")]
    if value.kind not in (ValueKind.STRING, ValueKind.ARRAY) or not names:
        return [ParseError(prop.line, prop.col, "datasource 'schemas' must be a non-empty list of strings")]
    if len(set(names)) != len(names):
        return [ParseError(prop.line, prop.col, "datasource 'schemas' lists a schema twice")]
    return []


def _env_argument(value: Value) -> str | None:
    """VAR from ``env("VAR")``: Prisma takes the one string argument whatever
    its name (``env(name: "VAR")`` only draws a warning). None otherwise."""
    if value.kind is not ValueKind.CALL or value.value != "env" or len(value.args) != 1:
        return None
    arg = value.args[0].value
    return arg.value if arg.kind is ValueKind.STRING else None


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
        comments=comments(text) if config.comments else (),
        models=tuple(_model(src, b) for b in complete if b.kind in (BlockKind.MODEL, BlockKind.VIEW)),
        datasources=tuple(_datasource(src, b) for b in complete if b.kind is BlockKind.DATASOURCE),
        generators=tuple(_generator(src, b) for b in complete if b.kind is BlockKind.GENERATOR),
        problems=tuple(parse_error(src, e.line, e.col, ERROR_PREFIX + e.message) for e in doc.errors),
    )


def comments(text: str) -> tuple[Comment, ...]:
    """The tokenizer's comment tokens, and a ``//`` comment in the rest of a
    ``{`` line (which the tokenizer leaves out, as Prisma ignores it). Asked
    for only when the file can hold a suppression, so tokenizing it again is cheap."""
    lines = LineIndex.of(text)
    out = []
    for tok in tokenize(text):
        if tok.kind is Tok.COMMENT:
            out.append(comment_at(text, lines, tok.start, tok.end))
        elif tok.kind is Tok.LBRACE:
            eol = m.start() if (m := LINE_BREAK.search(text, tok.end)) else len(text)
            rest = text[tok.end:eol].lstrip(" \t")
            if rest.startswith("//"):
                out.append(comment_at(text, lines, eol - len(rest), eol))
    return tuple(out)


def _model(src: SourceFile, block: Block) -> PrismaModel:
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


def _strings(value: Value) -> tuple[str, ...]:
    """``["a", "b"]`` or a bare ``"a"`` (Prisma reads a single string as a one-item list)."""
    return (value.value,) if value.kind is ValueKind.STRING else value.strings()


def _written(value: Value | None) -> str | None:
    """A string's value, or any other expression as written (``env("X")``)."""
    if value is None:
        return None
    return value.value if value.kind is ValueKind.STRING else value.text


def _env_var(value: Value | None) -> str | None:
    """VAR from ``env("VAR")`` (or ``env(any_name: "VAR")``); None for anything else."""
    return _env_argument(value) if value is not None else None


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
        schemas=_strings(schemas.value) if schemas else (),
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
        preview_features=_strings(features.value) if features else (),
        output=_written(output.value) if output else None,
    )
