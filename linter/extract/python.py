"""Python extraction on libcst (SPEC §4.4).

What a ``.py`` file *says*, unresolved:

- **SQL strings** handed to DB-API / psycopg / asyncpg / SQLAlchemy / pandas
  calls (``.execute``, ``.executemany``, ``.fetch``, ``.fetchrow``,
  ``.fetchval``, ``.copy_expert``, ``.copy``, ``.copy_from_query``,
  ``.exec_driver_sql``, SQLAlchemy ``text(...)``, pandas ``read_sql``/
  ``read_sql_query``, Prisma Client Python ``query_raw``/``query_first``/
  ``execute_raw``) are decoded with an exact origin map
  (``sql_literal``) and passed to ``extract_sql``. Only strings whose first
  keyword is SQL are analysed, so ``executor.execute("build")`` is nothing.
  Interpolations (f-string fields, ``%`` / ``.format`` slots, non-literal
  ``+`` operands) become bind markers ``$N``; ``extract_sql`` reports HOS205
  when one lands where a relation name belongs.
- asyncpg ``copy_to_table`` / ``copy_records_to_table`` (WRITE ``COPY``) and
  ``copy_from_table`` (READ ``COPY``) with a literal table name.
- **SQLAlchemy models**: Core ``Table("t", metadata, schema=...)`` bound to a
  name, declarative classes with ``__tablename__`` (schema from
  ``__table_args__``, else the ``MetaData(schema=...)`` of their base), and
  their uses: ``select/insert/update/delete(Model)``, ``table.select()`` …,
  ``session.query/get/add/add_all/merge``, ``.join(Model)`` on a select or
  query chain, ``session.query(M).update()/.delete()``.
- **Prisma Client Python**: ``<client>.<delegate>.<op>(...)`` on a recognised
  client.

SQL passed as a variable (HOS205 when it cannot be resolved): a name bound
once in the enclosing function or module to a string expression is
propagated (``sql = "SELECT ..."``, optionally followed by ``sql += "..."``
pieces, analysed as their concatenation in source order), and so is a class
constant read as ``self.X``/``cls.X``/``Klass.X``. A name that cannot
be resolved (a ``str`` or unannotated parameter, an imported constant, a
reassigned variable) is HOS205 only on clearly-database calls: ``text(x)``,
``read_sql(x, ...)``, a recognised Prisma client's raw methods, and SQL
methods on receivers named in ``DB_RECEIVER_NAMES`` (or ending in one of
``DB_RECEIVER_SUFFIXES``). A name bound to a non-string value
(``stmt = select(User)``) is never reported.

Deliberate non-matches (precision first): ``Table`` not imported from
SQLAlchemy (``rich.table.Table``), or without a metadata-like second
argument; ORM uses of names that are neither models defined in this file nor
``from x import Name`` imports; Prisma-shaped calls on receivers that are not
recognised clients; docstrings and comments; ``"... %s" % "literal"`` slots
(treated as markers like any other ``%`` argument); attribute arguments
other than class constants (``cur.execute(queries.ORDERS)``) are neither
analysed nor reported.

Performance (a realistic 300-line module with 60 accesses, 100 runs): about
190 ms per file, of which libcst's ``parse_module`` is ~45 ms and
``PositionProvider`` ~110 ms; the two passes of our own are ~25 ms. The same
module without database calls costs ~60 ms because positions are only
resolved when something is reported.
"""
from __future__ import annotations

import ast
import codecs
import io
import tokenize
from contextlib import contextmanager
import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import MetadataWrapper, PositionProvider

from linter.embedded import LineIndex, Origin, OriginBuilder, last_bind_number, looks_like_sql, split_lines
from linter.extract import sql as sql_extract
from linter.extract.base import NESTED_TOO_DEEPLY, ExtractConfig, anchor_of, comment_at, parse_error
from linter.model import (
    Access,
    AccessKind,
    Anchor,
    Comment,
    ExtractResult,
    Language,
    Location,
    OrmModel,
    Problem,
    RelationRef,
    SourceFile,
)

NAME = "python"
LANGUAGE = Language.PYTHON
SUFFIXES = (".py",)

_PREFILTER_TOKENS = (
    b"execute", b"fetch", b"text(", b"read_sql", b"sqlalchemy", b"Table(",
    b"__tablename__", b"prisma", b"copy_", b"select(", b"session",
    b"find_", b"query(",
)

# Methods whose first argument (or sql=/query=... keyword) is SQL text, with the `via`.
_SQL_METHODS: Mapping[str, str] = {
    "execute": "dbapi", "executemany": "dbapi", "copy_expert": "dbapi", "copy": "dbapi",
    "fetch": "asyncpg", "fetchrow": "asyncpg", "fetchval": "asyncpg", "copy_from_query": "asyncpg",
    "exec_driver_sql": "sqlalchemy",
}
_PANDAS_FUNCS = frozenset(("read_sql", "read_sql_query"))
_SQL_KEYWORDS = ("sql", "query", "statement", "operation", "text")
# Receivers whose SQL methods are clearly database calls: a non-resolvable
# SQL argument on them is HOS205. Any other receiver is ignored.
DB_RECEIVER_NAMES = frozenset(
    "cursor cur conn connection session db engine pool tx transaction".split()
)
DB_RECEIVER_SUFFIXES = ("_cursor", "_cur", "_conn", "_connection", "_session", "_db", "_engine", "_pool")
_ASYNCPG_COPY_TABLE: Mapping[str, AccessKind] = {
    "copy_to_table": AccessKind.WRITE,
    "copy_records_to_table": AccessKind.WRITE,
    "copy_from_table": AccessKind.READ,
}

PRISMA_READ_OPS = frozenset(
    "find_unique find_unique_or_raise find_first find_first_or_raise find_many count group_by".split()
)
PRISMA_WRITE_OPS = frozenset("create create_many update update_many upsert delete delete_many".split())
_PRISMA_RAW = frozenset(("query_raw", "query_first", "execute_raw"))
_PRISMA_CLIENT_NAMES = frozenset(("Prisma", "Client"))

_SA_ROOTS = frozenset(("sqlalchemy", "sqlmodel"))
_SA_STATEMENTS: Mapping[str, AccessKind] = {
    "select": AccessKind.READ, "insert": AccessKind.WRITE,
    "update": AccessKind.WRITE, "delete": AccessKind.WRITE,
}
_SESSION_NAMES = frozenset(("session", "db", "sess", "s", "tx", "uow"))
_JOIN_METHODS = frozenset(("join", "outerjoin", "select_from", "join_from"))

