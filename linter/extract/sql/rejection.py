"""Would PostgreSQL reject a statement? sqlglot is lenient (``(a int,)``) and
does not parse every form, so the verdict comes from the surest judge that
has one: what a token reader found missing, the shape every statement has
(balanced brackets, no dangling comma or keyword), then sqlglot's own error
where it is a verdict. Tests hold this against pglast, PostgreSQL's parser.
"""
from __future__ import annotations

import sqlglot
from sqlglot.tokenizer_core import Token, TokenType

from hos_lint.extract.sql.lexer import Statement, create_object_word, first_word
from hos_lint.extract.sql.parse import without_trailing_data
from hos_lint.extract.sql.records import reason
from hos_lint.extract.sql.tokens import TokenReader


def rejection(stmt: Statement, reader: TokenReader, error: BaseException | None) -> str | None:
    """Why PostgreSQL would reject a statement that sqlglot did not parse into
    a tree, or None when nothing says so.

    Three judges, surest first: the parts a token reader found missing, the
    shape every statement must have (``shape_complaint``), and sqlglot's own
    error where it is a verdict (``_sqlglot_verdict``)."""
    if reader.complaint is not None:
        return f"missing {reader.complaint}"
    shape = shape_complaint(stmt, reader.all)
    if shape is not None or error is None:
        return shape
    return _sqlglot_verdict(stmt, reader, error)


# sqlglot's CREATE FUNCTION / PROCEDURE grammar lacks valid options (``SET
# search_path = s``, ``SUPPORT f`` …), so its error there proves nothing.
_NO_VERDICT_CREATE = frozenset({"FUNCTION", "PROCEDURE"})


def _sqlglot_verdict(stmt: Statement, reader: TokenReader, error: BaseException) -> str | None:
    """sqlglot's failure as a reason PostgreSQL rejects the statement too, or
    None: not for the forms whose grammar it lacks, nor when blanking the one
    PostgreSQL word it does not know (``CREATE INDEX … ON ONLY t``) lets it
    parse the statement (then its error on the blanked text is the reason)."""
    if first_word(stmt) == "CREATE" and create_object_word(stmt) in _NO_VERDICT_CREATE:
        return None
    words = [t.text.upper() for t in reader.all]
    gaps = [reader.all[i] for i in range(1, len(words)) if words[i - 1] == "ON" and words[i] == "ONLY"]
    if not gaps:
        return reason(error)
    text = stmt.text
    for tok in gaps:
        text = text[:tok.start] + " " * (tok.end + 1 - tok.start) + text[tok.end + 1:]
    try:
        sqlglot.parse_one(without_trailing_data(text), read="postgres")
    except Exception as blanked:  # noqa: BLE001 - any sqlglot failure is its verdict
        return reason(blanked)
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


def shape_complaint(stmt: Statement, tokens: list[Token]) -> str | None:
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
    return _ending_complaint(stmt, tokens, previous)


def _ending_complaint(stmt: Statement, tokens: list[Token], previous: TokenType | None) -> str | None:
    """A statement that ends where it cannot: after ``,``/``.``/``=``, on a
    word that always needs more, or with a first word that is not enough."""
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
