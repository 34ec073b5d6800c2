"""SQL extraction on sqlglot (PostgreSQL dialect), SPEC §4.3.

One SQL text (a ``.sql`` file, a heredoc body, an embedded string) is split
into statements by our own scanner (sqlglot's splitter loses offsets and is
unaware of psql meta-commands), each statement is parsed with
``sqlglot.parse_one(stmt, read="postgres")`` and its relation references are
classified into ``Access`` records whose positions are mapped back to the
host file through an ``Origin``.

Position convention: an access points at the *start of the qualified
reference*: the schema identifier of ``order_service.orders`` (its opening
quote when quoted), the table name when unqualified.

A few statement forms make sqlglot fall back to ``exp.Command`` (an opaque
string): ``LOCK``, ``REFRESH MATERIALIZED VIEW``, ``SET``/``RESET``, most
``GRANT``/``REVOKE`` forms and many ``ALTER`` actions (``OWNER TO``,
``SET SCHEMA``, ``ENABLE ROW LEVEL SECURITY``). Those are read by small
recursive-descent readers over sqlglot's own tokenizer (see ``_TokenReader``);
every other form that becomes a ``Command`` while we expect a relation is
reported as HOS901 rather than silently skipped.

A statement PostgreSQL would reject is HOS901 even when its relations could
be read (they are kept: a broken migration still names them). sqlglot is
lenient (``(a int,)``) and does not parse every form, so the verdict comes
from the surest judge that has one (``_rejection``): what a token reader
found missing, the shape every statement has (balanced brackets, no
dangling comma or keyword), then sqlglot's error where it is a verdict.
Tests hold this against pglast, PostgreSQL's own parser.

Function bodies (``$$ … $$`` in ``CREATE FUNCTION``/``PROCEDURE``, whatever
the language) and ``DO`` blocks are not parsed in this version: the function
itself is a DDL access, the SQL inside it is not analysed.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import ParseError
from sqlglot.tokens import Token, TokenType

from linter.embedded import Origin
from linter.extract.base import ExtractConfig, anchor_of, comment_at
from linter.model import (
    Access,
    AccessKind,
    Anchor,
    ExtractResult,
    Grant,
    Language,
    Location,
    Problem,
    RelationDef,
    RelationKind,
    RelationRef,
    SourceFile,
)

NAME = "sql"
LANGUAGE = Language.SQL
SUFFIXES = (".sql",)

HOS205_MESSAGE = (
    "SQL relation name is built at run time from an interpolation; "
    "hos-lint cannot know which table it touches"
)


@dataclass(frozen=True, slots=True)
class SqlResult:
    accesses: tuple[Access, ...] = ()
    relation_defs: tuple[RelationDef, ...] = ()
    grants: tuple[Grant, ...] = ()
    problems: tuple[Problem, ...] = ()
    # (start, end) offsets in the SQL text of every comment the splitter saw;
    # a host whose SQL *is* its text (a .sql file, a psql heredoc) hands them on
    comments: tuple[tuple[int, int], ...] = ()


# --------------------------------------------------------------------------
# statement splitting
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its text (psql meta-command lines blanked to spaces so
    offsets stay exact) and the offset of ``text[0]`` in the whole SQL text.
    ``text`` starts at the first significant character (leading comments and
    whitespace are not part of it) and has no trailing ``;``."""

    text: str
    start: int


_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _skip_quoted(text: str, i: int, quote: str, backslash: bool) -> int:
    """Index just after the closing quote of a literal opened at ``text[i]``.
    A doubled quote is an escaped quote; with ``backslash`` (E'' strings) so
    is ``\\'``. Unterminated literals run to the end of the text."""
    n = len(text)
    i += 1
    while i < n:
        ch = text[i]
        if backslash and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _skip_block_comment(text: str, i: int) -> int:
    """Index after a (possibly nested, as PostgreSQL allows) ``/* */`` comment."""
    depth, i, n = 0, i, len(text)
    while i < n:
        if text.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _skip_dollar(text: str, i: int) -> int | None:
    """Index after a ``$tag$ … $tag$`` body starting at ``i``, or None when
    ``text[i]`` does not open one (``$1`` bind markers, ``a$b`` identifiers)."""
    if i > 0 and _is_ident_char(text[i - 1]):
        return None
    m = _DOLLAR_TAG.match(text, i)
    if m is None:
        return None
    end = text.find(m.group(0), m.end())
    return len(text) if end < 0 else end + len(m.group(0))


def _skip_token(text: str, i: int) -> int:
    """Index after the lexical unit at ``i`` that may contain a ``;``: a
    string, quoted identifier, dollar body or comment; else ``i + 1``."""
    ch = text[i]
    if ch == "'":
        escaped = i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_ident_char(text[i - 2]))
        return _skip_quoted(text, i, "'", escaped)
    if ch == '"':
        return _skip_quoted(text, i, '"', False)
    if ch == "$":
        return _skip_dollar(text, i) or i + 1
    if text.startswith("--", i):
        return _line_end(text, i)
    if text.startswith("/*", i):
        return _skip_block_comment(text, i)
    return i + 1


@dataclass(frozen=True, slots=True)
class Scan:
    """What the splitter saw in one SQL text: its statements and the
    (start, end) offsets of its comments, both in order."""

    statements: list[Statement]
    comments: list[tuple[int, int]]


def split_statements(text: str) -> list[Statement]:
    """The statements of a SQL text (see ``scan``)."""
    return scan(text).statements


def scan(text: str) -> Scan:
    """Split a SQL text at top-level semicolons and note its comments.

    Semicolons inside quotes, ``E''`` strings, quoted identifiers, dollar
    bodies and (nested) comments do not split. A line whose first
    non-blank character is ``\\`` is a psql meta-command: it is blanked and
    ends the statement before it (``\\g``, ``\\connect`` and friends do in
    practice). Statements that hold only comments are dropped. A ``--``
    comment ends at a line feed or a carriage return, as in PostgreSQL.
    """
    out: list[Statement] = []
    comments: list[tuple[int, int]] = []
    start: int | None = None
    i, n, line_start = 0, len(text), True
    while i < n:
        ch = text[i]
        if ch in " \t\n\r\f":
            line_start = line_start or ch in "\n\r"
            i += 1
            continue
        if ch == "\\" and line_start:
            _emit(text, start, i, out)
            start, i = None, _line_end(text, i)
            continue
        line_start = False
        if ch == ";":
            _emit(text, start, i, out)
            start, i = None, i + 1
            continue
        comment = text.startswith("--", i) or text.startswith("/*", i)
        if start is None and not comment:
            start = i
        end = _skip_token(text, i)
        if comment:
            comments.append((i, end))
        i = end
    _emit(text, start, n, out)
    return Scan(out, comments)


def _line_end(text: str, i: int) -> int:
    """Offset of the first line break at or after ``i`` (the end of the text if none)."""
    m = _BREAK.search(text, i)
    return m.start() if m else len(text)


_BREAK = re.compile(r"[\r\n]")


def _emit(text: str, start: int | None, end: int, out: list[Statement]) -> None:
    if start is None:
        return
    body = text[start:end].rstrip()
    if body:
        out.append(Statement(body, start))


# --------------------------------------------------------------------------
# context and accumulation
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    """Everything fixed for one extract_sql call."""

    origin: Origin
    path: str
    service: str | None
    via: str
    anchor: Anchor | None
    placeholders: frozenset[str]