_ESCAPE = re.compile(
    r"\\(\r\n|\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})"
)
_PERCENT_SLOT = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[sdirfeEgGxXoca]")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
_MAX_DEPTH = 8


def handles(path: str) -> bool:
    return path.endswith(SUFFIXES)


def might_access_db(data: bytes) -> bool:
    """Cheap byte scan: could this file touch a database at all?"""
    return any(token in data for token in _PREFILTER_TOKENS)


# --- host positions ------------------------------------------------------------------


class _OffsetState(CodegenState):
    """Code generation that only counts characters and records each node's
    (start, end) offsets, the way ``PositionProvider`` records line/column.

    libcst regenerates the source exactly, so offsets index the host text;
    ``LineIndex`` turns them into lines and columns only for what is reported.
    Several times cheaper than ``PositionProvider``, which splits every token
    on newlines and allocates two position objects per node.
    """

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.last = 0
        self.ranges: dict[cst.CSTNode, tuple[int, int]] = {}
        self.starts: list[int] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self.last = len(value)
        if not self.tokens:  # Module codegen checks `len(tokens)`; the text itself is not kept
            self.tokens.append(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self.last

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.ranges:  # a syntactic range recorded inside wins (whitespace excluded)
            self.ranges[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            start = self.ranges[start_node][0] if start_node is not None else start
            end = self.ranges[end_node][1] if end_node is not None else end
            self.ranges[node] = (start, end)


def _node_offsets(module: cst.Module, text: str) -> Mapping[cst.CSTNode, tuple[int, int]]:
    state = _OffsetState(module)
    module._codegen(state)  # noqa: SLF001 - the documented hook PositionProvider itself drives
    if state.offset != len(text):  # never expected: libcst round-trips; fall back to its own provider
        ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        lines = LineIndex.of(text)
        return {n: (lines.offset(r.start.line, r.start.column + 1), lines.offset(r.end.line, r.end.column + 1))
                for n, r in ranges.items()}
    return state.ranges


class Host:
    """The host file text with node offsets: locations, anchors.

    Offsets are computed on first use (one code-generation pass over the
    module): files the prefilter let through often hold no database access.
    """

    __slots__ = ("text", "module", "lines", "_ranges")

    def __init__(self, text: str, module: cst.Module) -> None:
        self.text = text
        self.module = module
        self.lines = LineIndex.of(text)
        self._ranges: Mapping[cst.CSTNode, tuple[int, int]] | None = None

    @property
    def ranges(self) -> Mapping[cst.CSTNode, tuple[int, int]]:
        if self._ranges is None:
            self._ranges = _node_offsets(self.module, self.text)
        return self._ranges

    def start(self, node: cst.CSTNode) -> int:
        """Character offset of the node's first character."""
        return self.ranges[node][0]

    def end(self, node: cst.CSTNode) -> int:
        return self.ranges[node][1]

    def location(self, path: str, node: cst.CSTNode) -> Location:
        line, col = self.lines.position(self.start(node))
        return Location(path, line, col)

    def anchor(self, node: cst.CSTNode) -> Anchor:
        start, end = self.ranges[node]
        first = self.lines.position(start)[0]
        last = self.lines.position(max(start, end - 1))[0]
        return anchor_of(self.text[start:end], first, last)


def parse_host(text: str) -> tuple[cst.Module, Host]:
    """Parse ``text`` (may raise ``libcst.ParserSyntaxError``); positions come lazily."""
    module = cst.parse_module(text)
    return module, Host(text, module)


# --- traversal ---------------------------------------------------------------------------

# Fields that only hold punctuation and whitespace: never worth descending into.
_SKIPPED_FIELDS = frozenset((
    "lpar", "rpar", "comma", "semicolon", "equal", "colon", "leading_lines",
    "lines_after_decorators", "header", "footer", "newline", "operator", "lbrace",
    "rbrace", "lbracket", "rbracket", "arrow", "asynchronous", "dot", "relative",
))
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[node_type] = names
    return names


class _Walker:
    """Depth-first traversal calling ``visit_<Type>``/``leave_<Type>`` hooks.

    About ten times cheaper than ``libcst.CSTVisitor``, which rebuilds every
    node's children even when nothing changes. ``stack`` holds the ancestors
    of (and including) the node being visited.
    """

    def __init__(self) -> None:
        self.stack: list[cst.CSTNode] = []
        self._hooks: dict[type, tuple[Callable | None, Callable | None]] = {}

    def walk(self, node: cst.CSTNode) -> None:
        hooks = self._hooks.get(type(node))
        if hooks is None:
            name = type(node).__name__
            hooks = self._hooks[type(node)] = (getattr(self, f"visit_{name}", None), getattr(self, f"leave_{name}", None))
        self.stack.append(node)
        if hooks[0] is not None:
            hooks[0](node)
        for field_name in _child_fields(type(node)):
            value = getattr(node, field_name)
            if isinstance(value, cst.CSTNode):
                self.walk(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self.walk(item)
        if hooks[1] is not None:
            hooks[1](node)
        self.stack.pop()


# --- bindings (single-assignment constant propagation) -----------------------------


@dataclass(frozen=True, slots=True)
class Binding:
    """One way a name gets bound in a scope, in source order.

    ``kind``: ``assign`` (``x = value``), ``augadd`` (``x += value``),
    ``param`` (``value`` is the ``Param``), ``with`` (``with value as x``),
    ``import`` or ``other`` (loops, unpacking, ``except``, definitions...).
    """

    kind: str
    value: cst.CSTNode | None = None


Lookup = Callable[[str], Sequence[Binding]]
_NO_BINDINGS: tuple[Binding, ...] = ()


def _no_lookup(name: str) -> Sequence[Binding]:
    return _NO_BINDINGS


# --- string decoding -------------------------------------------------------------------

# A decoded literal: one entry per character, ``(char, host offset)``; ``char``
# is None for an interpolation that becomes a bind marker.
_Chars = list[tuple[str | None, int]]

_STRING_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def _split_prefix(token: str) -> tuple[str, int]:
    """(lower-cased prefix letters, quote length) of a string token's start."""
    i = 0
    while i < len(token) and token[i] not in "'\"":
        i += 1
    quote = 3 if token[i:i + 3] in ('"""', "'''") else 1
    return token[:i].lower(), quote


def _decode_body(body: str, base: int, raw: bool, is_bytes: bool, fstring: bool) -> _Chars:
    """Decode a literal body starting at host offset ``base``: each output char
    maps to the host offset of the source char (or escape sequence) it came from."""
    out: _Chars = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and not raw:
            match = _ESCAPE.match(body, i)
            if match and not (is_bytes and match.group(1)[0] in "uUN"):
                decoded = _decode_escape(match.group(0))
                out.extend((c, base + i) for c in decoded)
                i = match.end()
                continue
        if fstring and ch in "{}" and body[i + 1:i + 2] == ch:
            out.append((ch, base + i))  # `{{` / `}}` in an f-string
            i += 2
            continue
        out.append((ch, base + i))
        i += 1
    return out


def _decode_escape(escape: str) -> str:
    """What one escape sequence means; a line continuation means nothing."""
    if escape in ("\\\n", "\\\r\n"):
        return ""
    try:
        return codecs.decode(escape, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return escape


def _simple_chars(node: cst.SimpleString, host: Host) -> _Chars:
    prefix, quote = _split_prefix(node.value)
    body = node.value[len(prefix) + quote:len(node.value) - quote]
    base = host.start(node) + len(prefix) + quote
    return _decode_body(body, base, "r" in prefix, "b" in prefix, fstring=False)


def _fstring_chars(node: cst.FormattedString, host: Host) -> _Chars:
    prefix = node.prefix.lower()
    out: _Chars = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            out.extend(_decode_body(part.value, host.start(part), "r" in prefix, False, fstring=True))
        else:
            out.append((None, host.start(part)))  # `{expr}` becomes a bind marker at its `{`
    return out


def _literal_chars(node: cst.CSTNode, host: Host) -> _Chars | None:
    """Decoded characters of a plain string literal (simple, f-string, implicit concatenation)."""
    if isinstance(node, cst.SimpleString):
        return _simple_chars(node, host)
    if isinstance(node, cst.FormattedString):
        return _fstring_chars(node, host)
    if isinstance(node, cst.ConcatenatedString):
        left, right = _literal_chars(node.left, host), _literal_chars(node.right, host)
        return None if left is None or right is None else left + right
    return None


def _substitute(chars: _Chars, pattern: re.Pattern[str], escapes: tuple[str, ...]) -> _Chars:
    """Replace every format slot matching ``pattern`` by a marker; an escape
    (``%%``, ``{{``) becomes its single character."""
    text = "".join(c if c is not None else "\0" for c, _ in chars)
    out: _Chars = []
    cursor = 0
    for match in pattern.finditer(text):
        out.extend(chars[cursor:match.start()])
        if match.group(0) in escapes:
            out.append(chars[match.start()])
        else:
            out.append((None, chars[match.start()][1]))
        cursor = match.end()
    out.extend(chars[cursor:])
    return out


def _is_format_call(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
        and isinstance(node.func.value, _STRING_NODES)
    )


def _expr_chars(node: cst.CSTNode, host: Host, lookup: Lookup, depth: int = 0) -> _Chars | None:
    """Decoded characters of a string-building expression, or None when it is
    not built from at least one literal. Non-literal parts become markers."""
    if depth > _MAX_DEPTH:
        return None
    literal = _literal_chars(node, host)
    if literal is not None:
        return literal
    if isinstance(node, cst.Name):
        return _name_chars(node.value, host, lookup, depth)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return _name_chars(f"{node.value.value}.{node.attr.value}", host, lookup, depth)
    if isinstance(node, cst.BinaryOperation):
        return _binary_chars(node, host, lookup, depth)
    if _is_format_call(node):
        chars = _literal_chars(node.func.value, host)  # type: ignore[attr-defined]
        return None if chars is None else _substitute(chars, _FORMAT_FIELD, ("{{", "}}"))
    return None


def _binary_chars(node: cst.BinaryOperation, host: Host, lookup: Lookup, depth: int) -> _Chars | None:
    if isinstance(node.operator, cst.Modulo):
        left = _literal_chars(node.left, host)
        return None if left is None else _substitute(left, _PERCENT_SLOT, ("%%",))
    if not isinstance(node.operator, cst.Add):
        return None
    left = _expr_chars(node.left, host, lookup, depth + 1)
    right = _expr_chars(node.right, host, lookup, depth + 1)
    if left is None and right is None:
        return None
    left = left if left is not None else [(None, host.start(node.left))]
    right = right if right is not None else [(None, host.start(node.right))]
    return left + right


def _name_chars(name: str, host: Host, lookup: Lookup, depth: int) -> _Chars | None:
    """A name bound once to a string expression, optionally extended by ``+=`` pieces."""
    bindings = lookup(name)
    if not bindings or bindings[0].kind != "assign" or bindings[0].value is None:
        return None
    if any(b.kind != "augadd" or b.value is None for b in bindings[1:]):
        return None
    out: _Chars = []
    for binding in bindings:
        chars = _expr_chars(binding.value, host, lookup, depth + 1)  # type: ignore[arg-type]
        if chars is None:
            if binding.kind == "assign":
                return None
            chars = [(None, host.start(binding.value))]  # type: ignore[arg-type]
        out.extend(chars)
    return out


def sql_literal(
    node: cst.CSTNode, host: Host, lookup: Lookup = _no_lookup
) -> tuple[str, Origin, frozenset[str]] | None:
    """The text a string expression evaluates to, with its origin map.

    Handles plain, raw, byte, triple-quoted and f-strings, implicit
    concatenation, ``+`` of strings, ``"..." % args``, ``"...".format(...)``
    and names ``lookup`` resolves to such expressions. Escapes are decoded
    (each character maps to its escape's host offset); every interpolation,
    ``%``/``{}`` slot or non-literal ``+`` operand becomes a bind marker
    ``$N`` (numbered after the highest ``$N`` already in the text) mapped to
    its host offset and listed in the returned placeholders. DB-API ``%s``
    and SQLAlchemy ``:name`` binds in a plain literal stay as written.
    None when the expression is not built from string literals.
    """
    chars = _expr_chars(node, host, lookup)
    if chars is None:
        return None
    existing = "".join(c for c, _ in chars if c is not None)
    number = last_bind_number(existing)
    builder = OriginBuilder(host.lines)
    markers: list[str] = []
    run: list[str] = []
    run_start = next_offset = -1
    for char, offset in chars:
        if char is None or offset != next_offset or len(char) != 1:
            builder.add("".join(run), run_start)
            run, run_start = [], offset
        if char is None:
            number += 1
            markers.append(f"${number}")
            builder.add(markers[-1], offset)
            next_offset = -1
            continue
        run.append(char)
        next_offset = offset + 1
    builder.add("".join(run), run_start)
    text, origin = builder.build()
    return text, origin, frozenset(markers)


def _is_stringish(node: cst.CSTNode | None) -> bool:
    """Does this expression obviously build a string (for HOS205 on variables)?"""
    if node is None:
        return False
    if isinstance(node, _STRING_NODES) or _is_format_call(node):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return _is_stringish(node.left) or _is_stringish(node.right)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value == "join" and isinstance(node.func.value, _STRING_NODES)
    return False


def _string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _keyword(call: cst.Call, *names: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names:
            return arg.value
    return None


def _positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    args = [a for a in call.args if a.keyword is None and not a.star]
    return args[index].value if index < len(args) else None


def _dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def _receiver_name(node: cst.CSTNode) -> str | None:
    """``cur`` for ``cur``, ``conn`` for ``self.conn``: the last name of a receiver."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _is_db_receiver(node: cst.CSTNode) -> bool:
    name = (_receiver_name(node) or "").lower()
    return name in DB_RECEIVER_NAMES or name.endswith(DB_RECEIVER_SUFFIXES)


def _is_session(node: cst.CSTNode) -> bool:
    name = (_receiver_name(node) or "").lower()
    return name in _SESSION_NAMES or "session" in name


# --- pre-pass: imports, bindings, classes -----------------------------------------------


@dataclass(slots=True)
class _ClassInfo:
    """A class definition: its node and what its body and methods bind on ``self``."""

    node: cst.ClassDef
    body: dict[str, list[Binding]] = field(default_factory=dict)
    # self.<attr> bindings, each with the function scope it was made in
    self_attrs: dict[str, list[tuple[Binding, cst.CSTNode]]] = field(default_factory=dict)


class _Collector(_Walker):
    """First pass: imports, name bindings per scope, classes. No positions needed."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.imports: dict[str, str] = {}  # local name -> dotted origin ("sqlalchemy.Table")
        self.from_names: set[str] = set()  # names bound by `from x import Name`
        self.scopes: dict[cst.CSTNode, dict[str, list[Binding]]] = {module: {}}
        self.classes: dict[str, _ClassInfo] = {}  # first class of each name
        self.class_list: list[_ClassInfo] = []
        self.classes_by_node: dict[cst.CSTNode, _ClassInfo] = {}
        self._stack: list[cst.CSTNode] = [module]

    # scopes
    def _bind(self, name: str, binding: Binding) -> None:
        scope = self._stack[-1]
        if isinstance(scope, cst.ClassDef):
            self.classes_by_node[scope].body.setdefault(name, []).append(binding)
            return
        self.scopes[scope].setdefault(name, []).append(binding)

    def _bind_target(self, target: cst.CSTNode, binding: Binding) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, Binding("other"))
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, Binding("other"))
        elif isinstance(target, cst.Attribute) and _dotted(target.value) == "self":
            self._bind_self(target.attr.value, binding)

    def _bind_self(self, attr: str, binding: Binding) -> None:
        function = self._stack[-1]
        owner = next((n for n in reversed(self._stack) if isinstance(n, cst.ClassDef)), None)
        if owner is not None and isinstance(function, cst.FunctionDef):
            self.classes_by_node[owner].self_attrs.setdefault(attr, []).append((binding, function))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, Binding("other"))
        self._stack.append(node)
        self.scopes[node] = {}
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind(param.name.value, Binding("param", param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, Binding("other"))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, Binding("other"))
        info = _ClassInfo(node)
        self.class_list.append(info)
        self.classes_by_node[node] = info
        self.classes.setdefault(node.name.value, info)
        self._stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    # bindings
    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1
        for target in node.targets:
            self._bind_target(target.target, Binding("assign", node.value) if single else Binding("other"))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, Binding("assign", node.value))
        else:
            self._bind_target(node.target, Binding("annotation", node.annotation.annotation))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        kind = "augadd" if isinstance(node.operator, cst.AddAssign) else "other"
        self._bind_target(node.target, Binding(kind, node.value))

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, Binding("other"))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, Binding("other"))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, Binding("with", node.item))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, Binding("other"))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, Binding("assign", node.value))

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._bind(item.name.value, Binding("other"))

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.visit_Global(node)  # type: ignore[arg-type]

    # imports
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local, origin = alias.asname.name.value, dotted
            else:
                local = origin = dotted.split(".")[0]
            self.imports[local] = origin
            self._bind(local, Binding("import"))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = "." * len(node.relative) + ((_dotted(node.module) or "") if node.module else "")
        for alias in node.names:
            name = _dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports[local] = f"{module}.{name}"
            self.from_names.add(local)
            self._bind(local, Binding("import"))


