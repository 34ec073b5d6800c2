"""pg-promise (``pg-promise``): the query methods of a database or task.

``db.none/one/oneOrNone/many/manyOrNone/any/result/query/multi/multiResult/
each/map(sql, values)`` on a pg-promise database (``pgp(cn)`` where ``pgp``
is the package called, a value typed ``IDatabase``/``ITask``/
``IBaseProtocol``, the parameter of a ``db.task``/``db.tx`` callback, or a
database imported from the service's own modules in a file that imports from
``pg-promise``). The SQL is a literal (pg-promise's own variables ``$1``,
``$1:name``, ``${name}``, ``$(name)``, ``$<name>``, ``$[name]``,
``$/name/`` with their ``^ ~ # :raw :name :alias …`` filters are bind
markers; one that injects a name or raw text in a relation position is
HOS205), a ``{ text }`` object or ``new PreparedStatement/ParameterizedQuery``
with a literal ``text``. A ``QueryFile`` (or a value imported from the
service's own modules, such as a QueryFile index) holds SQL from a ``.sql``
file, which hos-lint reads on its own; anything else built at run time is
HOS205.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hos_lint.embedded import Origin as TextOrigin
from hos_lint.embedded import OriginBuilder, last_bind_number
from hos_lint.extract.typescript import chains, sql_text
from hos_lint.extract.typescript.literals import pair_value
from hos_lint.extract.typescript.origin import CALL, DEFAULT, NAMESPACE, NEW, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import first_argument, member_parts
from hos_lint.model import Via

if TYPE_CHECKING:
    from tree_sitter import Node

PACKAGES = frozenset(("pg-promise",))
VIA = Via.PG_PROMISE
METHODS = frozenset((
    "none", "one", "oneOrNone", "many", "manyOrNone", "any", "result", "query", "multi", "multiResult",
    "each", "map",
))
INSTANCE_TYPES = frozenset(("IDatabase", "ITask", "IBaseProtocol", "IConnected"))
QUERY_OBJECTS = frozenset(("PreparedStatement", "ParameterizedQuery"))
QUERY_FILE = "QueryFile"
# Openers of a named variable and their closers: ${x} $(x) $<x> $[x] $/x/
_NAMED = {"{": "}", "(": ")", "<": ">", "[": "]", "/": "/"}
_FILTERS = ("name", "alias", "raw", "value", "json", "csv", "list")
_SYMBOL_FILTERS = "^~#"


def is_instance(origin: Origin) -> bool:
    """``pgp(cn)`` with ``pgp`` the package called, or a value of a database/task type."""
    if origin.package not in PACKAGES:
        return False
    if origin.export in (DEFAULT, NAMESPACE, "pgPromise"):
        return origin.steps == (CALL, CALL)
    return origin.export in INSTANCE_TYPES and origin.steps == (NEW,)


def recognise(site: CallSite, facts: FileFacts) -> None:
    """``db.<method>(sql, …)`` on a pg-promise database or task."""
    receiver, prop = member_parts(site.function)
    if prop is None or facts.host.node_text(prop) not in METHODS:
        return
    first = chains.unwrap(first_argument(site.arguments))
    if first is None or not _database(receiver, site, facts):
        return
    method = facts.host.node_text(prop)
    text = _query_text(first, site, facts)
    if text is not None:
        sql_text.analyse(site.call, text, facts, via=VIA, require_sql=False, dynamic=f".{method}",
                         rewrite=rewrite_variables)
    elif not _sql_elsewhere(first, site, facts):
        sql_text.dynamic_sql(site.call, f".{method}", facts)


def _database(receiver: Node | None, site: CallSite, facts: FileFacts) -> bool:
    root, links = chains.chain_below(receiver, facts) if receiver is not None else (None, [])
    if links:
        return False
    origin = chains.receiver_origin(root, site.scope, facts)
    return chains.client_source(origin, is_instance, PACKAGES, site.scope, facts) is not chains.Source.OTHER


def _query_text(arg: Node, site: CallSite, facts: FileFacts) -> Node | None:
    """The node holding the SQL text: the argument itself, the ``text`` of a
    ``{ text }`` object or of ``new PreparedStatement/ParameterizedQuery(…)``."""
    if arg.type == "object":
        return pair_value(arg, "text", facts.host)
    if arg.type == "new_expression":
        origin = facts.origins.of(arg.child_by_field_name("constructor"), site.scope)
        inner = first_argument(arg.child_by_field_name("arguments"))
        if origin is None or origin.package not in PACKAGES or inner is None:
            return None
        if origin.export in QUERY_OBJECTS or origin.steps[-1:] in {(f".{n}",) for n in QUERY_OBJECTS}:
            return pair_value(inner, "text", facts.host) if inner.type == "object" else inner
        return None
    return arg if arg.type in ("string", "template_string", "binary_expression") else None


def _sql_elsewhere(arg: Node, site: CallSite, facts: FileFacts) -> bool:
    """A ``QueryFile`` (its SQL is a ``.sql`` file) or a value from the service's own modules."""
    origin = facts.origins.of(arg, site.scope)
    if origin is None:
        return False
    if chains.is_service_module(origin.module):
        return True
    return origin.package in PACKAGES and (
        (origin.export == QUERY_FILE and origin.steps == (NEW,)) or origin.steps[-2:] == (f".{QUERY_FILE}", NEW))


