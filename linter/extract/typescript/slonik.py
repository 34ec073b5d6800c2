"""slonik (``slonik``): queries are ``sql`` tag templates.

The tags are the ``sql`` export's (or a ``createSqlTag()`` result's)
``sql.unsafe```, ``sql.typeAlias('x')```, ``sql.type(schema)```,
``sql.fragment``` and, in older versions, ``sql``` itself. ``${sql.identifier(
['s', 't'])}`` in a template is that identifier; other interpolations are bind
parameters or nested fragments. A template is analysed wherever it stands
(``pool.query``, ``any``, ``one``, ``many``, ``maybeOne`` … take the query
object, never text, so they are nothing to report on their own); fragments
that are not statements are not analysed on their own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from hos_lint.extract.typescript import chains, sql_text
from hos_lint.extract.typescript.origin import CALL, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import tag_function
from hos_lint.model import Via

if TYPE_CHECKING:
    from tree_sitter import Node

PACKAGES = frozenset(("slonik",))
VIA = Via.SLONIK
TAG_STEPS = frozenset(((), (".unsafe",), (".fragment",), (".typeAlias", CALL), (".type", CALL)))


def _tag_steps(origin: Origin) -> tuple[str, ...] | None:
    """The steps applied to the ``sql`` tag object (``sql`` or ``createSqlTag()``)."""
    if origin.package not in PACKAGES:
        return None
    if origin.export == "sql":
        return origin.steps
    if origin.export == "createSqlTag" and origin.steps[:1] == (CALL,):
        return origin.steps[1:]
    return None


def recognise(site: CallSite, facts: FileFacts) -> None:
    """A slonik ``sql…`…``` template."""
    if site.arguments is None or site.arguments.type != "template_string":
        return
    origin = facts.origins.of(tag_function(site.function), site.scope)
    if origin is None or _tag_steps(origin) not in TAG_STEPS:
        return
    sql_text.analyse(site.call, site.arguments, facts, via=VIA, require_sql=True, known=_identifiers(site, facts))


def _identifiers(site: CallSite, facts: FileFacts) -> sql_text.Known:
    """``${sql.identifier(['schema', 'table'])}`` with literal names."""
    def known(expression: Node) -> sql_text.Interpolation | None:
        if expression.type != "call_expression":
            return None
        helper = facts.origins.of(expression.child_by_field_name("function"), site.scope)
        arguments = expression.child_by_field_name("arguments")
        if helper is None or _tag_steps(helper) != (".identifier",) or arguments is None:
            return None
        names = arguments.named_children[0] if arguments.named_children else None
        if names is None or names.type != "array" or not names.named_children:
            return None
        parts = [chains.table_name(item, facts) for item in names.named_children]
        if any(p is None or p.schema is not None or p.alias is not None for p in parts):
            return None
        first = parts[0]
        return sql_text.Interpolation(at=first.at if first is not None else 0,
                                      identifier=sql_text.quote_identifier([p.name for p in parts if p is not None]))
    return known


KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=frozenset((b"slonik",)),
    examples=(
        "import { sql } from 'slonik';\nawait pool.query(sql`SELECT * FROM t`);",
        "import { sql } from 'slonik';\nawait pool.query(sql.unsafe`SELECT * FROM t`);",
        "import { sql } from 'slonik';\nawait pool.query(sql.fragment`SELECT * FROM t`);",
        "import { sql } from 'slonik';\nawait pool.one(sql.typeAlias('row')`SELECT * FROM t`);",
        "import { sql } from 'slonik';\nawait pool.many(sql.type(row)`SELECT * FROM t`);",
        "import { createSqlTag } from 'slonik';\nconst sql = createSqlTag({});\n"
        "await pool.any(sql.unsafe`SELECT * FROM t`);",
    ),
)
