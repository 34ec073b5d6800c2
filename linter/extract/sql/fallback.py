"""The token fallback: statements about relations that sqlglot keeps as an
opaque ``Command`` (``LOCK``, ``REFRESH MATERIALIZED VIEW``, ALTER actions
such as ``OWNER TO``/``SET SCHEMA``, CREATE FUNCTION/INDEX/TRIGGER forms it
cannot parse), read by small recursive-descent readers over its tokens.
"""
from __future__ import annotations

from hos_lint.extract.sql.facts import Ctx, Hit, Name, Sink, StmtFacts
from hos_lint.extract.sql.lexer import CREATE_MODIFIERS, Statement, create_object_word
from hos_lint.extract.sql.records import record, unsupported
from hos_lint.extract.sql.tokens import TokenFn, TokenReader
from hos_lint.model import AccessKind, RelationKind


def lock(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
    """``LOCK [TABLE] [ONLY] a, b [IN … MODE] [NOWAIT]``: WRITE op LOCK."""
    reader.accept("TABLE")
    reader.accept("ONLY")
    facts = StmtFacts()
    facts.hits.extend(Hit(n, AccessKind.WRITE, "LOCK") for n in reader.names())
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


def refresh(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
    """``REFRESH MATERIALIZED VIEW [CONCURRENTLY] v``: DDL on v."""
    if not reader.accept("MATERIALIZED", "VIEW"):
        unsupported(stmt, ctx, sink)
        return
    reader.accept("CONCURRENTLY")
    facts = StmtFacts()
    name = reader.name()
    if name is not None:
        facts.hits.append(Hit(name, AccessKind.DDL, "REFRESH MATERIALIZED VIEW"))
    if reader.accept("WITH"):
        reader.accept("NO")
        reader.require(reader.accept("DATA"), "DATA after WITH")
    reader.require(reader.at_end(), "the end of the REFRESH statement")
    _expect_hits(stmt, facts, ctx, sink)


_ALTER_KINDS = (
    ("MATERIALIZED", "VIEW"), ("FOREIGN", "TABLE"), ("TABLE",), ("VIEW",),
    ("SEQUENCE",), ("INDEX",), ("FUNCTION",), ("PROCEDURE",), ("TRIGGER",),
)


def _alter(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
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
    facts = StmtFacts()
    if name is not None:
        facts.hits.append(Hit(name, AccessKind.DDL, what))
    _alter_tail(reader, name, what, facts)
    _expect_hits(stmt, facts, ctx, sink)


def _alter_tail(reader: TokenReader, name: Name | None, what: str, facts: StmtFacts) -> None:
    """The actions after the relation name: what they say about other
    relations, and the parts the common opaque actions cannot do without."""
    while not reader.at_end():
        if reader.accept("SET", "SCHEMA"):
            if reader.require(reader.is_name(), "a schema after SET SCHEMA") and name is not None:
                _, quoted, offset, marker = reader.part()
                schema = reader.tokens[reader.i - 1].text if quoted else reader.tokens[reader.i - 1].text.lower()
                moved = Name(name.name, schema, name.quoted, offset, marker)
                facts.hits.append(Hit(moved, AccessKind.DDL, what + " SET SCHEMA"))
        elif reader.accept("REFERENCES"):
            target = reader.name()
            if reader.require(target is not None, "a table after REFERENCES") and target is not None:
                facts.hits.append(Hit(target, AccessKind.REFERENCE, "REFERENCES", name))
        elif reader.accept("OWNER"):
            reader.require(reader.accept("TO") and reader.is_name(), "a role after OWNER TO")
        elif reader.accept("ROW", "LEVEL"):
            reader.require(reader.accept("SECURITY"), "SECURITY after ROW LEVEL")
        else:
            reader.i += 1


def _create(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
    """CREATE FUNCTION / PROCEDURE / INDEX / TRIGGER forms sqlglot cannot parse
    (``RETURNS trigger``, ``ON ONLY t``, ``CREATE CONSTRAINT TRIGGER``…):
    DDL on the function, or on the table after ``ON`` for indexes and
    triggers (the first top-level ON: trigger events never contain one)."""
    while reader.word() in CREATE_MODIFIERS or reader.word() == "CONSTRAINT":
        reader.i += 1
    kind = reader.word()
    reader.i += 1
    what = f"CREATE {kind}"
    facts = StmtFacts()
    if kind in ("FUNCTION", "PROCEDURE"):
        name = reader.name()
        if name is not None:
            facts.hits.append(Hit(name, AccessKind.DDL, what))
            facts.define(name, RelationKind.FUNCTION, what)
    else:
        while not reader.at_end() and not reader.accept("ON"):
            reader.i += 1
        reader.accept("ONLY")
        name = reader.name()
        if name is not None:
            facts.hits.append(Hit(name, AccessKind.DDL, what))
    _expect_hits(stmt, facts, ctx, sink)


_CREATE_FALLBACKS: dict[str, TokenFn] = {
    "FUNCTION": _create,
    "PROCEDURE": _create,
    "INDEX": _create,
    "TRIGGER": _create,
    "CONSTRAINT": _create,
}


def fallback_for(stmt: Statement, first: str) -> TokenFn | None:
    """The token reader for an ALTER or CREATE that sqlglot did not parse."""
    if first == "ALTER":
        return _alter
    if first == "CREATE":
        return _CREATE_FALLBACKS.get(create_object_word(stmt))
    return None


def _expect_hits(stmt: Statement, facts: StmtFacts, ctx: Ctx, sink: Sink) -> None:
    """Record what a token reader found; finding no relation where the
    grammar requires one means we misread the statement: HOS901."""
    if not facts.hits:
        unsupported(stmt, ctx, sink)
        return
    record(stmt, facts, ctx, sink)
