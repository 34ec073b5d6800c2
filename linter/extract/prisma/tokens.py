"""The Prisma Schema Language tokenizer: tokens (comments included), JSON
string decoding, and the words error messages use for a token."""
from __future__ import annotations

import enum
import re
from typing import NamedTuple

from hos_lint.embedded import LINE_BREAK


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
    cut = len(text) if text.isascii() else _ident_end(text)  # every ASCII character of the run qualifies
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


def describe(token: Token) -> str:
    """A short human name for a token in error messages."""
    if token.kind in (Tok.EOF, Tok.NEWLINE):
        return str(token.kind.value)
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