@dataclass(slots=True)
class _Sink:
    """Mutable accumulator for one extract_sql call (never leaves this module)."""

    accesses: list[Access] = field(default_factory=list)
    defs: list[RelationDef] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    search_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Name:
    """A relation name as written: its parts and where it starts in the
    statement. ``dynamic`` is the offset of a bind marker standing in a name
    part (HOS205), else None."""

    name: str
    schema: str | None
    quoted: bool
    offset: int
    dynamic: int | None = None


@dataclass(frozen=True, slots=True)
class _Hit:
    """One classified relation reference inside a statement."""

    name: _Name
    kind: AccessKind
    operation: str
    referrer: _Name | None = None


class _StmtFacts:
    """Facts of one statement, collected before they are turned into records."""

    def __init__(self) -> None:
        self.hits: list[_Hit] = []
        self.defs: list[tuple[_Name, RelationKind, str, tuple[_Name, ...]]] = []
        self.grant: tuple | None = None  # (privileges, object_type, objects, grantees, revoke)


def extract_sql(
    text: str,
    origin: Origin,
    *,
    path: str,
    service: str | None,
    via: str = "sql",
    anchor: Anchor | None = None,
    placeholders: frozenset[str] = frozenset(),
) -> SqlResult:
    """Every access, relation definition, grant and problem in one SQL text.

    ``origin`` maps offsets in ``text`` to host line:col. ``anchor`` (the host
    call) replaces per-statement anchors for embedded SQL. ``placeholders`` are
    the bind markers the host substituted for interpolations (``$1``...): one in
    an identifier position is HOS205 at its host position.

    Never raises: a statement that cannot be analysed becomes a HOS901
    problem at its start and the following statements are still analysed.
    Function bodies and ``DO`` blocks are not parsed (see the module doc).
    """
    _quiet_sqlglot()
    ctx = _Ctx(origin, path, service, via, anchor, placeholders)
    sink = _Sink()
    scanned = scan(text)
    for stmt in scanned.statements:
        try:
            _analyse_statement(stmt, ctx, sink)
        except Exception as err:  # noqa: BLE001 - the one boundary: a sqlglot
            # internal error on odd input must become HOS901, not a crash.
            _problem(ctx, sink, stmt, stmt.start, "HOS901", _parse_message(stmt, err))
    return SqlResult(
        accesses=tuple(sink.accesses),
        relation_defs=tuple(sink.defs),
        grants=tuple(sink.grants),
        problems=tuple(sink.problems),
        comments=tuple(scanned.comments),
    )


def _quiet_sqlglot() -> None:
    """sqlglot logs a warning for every statement it parses as a Command;
    we report those ourselves, and stray stderr output would corrupt the
    CLI's formats. Done per call (idempotent) rather than at import time."""
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _first_words(stmt: Statement, count: int = 3, limit: int = 60) -> str:
    words = " ".join(stmt.text[: limit * 4].split()[:count])
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _parse_message(stmt: Statement, err: BaseException) -> str:
    return f"could not parse SQL statement ({_first_words(stmt)}): {_reason(err)}"


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: .*?>")
_STATEMENT_POSITION = re.compile(r"\.? Line \d+, Col: \d+\.?")


def _reason(err: BaseException) -> str:
    """sqlglot's error in words: its token reprs become the token's text and
    its statement-relative position is dropped (the problem has the real one)."""
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    reason = _TOKEN_REPR.sub(
        lambda m: "the end of the statement" if m.group(1) == "SENTINEL" else f"'{m.group(2)}'", reason)
    return _STATEMENT_POSITION.sub("", reason)[:160]


# --------------------------------------------------------------------------
# statement dispatch
# --------------------------------------------------------------------------

# Statements with no relation accesses: transaction control; CREATE SCHEMA /
# EXTENSION / TYPE and friends (they define no relation); DO blocks, whose
# procedural body we do not analyse (like function bodies); session/utility
# commands. None of them is a problem.
_IGNORED_FIRST = frozenset(
    "BEGIN START COMMIT END ROLLBACK ABORT SAVEPOINT RELEASE PREPARE DEALLOCATE "
    "DO VACUUM ANALYZE ANALYSE LISTEN UNLISTEN NOTIFY DISCARD CHECKPOINT SHOW "
    "CLUSTER REINDEX LOAD SECURITY FETCH CLOSE MOVE DECLARE EXPLAIN CALL".split()
)
# First keywords of the forms we analyse: if sqlglot gives up on one of
# these (an opaque Command) that is HOS901, never silence.
_ANALYSED_FIRST = frozenset(
    "SELECT WITH INSERT UPDATE DELETE MERGE TRUNCATE COPY CREATE ALTER DROP COMMENT VALUES TABLE".split()
)
_IGNORED_CREATE = frozenset(
    "SCHEMA EXTENSION TYPE DOMAIN ROLE USER GROUP DATABASE TABLESPACE COLLATION "
    "CAST OPERATOR AGGREGATE LANGUAGE POLICY PUBLICATION SUBSCRIPTION SERVER "
    "EVENT TEXT CONVERSION STATISTICS RULE ACCESS".split()
)
_CREATE_MODIFIERS = frozenset("OR REPLACE TEMP TEMPORARY UNLOGGED GLOBAL LOCAL UNIQUE RECURSIVE".split())


_STATEMENT_TYPES = (
    exp.Query, exp.Values, exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.TruncateTable,
    exp.Copy, exp.Comment, exp.Create, exp.Drop, exp.Alter, exp.Set, exp.Transaction,
    exp.Commit, exp.Rollback,
)


def _first_word(stmt: Statement) -> str:
    m = re.match(r"[A-Za-z]+", stmt.text)
    return m.group(0).upper() if m else ""


def _analyse_statement(stmt: Statement, ctx: _Ctx, sink: _Sink) -> None:
    first = _first_word(stmt)
    if first in _IGNORED_FIRST or (first == "CREATE" and _create_object_word(stmt) in _IGNORED_CREATE):
        _read_by_tokens(stmt, None, None, ctx, sink)  # nothing to extract, but it must still be SQL
        return
    if first in _TOKEN_HANDLERS:
        _read_by_tokens(stmt, _TOKEN_HANDLERS[first], None, ctx, sink)
        return
    tree, tokens, error = _parse(stmt, ctx)
    if tree is None or isinstance(tree, exp.Command):
        _unparsed(stmt, first, error, ctx, sink)
        return
    if not isinstance(tree, _STATEMENT_TYPES):
        # sqlglot happily parses `SELEC x` as an aliased column: not a statement
        _problem(ctx, sink, stmt, stmt.start, "HOS901",
                 f"could not parse SQL statement ({_first_words(stmt)}): not a SQL statement")
        return
    complaint = _shape_complaint(stmt, tokens)  # sqlglot accepts `(a int,)`, PostgreSQL does not
    if complaint is not None:
        _problem(ctx, sink, stmt, stmt.start, "HOS901", _rejected_message(stmt, complaint, True))
    facts = _StmtFacts()
    _classify(tree, facts)
    _record(stmt, facts, ctx, sink)


def _create_object_word(stmt: Statement) -> str:
    """The object keyword of a CREATE statement (``TABLE`` in ``CREATE OR
    REPLACE TEMP TABLE``)."""
    words = stmt.text.split(None, 6)[1:]
    for word in words:
        if word.upper() not in _CREATE_MODIFIERS:
            return word.upper()
    return ""