# --- what names mean: SQLAlchemy, Prisma --------------------------------------------------


class _Knowledge:
    """Answers about names from the pre-pass: where a callable comes from,
    which schema a MetaData / declarative base carries, which names are models."""

    def __init__(self, collector: _Collector) -> None:
        self.c = collector
        self.module_scope = collector.scopes[collector.module]
        self.table_vars = self._table_vars()
        self.models = self.table_vars | {
            info.node.name.value for info in collector.class_list
            if self.tablename(info) is not None or "__table__" in info.body
        }

    def qualified(self, node: cst.CSTNode) -> str | None:
        """Dotted origin of an imported name or attribute chain (``sa.Table`` →
        ``sqlalchemy.Table``); None when the head is not an import."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        origin = self.c.imports.get(head)
        if origin is None:
            return None
        return f"{origin}.{rest}" if rest else origin

    def is_from(self, node: cst.CSTNode, roots: frozenset[str], names: frozenset[str] | tuple[str, ...]) -> bool:
        q = self.qualified(node)
        return q is not None and q.split(".")[0] in roots and q.rsplit(".", 1)[-1] in names

    def is_sa(self, node: cst.CSTNode, *names: str) -> bool:
        return self.is_from(node, _SA_ROOTS, names)

    def is_prisma_class(self, node: cst.CSTNode) -> bool:
        return self.is_from(node, frozenset(("prisma",)), _PRISMA_CLIENT_NAMES)

    def is_model(self, name: str) -> bool:
        return name in self.models or name in self.c.from_names

    def module_value(self, name: str) -> cst.CSTNode | None:
        """The value of a module-level name assigned exactly once."""
        bindings = self.module_scope.get(name, ())
        if len(bindings) == 1 and bindings[0].kind == "assign":
            return bindings[0].value
        return None

    def _table_vars(self) -> set[str]:
        names = set()
        for scope in self.c.scopes.values():
            for name, bindings in scope.items():
                if any(b.kind == "assign" and self.is_table_call(b.value) for b in bindings):
                    names.add(name)
        return names

    def is_table_call(self, node: cst.CSTNode | None) -> bool:
        """``Table("t", metadata, ...)`` with SQLAlchemy's Table, a literal name
        and a metadata-like (name or attribute) second argument."""
        if not isinstance(node, cst.Call) or not self.is_sa(node.func, "Table"):
            return False
        name = _positional(node, 0)
        second = _positional(node, 1)
        return _string_value(name) is not None and isinstance(second, (cst.Name, cst.Attribute))

    # schemas
    def metadata_schema(self, node: cst.CSTNode | None, depth: int = 0) -> str | None:
        """The ``schema=`` of a ``MetaData(...)`` call, a name bound to one, or
        ``Base.metadata`` of a declarative base."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Call) and self.is_sa(node.func, "MetaData"):
            return _string_value(_keyword(node, "schema"))
        if isinstance(node, cst.Name):
            return self.metadata_schema(self.module_value(node.value), depth + 1)
        if isinstance(node, cst.Attribute) and node.attr.value == "metadata" and isinstance(node.value, cst.Name):
            return self.base_schema(node.value.value, depth + 1)
        return None

    def base_schema(self, name: str, depth: int = 0) -> str | None:
        """Default schema of a declarative base or model class named ``name``."""
        if depth > _MAX_DEPTH:
            return None
        value = self.module_value(name)
        if isinstance(value, cst.Call) and self.is_sa(value.func, "declarative_base"):
            return self.metadata_schema(_keyword(value, "metadata"), depth + 1)
        info = self.c.classes.get(name)
        return self.class_schema(info, depth + 1) if info is not None else None

    def class_schema(self, info: _ClassInfo, depth: int = 0) -> str | None:
        """``__table_args__`` schema, else the class's ``metadata`` schema, else its bases'."""
        if depth > _MAX_DEPTH:
            return None
        own = self.table_args_schema(info)
        if own is not None:
            return own
        metadata = _single_value(info.body.get("metadata"))
        if metadata is not None:
            return self.metadata_schema(metadata, depth + 1)
        for base in info.node.bases:
            if isinstance(base.value, cst.Name) and base.keyword is None:
                schema = self.base_schema(base.value.value, depth + 1)
                if schema is not None:
                    return schema
        return None

    @staticmethod
    def table_args_schema(info: _ClassInfo) -> str | None:
        """``{"schema": "s"}`` or a tuple ending with such a dict."""
        args = _single_value(info.body.get("__table_args__"))
        if isinstance(args, cst.Tuple) and args.elements:
            args = args.elements[-1].value
        if not isinstance(args, cst.Dict):
            return None
        for element in args.elements:
            if isinstance(element, cst.DictElement) and _string_value(element.key) == "schema":
                return _string_value(element.value)
        return None

    @staticmethod
    def tablename(info: _ClassInfo) -> str | None:
        return _string_value(_single_value(info.body.get("__tablename__")))


