"""Turning one statement's facts into model records: accesses (sorted by
position), relation definitions, HOS205 for names built from bind markers,
and the HOS901 problems (with the words that say why).
"""
from __future__ import annotations

import re

from hos_lint.extract.base import anchor_of
from hos_lint.extract.sql.facts import Ctx, Definition, Name, Sink, StmtFacts
from hos_lint.extract.sql.lexer import Statement
from hos_lint.model import Access, AccessKind, Anchor, Location, Problem, RelationDef, RelationKind, RelationRef

HOS205_MESSAGE = (
    "SQL relation name is built at run time from an interpolation; "
    "hos-lint cannot know which table it touches"
)


def record(stmt: Statement, facts: StmtFacts, ctx: Ctx, sink: Sink) -> None:
    """Accesses (sorted by position), HOS205 problems for names built from
    bind markers, and relation definitions of one statement."""
    anchor = statement_anchor(stmt, ctx)
    for hit in sorted(facts.hits, key=lambda h: (h.name.offset, h.kind.value, h.operation)):
        if hit.name.dynamic is not None:
            problem(ctx, sink, stmt, stmt.start + hit.name.dynamic, "HOS205", HOS205_MESSAGE)
            continue
        ref = _ref(hit.name, sink)
        referrer = _ref(hit.referrer, sink) if hit.referrer is not None else None
        line, col = ctx.origin.position(stmt.start + hit.name.offset)
        sink.accesses.append(Access(
            service=ctx.service, location=Location(ctx.path, line, col), ref=ref, kind=hit.kind,
            via=ctx.via, operation=hit.operation, anchor=anchor, referrer_ref=referrer,
        ))
    for definition in facts.defs:
        _record_def(stmt, definition, facts, ctx, sink)


def _record_def(stmt: Statement, definition: Definition, facts: StmtFacts, ctx: Ctx, sink: Sink) -> None:
    """A relation definition; a view's records what its body reads."""
    name, kind = definition.name, definition.kind
    reads = tuple(
        _ref(h.name, sink) for h in sorted(facts.hits, key=lambda h: h.name.offset)
        if h.referrer == name and h.kind is AccessKind.READ and h.name.dynamic is None
    ) if kind in (RelationKind.VIEW, RelationKind.MATVIEW) else ()
    line, col = ctx.origin.position(stmt.start + name.offset)
    sink.defs.append(RelationDef(
        service=ctx.service, ref=_ref(name, sink), kind=kind,
        location=Location(ctx.path, line, col), reads=reads, what=definition.what,
    ))


def _ref(name: Name, sink: Sink) -> RelationRef:
    return RelationRef(name=name.name, schema=name.schema, quoted=name.quoted, search_path=sink.search_path)


def statement_anchor(stmt: Statement, ctx: Ctx) -> Anchor:
    """The host call's anchor for embedded SQL, else the statement's own lines."""
    if ctx.anchor is not None:
        return ctx.anchor
    first = ctx.origin.position(stmt.start)[0]
    last = ctx.origin.position(stmt.start + len(stmt.text) - 1)[0]
    return anchor_of(stmt.text, first, last)


def problem(ctx: Ctx, sink: Sink, stmt: Statement, offset: int, code: str, message: str) -> None:
    line, col = ctx.origin.position(offset)
    sink.problems.append(Problem(
        code=code, location=Location(ctx.path, line, col), message=message,
        service=ctx.service, anchor=statement_anchor(stmt, ctx),
    ))


# --- HOS901: a statement that cannot be read -----------------------------------


def unparsed(ctx: Ctx, sink: Sink, stmt: Statement, reason: str) -> None:
    """HOS901 at the statement's start: ``could not parse SQL statement (…): reason``."""
    problem(ctx, sink, stmt, stmt.start, "HOS901",
            f"could not parse SQL statement ({_first_words(stmt)}): {reason}")


def unsupported(stmt: Statement, ctx: Ctx, sink: Sink) -> None:
    unparsed(ctx, sink, stmt, "unsupported form")


# Said of a rejected statement whose relations were still recorded.
READ_ANYWAY = "; what it names is still checked"


def rejected(ctx: Ctx, sink: Sink, stmt: Statement, reason: str, read: bool) -> None:
    """HOS901 for a statement PostgreSQL would reject; ``read`` when what it
    names was still recorded."""
    unparsed(ctx, sink, stmt, reason + (READ_ANYWAY if read else ""))


def _first_words(stmt: Statement, count: int = 3, limit: int = 60) -> str:
    words = " ".join(stmt.text[: limit * 4].split()[:count])
    return words if len(words) <= limit else words[: limit - 1] + "…"


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: .*?>")
_STATEMENT_POSITION = re.compile(r"\.? Line \d+, Col: \d+\.?")


def reason(err: BaseException) -> str:
    """sqlglot's error in words: its token reprs become the token's text and
    its statement-relative position is dropped (the problem has the real one)."""
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    text = _TOKEN_REPR.sub(
        lambda m: "the end of the statement" if m.group(1) == "SENTINEL" else f"'{m.group(2)}'", text)
    return _STATEMENT_POSITION.sub("", text)[:160]