# --- pg-promise's query formatting --------------------------------------------------------------------


def rewrite_variables(text: str, origin: TextOrigin, placeholders: frozenset[str],
                      ) -> tuple[str, TextOrigin, frozenset[str]]:
    """pg-promise variables to bind markers ``$N`` (numbered after every ``$N``
    already there), each mapped to its variable's position; a plain ``$1``
    stays. Every rewritten variable is a placeholder: HOS205 where it names a
    relation."""
    spans = list(_variables(text))
    if not spans:
        return text, origin, placeholders
    number = last_bind_number(text)
    builder = OriginBuilder(origin.lines)
    markers = set(placeholders)
    cursor = 0
    for start, end in spans:
        _copy(builder, origin, text, cursor, start)
        number += 1
        markers.add(f"${number}")
        builder.add(f"${number}", origin.host_offset(start))
        cursor = end
    _copy(builder, origin, text, cursor, len(text))
    new_text, new_origin = builder.build()
    return new_text, new_origin, frozenset(markers)


def _variables(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each pg-promise variable that is not a plain ``$N``."""
    i = 0
    while i < len(text) - 1:
        if text[i] != "$":
            i += 1
            continue
        nxt = text[i + 1]
        if nxt.isdigit():
            j = i + 1
            while j < len(text) and text[j].isdigit():
                j += 1
            end = _filter_end(text, j)
            if end > j:
                yield i, end
            i = max(end, j)
        elif nxt in _NAMED:
            close = text.find(_NAMED[nxt], i + 2)
            inner = text[i + 2:close] if close != -1 else ""
            if close != -1 and _variable_name(inner):
                yield i, close + 1
                i = close + 1
            else:
                i += 2
        else:
            i += 1


def _filter_end(text: str, j: int) -> int:
    """End of a filter after an index variable (``^``, ``:raw`` …), else ``j``."""
    if j < len(text) and text[j] in _SYMBOL_FILTERS:
        return j + 1
    if text.startswith(":", j):
        for name in _FILTERS:
            if text.startswith(name, j + 1):
                return j + 1 + len(name)
    return j


def _variable_name(inner: str) -> bool:
    """``name``, ``a.b``, ``this``, with an optional filter (``name^``, ``name:raw``)."""
    base = inner.rstrip(_SYMBOL_FILTERS)
    if ":" in base:
        base, _, flt = base.partition(":")
        if flt not in _FILTERS:
            return False
    return bool(base) and all(part.isidentifier() for part in base.split("."))


def _copy(builder: OriginBuilder, origin: TextOrigin, text: str, start: int, end: int) -> None:
    """``text[start:end]`` into ``builder``, keeping each character's host offset."""
    starts = [piece[0] for piece in origin.pieces]
    i = max(bisect_right(starts, start) - 1, 0)
    pos = start
    while pos < end:
        nxt = starts[i + 1] if i + 1 < len(starts) else end
        stop = min(end, max(nxt, pos + 1))
        builder.add(text[pos:stop], origin.host_offset(pos))
        pos = stop
        i += 1


_DB = "import pgPromise from 'pg-promise';\nconst db = pgPromise()(cn);\n"
KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=frozenset((b"pg-promise",)),
    examples=(
        *(f"{_DB}await db.{m}('SELECT * FROM t WHERE id = ${{id}}', {{ id }});" for m in sorted(METHODS)),
        f"{_DB}await db.none(text);",
    ),
)