def _single_value(bindings: list[Binding] | None) -> cst.CSTNode | None:
    if bindings and len(bindings) == 1 and bindings[0].kind == "assign":
        return bindings[0].value
    return None


def _relation_ref(name: str, schema: str | None) -> RelationRef:
    """A name as SQLAlchemy/asyncpg send it: quoted, so case matters only when mixed."""
    return RelationRef(name=name, schema=schema, quoted=name != name.lower())


# --- main pass ----------------------------------------------------------------------------


class _Visitor(_Walker):
    """Second pass: every call that touches the database, with ancestors for anchors."""

    def __init__(self, src: SourceFile, host: Host, know: _Knowledge, config: ExtractConfig) -> None:
        super().__init__()
        self.src = src
        self.host = host
        self.know = know
        self.config = config
        self.accesses: list[Access] = []
        self.problems: list[Problem] = []
        self.orm_models: list[OrmModel] = []
        self.sql_results: list[sql_extract.SqlResult] = []

    # context
    def lookup(self, name: str) -> Sequence[Binding]:
        """Bindings of ``name`` in the innermost enclosing function that binds it, else the module.

        ``self.X`` / ``cls.X`` / ``ClassName.X`` give the class-body bindings of
        ``X`` unless a method also assigns ``self.X``.
        """
        head, dot, attr = name.partition(".")
        if dot:
            return self.class_attribute(head, attr)
        scopes = self.know.c.scopes
        for node in reversed(self.stack):
            if isinstance(node, cst.FunctionDef) and name in scopes[node]:
                return scopes[node][name]
        return self.know.module_scope.get(name, _NO_BINDINGS)

    def class_attribute(self, head: str, attr: str) -> Sequence[Binding]:
        info = self.enclosing_class() if head in ("self", "cls") else self.know.c.classes.get(head)
        if info is None or "." in attr or attr in info.self_attrs:
            return _NO_BINDINGS
        return info.body.get(attr, _NO_BINDINGS)

    def enclosing_class(self) -> _ClassInfo | None:
        for node in reversed(self.stack):
            if isinstance(node, cst.ClassDef):
                return self.know.c.classes_by_node.get(node)
        return None

    def anchor(self) -> Anchor:
        """The simple statement holding the current node, or the header part of
        the compound statement it sits in (an ``if`` test, a ``with`` item)."""
        below: cst.CSTNode = self.stack[-1]
        for node in reversed(self.stack):
            if isinstance(node, cst.SimpleStatementLine):
                return self.host.anchor(node)
            if isinstance(node, cst.BaseCompoundStatement):
                return self.host.anchor(below)
            below = node
        return self.host.anchor(self.stack[-1])

    def awaited(self) -> bool:
        return len(self.stack) > 1 and isinstance(self.stack[-2], cst.Await)

    # emitters
    def access(self, node: cst.CSTNode, ref: RelationRef, kind: AccessKind, via: str, operation: str) -> None:
        self.accesses.append(Access(
            service=self.src.service, location=self.host.location(self.src.path, node), ref=ref,
            kind=kind, via=via, operation=operation, anchor=self.anchor(),
        ))

    def dynamic(self, call: cst.Call, shown: str, why: str) -> None:
        self.problems.append(Problem(
            code="HOS205", location=self.host.location(self.src.path, call),
            message=f"SQL passed to {shown} is {why}; its relations cannot be known statically",
            service=self.src.service, anchor=self.anchor(),
        ))

    # dispatch
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if self.know.is_table_call(node):
            self.table_model(node)
        elif self.module_function(node, func):
            return
        elif isinstance(func, cst.Attribute):
            self.method_call(node, func, func.attr.value)

    def module_function(self, call: cst.Call, func: cst.BaseExpression) -> bool:
        """SQLAlchemy ``text``/``select``/``insert``/``update``/``delete`` and
        pandas ``read_sql``; True when ``func`` is one of them."""
        know = self.know
        if know.is_sa(func, "text"):
            self.sql_argument(call, "text()", "sqlalchemy", report=True, string_only=True)
        elif know.is_sa(func, *_SA_STATEMENTS):
            self.statement_uses(call, (know.qualified(func) or "").rsplit(".", 1)[-1])
        elif self.is_pandas(func):
            self.sql_argument(call, "read_sql()", "pandas", report=True)
        else:
            return False
        return True

    def is_pandas(self, func: cst.BaseExpression) -> bool:
        if self.know.is_from(func, frozenset(("pandas",)), _PANDAS_FUNCS):
            return True
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in _PANDAS_FUNCS
            and _dotted(func.value) in ("pd", "pandas")
        )

    def method_call(self, call: cst.Call, func: cst.Attribute, method: str) -> None:
        receiver = func.value
        if method in _SQL_METHODS:
            self.sql_method(call, receiver, method)
        elif method in _ASYNCPG_COPY_TABLE:
            self.copy_table(call, method)
        elif method in _PRISMA_RAW and self.is_client(receiver):
            self.sql_argument(call, f".{method}()", "prisma-client-python", report=True, string_only=True)
        elif self.prisma_call(receiver, method):
            return
        elif _is_session(receiver) and self.session_call(call, method):
            return
        elif method in _SA_STATEMENTS and isinstance(receiver, cst.Name) and receiver.value in self.know.table_vars:
            self.access(receiver, RelationRef(orm_class=receiver.value), _SA_STATEMENTS[method], "sqlalchemy", method)
        elif method in _JOIN_METHODS:
            self.join_call(call, receiver)
        elif method in ("update", "delete"):
            self.query_write(receiver, method)

    # SQL strings
    def sql_method(self, call: cst.Call, receiver: cst.BaseExpression, method: str) -> None:
        """``.execute(...)`` and friends: the via depends on the receiver and on ``await``."""
        via = _SQL_METHODS[method]
        awaited = self.awaited()
        name = (_receiver_name(receiver) or "").lower()
        if via == "dbapi" and ("session" in name or "engine" in name):
            via = "sqlalchemy"
        elif via == "dbapi" and awaited and method in ("execute", "executemany"):
            via = "asyncpg"
        report = _is_db_receiver(receiver) or (awaited and _SQL_METHODS[method] == "asyncpg")
        self.sql_argument(call, f".{method}()", via, report=report)

    def sql_argument(self, call: cst.Call, shown: str, via: str, *, report: bool, string_only: bool = False) -> None:
        """Analyse the SQL argument when it is built from literals; otherwise
        report HOS205 on clearly-database calls (see the module docstring)."""
        arg = _positional(call, 0)
        if arg is None:
            arg = _keyword(call, *_SQL_KEYWORDS)
        if arg is None:
            return
        literal = sql_literal(arg, self.host, self.lookup)
        if literal is None:
            why = self.dynamic_reason(arg, string_only) if report else None
            if why is not None:
                self.dynamic(call, shown, why)
            return
        text, origin, placeholders = literal
        if not looks_like_sql(text) or not self.config.postgres:
            return
        self.sql_results.append(sql_extract.extract_sql(
            text, origin, path=self.src.path, service=self.src.service, via=via,
            anchor=self.anchor(), placeholders=placeholders,
        ))

    def dynamic_reason(self, arg: cst.BaseExpression, string_only: bool) -> str | None:
        """Why a non-literal SQL argument is unknowable, or None when it is
        probably not SQL text at all (``stmt = select(User)``)."""
        if isinstance(arg, cst.Name):
            return self.name_reason(arg.value, string_only)
        if _is_stringish(arg) or string_only:
            return "built at run time"
        return None

    def name_reason(self, name: str, string_only: bool) -> str | None:
        bindings = self.lookup(name)
        if not bindings:
            return f"`{name}`, which this file does not define" if string_only else None
        if any(b.kind == "import" for b in bindings):
            return f"`{name}`, imported from another module"
        if len(bindings) == 1 and bindings[0].kind == "param":
            param = bindings[0].value
            if string_only or _str_annotated(param):  # type: ignore[arg-type]
                return f"the parameter `{name}`"
            return None
        if not string_only and all(b.kind == "assign" and not _is_stringish(b.value) for b in bindings):
            return None
        return f"`{name}`, built at run time"

    def copy_table(self, call: cst.Call, method: str) -> None:
        """asyncpg ``copy_to_table("orders", schema_name="s", ...)``: the table name literal."""
        arg = _positional(call, 0)
        if arg is None:
            arg = _keyword(call, "table_name")
        name = _string_value(arg)
        if not isinstance(arg, cst.SimpleString) or not name:
            return
        prefix, quote = _split_prefix(arg.value)
        line, col = self.host.lines.position(self.host.start(arg) + len(prefix) + quote)
        schema = _string_value(_keyword(call, "schema_name"))
        self.accesses.append(Access(
            service=self.src.service, location=Location(self.src.path, line, col),
            ref=_relation_ref(name, schema), kind=_ASYNCPG_COPY_TABLE[method], via="asyncpg",
            operation="COPY", anchor=self.anchor(),
        ))

    # Prisma Client Python
    def prisma_call(self, receiver: cst.BaseExpression, method: str) -> bool:
        """``<client>.<delegate>.<op>(...)`` on a recognised client."""
        if method not in PRISMA_READ_OPS and method not in PRISMA_WRITE_OPS:
            return False
        if not isinstance(receiver, cst.Attribute) or not self.is_client(receiver.value):
            return False
        kind = AccessKind.READ if method in PRISMA_READ_OPS else AccessKind.WRITE
        delegate = receiver.attr
        self.access(delegate, RelationRef(delegate=delegate.value), kind, "prisma-client-python", method)
        return True

    def is_client(self, node: cst.BaseExpression) -> bool:
        """A name or ``self.<attr>`` bound only to Prisma clients, or configured as one."""
        if isinstance(node, cst.Name):
            if node.value in self.config.prisma_clients:
                return True
            return self.all_prisma(self.lookup(node.value), self.lookup)
        if isinstance(node, cst.Attribute) and _dotted(node.value) == "self":
            attr = node.attr.value
            info = self.enclosing_class()
            if attr in self.config.prisma_clients:
                return True
            if info is None:
                return False
            made = info.self_attrs.get(attr, [])
            body = info.body.get(attr, [])
            return bool(made or body) and all(
                self.all_prisma((b,), self.scope_lookup(scope)) for b, scope in made
            ) and self.all_prisma(body, self.lookup, allow_empty=True)
        return False

    def scope_lookup(self, scope: cst.CSTNode) -> Lookup:
        scopes, module = self.know.c.scopes, self.know.module_scope

        def lookup(name: str) -> Sequence[Binding]:
            return scopes.get(scope, {}).get(name) or module.get(name, _NO_BINDINGS)
        return lookup

    def all_prisma(self, bindings: Sequence[Binding], lookup: Lookup, depth: int = 0, allow_empty: bool = False) -> bool:
        if not bindings:
            return allow_empty
        return depth <= _MAX_DEPTH and all(self.prisma_binding(b, lookup, depth) for b in bindings)

    def prisma_binding(self, binding: Binding, lookup: Lookup, depth: int) -> bool:
        value = binding.value
        if binding.kind in ("param", "annotation"):
            annotation = value.annotation.annotation if isinstance(value, cst.Param) and value.annotation else value
            return annotation is not None and self.prisma_annotation(annotation)
        if binding.kind not in ("assign", "with") or value is None:
            return False
        if isinstance(value, cst.Call):
            func = value.func
            if self.know.is_prisma_class(func):
                return True  # Prisma()
            if isinstance(func, cst.Attribute) and func.attr.value == "tx" and isinstance(func.value, cst.Name):
                return self.all_prisma(lookup(func.value.value), lookup, depth + 1)  # db.tx()
            return False
        if isinstance(value, cst.Name):
            return self.all_prisma(lookup(value.value), lookup, depth + 1)  # an alias
        return False

    def prisma_annotation(self, node: cst.CSTNode) -> bool:
        """``Prisma``, ``prisma.Prisma``, ``"Prisma"``, ``Optional[Prisma]``, ``Prisma | None``."""
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self.know.is_prisma_class(node)
        if isinstance(node, cst.SimpleString):
            value = _string_value(node)
            return bool(value and value.isidentifier() and self.know.is_prisma_class(cst.Name(value)))
        if isinstance(node, cst.Subscript):
            return any(
                isinstance(e.slice, cst.Index) and self.prisma_annotation(e.slice.value) for e in node.slice
            )
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self.prisma_annotation(node.left) or self.prisma_annotation(node.right)
        return False

    # SQLAlchemy
    def table_model(self, call: cst.Call) -> None:
        """``users = Table("users", metadata, ..., schema="s")`` → an OrmModel named ``users``."""
        name = _string_value(_positional(call, 0)) or ""
        schema = _string_value(_keyword(call, "schema"))
        if schema is None:
            schema = self.know.metadata_schema(_positional(call, 1))
        self.orm_models.append(OrmModel(
            service=self.src.service, class_name=self.bound_name(call) or name,
            ref=_relation_ref(name, schema), location=self.host.location(self.src.path, call),
        ))

    def bound_name(self, value: cst.CSTNode) -> str | None:
        """The name a value is assigned to (``__table__`` in a class: the class name)."""
        parent = self.stack[-2] if len(self.stack) > 1 else None
        target: cst.CSTNode | None = None
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and parent.value is value:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign) and parent.value is value:
            target = parent.target
        if not isinstance(target, cst.Name):
            return None
        if target.value == "__table__":
            info = self.enclosing_class()
            return info.node.name.value if info is not None else None
        return target.value

    def model_names(self, values: Sequence[cst.CSTNode]) -> list[cst.Name]:
        """Model names used in arguments (``Order``, ``Order.id``, ``Order(...)``), first use of each."""
        seen: dict[str, cst.Name] = {}
        for value in values:
            for root in _name_roots(value):
                if root.value not in seen and self.know.is_model(root.value):
                    seen[root.value] = root
        return list(seen.values())

    def orm_uses(self, values: Sequence[cst.CSTNode], kind: AccessKind, operation: str) -> None:
        for name in self.model_names(values):
            self.access(name, RelationRef(orm_class=name.value), kind, "sqlalchemy", operation)

    def statement_uses(self, call: cst.Call, function: str) -> None:
        """``select(A, B.x)`` reads each model; ``insert/update/delete(M)`` writes M."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if function != "select":
            first = positional[:1] or [v for v in (_keyword(call, "table"),) if v is not None]
            positional = first
        self.orm_uses(positional, _SA_STATEMENTS[function], function)

    def session_call(self, call: cst.Call, method: str) -> bool:
        """``session.query/get/add/add_all/merge/bulk_*`` with model arguments."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if method == "query":
            self.orm_uses(positional, AccessKind.READ, "query")
        elif method == "get":
            self.orm_uses(positional[:1], AccessKind.READ, "get")
        elif method in ("add", "merge"):
            self.orm_uses([v.func for v in positional[:1] if isinstance(v, cst.Call)], AccessKind.WRITE, method)
        elif method == "add_all":
            self.orm_uses(_constructed(positional[:1]), AccessKind.WRITE, "add")
        elif method in ("bulk_insert_mappings", "bulk_update_mappings"):
            self.orm_uses(positional[:1], AccessKind.WRITE, method)
        else:
            return False
        return True

    def chain_root(self, node: cst.CSTNode) -> tuple[str, cst.Call] | None:
        """The ``select(...)`` or ``session.query(...)`` call a method chain starts from."""
        while isinstance(node, cst.Call):
            func = node.func
            if self.know.is_sa(func, "select"):
                return "select", node
            if not isinstance(func, cst.Attribute):
                return None
            if func.attr.value == "query" and _is_session(func.value):
                return "query", node
            node = func.value
        return None

    def join_call(self, call: cst.Call, receiver: cst.BaseExpression) -> None:
        """``select(A).join(B)`` / ``session.query(A).join(B)``: B is read too."""
        root = self.chain_root(receiver)
        first = _positional(call, 0)
        if root is not None and first is not None:
            self.orm_uses([first], AccessKind.READ, root[0])

    def query_write(self, receiver: cst.BaseExpression, method: str) -> None:
        """``session.query(M).filter(...).update({...})`` / ``.delete()``: bulk writes of M."""
        root = self.chain_root(receiver)
        if root is not None and root[0] == "query":
            args = [a.value for a in root[1].args if a.keyword is None and not a.star]
            self.orm_uses(args, AccessKind.WRITE, method)


