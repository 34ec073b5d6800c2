"""postgres.js (``postgres``): ``sql`…``` templates are queries.

A tag is a postgres.js instance by its origin: the ``postgres`` package
called (``const sql = postgres(url)``, ``require('postgres')(url)``), a value
typed ``Sql``/``TransactionSql``, ``sql.reserve()``'s result, or the
parameter of a ``sql.begin(async (sql) => …)`` callback, or an instance
imported from the service's own modules in a file that imports from
``postgres``; a local function or another package's tag called ``sql`` is not
one. ``${sql('s.t')}`` in a
template is the identifier ``"s"."t"`` (postgres.js splits on dots); other
interpolations are bind parameters. ``sql.unsafe('…')`` is SQL text; built at
run time it is HOS205. Templates that are not statements (fragments such as
``sql`AND x = ${y}```) are not analysed on their own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from hos_lint.extract.typescript import chains, sql_text
from hos_lint.extract.typescript.origin import CALL, DEFAULT, NAMESPACE, NEW, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import first_argument, member_parts, tag_function
from hos_lint.model import Via

if TYPE_CHECKING:
    from tree_sitter import Node

PACKAGES = frozenset(("postgres",))
VIA = Via.POSTGRES_JS
INSTANCE_TYPES = frozenset(("Sql", "TransactionSql", "ReservedSql"))
UNSAFE = "unsafe"


def is_instance(origin: Origin) -> bool:
    """``postgres(…)``'s result (and ``.reserve()``'s), or a value typed ``Sql``."""
    if origin.package not in PACKAGES:
        return False
    if origin.export in (DEFAULT, NAMESPACE, "postgres") and origin.steps[:1] == (CALL,):
        return origin.steps[1:] in ((), (".reserve", CALL))
    return origin.export in INSTANCE_TYPES and origin.steps == (NEW,)


def _instance(node: Node | None, site: CallSite, facts: FileFacts) -> bool:
    """An instance by origin, or one imported from the service's own modules in a
    file that imports from ``postgres`` (``import type { Sql } from 'postgres'``)."""
    origin = chains.receiver_origin(chains.unwrap(node), site.scope, facts)
    return chains.client_source(origin, is_instance, PACKAGES, site.scope, facts) is not chains.Source.OTHER


def recognise(site: CallSite, facts: FileFacts) -> None:
    """``sql`…``` and ``sql.unsafe(…)`` on a postgres.js instance."""
    if site.arguments is not None and site.arguments.type == "template_string":
        if _instance(tag_function(site.function), site, facts):
            sql_text.analyse(site.call, site.arguments, facts, via=VIA, require_sql=True,
                             known=_identifiers(site, facts))
        return
    receiver, prop = member_parts(site.function)
    if prop is None or facts.host.node_text(prop) != UNSAFE or not _instance(receiver, site, facts):
        return
    first = first_argument(site.arguments)
    if first is not None:
        sql_text.analyse(site.call, first, facts, via=VIA, require_sql=False, dynamic="sql.unsafe")


def _identifiers(site: CallSite, facts: FileFacts) -> sql_text.Known:
    """``${sql('schema.table')}``: the helper call on the same kind of instance."""
    def known(expression: Node) -> sql_text.Interpolation | None:
        if expression.type != "call_expression":
            return None
        arguments = expression.child_by_field_name("arguments")
        if arguments is None or arguments.type != "arguments" or not arguments.named_children:
            return None
        if not _instance(expression.child_by_field_name("function"), site, facts):
            return None
        name = chains.table_name(arguments.named_children[0], facts) if len(arguments.named_children) == 1 else None
        if name is None or name.alias is not None:
            return _values_helper(expression, facts)
        parts = [name.schema, name.name] if name.schema else [name.name]
        return sql_text.Interpolation(at=name.at, identifier=sql_text.quote_identifier(parts))
    return known


def _values_helper(expression: Node, facts: FileFacts) -> sql_text.Interpolation | None:
    """``${sql(row, 'a', 'b')}`` expands to SQL whose shape depends on where it
    stands: ``(a, b) VALUES (…)`` after ``INSERT INTO t``, ``a = …`` after
    ``SET``, ``(…)`` after ``IN``. Stand-ins of those shapes keep the statement
    parseable (the helper names columns and values, never a relation); elsewhere
    it is a bind parameter."""
    if expression.parent is None:
        return None
    words = _words_before(expression.parent, facts)
    at = facts.host.char_offset(expression.start_byte)
    last = words[-1].upper() if words else ""
    if last == "SET":
        return sql_text.Interpolation(at=at, identifier="hos_column = NULL")
    if last == "IN":
        return sql_text.Interpolation(at=at, identifier="(NULL)")
    upper = [w.upper() for w in words]
    if len(upper) >= 3 and upper[-3:-1] == ["INSERT", "INTO"]:
        return sql_text.Interpolation(at=at, identifier="DEFAULT VALUES")
    return None


def _words_before(substitution: Node, facts: FileFacts) -> list[str]:
    """The template's words before ``substitution`` (an interpolation counts as one word)."""
    words: list[str] = []
    sibling = substitution.prev_sibling
    pieces: list[str] = []
    while sibling is not None and len(pieces) < 8:
        pieces.append("x" if sibling.type == "template_substitution" else facts.host.node_text(sibling).strip("`"))
        sibling = sibling.prev_sibling
    for piece in reversed(pieces):
        words.extend(piece.split())
    return words


TRIGGERS = frozenset((b"postgres", b"Sql"))
KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=TRIGGERS,
    examples=(
        "import postgres from 'postgres';\nconst sql = postgres(url);\nawait sql`SELECT * FROM t`;",
        "import postgres from 'postgres';\nconst sql = postgres(url);\nawait sql.unsafe('SELECT * FROM t');",
    ),
)
