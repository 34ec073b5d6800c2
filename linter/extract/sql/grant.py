"""``GRANT``/``REVOKE``: one ``Grant`` fact per statement, read from tokens
(sqlglot keeps most forms as an opaque ``Command``)."""
from __future__ import annotations

from sqlglot.tokenizer_core import TokenType

from hos_lint.extract.sql.facts import Ctx, Name, Sink
from hos_lint.extract.sql.lexer import Statement, first_word
from hos_lint.extract.sql.records import statement_anchor, unsupported
from hos_lint.extract.sql.tokens import TokenReader
from hos_lint.model import Grant, GrantObjectType, Location, RelationRef

_T = GrantObjectType
_GRANT_TARGETS = (
    (("ALL", "TABLES", "IN", "SCHEMA"), _T.ALL_TABLES),
    (("ALL", "SEQUENCES", "IN", "SCHEMA"), _T.ALL_SEQUENCES),
    (("ALL", "FUNCTIONS", "IN", "SCHEMA"), _T.ALL_FUNCTIONS),
    (("ALL", "PROCEDURES", "IN", "SCHEMA"), _T.ALL_FUNCTIONS),
    (("ALL", "ROUTINES", "IN", "SCHEMA"), _T.ALL_FUNCTIONS),
    (("SCHEMA",), _T.SCHEMA),
    (("FOREIGN", "DATA", "WRAPPER"), _T.FOREIGN_DATA_WRAPPER),
    (("FOREIGN", "SERVER"), _T.FOREIGN_SERVER),
    (("LARGE", "OBJECT"), _T.LARGE_OBJECT),
    (("DATABASE",), _T.DATABASE),
    (("SEQUENCE",), _T.SEQUENCE),
    (("FUNCTION",), _T.FUNCTION),
    (("PROCEDURE",), _T.FUNCTION),
    (("ROUTINE",), _T.FUNCTION),
    (("TABLE",), _T.TABLE),
    (("TYPE",), _T.TYPE),
    (("DOMAIN",), _T.DOMAIN),
    (("LANGUAGE",), _T.LANGUAGE),
    (("TABLESPACE",), _T.TABLESPACE),
    (("PARAMETER",), _T.PARAMETER),
)
# Grants whose objects are schema (or database) names, never relations.
_SCHEMA_LIKE = frozenset({_T.SCHEMA, _T.ALL_TABLES, _T.ALL_SEQUENCES, _T.ALL_FUNCTIONS, _T.DATABASE})


def grant(stmt: Statement, reader: TokenReader, ctx: Ctx, sink: Sink) -> None:
    """``GRANT privs ON target TO grantees`` / ``REVOKE … FROM …`` become one
    ``Grant`` fact; ``GRANT role TO role`` is a membership grant
    (object_type ``ROLE``, objects the granted roles, no privileges)."""
    revoke = first_word(stmt) == "REVOKE"
    if revoke:
        reader.accept("GRANT", "OPTION", "FOR") or reader.accept("ADMIN", "OPTION", "FOR")
    privileges = _privileges(reader)
    reader.require(bool(privileges), "a privilege or role")
    if reader.accept("ON"):
        object_type, objects = _grant_target(reader)
        reader.require(bool(objects), "an object after ON")
    else:
        object_type, objects = _T.ROLE, tuple(RelationRef(name=p.lower()) for p in privileges)
        privileges = ()
    if not (reader.accept("TO") or reader.accept("FROM")):
        unsupported(stmt, ctx, sink)
        return
    grantees = tuple(n.name for n in reader.names())
    reader.require(bool(grantees), "a grantee")
    line, col = ctx.origin.position(stmt.start)
    sink.grants.append(Grant(
        service=ctx.service, location=Location(ctx.path, line, col), privileges=privileges,
        object_type=object_type, objects=objects, grantees=grantees, revoke=revoke,
        anchor=statement_anchor(stmt, ctx),
    ))


def _privileges(reader: TokenReader) -> tuple[str, ...]:
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


def _grant_target(reader: TokenReader) -> tuple[GrantObjectType, tuple[RelationRef, ...]]:
    """The object type after ``ON`` (a bare name is a table) and its objects."""
    object_type = next((t for words, t in _GRANT_TARGETS if reader.accept(*words)), _T.TABLE)
    if object_type is _T.LARGE_OBJECT:
        return object_type, _large_objects(reader)
    objects: list[RelationRef] = []
    while reader.is_name():
        name = reader.name()
        reader.skip_parens()  # function signatures
        if name is not None:
            objects.append(_grant_object(name, object_type))
        if not reader.accept(","):
            break
    return object_type, tuple(objects)


def _large_objects(reader: TokenReader) -> tuple[RelationRef, ...]:
    """Large objects are numbered, not named."""
    objects: list[RelationRef] = []
    while not reader.at_end() and reader.tokens[reader.i].token_type == TokenType.NUMBER:
        objects.append(RelationRef(name=reader.tokens[reader.i].text))
        reader.i += 1
        if not reader.accept(","):
            break
    return tuple(objects)


def _grant_object(name: Name, object_type: GrantObjectType) -> RelationRef:
    if object_type in _SCHEMA_LIKE:
        return RelationRef(name=name.name, quoted=name.quoted)
    return RelationRef(name=name.name, schema=name.schema, quoted=name.quoted)