def _name_roots(value: cst.CSTNode, depth: int = 0) -> Iterator[cst.Name]:
    """Root names of an argument: ``Order`` for ``Order``/``Order.id``/``Order(...)``,
    and inside SQL function calls (``func.count(Order.id)``, ``Order.id.label("x")``)."""
    if isinstance(value, cst.Call) and depth < 3:
        yield from _name_roots(value.func, depth + 1)
        for arg in value.args:
            yield from _name_roots(arg.value, depth + 1)
        return
    while isinstance(value, cst.Attribute):
        value = value.value
        if isinstance(value, cst.Call):
            yield from _name_roots(value, depth + 1)
            return
    if isinstance(value, cst.Name):
        yield value


def _constructed(values: Sequence[cst.CSTNode]) -> list[cst.CSTNode]:
    """The callee of each ``Model(...)`` inside ``[Model(...), ...]`` or ``[Model(...) for ...]``."""
    out: list[cst.CSTNode] = []
    for value in values:
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            out.extend(e.value.func for e in value.elements if isinstance(e.value, cst.Call))
        elif isinstance(value, (cst.ListComp, cst.GeneratorExp, cst.SetComp)) and isinstance(value.elt, cst.Call):
            out.append(value.elt.func)
    return out


def _str_annotated(param: cst.Param) -> bool:
    """Unannotated, or annotated with something mentioning ``str``/``LiteralString``."""
    if param.annotation is None:
        return True
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value in ("str", "LiteralString")

    param.annotation.visit(_Finder())
    return found


