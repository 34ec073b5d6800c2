"""TypeScript / JavaScript extraction on tree-sitter (SPEC §4.2).

What the file *says*, unresolved: Prisma Client calls on recognised clients
(``<client>.<model>.<op>(...)``) with their ``include``/``select`` traversals
and nested writes, raw SQL handed to Prisma, pg, knex or TypeORM (passed on to
``extract_sql`` with an origin map back to this file), ``class X extends Y``
facts for client resolution, HOS205 for SQL built at run time and HOS901 for
syntax errors.

Clients are recognised without type information, by a small lexical scope
model (see ``_Scope``):

- an identifier or ``this.<field>`` whose declared type or initialiser names a
  type: ``PrismaClient`` / ``Prisma.TransactionClient`` make a *definite*
  client (``client_type=None``); any other type name ``T`` makes a
  *candidate* (``client_type="T"``) that resolution keeps only when ``T``
  extends ``PrismaClient``. A few JavaScript built-ins (``Map``, ``Set``,
  ``Promise`` …) are never candidates;
- ``this`` inside a class that ``extends`` something: definite for
  ``PrismaClient``, else a candidate named after the class itself;
- the first parameter of a function passed to ``<client>.$transaction`` and
  values built by ``<client>.$extends(...)`` (or aliases of a client): the
  same client as the receiver;
- names listed in ``config.prisma_clients`` (``db`` or ``this.db``), unless a
  closer declaration gives that name an explicit type.

Deliberate non-matches (precision first): a property chain without a call
(``const f = prisma.order.findMany``) is no access; receivers that are
neither declared with a type, nor configured, nor derived from a client are
never clients; ``Prisma.sql`` fragments that do not start with a SQL keyword
(``Prisma.sql`AND x = ${y}```) are not analysed on their own.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Iterator

from linter.embedded import LineIndex, Origin, OriginBuilder, last_bind_number, looks_like_sql, split_lines
from linter.extract.base import ExtractConfig, anchor_of, comment_at, parse_error
from linter.model import (
    Access,
    AccessKind,
    Anchor,
    ClientClass,
    Comment,
    ExtractResult,
    Language,
    Location,
    Problem,
    RelationRef,
    SourceFile,
)

NAME = "typescript"
LANGUAGE = Language.TYPESCRIPT

_TS_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".mts", ".cts")
_TSX_SUFFIXES = (".tsx", ".jsx")
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")

READ_OPS = frozenset(
    "findUnique findUniqueOrThrow findFirst findFirstOrThrow findMany count aggregate groupBy".split()
)
WRITE_OPS = frozenset(
    "create createMany createManyAndReturn update updateMany updateManyAndReturn upsert delete deleteMany".split()
)
NESTED_WRITE_OPS = (
    "create", "createMany", "connectOrCreate", "upsert", "update", "updateMany",
    "delete", "deleteMany", "set", "connect", "disconnect",
)
# Receivers whose ``.query(x)`` / ``.raw(x)`` with a non-literal ``x`` is
# reported as HOS205: the conventional names of pg pools/clients, knex and
# TypeORM managers. Any other receiver is ignored (``router.query(x)``).
SQL_RECEIVER_NAMES = frozenset(
    "pool client db pg knex manager dataSource connection queryRunner".split()
)
_TYPEORM_RECEIVERS = frozenset("manager dataSource queryRunner entityManager".split())
_PRISMA_RAW = frozenset(("$queryRaw", "$executeRaw"))
_PRISMA_UNSAFE = frozenset(("$queryRawUnsafe", "$executeRawUnsafe"))
_DEFINITE_TYPES = frozenset(("PrismaClient", "Prisma.TransactionClient"))
# Globals that are never a PrismaClient subclass: not worth a candidate.
_BUILTIN_TYPES = frozenset(
    "Map Set WeakMap WeakSet Array ReadonlyArray Promise Record Object String Number "
    "Boolean Date RegExp Error Function Symbol".split()
)
# Generic wrappers whose first type argument is the real client type.
_TYPE_WRAPPERS = frozenset("Omit Pick Readonly Partial Required NonNullable".split())

_PREFILTER_TOKENS = (
    b"prisma", b"Prisma", b"$queryRaw", b"$executeRaw", b".query(", b".query<",
    b"knex", b"raw(", b"$transaction", b"$extends",
    *(b"." + op.encode() + b"(" for op in sorted(READ_OPS | WRITE_OPS)),
)
_MAX_DEPTH = 220  # nesting beyond this is reported, not recursed into (stack safety)
_MAX_FIELD_PATH = 24  # include/data traversal stops deeper than any real query nests

_SKIPPED_NODES = frozenset((
    "comment", "string", "number", "regex", "type_annotation", "type_alias_declaration",
    "interface_declaration", "enum_declaration", "import_statement", "true", "false",
    "null", "undefined", "this", "identifier", "property_identifier",
))
_FUNCTIONS = frozenset((
    "arrow_function", "function_expression", "function_declaration", "function",
    "generator_function", "generator_function_declaration", "method_definition",
))
_CLASSES = frozenset(("class_declaration", "class", "abstract_class_declaration"))
_LOOP_SCOPES = frozenset(("for_statement", "for_in_statement", "catch_clause"))
_DECLARATIONS = frozenset(("lexical_declaration", "variable_declaration"))
# Nodes an anchor climbs through on its way to the enclosing statement.
_ANCHOR_WRAPPERS = frozenset((
    "await_expression", "parenthesized_expression", "non_null_expression", "as_expression",
    "satisfies_expression", "variable_declarator", "assignment_expression",
))
_ANCHOR_STATEMENTS = frozenset((
    "expression_statement", "lexical_declaration", "variable_declaration", "return_statement",
    "throw_statement",
))


# --- extractor surface -------------------------------------------------------------


def handles(path: str) -> bool:
    """True for TS/JS sources (``.ts .tsx .js .jsx .mjs .cjs .mts .cts``), not declaration files."""
    lower = path.lower()
    if lower.endswith(_DECLARATION_SUFFIXES):
        return False
    return lower.endswith(_TS_SUFFIXES + _TSX_SUFFIXES)


def might_access_db(data: bytes, config: ExtractConfig | None = None) -> bool:
    """Cheap, conservative byte scan: False only when the file cannot touch a database.

    Besides Prisma/SQL tokens it accepts any ``.<prisma op>(`` call and any
    configured client name, so a configured ``db.user.findMany()`` is never skipped.
    """
    if any(token in data for token in _PREFILTER_TOKENS):
        return True
    names = config.prisma_clients if config else ()
    return any(name.encode() in data for name in names)


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Every access, client class fact and problem in one TS/JS file. Never raises for bad input."""
    host = HostText(text)
    root = parse_tree(host.data, src.path)
    walker = _Walker(src, host, config)
    problem = _syntax_problem(src, host, root) if root.has_error else None
    if problem is not None:
        walker.problems.append(problem)
    walker.visit_program(root)
    return ExtractResult(
        path=src.path,
        service=src.service,
        accesses=tuple(walker.accesses),
        relation_defs=tuple(walker.relation_defs),
        grants=tuple(walker.grants),
        client_classes=tuple(walker.client_classes),
        problems=tuple(walker.problems),
        comments=_comments(host, root) if config.comments else (),
    )


def _comments(host: HostText, root: Any) -> tuple[Comment, ...]:
    """Every ``comment`` node of the tree (``//``, ``/* */``, JSX comments), in order."""
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            start, end = host.char_offset(node.start_byte), host.char_offset(node.end_byte)
            out.append(comment_at(host.text, host.lines, start, end))
        elif node.child_count:
            stack.extend(reversed(node.children))
    return tuple(out)


# --- parsing and positions ---------------------------------------------------------

_PARSERS: dict[bool, Any] = {}


def _parser(tsx: bool) -> Any:
    """The tree-sitter parser for TS or TSX, built once per process on first use
    (not at import, so runs that never see a TS file do not load the grammar)."""
    parser = _PARSERS.get(tsx)
    if parser is None:
        import tree_sitter_typescript as tsts
        from tree_sitter import Language as TSLanguage, Parser

        raw = tsts.language_tsx() if tsx else tsts.language_typescript()
        parser = _PARSERS[tsx] = Parser(TSLanguage(raw))
    return parser


def parse_tree(data: bytes, path: str) -> Any:
    """Root node of ``data`` parsed with the grammar ``path`` calls for.

    ``.js/.mjs/.cjs`` files with errors under the TS grammar are retried with
    TSX, because React code puts JSX in plain ``.js`` files.
    """
    lower = path.lower()
    tsx = lower.endswith(_TSX_SUFFIXES)
    root = _parser(tsx).parse(data).root_node
    if root.has_error and not tsx and lower.endswith((".js", ".mjs", ".cjs")):
        retry = _parser(True).parse(data).root_node
        if not retry.has_error:
            return retry
    return root


class HostText:
    """The host file as text and UTF-8 bytes, converting tree-sitter byte offsets
    to character offsets and 1-based (line, col) in characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.lines = LineIndex.of(text)
        self._marks: list[int] = []  # byte offset just after each non-ASCII char
        self._extra: list[int] = []  # extra bytes (bytes - chars) up to that mark
        if len(self.data) != len(text):
            self._index_wide_chars()

    def _index_wide_chars(self) -> None:
        extra = 0
        for match in re.finditer(r"[^\x00-\x7f]", self.text):
            extra += len(match.group().encode("utf-8", "surrogatepass")) - 1
            self._marks.append(match.end() + extra)
            self._extra.append(extra)

    def char_offset(self, byte_offset: int) -> int:
        """Character offset of a byte offset (fast path for ASCII text)."""
        if not self._marks:
            return byte_offset
        i = bisect_right(self._marks, byte_offset) - 1
        return byte_offset - (self._extra[i] if i >= 0 else 0)

    def position(self, byte_offset: int) -> tuple[int, int]:
        return self.lines.position(self.char_offset(byte_offset))

    def node_text(self, node: Any) -> str:
        return self.text[self.char_offset(node.start_byte):self.char_offset(node.end_byte)]

    def location(self, path: str, node: Any) -> Location:
        line, col = self.position(node.start_byte)
        return Location(path, line, col)

    def anchor(self, node: Any) -> Anchor:
        """Anchor spanning ``node``'s host lines with its normalised text."""
        start = self.position(node.start_byte)[0]
        end = self.position(max(node.start_byte, node.end_byte - 1))[0]
        return anchor_of(self.node_text(node), start, end)


def _syntax_problem(src: SourceFile, host: HostText, root: Any) -> Problem | None:
    """HOS901 at the first ERROR or MISSING node of a tree with errors (None when
    every error is the grammar's own artefact, see ``_is_generic_tag_artefact``)."""
    node = next(_error_nodes(root), None)
    if node is None:
        return None
    line, col = host.position(node.start_byte)
    start = host.char_offset(node.start_byte)
    snippet = split_lines(host.text[start:start + 30])[0].strip() or node.type
    message = f"TypeScript parse error near '{snippet}'; accesses in this region may be missed"
    return parse_error(src, line, col, message)


def _error_nodes(root: Any) -> Iterator[Any]:
    """ERROR and MISSING nodes in source order, grammar artefacts left out."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            if not _is_generic_tag_artefact(node):
                yield node
            continue
        stack.extend(reversed([child for child in node.children if child.has_error]))


def _is_generic_tag_artefact(node: Any) -> bool:
    """tree-sitter-typescript parses a generic tagged template
    (``prisma.$queryRaw<Row[]>`SELECT …```) as a call whose function is a
    ``non_null_expression`` with a MISSING ``!``: valid TypeScript, not an error."""
    parent = node.parent
    return (
        node.is_missing
        and parent is not None
        and parent.type == "non_null_expression"
        and any(child.type == "instantiation_expression" for child in parent.named_children)
    )


def _tag_function(function: Any) -> Any:
    """The tag expression of a tagged template, seen through the generic-tag artefact
    (``non_null_expression`` > ``instantiation_expression`` > [``await``] member)."""
    node = function
    while node is not None and node.type in ("non_null_expression", "instantiation_expression", "await_expression"):
        node = node.named_children[0] if node.named_children else None
    return node


# --- clients and scopes --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Client:
    """A recognised Prisma client: ``client_type`` None when definite, else the
    declared type name resolution must confirm extends PrismaClient."""

    client_type: str | None = None


_DEFINITE = _Client()


class _This:
    """What ``this`` means in a class body: its declared fields and itself."""

    def __init__(self, fields: dict[str, _Client | None], itself: _Client | None) -> None:
        self.fields = fields
        self.itself = itself


_NO_THIS = _This({}, None)


class _Scope:
    """One lexical scope: names declared in it (None: declared, not a client)."""

    def __init__(self, parent: _Scope | None, this: _This) -> None:
        self.parent = parent
        self.this = this
        self.names: dict[str, _Client | None] = {}

    def lookup(self, name: str) -> tuple[bool, _Client | None]:
        """(declared anywhere in the chain, client info of the closest declaration)."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None


_Aliases = dict[str, "_Client | None"]


def _type_client(node: Any, host: HostText, aliases: _Aliases) -> _Client | None:
    """Client info named by a type annotation (None when the type is no client);
    ``aliases`` maps the file's ``type X = …`` names to what they denote."""
    kind = node.type
    if kind in ("type_annotation", "parenthesized_type"):
        inner = node.named_children
        return _type_client(inner[0], host, aliases) if inner else None
    if kind == "type_identifier":
        name = host.node_text(node)
        return aliases[name] if name in aliases else _type_name_client(name)
    if kind == "nested_type_identifier":
        dotted = "".join(host.node_text(node).split())
        return _DEFINITE if dotted in _DEFINITE_TYPES else None
    if kind == "generic_type":
        return _generic_client(node, host, aliases)
    if kind == "union_type":
        return _union_client(node, host, aliases)
    return None


def _type_name_client(name: str) -> _Client | None:
    if name in _DEFINITE_TYPES:
        return _DEFINITE
    if name in _BUILTIN_TYPES:
        return None
    return _Client(name)


def _generic_client(node: Any, host: HostText, aliases: _Aliases) -> _Client | None:
    """``PrismaClient<Opts>`` is the client; ``Omit<PrismaClient, …>`` wraps it."""
    name = node.child_by_field_name("name")
    if name is None:
        return None
    if host.node_text(name) in _TYPE_WRAPPERS:
        args = node.child_by_field_name("type_arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return _type_client(first, host, aliases) if first is not None else None
    return _type_client(name, host, aliases)


def _union_client(node: Any, host: HostText, aliases: _Aliases) -> _Client | None:
    """A union with a definite client member is definite; ``T | null`` is T."""
    members: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "union_type":
            stack.extend(current.named_children)
        elif current.type not in ("literal_type", "predefined_type"):
            members.append(current)
    infos = [_type_client(member, host, aliases) for member in members]
    if _DEFINITE in infos:
        return _DEFINITE
    return infos[0] if len(infos) == 1 else None


def pattern_names(node: Any) -> list[Any]:
    """Identifier nodes a binding pattern declares (destructuring included)."""
    found: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            found.append(current)
        elif kind == "pair_pattern":
            stack.append(current.child_by_field_name("value"))
        elif kind in ("object_assignment_pattern", "assignment_pattern"):
            stack.append(current.child_by_field_name("left"))
        elif kind in ("object_pattern", "array_pattern", "rest_pattern"):
            stack.extend(current.named_children)
    return [n for n in found if n is not None]


# --- string literals -> SQL text -------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def decode_escape(escape: str) -> str:
    """The character(s) a JS escape sequence stands for (line continuations give '')."""
    body = escape[1:]
    if not body or body[0] in "\r\n\u2028\u2029":
        return ""
    if body[0] in _SIMPLE_ESCAPES and not (body[0] == "0" and len(body) > 1):
        return _SIMPLE_ESCAPES[body[0]]
    hex_digits = body[2:-1] if body.startswith("u{") else body[1:]
    if body[0] in "xu" and hex_digits:
        try:
            return chr(int(hex_digits, 16))
        except (ValueError, OverflowError):
            return body
    return body


@dataclass(frozen=True, slots=True)
class _Piece:
    """Part of a literal: verbatim text, a decoded escape, or an interpolation (text None)."""

    text: str | None
    host_offset: int  # character offset in the host file


def _literal_parts(node: Any) -> list[Any] | None:
    """The string/template nodes a literal expression joins, or None when it is
    not built from literals only (``'a' + 'b'`` is literal; ``'a' + x`` is not)."""
    parts: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.type
        if kind in ("string", "template_string"):
            parts.append(current)
        elif kind == "parenthesized_expression" and current.named_child_count == 1:
            stack.append(current.named_children[0])
        elif kind == "binary_expression" and _operator(current) == "+":
            stack.append(current.child_by_field_name("right"))
            stack.append(current.child_by_field_name("left"))
        else:
            return None
    return parts


def _operator(node: Any) -> str | None:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else None


def _string_pieces(node: Any, host: HostText) -> Iterator[_Piece]:
    """Pieces of one string or template literal, delimiters excluded."""
    children = node.children
    cursor = children[0].end_byte if children else node.start_byte
    end = children[-1].start_byte if len(children) > 1 else node.end_byte
    for child in children[1:-1]:
        if child.start_byte > cursor:  # text between child nodes
            yield _gap(host, cursor, child.start_byte)
        if child.type == "escape_sequence":
            yield _Piece(decode_escape(host.node_text(child)), host.char_offset(child.start_byte))
        elif child.type == "template_substitution":
            yield _Piece(None, host.char_offset(child.start_byte))
        else:
            yield _gap(host, child.start_byte, child.end_byte)
        cursor = child.end_byte
    if end > cursor:
        yield _gap(host, cursor, end)


def _gap(host: HostText, start_byte: int, end_byte: int) -> _Piece:
    start = host.char_offset(start_byte)
    return _Piece(host.text[start:host.char_offset(end_byte)], start)


def sql_literal(node: Any, host: HostText) -> tuple[str, Origin, frozenset[str]] | None:
    """The text a string/template literal (or a ``+`` of literals) evaluates to.

    Returns ``(text, origin, placeholders)``: escapes are decoded (each char maps
    to its escape's host offset), every ``${…}`` becomes a bind marker ``$N``
    mapped to the interpolation's host offset (numbered after the highest
    ``$N`` already in the text) and listed in ``placeholders``. None when the
    node is not built from literals only.
    """
    parts = _literal_parts(node)
    if parts is None:
        return None
    pieces = [piece for part in parts for piece in _string_pieces(part, host)]
    number = max((last_bind_number(p.text) for p in pieces if p.text), default=0)
    builder = OriginBuilder(host.lines)
    markers: list[str] = []
    for piece in pieces:
        if piece.text is None:
            number += 1
            markers.append(f"${number}")
            builder.add(markers[-1], piece.host_offset)
        else:
            builder.add(piece.text, piece.host_offset)
    text, origin = builder.build()
    return text, origin, frozenset(markers)


# --- object literal helpers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pair:
    name: str
    key: Any
    value: Any


def object_pairs(node: Any, host: HostText) -> Iterator[_Pair]:
    """``key: value`` pairs of an object literal with a plain or quoted key."""
    if node is None or node.type != "object":
        return
    for child in node.named_children:
        if child.type != "pair":
            continue
        key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
        if key is None or value is None:
            continue
        if key.type == "property_identifier":
            yield _Pair(host.node_text(key), key, value)
        elif key.type == "string":
            yield _Pair(host.node_text(key)[1:-1], key, value)


def _pair_value(node: Any, name: str, host: HostText) -> Any:
    for pair in object_pairs(node, host):
        if pair.name == name:
            return pair.value
    return None


def _object_items(node: Any) -> list[Any]:
    """An object literal, or the object literals of an array literal."""
    if node is None:
        return []
    if node.type == "object":
        return [node]
    if node.type == "array":
        return [item for item in node.named_children if item.type == "object"]
    return []


def _member_parts(node: Any) -> tuple[Any, Any] | tuple[None, None]:
    """(object, property) of a member expression, else (None, None)."""
    if node is None or node.type != "member_expression":
        return None, None
    return node.child_by_field_name("object"), node.child_by_field_name("property")


def _anchor_node(node: Any) -> Any:
    """The statement a call belongs to when the call is (wrapped into) the whole
    statement; otherwise the outermost call chain around it."""
    current = node
    while current.parent is not None:
        parent = current.parent
        kind = parent.type
        if kind in _ANCHOR_STATEMENTS:
            return parent
        chained = kind in ("member_expression", "call_expression") and (
            parent.child_by_field_name("object") == current
            or parent.child_by_field_name("function") == current
        )
        if not chained and kind not in _ANCHOR_WRAPPERS:
            return current
        current = parent
    return current


@dataclass(frozen=True, slots=True)
class _CallContext:
    """What every access of one Prisma call shares."""

    delegate: str
    client_type: str | None
    anchor: Anchor


# --- the walk --------------------------------------------------------------------------


class _Walker:
    """One pass over the tree, keeping a lexical scope chain and collecting facts."""

    def __init__(self, src: SourceFile, host: HostText, config: ExtractConfig) -> None:
        self.src = src
        self.host = host
        self.configured = frozenset(config.prisma_clients)
        self.parse_sql = config.postgres
        self.accesses: list[Access] = []
        self.relation_defs: list = []
        self.grants: list = []
        self.client_classes: list[ClientClass] = []
        self.problems: list[Problem] = []
        self._too_deep_reported = False
        self.aliases: _Aliases = {}

    # scopes and bindings

    def visit_program(self, root: Any) -> None:
        scope = _Scope(None, _NO_THIS)
        self._collect_aliases(root)
        self._hoist(root, scope)
        self._visit_children(root, scope, 0)

    def _collect_aliases(self, root: Any) -> None:
        """Module-level ``type Tx = Prisma.TransactionClient`` (each alias may use earlier ones)."""
        for child in root.named_children:
            decl = child.child_by_field_name("declaration") if child.type == "export_statement" else child
            if decl is None or decl.type != "type_alias_declaration":
                continue
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if name is not None and value is not None:
                self.aliases[self.host.node_text(name)] = _type_client(value, self.host, self.aliases)

    def _declare(self, scope: _Scope, name: str, info: _Client | None, typed: bool) -> None:
        """Bind ``name``; an untyped non-client binding of a configured name stays a client."""
        if info is None and not typed and name in self.configured:
            info = _DEFINITE
        scope.names[name] = info

    def _hoist(self, block: Any, scope: _Scope) -> None:
        """Declare a block's variables, functions and classes before walking it,
        so uses above a declaration (functions calling a module client) resolve."""
        for child in block.named_children:
            decl = child
            if decl.type in ("export_statement", "ambient_declaration"):
                inner = decl.child_by_field_name("declaration")
                decl = inner if inner is not None else (decl.named_children or [decl])[-1]
            if decl.type in _DECLARATIONS:
                self._declare_variables(decl, scope)
            elif decl.type in _FUNCTIONS or decl.type in _CLASSES:
                name = decl.child_by_field_name("name")
                if name is not None:
                    self._declare(scope, self.host.node_text(name), None, True)

    def _declare_variables(self, declaration: Any, scope: _Scope) -> None:
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            target = declarator.child_by_field_name("name")
            type_node = declarator.child_by_field_name("type")
            value = declarator.child_by_field_name("value")
            info = self._binding_info(type_node, value, scope)
            for ident in pattern_names(target) if target is not None else ():
                single = target.type == "identifier"
                self._declare(scope, self.host.node_text(ident), info if single else None, type_node is not None)

    def _binding_info(self, type_node: Any, value: Any, scope: _Scope) -> _Client | None:
        if type_node is not None:
            return _type_client(type_node, self.host, self.aliases)
        return self.client_of(value, scope) if value is not None else None

    def _declare_params(self, function: Any, scope: _Scope, first: _Client | None) -> None:
        """Bind a function's parameters; ``first`` overrides the first one ($transaction)."""
        single = function.child_by_field_name("parameter")
        if single is not None:
            self._declare(scope, self.host.node_text(single), first, first is not None)
            return
        params = function.child_by_field_name("parameters")
        index = 0
        for param in params.named_children if params is not None else ():
            pattern = param.child_by_field_name("pattern")
            pattern = param if pattern is None else pattern
            if pattern.type == "this":
                continue
            type_node = param.child_by_field_name("type")
            info = self._binding_info(type_node, param.child_by_field_name("value"), scope)
            if index == 0 and first is not None:
                info = first
            for ident in pattern_names(pattern):
                self._declare(scope, self.host.node_text(ident), info, type_node is not None or first is not None)
            index += 1

    def client_of(self, node: Any, scope: _Scope) -> _Client | None:
        """The Prisma client an expression denotes, or None."""
        while node is not None and node.type in ("parenthesized_expression", "await_expression", "non_null_expression"):
            node = node.named_children[0] if node.named_children else None
        if node is None:
            return None
        kind = node.type
        if kind == "identifier":
            return self._name_client(node, scope)
        if kind == "this":
            return scope.this.itself
        if kind == "member_expression":
            return self._this_field_client(node, scope)
        if kind == "new_expression":
            ctor = node.child_by_field_name("constructor")
            return _type_name_client(self.host.node_text(ctor)) if ctor is not None and ctor.type == "identifier" else None
        if kind in ("as_expression", "satisfies_expression"):
            return _type_client(node.named_children[-1], self.host, self.aliases)
        if kind == "call_expression":
            return self._extends_client(node, scope)
        if kind == "binary_expression" and _operator(node) in ("??", "||"):
            left = self.client_of(node.child_by_field_name("left"), scope)
            return left or self.client_of(node.child_by_field_name("right"), scope)
        return None

    def _name_client(self, node: Any, scope: _Scope) -> _Client | None:
        name = self.host.node_text(node)
        declared, info = scope.lookup(name)
        if not declared and name in self.configured:
            return _DEFINITE
        return info

    def _this_field_client(self, node: Any, scope: _Scope) -> _Client | None:
        obj, prop = _member_parts(node)
        if obj is None or obj.type != "this" or prop is None:
            return None
        name = self.host.node_text(prop)
        if name in scope.this.fields:
            return scope.this.fields[name]
        return _DEFINITE if name in self.configured else None

    def _extends_client(self, call: Any, scope: _Scope) -> _Client | None:
        """``<client>.$extends(...)`` is the same client as its receiver."""
        obj, prop = _member_parts(call.child_by_field_name("function"))
        if prop is None or self.host.node_text(prop) != "$extends":
            return None
        return self.client_of(obj, scope)

    # traversal

    def _visit_children(self, node: Any, scope: _Scope, depth: int) -> None:
        for child in node.named_children:
            self.visit(child, scope, depth + 1)

    def visit(self, node: Any, scope: _Scope, depth: int) -> None:
        kind = node.type
        if kind in _SKIPPED_NODES:
            return
        if depth > _MAX_DEPTH:
            self._report_too_deep(node)
        elif kind in _FUNCTIONS:
            self._visit_function(node, scope, depth, None)
        elif kind in _CLASSES:
            self._visit_class(node, scope, depth)
        elif kind == "statement_block" or kind in _LOOP_SCOPES:
            self._visit_block(node, scope, depth)
        elif kind == "call_expression":
            self._visit_call(node, scope, depth)
        else:
            self._visit_children(node, scope, depth)

    def _report_too_deep(self, node: Any) -> None:
        if self._too_deep_reported:
            return
        self._too_deep_reported = True
        line, col = self.host.position(node.start_byte)
        message = "TypeScript nesting too deep to analyse; accesses in this region may be missed"
        self.problems.append(parse_error(self.src, line, col, message))

    def _visit_block(self, node: Any, scope: _Scope, depth: int) -> None:
        inner = _Scope(scope, scope.this)
        if node.type == "statement_block":
            self._hoist(node, inner)
        else:  # for (const x of …), catch (e): the loop/catch variables shadow
            for field in ("left", "initializer", "parameter"):
                target = node.child_by_field_name(field)
                if target is not None and target.type in _DECLARATIONS:
                    self._declare_variables(target, inner)
                elif target is not None:
                    for ident in pattern_names(target):
                        self._declare(inner, self.host.node_text(ident), None, False)
        self._visit_children(node, inner, depth)

    def _visit_function(self, node: Any, scope: _Scope, depth: int, first: _Client | None) -> None:
        """Walk a function in its own scope; plain functions rebind ``this``."""
        keeps_this = node.type in ("arrow_function", "method_definition")
        inner = _Scope(scope, scope.this if keeps_this else _NO_THIS)
        self._declare_params(node, inner, first)
        params = node.child_by_field_name("parameters")
        if params is not None:
            self._visit_children(params, inner, depth)  # default values may call the client
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit(body, inner, depth + 1)

    def _visit_class(self, node: Any, scope: _Scope, depth: int) -> None:
        name_node = node.child_by_field_name("name")
        class_name = self.host.node_text(name_node) if name_node is not None else None
        base = self._record_heritage(node, name_node)
        itself = None
        if base == "PrismaClient":
            itself = _DEFINITE
        elif base is not None and class_name is not None:
            itself = _Client(class_name)
        fields: dict[str, _Client | None] = {}
        inner = _Scope(scope, _This(fields, itself))
        body = node.child_by_field_name("body")
        if body is None:
            return
        self._collect_fields(body, inner, fields)
        self._visit_children(body, inner, depth)

    def _record_heritage(self, node: Any, name_node: Any) -> str | None:
        """Emit ``ClientClass`` for ``class X extends Y`` (Y an identifier); return Y."""
        for heritage in node.named_children:
            if heritage.type != "class_heritage":
                continue
            for clause in heritage.named_children:
                value = clause.child_by_field_name("value") if clause.type == "extends_clause" else None
                if value is None or value.type != "identifier":
                    continue
                base = self.host.node_text(value)
                if name_node is not None:
                    self.client_classes.append(ClientClass(
                        service=self.src.service,
                        name=self.host.node_text(name_node),
                        base=base,
                        location=self.host.location(self.src.path, name_node),
                    ))
                return base
        return None

    def _collect_fields(self, body: Any, scope: _Scope, fields: dict[str, _Client | None]) -> None:
        """Class fields, constructor parameter properties and ``this.x = …`` in the constructor."""
        constructor = None
        for member in body.named_children:
            if member.type == "public_field_definition":
                name = member.child_by_field_name("name")
                type_node = member.child_by_field_name("type")
                info = self._binding_info(type_node, member.child_by_field_name("value"), scope)
                if name is not None:
                    self._declare_field(fields, self.host.node_text(name), info, type_node is not None)
            elif member.type == "method_definition" and self._is_constructor(member):
                constructor = member
        if constructor is not None:
            self._collect_constructor_fields(constructor, scope, fields)

    def _declare_field(self, fields: dict[str, _Client | None], name: str, info: _Client | None, typed: bool) -> None:
        if info is None and not typed and name in self.configured:
            info = _DEFINITE
        fields[name] = info

    def _is_constructor(self, method: Any) -> bool:
        name = method.child_by_field_name("name")
        return name is not None and self.host.node_text(name) == "constructor"

    def _collect_constructor_fields(self, ctor: Any, scope: _Scope, fields: dict[str, _Client | None]) -> None:
        params_scope = _Scope(scope, scope.this)
        self._declare_params(ctor, params_scope, None)
        params = ctor.child_by_field_name("parameters")
        for param in params.named_children if params is not None else ():
            is_property = any(c.type in ("accessibility_modifier", "readonly", "override_modifier") for c in param.children)
            pattern = param.child_by_field_name("pattern")
            if is_property and pattern is not None and pattern.type == "identifier":
                name = self.host.node_text(pattern)
                fields[name] = params_scope.names.get(name)
        body = ctor.child_by_field_name("body")
        for statement in body.named_children if body is not None else ():
            assignment = statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
            if assignment is None or assignment.type != "assignment_expression":
                continue
            obj, prop = _member_parts(assignment.child_by_field_name("left"))
            if obj is not None and obj.type == "this" and prop is not None:
                name = self.host.node_text(prop)
                if name not in fields:
                    info = self.client_of(assignment.child_by_field_name("right"), params_scope)
                    self._declare_field(fields, name, info, False)

    def _visit_call(self, node: Any, scope: _Scope, depth: int) -> None:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is not None:
            self._check_prisma_call(node, function, arguments, scope)
            self._check_sql_call(node, function, arguments, scope)
            self.visit(function, scope, depth + 1)
        if arguments is None:
            return
        tx = self._transaction_client(function, scope)
        for arg in arguments.named_children if arguments.type == "arguments" else [arguments]:
            if tx is not None and arg.type in ("arrow_function", "function_expression"):
                self._visit_function(arg, scope, depth + 1, tx)
            else:
                self.visit(arg, scope, depth + 1)

    def _transaction_client(self, function: Any, scope: _Scope) -> _Client | None:
        obj, prop = _member_parts(function)
        if prop is None or self.host.node_text(prop) != "$transaction":
            return None
        return self.client_of(obj, scope)

    # Prisma Client calls

    def _check_prisma_call(self, call: Any, function: Any, arguments: Any, scope: _Scope) -> None:
        """``<client>.<model>.<op>(...)`` plus the traversals in its first argument."""
        delegate_expr, op_node = _member_parts(function)
        receiver, model = _member_parts(delegate_expr)
        if op_node is None or model is None or model.type != "property_identifier":
            return
        op, delegate = self.host.node_text(op_node), self.host.node_text(model)
        if (op not in READ_OPS and op not in WRITE_OPS) or delegate.startswith("$"):
            return
        client = self.client_of(receiver, scope)
        if client is None:
            return
        ctx = _CallContext(delegate, client.client_type, self.host.anchor(_anchor_node(call)))
        kind = AccessKind.READ if op in READ_OPS else AccessKind.WRITE
        self._emit(model, ctx, (), kind, op)
        first = arguments.named_children[0] if arguments is not None and arguments.type == "arguments" and arguments.named_children else None
        if first is not None and first.type == "object":
            self._traverse_arguments(first, op, ctx)

    def _emit(self, at: Any, ctx: _CallContext, path: tuple[str, ...], kind: AccessKind, op: str) -> None:
        ref = RelationRef(delegate=ctx.delegate, field_path=path, client_type=ctx.client_type)
        self.accesses.append(Access(
            service=self.src.service,
            location=self.host.location(self.src.path, at),
            ref=ref,
            kind=kind,
            via="prisma-client",
            operation=op,
            anchor=ctx.anchor,
        ))

    def _traverse_arguments(self, args: Any, op: str, ctx: _CallContext) -> None:
        self._traverse_selection(args, (), ctx)
        for pair in object_pairs(args, self.host):
            if pair.name == "data" or (op == "upsert" and pair.name in ("create", "update")):
                if pair.value.type == "object":
                    self._traverse_data(pair.value, (), ctx)

    def _traverse_selection(self, obj: Any, path: tuple[str, ...], ctx: _CallContext) -> None:
        """``include: {...}`` / ``select: {...}`` keys of ``obj`` (relations read at ``path``)."""
        if len(path) > _MAX_FIELD_PATH:
            return
        for pair in object_pairs(obj, self.host):
            if pair.name in ("include", "select") and pair.value.type == "object":
                self._traverse_selected(pair.value, path, pair.name, ctx)

    def _traverse_selected(self, obj: Any, path: tuple[str, ...], op: str, ctx: _CallContext) -> None:
        for pair in object_pairs(obj, self.host):
            if pair.name == "_count":
                counted = _pair_value(pair.value, "select", self.host)
                for item in object_pairs(counted, self.host):
                    if item.value.type in ("true", "object"):
                        self._emit(item.key, ctx, path + (item.name,), AccessKind.READ, "select")
            elif pair.value.type in ("true", "object"):
                self._emit(pair.key, ctx, path + (pair.name,), AccessKind.READ, op)
                self._traverse_selection(pair.value, path + (pair.name,), ctx)

    def _traverse_data(self, data: Any, path: tuple[str, ...], ctx: _CallContext) -> None:
        """Nested writes in a ``data`` object: ``items: { create: [...] }`` writes ``items``."""
        if len(path) > _MAX_FIELD_PATH:
            return
        for pair in object_pairs(data, self.host):
            nested = [p for p in object_pairs(pair.value, self.host) if p.name in NESTED_WRITE_OPS]
            for op in nested:
                self._emit(pair.key, ctx, path + (pair.name,), AccessKind.WRITE, op.name)
            for op in nested:
                for inner in self._nested_data(op):
                    self._traverse_data(inner, path + (pair.name,), ctx)

    def _nested_data(self, op: _Pair) -> list[Any]:
        """The data objects inside one nested write that may hold deeper writes."""
        items = _object_items(op.value)
        if op.name == "create":
            return items
        if op.name == "connectOrCreate":
            return [v for item in items for v in _object_items(_pair_value(item, "create", self.host))]
        if op.name == "upsert":
            return [v for item in items for key in ("create", "update") for v in _object_items(_pair_value(item, key, self.host))]
        if op.name == "update":  # to-many: {where, data}; to-one: the data itself
            datas = [_pair_value(item, "data", self.host) for item in items]
            return [v for item, data in zip(items, datas) for v in _object_items(item if data is None else data)]
        return []

    # raw SQL

    def _check_sql_call(self, call: Any, function: Any, arguments: Any, scope: _Scope) -> None:
        """Raw SQL call sites: Prisma raw queries, ``Prisma.sql``, ``.query``, ``.raw``."""
        if arguments is not None and arguments.type == "template_string":
            function = _tag_function(function)
        receiver, prop = _member_parts(function)
        if prop is None or arguments is None:
            return
        method = self.host.node_text(prop)
        if arguments.type == "template_string":
            self._tagged_template(call, receiver, method, arguments)
            return
        args = arguments.named_children
        first = args[0] if args else None
        if method in _PRISMA_UNSAFE and first is not None:
            self._sql_argument(call, method, first, "prisma-raw", require_sql=False, report=True)
        elif method in ("query", "raw") and first is not None:
            via = self._sql_via(method, receiver)
            report = self._is_sql_receiver(receiver, scope)
            self._sql_argument(call, method, self._pg_config_text(first), via, require_sql=True, report=report)

    def _tagged_template(self, call: Any, receiver: Any, method: str, template: Any) -> None:
        if method in _PRISMA_RAW:
            self._sql_argument(call, method, template, "prisma-raw", require_sql=False, report=False)
        elif method == "sql" and receiver is not None and self.host.node_text(receiver) == "Prisma":
            self._sql_argument(call, method, template, "prisma-raw", require_sql=True, report=False)

    def _pg_config_text(self, arg: Any) -> Any:
        """``pool.query({ text: 'SELECT …', values })``: the SQL is the ``text`` value."""
        if arg.type == "object":
            text = _pair_value(arg, "text", self.host)
            return text if text is not None else arg
        return arg

    def _sql_via(self, method: str, receiver: Any) -> str:
        if method == "raw":
            return "prisma-raw" if self._receiver_name(receiver) == "Prisma" else "knex"
        return "typeorm" if self._receiver_name(receiver) in _TYPEORM_RECEIVERS else "pg"

    def _receiver_name(self, receiver: Any) -> str | None:
        """``pool`` for ``pool`` and ``this.pool``; None for anything else."""
        if receiver is None:
            return None
        if receiver.type == "identifier":
            return self.host.node_text(receiver)
        obj, prop = _member_parts(receiver)
        if obj is not None and obj.type == "this" and prop is not None:
            return self.host.node_text(prop)
        return None

    def _is_sql_receiver(self, receiver: Any, scope: _Scope) -> bool:
        return self._receiver_name(receiver) in SQL_RECEIVER_NAMES or self.client_of(receiver, scope) is not None

    def _sql_argument(self, call: Any, method: str, arg: Any, via: str, *, require_sql: bool, report: bool) -> None:
        """Extract SQL from a literal argument, or report HOS205 for a run-time one."""
        anchor = self.host.anchor(_anchor_node(call))
        literal = sql_literal(arg, self.host)
        if literal is None:
            if report:
                self._dynamic_sql(call, method, anchor)
            return
        text, origin, placeholders = literal
        if (require_sql and not looks_like_sql(text)) or not self.parse_sql:
            return
        # imported here: files without raw SQL never pay for loading sqlglot
        from linter.extract.sql import extract_sql

        result = extract_sql(
            text, origin, path=self.src.path, service=self.src.service, via=via,
            anchor=anchor, placeholders=placeholders,
        )
        self.accesses.extend(result.accesses)
        self.relation_defs.extend(result.relation_defs)
        self.grants.extend(result.grants)
        self.problems.extend(result.problems)

    def _dynamic_sql(self, call: Any, method: str, anchor: Anchor) -> None:
        shown = method if method.startswith("$") else f".{method}"
        message = f"SQL passed to {shown} is built at run time; its relations cannot be known statically"
        self.problems.append(Problem(
            code="HOS205",
            location=self.host.location(self.src.path, call),
            message=message,
            service=self.src.service,
            anchor=anchor,
        ))