def _unparsed(stmt: Statement, first: str, error: BaseException | None, ctx: _Ctx, sink: _Sink) -> None:
    """sqlglot failed or kept the statement as an opaque Command: use a token
    reader when we have one for the form, else HOS901 for forms that carry
    relations. Benign Commands (VACUUM, ALTER ROLE …) yield nothing, but a
    statement PostgreSQL would reject is HOS901 whoever reads it."""
    fallback = _fallback_for(stmt, first)
    if fallback is not None or (error is None and first not in _ANALYSED_FIRST):
        _read_by_tokens(stmt, fallback, error, ctx, sink)
    elif error is not None:
        _problem(ctx, sink, stmt, stmt.start, "HOS901", _parse_message(stmt, error))
    else:
        _problem(ctx, sink, stmt, stmt.start, "HOS901",
                 f"could not parse SQL statement ({_first_words(stmt)}): "
                 "sqlglot does not support this form")


def _read_by_tokens(stmt: Statement, reader_fn: "_TokenFn | None", error: BaseException | None,
                    ctx: _Ctx, sink: _Sink) -> None:
    """Read a statement with a token reader (``reader_fn``; None: nothing to
    extract), then judge it: a statement PostgreSQL would reject is HOS901 at
    its start even when its relations could be read (they are kept: the
    migration names them). ``error`` is sqlglot's, when it failed first."""
    reader = _TokenReader(stmt)
    before, facts = len(sink.problems), _fact_count(sink)
    if reader_fn is not None:
        reader_fn(stmt, reader, ctx, sink)
    if any(p.code == "HOS901" for p in sink.problems[before:]):
        return  # the reader already said it could not read the statement
    reason = _rejection(stmt, reader, error)
    if reason is not None:
        _problem(ctx, sink, stmt, stmt.start, "HOS901", _rejected_message(stmt, reason, _fact_count(sink) > facts))


def _fact_count(sink: _Sink) -> int:
    return len(sink.accesses) + len(sink.defs) + len(sink.grants)


def _rejected_message(stmt: Statement, reason: str, read: bool) -> str:
    kept = "; what it names is still checked" if read else ""
    return f"could not parse SQL statement ({_first_words(stmt)}): {reason}{kept}"


# --------------------------------------------------------------------------
# would PostgreSQL accept a statement sqlglot did not parse?
# --------------------------------------------------------------------------


def _rejection(stmt: Statement, reader: "_TokenReader", error: BaseException | None) -> str | None:
    """Why PostgreSQL would reject a statement that sqlglot did not parse into
    a tree, or None when nothing says so.

    Three judges, surest first: the parts a token reader found missing, the
    shape every statement must have (``_shape_complaint``), and sqlglot's own
    error where it is a verdict (``_sqlglot_verdict``)."""
    if reader.complaint is not None:
        return f"missing {reader.complaint}"
    shape = _shape_complaint(stmt, reader.all)
    if shape is not None or error is None:
        return shape
    return _sqlglot_verdict(stmt, reader, error)


# sqlglot's CREATE FUNCTION / PROCEDURE grammar lacks valid options (``SET
# search_path = s``, ``SUPPORT f`` …), so its error there proves nothing.
_NO_VERDICT_CREATE = frozenset({"FUNCTION", "PROCEDURE"})


def _sqlglot_verdict(stmt: Statement, reader: "_TokenReader", error: BaseException) -> str | None:
    """sqlglot's failure as a reason PostgreSQL rejects the statement too, or
    None: not for the forms whose grammar it lacks, nor when blanking the one
    PostgreSQL word it does not know (``CREATE INDEX … ON ONLY t``) lets it
    parse the statement (then its error on the blanked text is the reason)."""
    if _first_word(stmt) == "CREATE" and _create_object_word(stmt) in _NO_VERDICT_CREATE:
        return None
    words = [t.text.upper() for t in reader.all]
    gaps = [reader.all[i] for i in range(1, len(words)) if words[i - 1] == "ON" and words[i] == "ONLY"]
    if not gaps:
        return _reason(error)
    text = stmt.text
    for tok in gaps:
        text = text[:tok.start] + " " * (tok.end + 1 - tok.start) + text[tok.end + 1:]
    tail = _TRAILING_DATA.search(text)
    try:
        sqlglot.parse_one(text[: tail.start()] if tail else text, read="postgres")
    except Exception as blanked:  # noqa: BLE001 - any sqlglot failure is its verdict
        return _reason(blanked)
    return None


_OPENING = {TokenType.L_PAREN: TokenType.R_PAREN, TokenType.L_BRACKET: TokenType.R_BRACKET}
_CLOSING = frozenset(_OPENING.values())
# Reserved PostgreSQL keywords that always need something after them: no
# statement ends with one. Not here, because a valid statement can end with
# them: ON (``SET x TO on``), WITH (``CREATE ROLE r WITH``), ONLY (``FETCH
# FIRST 1 ROWS ONLY``), DEFAULT, ALL, DISTINCT, NULL, TRUE, FALSE, SELECT.
_NEVER_LAST = frozenset(
    "AND AS CASE CAST CHECK COLLATE COLUMN CONSTRAINT CREATE ELSE EXCEPT FOR FOREIGN FROM "
    "GRANT GROUP HAVING IN INITIALLY INTERSECT INTO LATERAL LEADING LIMIT NOT OFFSET OR "
    "ORDER PLACING PRIMARY REFERENCES RETURNING TABLE THEN TO TRAILING UNION USING VARIADIC "
    "WHEN WHERE WINDOW".split()
)
# Reserved keywords that never start a list item, so never follow a comma
# (``SELECT a, FROM t``). Not here: ON (``SET x TO a, on``), GROUP (``GRANT r
# TO a, GROUP b``), FOR, and those that start items (CONSTRAINT, LATERAL …).
_NEVER_AFTER_COMMA = frozenset(
    "AND AS ELSE EXCEPT FROM HAVING INTERSECT INTO LIMIT OFFSET OR ORDER RETURNING THEN TO "
    "UNION USING WHERE WINDOW".split()
)
# Statements that may be a single word; any other needs more than its first.
_ONE_WORD = frozenset("BEGIN COMMIT END ROLLBACK ABORT CHECKPOINT VACUUM ANALYZE ANALYSE CLUSTER SELECT".split())


def _raw(stmt: Statement, tok: Token) -> str:
    """A token as written (a keyword and the same word quoted differ)."""
    return stmt.text[tok.start:tok.end + 1]


def _shape_complaint(stmt: Statement, tokens: list[Token]) -> str | None:
    """What no PostgreSQL statement can look like, judged on its tokens:
    unbalanced brackets, a comma with nothing on one side, a dangling ``.``,
    ``,`` or ``=``, a last word that always needs more, a lone first word."""
    opened: list[Token] = []
    previous = None
    for tok in tokens:
        kind = tok.token_type
        if previous == TokenType.COMMA and _raw(stmt, tok).upper() in _NEVER_AFTER_COMMA:
            return f"',' before {_raw(stmt, tok).upper()}"
        if kind in _OPENING:
            opened.append(tok)
        elif kind in _CLOSING:
            if not opened or _OPENING[opened.pop().token_type] != kind:
                return f"unbalanced '{tok.text}'"
            if previous == TokenType.COMMA:
                return f"',' before '{tok.text}'"
        elif kind == TokenType.COMMA and (previous is None or previous in (TokenType.COMMA, *_OPENING)):
            return "',' with nothing before it"
        previous = kind
    if opened:
        return f"'{opened[-1].text}' is never closed"
    if not tokens:
        return None
    last = _raw(stmt, tokens[-1])
    if previous in (TokenType.COMMA, TokenType.DOT, TokenType.EQ):
        return f"it ends with '{last}'"
    if last.upper() in _NEVER_LAST:
        return f"it ends with {last.upper()}"
    if len(tokens) == 1 and last.upper() not in _ONE_WORD:
        return f"nothing follows {last.upper()}"
    return None


def _fallback_for(stmt: Statement, first: str) -> "_TokenFn | None":
    if first == "ALTER":
        return _alter_tokens
    if first == "CREATE":
        return _CREATE_FALLBACKS.get(_create_object_word(stmt))
    return None