# --- the extractor ---------------------------------------------------------------------------


def _declarative_models(src: SourceFile, host: Host, know: _Knowledge) -> list[OrmModel]:
    """Classes with a literal ``__tablename__``, located at their ``class`` keyword."""
    out = []
    for info in know.c.class_list:
        name = know.tablename(info)
        if name is None:
            continue
        out.append(OrmModel(
            service=src.service, class_name=info.node.name.value,
            ref=_relation_ref(name, know.class_schema(info)),
            location=host.location(src.path, info.node),
        ))
    return out


def _syntax_error(src: SourceFile, text: str, err: cst.ParserSyntaxError | cst.CSTValidationError) -> ExtractResult:
    """One HOS901 for a file libcst cannot parse (or builds no valid tree
    for: a name made of an unassigned code point).

    libcst's native parser often reports the line *after* the error, so the
    position (and message) come from CPython's own parser when it agrees the
    file is invalid; ``ast.parse`` only parses, it never executes anything.
    """
    if isinstance(err, cst.ParserSyntaxError):
        line, col, message = max(err.raw_line, 1), max(err.raw_column, 0) + 1, f"Python syntax error: {err.message}"
    else:
        line, col, message = 1, 1, f"Python syntax error: {err}"
    try:
        ast.parse(text)
    except SyntaxError as cpython:
        if cpython.lineno:
            line, col = cpython.lineno, max(cpython.offset or 1, 1)
            message = f"Python syntax error: {cpython.msg}"
    except Exception:  # noqa: BLE001 - null bytes, recursion: keep libcst's position
        pass
    line, col = _clamp(text, line, col)
    problem = parse_error(src, line, col, message)
    return ExtractResult(path=src.path, service=src.service, problems=(problem,))


