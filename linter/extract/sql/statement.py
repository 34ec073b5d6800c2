"""One statement from text to facts: which reader handles it (ignored forms,
token readers, sqlglot), and the verdict on what PostgreSQL would reject.

Everything but the token readers first *settles* the statement from its text
(``settle``: the HOS901 reasons and the facts, offsets relative to the
statement), which ``memo.replay`` then turns into records; the statement memo
keeps what was settled (see ``memo``). Imported only when a statement is not
in the memo: this module loads sqlglot.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from hos_lint.extract.sql.classify import STATEMENT_TYPES, classify
from hos_lint.extract.sql.facts import Ctx, Sink, StmtFacts
from hos_lint.extract.sql.fallback import fallback_for, lock, refresh
from hos_lint.extract.sql.grant import grant
from hos_lint.extract.sql.lexer import Statement, create_object_word, first_word
from hos_lint.extract.sql.memo import Settled, StatementMemo, replay, statement_key
from hos_lint.extract.sql.parse import parse
from hos_lint.extract.sql.records import READ_ANYWAY, reason, rejected
from hos_lint.extract.sql.rejection import rejection, shape_complaint
from hos_lint.extract.sql.search_path import reset, set_
from hos_lint.extract.sql.tokens import TokenFn, TokenReader

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
# Forms read by tokens whatever sqlglot makes of them.
_TOKEN_HANDLERS: dict[str, TokenFn] = {
    "SET": set_,
    "RESET": reset,
    "LOCK": lock,
    "REFRESH": refresh,
    "GRANT": grant,
    "REVOKE": grant,
}


def analyse_statement(stmt: Statement, ctx: Ctx, sink: Sink, memo: StatementMemo | None = None) -> None:
    """Every fact and problem of one statement, into ``sink``; what its text settles is
    added to ``memo`` (when given and the form is memoised, see ``memo``)."""
    first = first_word(stmt)
    if first in _TOKEN_HANDLERS:
        _read_by_tokens(stmt, _TOKEN_HANDLERS[first], None, ctx, sink)
        return
    settled = settle(stmt, first, ctx.placeholders)
    if isinstance(settled, _Fallback):
        _read_by_tokens(stmt, settled.reader, settled.error, ctx, sink)
        return
    if memo is not None:
        memo.put(statement_key(stmt.text, ctx.placeholders), settled)
    replay(stmt, settled, ctx, sink)


def _ran_out(err: BaseException | None) -> bool:
    """An error that says where the statement was analysed from (how deep the stack
    was, how much memory was free), not what its text is: never memoised."""
    return isinstance(err, (RecursionError, MemoryError))


@dataclass(frozen=True, slots=True)
class _Fallback:
    """A statement sqlglot kept as a ``Command`` (or failed on) that a token reader reads."""

    reader: TokenFn
    error: BaseException | None


def settle(stmt: Statement, first: str, placeholders: frozenset[str]) -> Settled | _Fallback:
    """What a statement's text settles (see ``memo``), or the token reader it needs.

    Never raises: an error on the way (a sqlglot internal error on odd input) is one
    more HOS901 reason after those already found, as ``extract_sql`` reports it."""
    reasons: list[str] = []
    try:
        return _settle(stmt, first, placeholders, reasons)
    except Exception as err:  # noqa: BLE001 - the boundary extract_sql had: HOS901, not a crash
        return Settled((*reasons, reason(err)), None, memoisable=not _ran_out(err))


def _settle(stmt: Statement, first: str, placeholders: frozenset[str], reasons: list[str]) -> Settled | _Fallback:
    if first in _IGNORED_FIRST or (first == "CREATE" and create_object_word(stmt) in _IGNORED_CREATE):
        return _judged(stmt)  # nothing to extract, but it must still be SQL
    tree, tokens, error = parse(stmt, placeholders)
    if tree is None or isinstance(tree, exp.Command):
        return _unparsed(stmt, first, error)
    if not isinstance(tree, STATEMENT_TYPES):
        # sqlglot happily parses `SELEC x` as an aliased column: not a statement
        return Settled(("not a SQL statement",), None)
    complaint = shape_complaint(stmt, tokens)  # sqlglot accepts `(a int,)`, PostgreSQL does not
    if complaint is not None:
        reasons.append(complaint + READ_ANYWAY)
    facts = StmtFacts()
    classify(tree, facts)
    return Settled(tuple(reasons), facts)


def _unparsed(stmt: Statement, first: str, error: BaseException | None) -> Settled | _Fallback:
    """sqlglot failed or kept the statement as an opaque Command: use a token
    reader when we have one for the form, else HOS901 for forms that carry
    relations. Benign Commands (VACUUM, ALTER ROLE …) yield nothing, but a
    statement PostgreSQL would reject is HOS901 whoever reads it."""
    fallback = fallback_for(stmt, first)
    if fallback is not None:
        return _Fallback(fallback, error)
    if error is None and first not in _ANALYSED_FIRST:
        return _judged(stmt)
    why = reason(error) if error is not None else "sqlglot does not support this form"
    return Settled((why,), None, memoisable=not _ran_out(error))


def _judged(stmt: Statement) -> Settled:
    """A statement with nothing to extract, judged on its tokens: HOS901 when
    PostgreSQL would reject it (what ``_read_by_tokens`` does without a reader)."""
    why = rejection(stmt, TokenReader(stmt), None)
    return Settled(() if why is None else (why,), None)


def _read_by_tokens(stmt: Statement, reader_fn: TokenFn, error: BaseException | None,
                    ctx: Ctx, sink: Sink) -> None:
    """Read a statement with a token reader, then judge it: a statement PostgreSQL
    would reject is HOS901 at its start even when its relations could be read (they
    are kept: the migration names them). ``error`` is sqlglot's, when it failed first."""
    reader = TokenReader(stmt)
    before, facts = len(sink.problems), sink.fact_count()
    reader_fn(stmt, reader, ctx, sink)
    if any(p.code == "HOS901" for p in sink.problems[before:]):
        return  # the reader already said it could not read the statement
    why = rejection(stmt, reader, error)
    if why is not None:
        rejected(ctx, sink, stmt, why, sink.fact_count() > facts)