_TRAILING_DATA = re.compile(r"\s+WITH\s+(NO\s+)?DATA\s*$", re.IGNORECASE)


def _parse(stmt: Statement, ctx: _Ctx) -> tuple[exp.Expression | None, list[Token], BaseException | None]:
    """Parse one statement: (tree, its tokens, None) or (None, [], the error).

    A trailing ``WITH [NO] DATA`` (CREATE MATERIALIZED VIEW / TABLE AS) is cut
    off first: sqlglot does not know it and it holds no relation; cutting the
    tail keeps every offset. On failure, retry with each host placeholder
    replaced by a same-length identifier (``$1`` → ``_1``): if that parses,
    the failure came from an interpolation standing where a name belongs,
    which the classifier reports as HOS205, not HOS901."""
    tail = _TRAILING_DATA.search(stmt.text)
    text = stmt.text[: tail.start()] if tail else stmt.text
    try:
        return (*_parse_one(text), None)
    except Exception as err:  # noqa: BLE001 - sqlglot raises ParseError,
        # TokenError and, on odd input, plain internal errors alike.
        retry = _parse_with_markers(Statement(text, stmt.start), ctx)
        return (*retry, None) if retry is not None else (None, [], err)


def _parse_one(text: str) -> tuple[exp.Expression, list[Token]]:
    """``sqlglot.parse_one(text, read="postgres")`` that also returns the
    tokens it parsed, so judging the statement's shape does not tokenize it
    a second time."""
    dialect = Dialect.get_or_raise("postgres")
    tokens = dialect.tokenize(text)
    trees = dialect.parser().parse(tokens, text)
    if not trees or trees[0] is None:
        raise ParseError(f"No expression was parsed from '{text[:60]}'")
    return (exp.Block(expressions=trees) if len(trees) > 1 else trees[0]), tokens


def _parse_with_markers(stmt: Statement, ctx: _Ctx) -> tuple[exp.Expression, list[Token]] | None:
    if not ctx.placeholders:
        return None
    swapped = re.sub(
        r"\$(\d+)",
        lambda m: "_" + m.group(1) if m.group(0) in ctx.placeholders else m.group(0),
        stmt.text,
    )
    if swapped == stmt.text:
        return None
    try:
        tree, tokens = _parse_one(swapped)
    except Exception:  # noqa: BLE001 - still unparseable: caller reports HOS901
        return None
    _mark_swapped(tree, stmt.text)
    return tree, tokens


def _mark_swapped(tree: exp.Expression, original: str) -> None:
    """Identifiers that replaced a placeholder remember it (``meta``), so the
    classifier treats them like a bind marker in a name position."""
    for ident in tree.find_all(exp.Identifier):
        start = ident.meta.get("start")
        if start is not None and original.startswith("$", start) and re.fullmatch(r"_\d+", ident.name):
            ident.meta["marker"] = True


# --------------------------------------------------------------------------
# classification of a parsed statement
# --------------------------------------------------------------------------


def _classify(tree: exp.Expression, facts: _StmtFacts) -> None:
    """Fill ``facts`` with every relation reference of a parsed statement.

    Statement handlers assign roles to specific Table nodes; every other
    relation-like Table (not a CTE reference, not a table function) gets the
    statement's default role.
    """
    roles: dict[int, _Hit | None] = {}
    nodes = list(tree.walk())  # one walk shared by the passes below
    _select_roles([n for n in nodes if isinstance(n, exp.Select)], roles)
    _nested_dml_roles(tree, [n for n in nodes if isinstance(n, _DML_TYPES)], roles, facts)
    default = _default_role(tree)
    handler = _HANDLERS.get(type(tree))
    if handler is not None:
        default = handler(tree, roles, facts) or default
    tables = [n for n in nodes if isinstance(n, exp.Table)]
    for table in tables:
        if id(table) in roles:
            hit = roles[id(table)]
            if hit is not None:
                facts.hits.append(hit)
            continue
        if default is _SKIP_ALL:
            continue
        name = _table_name(table)
        if name is None or _is_cte_ref(table):
            continue
        facts.hits.append(_Hit(name, default[0], default[1], default[2]))


_DML_TYPES = (exp.Insert, exp.Update, exp.Delete, exp.Merge)


def _nested_dml_roles(tree: exp.Expression, dml: list[exp.Expression],
                      roles: dict[int, _Hit | None], facts: _StmtFacts) -> None:
    """Data-modifying CTEs (``WITH d AS (DELETE FROM t …) …``) write too."""
    for node in dml:
        if node is not tree:
            _HANDLERS[type(node)](node, roles, facts)


_SKIP_ALL = (AccessKind.READ, "", None)  # sentinel: only explicitly assigned roles count


def _default_role(tree: exp.Expression) -> tuple[AccessKind, str, _Name | None]:
    return (AccessKind.READ, "SELECT", None)


def _assign(roles: dict[int, _Hit | None], node: exp.Expression | None, kind: AccessKind,
            operation: str, referrer: _Name | None = None) -> _Name | None:
    """Give ``node`` (a Table, or a Schema wrapping one) an explicit role.
    Returns its name (None when it is not a relation name)."""
    table = _unwrap_table(node)
    if table is None:
        return None
    name = _table_name(table)
    roles[id(table)] = None if name is None else _Hit(name, kind, operation, referrer)
    return name


def _unwrap_table(node: exp.Expression | None) -> exp.Table | None:
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None


def _table_name(table: exp.Table) -> _Name | None:
    """The relation name of a Table node, or None when the node is a table
    function (``generate_series(…)``, ``s.f(…)``), not a relation."""
    part = table.this
    if isinstance(part, exp.Parameter):
        offset = _marker_offset(part)
        return _Name("", None, False, offset, dynamic=offset)
    if not isinstance(part, exp.Identifier):
        return None
    schema = table.args.get("db")
    first = table.args.get("catalog") or schema or part
    offset = _ident_offset(first)
    dynamic = _dynamic_part(part, schema)
    return _Name(
        name=_fold(part),
        schema=_fold(schema) if isinstance(schema, exp.Identifier) else None,
        quoted=bool(part.args.get("quoted")),
        offset=offset,
        dynamic=dynamic,
    )


_MARKER_IN_NAME = re.compile(r"\$\d+")


def _dynamic_part(part: exp.Identifier, schema: exp.Expression | None) -> int | None:
    """Offset of a bind marker standing in the schema or name part, else None."""
    for node in (schema, part):
        if isinstance(node, exp.Parameter):
            return _marker_offset(node)
        if isinstance(node, exp.Identifier) and node.meta.get("marker"):
            return _ident_offset(node)
        found = _MARKER_IN_NAME.search(node.name) if isinstance(node, exp.Identifier) else None
        if found is not None:  # `orders_$1`, `"$1"`: point at the marker itself
            return _ident_offset(node) + bool(node.args.get("quoted")) + found.start()
    return None


def _marker_offset(param: exp.Parameter) -> int:
    """sqlglot keeps the offset of the digits; the marker starts at the ``$``."""
    inner = param.this
    start = inner.meta.get("start") if isinstance(inner, exp.Expression) else None
    return max((start or 1) - 1, 0)


def _ident_offset(node: exp.Expression) -> int:
    start = node.meta.get("start")
    return int(start) if start is not None else 0


def _fold(ident: exp.Expression) -> str:
    """Unquoted identifiers fold to lower case (PostgreSQL); quoted keep case."""
    name = ident.name
    return name if ident.args.get("quoted") else name.lower()