def _clamp(text: str, line: int, col: int) -> tuple[int, int]:
    """Keep a reported position inside the file (at most just past a line's end)."""
    lines = split_lines(text)
    line = min(max(line, 1), len(lines))
    return line, min(max(col, 1), len(lines[line - 1]) + 1)


_BRACKET = re.compile(r"[\[\](){}]")
# CPython refuses more than 200 nested brackets; libcst's native parser crashes
# the process (not an exception) somewhere above a thousand, so deeper files are
# reported without parsing them.
_MAX_BRACKETS = 200


def _too_deep(text: str) -> int | None:
    """Line where bracket nesting first exceeds ``_MAX_BRACKETS``, else None.

    Brackets inside strings and comments count too; only a file with more
    than 200 unbalanced brackets inside its strings could be misjudged.
    """
    depth = 0
    for match in _BRACKET.finditer(text):
        depth += 1 if match.group() in "([{" else -1
        if depth > _MAX_BRACKETS:
            return LineIndex.of(text).position(match.start())[0]
    return None


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Every access, ORM model and problem in one Python file (see the module docstring).

    A syntax error yields one HOS901 at libcst's position and nothing else;
    nesting too deep for the parser is one HOS901 at 1:1. Comments are handed
    over in every case (a suppression may be about that HOS901).
    """
    result = _extract(src, text, config)
    return dataclasses.replace(result, comments=comments(text)) if config.comments else result


def _extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    depth_line = _too_deep(text)
    if depth_line is not None:
        return _too_deep_result(src, depth_line)
    try:
        module, host = parse_host(text)
        collector = _Collector(module)
        collector.walk(module)
        know = _Knowledge(collector)
        visitor = _Visitor(src, host, know, config)
        visitor.walk(module)
    except (cst.ParserSyntaxError, cst.CSTValidationError) as err:
        return _syntax_error(src, text, err)
    except RecursionError:
        return _too_deep_result(src, 1)
    return _result(src, host, know, visitor)


def _too_deep_result(src: SourceFile, line: int) -> ExtractResult:
    """Nothing of the file is analysed: one HOS901 for the whole file (error severity)."""
    problem = parse_error(src, line, 1, "Python file is nested too deeply to analyse", whole_file=True)
    return ExtractResult(path=src.path, service=src.service, problems=(problem,), skipped=NESTED_TOO_DEEPLY)


def comments(text: str) -> tuple[Comment, ...]:
    """Every ``#`` comment, as CPython's own tokenizer sees them (never one
    inside a string). libcst keeps comments only inside whitespace nodes our
    walker skips, so the tokenizer is the cheaper way to them. Lines break at
    CR, LF and CR LF (universal newlines), as ``LineIndex`` counts them. A
    tokenizer error ends the list; the comments before it still count."""
    lines = LineIndex.of(text)
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == tokenize.COMMENT:
                start = lines.offset(tok.start[0], tok.start[1] + 1)
                out.append(comment_at(text, lines, start, start + len(tok.string)))
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        pass  # extraction reports the syntax error (HOS901)
    return tuple(out)


def _result(src: SourceFile, host: Host, know: _Knowledge, visitor: _Visitor) -> ExtractResult:
    accesses = list(visitor.accesses)
    problems = list(visitor.problems)
    relation_defs, grants = [], []
    for result in visitor.sql_results:
        accesses.extend(result.accesses)
        problems.extend(result.problems)
        relation_defs.extend(result.relation_defs)
        grants.extend(result.grants)
    models = _declarative_models(src, host, know) + visitor.orm_models

    def at(item: Access | Problem | OrmModel) -> tuple[int, int]:
        return item.location.line, item.location.col

    return ExtractResult(
        path=src.path, service=src.service,
        accesses=tuple(sorted(accesses, key=at)), problems=tuple(sorted(problems, key=at)),
        orm_models=tuple(sorted(models, key=at)),
        relation_defs=tuple(relation_defs), grants=tuple(grants),
    )
