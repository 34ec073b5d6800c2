"""One statement from text to facts: which reader handles it (ignored forms,
token readers, sqlglot), and the verdict on what PostgreSQL would reject."""
from __future__ import annotations

from sqlglot import exp

from hos_lint.extract.sql.classify import STATEMENT_TYPES, classify
from hos_lint.extract.sql.facts import Ctx, Sink, StmtFacts
from hos_lint.extract.sql.fallback import fallback_for, lock, refresh
from hos_lint.extract.sql.grant import grant
from hos_lint.extract.sql.lexer import Statement, create_object_word, first_word
from hos_lint.extract.sql.parse import parse
from hos_lint.extract.sql.records import reason, record, rejected, unparsed
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


def analyse_statement(stmt: Statement, ctx: Ctx, sink: Sink) -> None:
    """Every fact and problem of one statement, into ``sink``."""
    first = first_word(stmt)
    if first in _IGNORED_FIRST or (first == "CREATE" and create_object_word(stmt) in _IGNORED_CREATE):
        _read_by_tokens(stmt, None, None, ctx, sink)  # nothing to extract, but it must still be SQL
        return
    if first in _TOKEN_HANDLERS:
        _read_by_tokens(stmt, _TOKEN_HANDLERS[first], None, ctx, sink)
        return
    tree, tokens, error = parse(stmt, ctx.placeholders)
    if tree is None or isinstance(tree, exp.Command):
        _unparsed(stmt, first, error, ctx, sink)
        return
    if not isinstance(tree, STATEMENT_TYPES):
        # sqlglot happily parses `SELEC x` as an aliased column: not a statement
        unparsed(ctx, sink, stmt, "not a SQL statement")
        return
    complaint = shape_complaint(stmt, tokens)  # sqlglot accepts `(a int,)`, PostgreSQL does not
    if complaint is not None:
        rejected(ctx, sink, stmt, complaint, True)
    facts = StmtFacts()
    classify(tree, facts)
    record(stmt, facts, ctx, sink)


def _unparsed(stmt: Statement, first: str, error: BaseException | None, ctx: Ctx, sink: Sink) -> None:
    """sqlglot failed or kept the statement as an opaque Command: use a token
    reader when we have one for the form, else HOS901 for forms that carry
    relations. Benign Commands (VACUUM, ALTER ROLE …) yield nothing, but a
    statement PostgreSQL would reject is HOS901 whoever reads it."""
    fallback = fallback_for(stmt, first)
    if fallback is not None or (error is None and first not in _ANALYSED_FIRST):
        _read_by_tokens(stmt, fallback, error, ctx, sink)
    elif error is not None:
        unparsed(ctx, sink, stmt, reason(error))
    else:
        unparsed(ctx, sink, stmt, "sqlglot does not support this form")


def _read_by_tokens(stmt: Statement, reader_fn: TokenFn | None, error: BaseException | None,
                    ctx: Ctx, sink: Sink) -> None:
    """Read a statement with a token reader (``reader_fn``; None: nothing to
    extract), then judge it: a statement PostgreSQL would reject is HOS901 at
    its start even when its relations could be read (they are kept: the
    migration names them). ``error`` is sqlglot's, when it failed first."""
    reader = TokenReader(stmt)
    before, facts = len(sink.problems), sink.fact_count()
    if reader_fn is not None:
        reader_fn(stmt, reader, ctx, sink)
    if any(p.code == "HOS901" for p in sink.problems[before:]):
        return  # the reader already said it could not read the statement
    why = rejection(stmt, reader, error)
    if why is not None:
        rejected(ctx, sink, stmt, why, sink.fact_count() > facts)