def _is_cte_ref(table: exp.Table) -> bool:
    """True when an unqualified Table names a CTE visible at its position.

    A CTE is visible in the statement body, in later CTEs of the same WITH,
    and in its own body only under WITH RECURSIVE; so in
    ``WITH orders AS (SELECT * FROM orders) …`` the inner ``orders`` is the
    real table. Outer WITHs stay visible inside subqueries.
    """
    if table.args.get("db") is not None or not isinstance(table.this, exp.Identifier):
        return False
    name = _fold(table.this)
    child: exp.Expression = table
    node = table.parent
    while node is not None:
        if isinstance(node, exp.With):
            if name in _visible_in_with(node, table):
                return True
        else:
            with_ = node.args.get("with_")
            if isinstance(with_, exp.With) and child is not with_ and name in _all_ctes(with_):
                return True
        child, node = node, node.parent
    return False


def _all_ctes(with_: exp.With) -> set[str]:
    return {_cte_name(c) for c in with_.expressions}


def _visible_in_with(with_: exp.With, table: exp.Table) -> set[str]:
    """Names visible to a table inside one of the CTE bodies of ``with_``."""
    ctes = list(with_.expressions)
    for index, cte in enumerate(ctes):
        if _is_within(table, cte):
            limit = index + 1 if with_.args.get("recursive") else index
            return {_cte_name(c) for c in ctes[:limit]}
    return set()


def _cte_name(cte: exp.CTE) -> str:
    alias = cte.args.get("alias")
    return _fold(alias.this) if alias is not None else ""


def _is_within(node: exp.Expression, ancestor: exp.Expression) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


# --------------------------------------------------------------------------
# per-statement-type roles
# --------------------------------------------------------------------------

_Role = tuple[AccessKind, str, "_Name | None"]
_Roles = dict[int, "_Hit | None"]


def _assign_checked(roles: _Roles, node: exp.Expression | None, kind: AccessKind,
                    operation: str, referrer: _Name | None = None) -> _Name | None:
    """Like ``_assign`` but a CTE reference gets no role (it is no relation)."""
    table = _unwrap_table(node)
    if table is not None and _is_cte_ref(table):
        roles[id(table)] = None
        return None
    return _assign(roles, node, kind, operation, referrer)


def _select_roles(selects: list[exp.Select], roles: _Roles) -> None:
    """``SELECT … INTO t`` writes t; ``FOR UPDATE/SHARE [OF …]`` locks (a
    write, operation LOCK) the FROM tables of that SELECT, or those named."""
    for select in selects:
        into = select.args.get("into")
        if isinstance(into, exp.Into):
            _assign(roles, into.this, AccessKind.WRITE, "SELECT INTO")
        for lock in select.args.get("locks") or ():
            _lock_roles(select, lock, roles)


def _lock_roles(select: exp.Select, lock: exp.Lock, roles: _Roles) -> None:
    targets = set()
    for named in lock.expressions:
        if isinstance(named, exp.Table):
            roles[id(named)] = None  # `OF o` names a FROM item, not a new reference
            targets.add(_fold(named.this) if isinstance(named.this, exp.Identifier) else "")
    for table in _from_tables(select):
        if not targets or _label(table) in targets:
            _assign_checked(roles, table, AccessKind.WRITE, "LOCK")


def _label(table: exp.Table) -> str:
    """How a FROM item is named in ``FOR UPDATE OF``: its alias, else its name."""
    alias = table.args.get("alias")
    if alias is not None and isinstance(alias.this, exp.Identifier):
        return _fold(alias.this)
    return _fold(table.this) if isinstance(table.this, exp.Identifier) else ""


def _from_tables(select: exp.Select) -> list[exp.Table]:
    """Tables of a SELECT's FROM and JOIN items; a FROM subquery is locked as a
    whole (PostgreSQL applies the lock to every table it uses)."""
    sources = []
    from_ = select.args.get("from_")
    if from_ is not None:
        sources.append(from_.this)
    sources.extend(join.this for join in select.args.get("joins") or ())
    tables: list[exp.Table] = []
    for source in sources:
        if isinstance(source, exp.Table):
            tables.append(source)
        elif isinstance(source, exp.Subquery):
            tables.extend(source.find_all(exp.Table))
    return tables


def _insert(tree: exp.Insert, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    _assign(roles, tree.this, AccessKind.WRITE, "INSERT")
    return None


def _update(tree: exp.Update, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    _assign_checked(roles, tree.this, AccessKind.WRITE, "UPDATE")
    return None


def _delete(tree: exp.Delete, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    _assign_checked(roles, tree.this, AccessKind.WRITE, "DELETE")
    return None


def _merge(tree: exp.Merge, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    _assign(roles, tree.this, AccessKind.WRITE, "MERGE")
    return None


def _truncate(tree: exp.TruncateTable, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    for table in tree.expressions:
        _assign(roles, table, AccessKind.WRITE, "TRUNCATE")
    return _SKIP_ALL


def _copy(tree: exp.Copy, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    """``COPY t FROM`` writes t; ``COPY t TO`` and ``COPY (query) TO`` read."""
    kind = AccessKind.WRITE if tree.args.get("kind") else AccessKind.READ
    _assign(roles, tree.this, kind, "COPY")
    return (AccessKind.READ, "COPY", None)


def _comment(tree: exp.Comment, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    """``COMMENT ON TABLE/VIEW/… t`` and ``COMMENT ON COLUMN [s.]t.c`` are DDL
    on the relation; comments on schemas, types, roles are ignored."""
    kind = str(tree.args.get("kind") or "").upper()
    target = tree.this
    if kind == "COLUMN" and isinstance(target, exp.Column):
        name = _column_relation(target)
        if name is not None:
            facts.hits.append(_Hit(name, AccessKind.DDL, "COMMENT ON"))
    elif kind in {"TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "INDEX", "FOREIGN TABLE"}:
        _assign(roles, target, AccessKind.DDL, "COMMENT ON")
    return _SKIP_ALL


def _column_relation(column: exp.Column) -> _Name | None:
    table = column.args.get("table")
    if not isinstance(table, exp.Identifier):
        return None
    schema = column.args.get("db")
    first = column.args.get("catalog") or schema or table
    return _Name(
        name=_fold(table),
        schema=_fold(schema) if isinstance(schema, exp.Identifier) else None,
        quoted=bool(table.args.get("quoted")),
        offset=_ident_offset(first),
        dynamic=_dynamic_part(table, schema),
    )


def _references(tree: exp.Expression, roles: _Roles, referrer: _Name | None) -> None:
    """Every ``REFERENCES u`` (column or table constraint) is a REFERENCE of u
    from the relation being defined."""
    for ref in tree.find_all(exp.Reference):
        _assign(roles, ref.this, AccessKind.REFERENCE, "REFERENCES", referrer)


def _create(tree: exp.Create, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    kind = str(tree.args.get("kind") or "").upper()
    handler = _CREATE_KINDS.get(kind)
    return handler(tree, roles, facts) if handler else _SKIP_ALL


def _create_table(tree: exp.Create, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    """DDL on the table, REFERENCEs, parents (INHERITS / PARTITION OF: DDL,
    the parent's definition changes), ``LIKE u`` (a read of u's definition)
    and the reads of ``AS SELECT``."""
    name = _assign(roles, tree.this, AccessKind.DDL, "CREATE TABLE")
    if name is not None and name.dynamic is None:
        facts.defs.append((name, RelationKind.TABLE, "CREATE TABLE"))
    _references(tree, roles, name)
    for prop in tree.find_all(exp.InheritsProperty, exp.PartitionedOfProperty):
        for table in prop.find_all(exp.Table):
            _assign(roles, table, AccessKind.DDL, "CREATE TABLE", name)
    for like in tree.find_all(exp.LikeProperty):
        _assign(roles, like.this, AccessKind.READ, "CREATE TABLE", name)
    return None


def _create_view(tree: exp.Create, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    """DDL on the view; everything its body reads is a READ whose referrer is
    the view (operation ``CREATE VIEW`` / ``CREATE MATERIALIZED VIEW``)."""
    properties = tree.args.get("properties")
    materialized = properties is not None and any(
        isinstance(p, exp.MaterializedProperty) for p in properties.expressions
    )
    what = "CREATE MATERIALIZED VIEW" if materialized else "CREATE VIEW"
    name = _assign(roles, tree.this, AccessKind.DDL, what)
    if name is not None and name.dynamic is None:
        facts.defs.append((name, RelationKind.MATVIEW if materialized else RelationKind.VIEW, what))
    return (AccessKind.READ, what, name)


def _create_simple(kind: RelationKind | None, what: str):
    """Handler for CREATE INDEX / SEQUENCE / FUNCTION / PROCEDURE / TRIGGER:
    one DDL access on the relation named (the table an index or trigger is
    ON), and a RelationDef for sequences and functions."""

    def handler(tree: exp.Create, roles: _Roles, facts: _StmtFacts) -> _Role | None:
        name = _assign(roles, _created_target(tree), AccessKind.DDL, what)
        if kind is not None and name is not None and name.dynamic is None:
            facts.defs.append((name, kind, what))
        return _SKIP_ALL

    return handler


def _created_target(tree: exp.Create) -> exp.Expression | None:
    target = tree.this
    if isinstance(target, exp.Index):
        return target.args.get("table")
    if isinstance(target, exp.UserDefinedFunction):
        return target.this
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties is not None else ():
        if isinstance(prop, exp.TriggerProperties):
            return prop.args.get("table")
    return target


_CREATE_KINDS = {
    "TABLE": _create_table,
    "VIEW": _create_view,
    "INDEX": _create_simple(None, "CREATE INDEX"),
    "SEQUENCE": _create_simple(RelationKind.SEQUENCE, "CREATE SEQUENCE"),
    "FUNCTION": _create_simple(RelationKind.FUNCTION, "CREATE FUNCTION"),
    "PROCEDURE": _create_simple(RelationKind.FUNCTION, "CREATE PROCEDURE"),
    "TRIGGER": _create_simple(None, "CREATE TRIGGER"),
}
_RELATION_KINDS = frozenset("TABLE VIEW INDEX SEQUENCE FUNCTION PROCEDURE TRIGGER FOREIGN TABLE".split())


def _drop(tree: exp.Drop, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    """DROP of a relation kind is DDL on each name; ``DROP TRIGGER tr ON t``
    is DDL on t. DROP SCHEMA/TYPE/… carries no relation."""
    kind = str(tree.args.get("kind") or "").upper()
    if kind not in _RELATION_KINDS:
        return _SKIP_ALL
    what = "DROP MATERIALIZED VIEW" if tree.args.get("materialized") else f"DROP {kind}"
    if kind == "TRIGGER":
        on = tree.args.get("cluster")
        _assign(roles, on.this if isinstance(on, exp.OnProperty) else None, AccessKind.DDL, what)
        return _SKIP_ALL
    for table in tree.args.get("tables") or ():
        _assign(roles, table, AccessKind.DDL, what)
    return _SKIP_ALL


def _alter(tree: exp.Alter, roles: _Roles, facts: _StmtFacts) -> _Role | None:
    """DDL on the altered relation; the new name of RENAME TO is not a
    reference; ADD … REFERENCES u is a REFERENCE of u."""
    kind = str(tree.args.get("kind") or "TABLE").upper()
    what = f"ALTER {kind}"
    name = _assign(roles, tree.this, AccessKind.DDL, what)
    for action in tree.args.get("actions") or ():
        if isinstance(action, exp.AlterRename):
            _assign(roles, action.this, AccessKind.DDL, what)
            roles[id(_unwrap_table(action.this))] = None
    _references(tree, roles, name)
    return _SKIP_ALL  # DROP CONSTRAINT fk / ADD CONSTRAINT names are no relations


_HANDLERS = {
    exp.Insert: _insert,
    exp.Update: _update,
    exp.Delete: _delete,
    exp.Merge: _merge,
    exp.TruncateTable: _truncate,
    exp.Copy: _copy,
    exp.Comment: _comment,
    exp.Create: _create,
    exp.Drop: _drop,
    exp.Alter: _alter,
}


# --------------------------------------------------------------------------
# token-level readers for forms sqlglot keeps as an opaque Command
# --------------------------------------------------------------------------

_NAME_TYPES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
_PUNCTUATION = frozenset(
    {TokenType.COMMA, TokenType.DOT, TokenType.L_PAREN, TokenType.R_PAREN,
     TokenType.SEMICOLON, TokenType.EQ, TokenType.STAR, TokenType.STRING, TokenType.NUMBER}
)


class _PlainTokenizer(Postgres.Tokenizer):
    """Postgres tokens without command collapsing: sqlglot's tokenizer turns
    everything after LOCK, EXECUTE, REFRESH… into one opaque string."""

    COMMANDS: set = set()


class _TokenReader:
    """A cursor over the sqlglot tokens of a statement after its first
    keyword (offsets relative to the statement). The small recursive-descent
    readers below use it."""

    def __init__(self, stmt: Statement) -> None:
        self.all: list[Token] = _PlainTokenizer().tokenize(stmt.text)
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
            tok.token_type not in _PUNCTUATION and bool(re.match(r"[A-Za-z_\"]", tok.text or "x"))
        ) or tok.token_type == TokenType.IDENTIFIER

    def part(self) -> tuple[str, bool, int, int | None]:
        """One name part: (folded text, quoted, offset, bind-marker offset)."""
        tok = self.tokens[self.i]
        self.i += 1
        start = self.offset(tok)
        if tok.token_type == TokenType.PARAMETER:
            if not self.at_end() and self.tokens[self.i].token_type == TokenType.NUMBER:
                self.i += 1
            return "", False, start, start
        quoted = tok.token_type == TokenType.IDENTIFIER
        found = _MARKER_IN_NAME.search(tok.text)
        marker = start + quoted + found.start() if found else None
        return (tok.text if quoted else tok.text.lower()), quoted, start, marker

    def name(self) -> _Name | None:
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
        return _Name(last[0], schema[0] if schema else None, last[1], parts[0][2], dynamic)

    def names(self) -> list[_Name]:
        """A comma-separated list of names."""
        out = []
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


def _set(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """``SET [SESSION|LOCAL] search_path {TO|=} …`` replaces the search path
    recorded on later refs; other settings are ignored."""
    reader.accept("SESSION") or reader.accept("LOCAL")
    if reader.word() != "SEARCH_PATH":
        return
    reader.i += 1
    if reader.require(reader.accept("TO") or reader.accept("="), "TO or = after search_path") \
            and reader.require(not reader.at_end(), "a schema after search_path TO"):
        sink.search_path = _search_path_values(reader)


def _search_path_values(reader: _TokenReader) -> tuple[str, ...]:
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


def _reset(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """``RESET search_path`` / ``RESET ALL``: back to the service default."""
    reader.require(not reader.at_end(), "a parameter after RESET")
    if reader.word() in {"SEARCH_PATH", "ALL"}:
        sink.search_path = ()


def _lock(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """``LOCK [TABLE] [ONLY] a, b [IN … MODE] [NOWAIT]``: WRITE op LOCK."""
    reader.accept("TABLE")
    reader.accept("ONLY")
    facts = _StmtFacts()
    facts.hits.extend(_Hit(n, AccessKind.WRITE, "LOCK") for n in reader.names())
    if reader.accept("IN"):
        mode = []
        while not reader.at_end() and reader.word() != "MODE":
            mode.append(reader.word())
            reader.i += 1
        reader.require(" ".join(mode) in _LOCK_MODES and reader.accept("MODE"), "a lock mode after IN")
    reader.accept("NOWAIT")
    reader.require(reader.at_end(), "the end of the LOCK statement")
    _expect_hits(stmt, facts, ctx, sink)


_LOCK_MODES = frozenset((
    "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
    "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
))


def _refresh(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """``REFRESH MATERIALIZED VIEW [CONCURRENTLY] v``: DDL on v."""
    if not reader.accept("MATERIALIZED", "VIEW"):
        _unsupported(stmt, ctx, sink)
        return
    reader.accept("CONCURRENTLY")
    facts = _StmtFacts()
    name = reader.name()
    if name is not None:
        facts.hits.append(_Hit(name, AccessKind.DDL, "REFRESH MATERIALIZED VIEW"))
    if reader.accept("WITH"):
        reader.accept("NO")
        reader.require(reader.accept("DATA"), "DATA after WITH")
    reader.require(reader.at_end(), "the end of the REFRESH statement")
    _expect_hits(stmt, facts, ctx, sink)


_ALTER_KINDS = (
    ("MATERIALIZED", "VIEW"), ("FOREIGN", "TABLE"), ("TABLE",), ("VIEW",),
    ("SEQUENCE",), ("INDEX",), ("FUNCTION",), ("PROCEDURE",), ("TRIGGER",),
)


def _alter_tokens(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """ALTER forms sqlglot keeps opaque (``OWNER TO``, ``SET SCHEMA``, ``ENABLE
    ROW LEVEL SECURITY``, ``ALTER SEQUENCE … RESTART``…): DDL on the relation
    (the table of ``ALTER TRIGGER tr ON t``); ``SET SCHEMA s`` is also DDL on
    the relation's new home ``s.name``; ``REFERENCES u`` is a REFERENCE.
    ALTER of roles, schemas, types, default privileges... is ignored."""
    kind = next((k for k in _ALTER_KINDS if reader.accept(*k)), None)
    if kind is None:
        return
    what = "ALTER " + " ".join(kind)
    reader.accept("IF", "EXISTS")
    reader.accept("ONLY")
    name = reader.name()
    if kind == ("TRIGGER",) and reader.accept("ON"):
        name = reader.name()
    facts = _StmtFacts()
    if name is not None:
        facts.hits.append(_Hit(name, AccessKind.DDL, what))
    _alter_tail(reader, name, what, facts)
    _expect_hits(stmt, facts, ctx, sink)


def _alter_tail(reader: _TokenReader, name: _Name | None, what: str, facts: _StmtFacts) -> None:
    """The actions after the relation name: what they say about other
    relations, and the parts the common opaque actions cannot do without."""
    while not reader.at_end():
        if reader.accept("SET", "SCHEMA"):
            if reader.require(reader.is_name(), "a schema after SET SCHEMA") and name is not None:
                _, quoted, offset, marker = reader.part()
                schema = reader.tokens[reader.i - 1].text if quoted else reader.tokens[reader.i - 1].text.lower()
                moved = _Name(name.name, schema, name.quoted, offset, marker)
                facts.hits.append(_Hit(moved, AccessKind.DDL, what + " SET SCHEMA"))
        elif reader.accept("REFERENCES"):
            target = reader.name()
            if reader.require(target is not None, "a table after REFERENCES"):
                facts.hits.append(_Hit(target, AccessKind.REFERENCE, "REFERENCES", name))
        elif reader.accept("OWNER"):
            reader.require(reader.accept("TO") and reader.is_name(), "a role after OWNER TO")
        elif reader.accept("ROW", "LEVEL"):
            reader.require(reader.accept("SECURITY"), "SECURITY after ROW LEVEL")
        else:
            reader.i += 1


def _create_tokens(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """CREATE FUNCTION / PROCEDURE / INDEX / TRIGGER forms sqlglot cannot parse
    (``RETURNS trigger``, ``ON ONLY t``, ``CREATE CONSTRAINT TRIGGER``…):
    DDL on the function, or on the table after ``ON`` for indexes and
    triggers (the first top-level ON: trigger events never contain one)."""
    while reader.word() in _CREATE_MODIFIERS or reader.word() == "CONSTRAINT":
        reader.i += 1
    kind = reader.word()
    reader.i += 1
    what = f"CREATE {kind}"
    facts = _StmtFacts()
    if kind in ("FUNCTION", "PROCEDURE"):
        name = reader.name()
        if name is not None:
            facts.hits.append(_Hit(name, AccessKind.DDL, what))
            if name.dynamic is None:
                facts.defs.append((name, RelationKind.FUNCTION, what))
    else:
        while not reader.at_end() and not reader.accept("ON"):
            reader.i += 1
        reader.accept("ONLY")
        name = reader.name()
        if name is not None:
            facts.hits.append(_Hit(name, AccessKind.DDL, what))
    _expect_hits(stmt, facts, ctx, sink)


_CREATE_FALLBACKS = {
    "FUNCTION": _create_tokens,
    "PROCEDURE": _create_tokens,
    "INDEX": _create_tokens,
    "TRIGGER": _create_tokens,
    "CONSTRAINT": _create_tokens,
}


def _expect_hits(stmt: Statement, facts: _StmtFacts, ctx: _Ctx, sink: _Sink) -> None:
    """Record what a token reader found; finding no relation where the
    grammar requires one means we misread the statement: HOS901."""
    if not facts.hits:
        _unsupported(stmt, ctx, sink)
        return
    _record(stmt, facts, ctx, sink)


def _unsupported(stmt: Statement, ctx: _Ctx, sink: _Sink) -> None:
    _problem(ctx, sink, stmt, stmt.start, "HOS901",
             f"could not parse SQL statement ({_first_words(stmt)}): unsupported form")


# --- GRANT / REVOKE ----------------------------------------------------------

_GRANT_TARGETS = (
    (("ALL", "TABLES", "IN", "SCHEMA"), "all_tables"),
    (("ALL", "SEQUENCES", "IN", "SCHEMA"), "all_sequences"),
    (("ALL", "FUNCTIONS", "IN", "SCHEMA"), "all_functions"),
    (("ALL", "PROCEDURES", "IN", "SCHEMA"), "all_functions"),
    (("ALL", "ROUTINES", "IN", "SCHEMA"), "all_functions"),
    (("SCHEMA",), "schema"),
    (("FOREIGN", "DATA", "WRAPPER"), "foreign data wrapper"),
    (("FOREIGN", "SERVER"), "foreign server"),
    (("LARGE", "OBJECT"), "large object"),
    (("DATABASE",), "database"),
    (("SEQUENCE",), "sequence"),
    (("FUNCTION",), "function"),
    (("PROCEDURE",), "function"),
    (("ROUTINE",), "function"),
    (("TABLE",), "table"),
)


def _grant(stmt: Statement, reader: _TokenReader, ctx: _Ctx, sink: _Sink) -> None:
    """``GRANT privs ON target TO grantees`` / ``REVOKE … FROM …`` become one
    ``Grant`` fact; ``GRANT role TO role`` is a membership grant
    (object_type ``role``, objects the granted roles, no privileges)."""
    revoke = _first_word(stmt) == "REVOKE"
    if revoke:
        reader.accept("GRANT", "OPTION", "FOR") or reader.accept("ADMIN", "OPTION", "FOR")
    privileges = _privileges(reader)
    reader.require(bool(privileges), "a privilege or role")
    if reader.accept("ON"):
        object_type, objects = _grant_target(reader)
        reader.require(bool(objects), "an object after ON")
    else:
        object_type, objects = "role", tuple(RelationRef(name=p.lower()) for p in privileges)
        privileges = ()
    if not (reader.accept("TO") or reader.accept("FROM")):
        _unsupported(stmt, ctx, sink)
        return
    grantees = tuple(n.name for n in reader.names())
    reader.require(bool(grantees), "a grantee")
    line, col = ctx.origin.position(stmt.start)
    sink.grants.append(Grant(
        service=ctx.service, location=Location(ctx.path, line, col), privileges=privileges,
        object_type=object_type, objects=objects, grantees=grantees, revoke=revoke,
        anchor=_anchor(stmt, ctx),
    ))


def _privileges(reader: _TokenReader) -> tuple[str, ...]:
    """``SELECT, INSERT (a, b), ALL PRIVILEGES`` → ("SELECT", "INSERT", "ALL")."""
    out: list[str] = []
    words: list[str] = []
    while not reader.at_end() and reader.word() not in {"ON", "TO", "FROM"}:
        if reader.word() == "(":
            reader.skip_parens()
        elif reader.word() == ",":
            out.append(" ".join(words))
            words = []
            reader.i += 1
        else:
            word = reader.tokens[reader.i].text
            words.append(word.upper() if reader.word() else word)
            reader.i += 1
    if words:
        out.append(" ".join(words))
    return tuple("ALL" if p == "ALL PRIVILEGES" else p for p in out)


def _grant_target(reader: _TokenReader) -> tuple[str, tuple[RelationRef, ...]]:
    object_type = next((t for words, t in _GRANT_TARGETS if reader.accept(*words)), None)
    if object_type is None and reader.word() in _OTHER_GRANT_OBJECTS:
        object_type = reader.word().lower()
        reader.i += 1
    object_type = object_type or "table"
    objects: list[RelationRef] = []
    if object_type == "large object":  # large objects are numbered, not named
        while not reader.at_end() and reader.tokens[reader.i].token_type == TokenType.NUMBER:
            objects.append(RelationRef(name=reader.tokens[reader.i].text))
            reader.i += 1
            if not reader.accept(","):
                break
        return object_type, tuple(objects)
    while reader.is_name():
        name = reader.name()
        reader.skip_parens()  # function signatures
        if name is not None:
            objects.append(_grant_object(name, object_type))
        if not reader.accept(","):
            break
    return object_type, tuple(objects)


_OTHER_GRANT_OBJECTS = frozenset("TYPE DOMAIN LANGUAGE TABLESPACE PARAMETER".split())
_SCHEMA_LIKE = frozenset({"schema", "all_tables", "all_sequences", "all_functions", "database"})


def _grant_object(name: _Name, object_type: str) -> RelationRef:
    if object_type in _SCHEMA_LIKE:
        return RelationRef(name=name.name, quoted=name.quoted)
    return RelationRef(name=name.name, schema=name.schema, quoted=name.quoted)


_TokenFn = Callable[[Statement, _TokenReader, _Ctx, _Sink], None]

_TOKEN_HANDLERS: dict[str, _TokenFn] = {
    "SET": _set,
    "RESET": _reset,
    "LOCK": _lock,
    "REFRESH": _refresh,
    "GRANT": _grant,
    "REVOKE": _grant,
}


# --------------------------------------------------------------------------
# turning facts into records
# --------------------------------------------------------------------------


def _record(stmt: Statement, facts: _StmtFacts, ctx: _Ctx, sink: _Sink) -> None:
    """Accesses (sorted by position), HOS205 problems for names built from
    bind markers, and relation definitions of one statement."""
    anchor = _anchor(stmt, ctx)
    refs: dict[tuple, RelationRef] = {}
    for hit in sorted(facts.hits, key=lambda h: (h.name.offset, h.kind.value, h.operation)):
        if hit.name.dynamic is not None:
            _problem(ctx, sink, stmt, stmt.start + hit.name.dynamic, "HOS205", HOS205_MESSAGE)
            continue
        ref = _ref(hit.name, sink)
        refs[(hit.name, hit.kind, hit.operation)] = ref
        referrer = _ref(hit.referrer, sink) if hit.referrer is not None else None
        line, col = ctx.origin.position(stmt.start + hit.name.offset)
        sink.accesses.append(Access(
            service=ctx.service, location=Location(ctx.path, line, col), ref=ref, kind=hit.kind,
            via=ctx.via, operation=hit.operation, anchor=anchor, referrer_ref=referrer,
        ))
    for name, kind, what in facts.defs:
        _record_def(stmt, name, kind, what, facts, ctx, sink)


def _record_def(stmt: Statement, name: _Name, kind: RelationKind, what: str,
                facts: _StmtFacts, ctx: _Ctx, sink: _Sink) -> None:
    reads = tuple(
        _ref(h.name, sink) for h in sorted(facts.hits, key=lambda h: h.name.offset)
        if h.referrer == name and h.kind is AccessKind.READ and h.name.dynamic is None
    ) if kind in (RelationKind.VIEW, RelationKind.MATVIEW) else ()
    line, col = ctx.origin.position(stmt.start + name.offset)
    sink.defs.append(RelationDef(
        service=ctx.service, ref=_ref(name, sink), kind=kind,
        location=Location(ctx.path, line, col), reads=reads, what=what,
    ))


def _ref(name: _Name, sink: _Sink) -> RelationRef:
    return RelationRef(name=name.name, schema=name.schema, quoted=name.quoted, search_path=sink.search_path)


def _anchor(stmt: Statement, ctx: _Ctx) -> Anchor:
    if ctx.anchor is not None:
        return ctx.anchor
    first = ctx.origin.position(stmt.start)[0]
    last = ctx.origin.position(stmt.start + len(stmt.text) - 1)[0]
    return anchor_of(stmt.text, first, last)


def _problem(ctx: _Ctx, sink: _Sink, stmt: Statement, offset: int, code: str, message: str) -> None:
    line, col = ctx.origin.position(offset)
    sink.problems.append(Problem(
        code=code, location=Location(ctx.path, line, col), message=message,
        service=ctx.service, anchor=_anchor(stmt, ctx),
    ))


# --------------------------------------------------------------------------
# the .sql extractor surface
# --------------------------------------------------------------------------

_KEYWORDS = (
    b"select", b"insert", b"update", b"delete", b"merge", b"truncate", b"copy",
    b"create", b"alter", b"drop", b"comment on", b"grant", b"revoke", b"lock",
    b"refresh", b"search_path",
    # clause words too: a misspelt statement (`SELEC * FROM t`) must still
    # reach the parser and be reported as HOS901, not skipped as DB-free
    b"from", b"into", b"table", b"join", b"view", b"using",
)


def handles(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def might_access_db(data: bytes) -> bool:
    """Cheap prefilter: any SQL keyword or clause word that can carry a relation."""
    lowered = data.lower()
    return any(keyword in lowered for keyword in _KEYWORDS)


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """The whole ``.sql`` file is one SQL text, positions map one to one."""
    origin = Origin.identity(text)
    result = extract_sql(text, origin, path=src.path, service=src.service, via="sql")
    return ExtractResult(
        path=src.path, service=src.service, accesses=result.accesses,
        relation_defs=result.relation_defs, grants=result.grants, problems=result.problems,
        comments=tuple(comment_at(text, origin.lines, start, end) for start, end in result.comments)
        if config.comments else (),
    )
