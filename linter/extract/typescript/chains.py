"""What the query-builder and driver libraries share: the call chain a call
belongs to, what its receiver is (by origin, never by name), table names
written as strings, transaction callbacks, and adding an access.

A *chain* is a receiver followed by member reads and calls:
``knex('s.t').withSchema('x').where(…).update(…)`` has the root ``knex`` and
the links ``()``, ``withSchema(…)``, ``where(…)``, ``update(…)``.

What a chain's root is decides whether a library reads the chain at all:

- ``LIBRARY``: its origin (the import or factory call, a declared type, or the
  receiver of the method a callback's parameter stands for) is the library's
  client;
- ``SERVICE``: it is imported from a module of the service itself (a relative
  path or a ``@/``/``~/``/``#`` alias), so this file cannot see what it is;
  libraries whose calls are unmistakable read such chains, others do not;
- ``OTHER``: anything else (another package, a local value, a parameter, an
  undeclared name): never read.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hos_lint.extract.typescript.origin import CALL, PARAM, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts
from hos_lint.extract.typescript.tree import first_argument, member_parts
from hos_lint.model import AccessKind, Location, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.typescript.scopes import Scope

# Module specifiers that name a file of the project itself, not a package.
SERVICE_MODULE_PREFIXES = (".", "/", "@/", "~/", "#")
# Expressions that denote the same value as their only (first) operand.
TRANSPARENT = frozenset((
    "parenthesized_expression", "await_expression", "non_null_expression", "as_expression",
    "satisfies_expression",
))
MAX_CHAIN = 64  # links followed in one chain (no real query is longer)


class Source(enum.Enum):
    """What a chain's root is, as far as this file can tell."""

    LIBRARY = "library"
    SERVICE = "service"
    OTHER = "other"


def is_service_module(module: str) -> bool:
    """A relative path or a path alias: a file of the project, not a package."""
    return module.startswith(SERVICE_MODULE_PREFIXES)


def unwrap(node: Node | None) -> Node | None:
    """The expression inside parentheses, ``await``, ``!``, ``as`` and ``satisfies``."""
    while node is not None and node.type in TRANSPARENT:
        node = node.named_children[0] if node.named_children else None
    return node


@dataclass(frozen=True, slots=True)
class Link:
    """One step of a chain: ``.method`` read (``call`` None) or called, or the
    root itself called (``method`` None: ``knex('t')``)."""

    method: str | None
    call: Node | None
    name: Node | None  # the property identifier

    @property
    def arguments(self) -> Node | None:
        return self.call.child_by_field_name("arguments") if self.call is not None else None


def is_this_member(node: Node) -> bool:
    obj, prop = member_parts(node)
    return obj is not None and obj.type == "this" and prop is not None


def chain_below(node: Node, facts: FileFacts) -> tuple[Node | None, list[Link]]:
    """The root of the chain ending at ``node`` and its links, root first.

    The root is an identifier, ``this.<field>`` or any other expression that
    is neither a call nor a member read (``new Kysely()``).
    """
    links: list[Link] = []
    current = unwrap(node)
    while current is not None and len(links) < MAX_CHAIN:
        if current.type == "call_expression":
            function = unwrap(current.child_by_field_name("function"))
            obj, prop = member_parts(function)
            if function is not None and function.type == "member_expression" and not is_this_member(function):
                links.append(Link(facts.host.node_text(prop) if prop is not None else None, current, prop))
                current = unwrap(obj)
            else:
                links.append(Link(None, current, None))
                current = function
        elif current.type == "member_expression" and not is_this_member(current):
            obj, prop = member_parts(current)
            links.append(Link(facts.host.node_text(prop) if prop is not None else None, None, prop))
            current = unwrap(obj)
        else:
            break
    links.reverse()
    return current, links


def chain_above(node: Node, facts: FileFacts) -> list[Link]:
    """The links applied on top of ``node``: ``.where(…).update(…)`` above ``knex('t')``."""
    links: list[Link] = []
    current = node
    while len(links) < MAX_CHAIN:
        parent = current.parent
        while parent is not None and parent.type in ("parenthesized_expression", "non_null_expression"):
            current, parent = parent, parent.parent
        if parent is None or parent.type != "member_expression" or parent.child_by_field_name("object") != current:
            break
        prop = parent.child_by_field_name("property")
        name = facts.host.node_text(prop) if prop is not None else None
        grand = parent.parent
        if grand is not None and grand.type == "call_expression" and grand.child_by_field_name("function") == parent:
            links.append(Link(name, grand, prop))
            current = grand
        else:
            links.append(Link(name, None, prop))
            current = parent
    return links


# --- receivers --------------------------------------------------------------------------------


def receiver_origin(root: Node | None, scope: Scope, facts: FileFacts) -> Origin | None:
    """Where a chain's root comes from; a callback's first parameter
    (``tx`` in ``db.transaction(async (tx) => …)``) stands for the receiver of
    the method it was passed to."""
    if root is None:
        return None
    origin = facts.origins.of(root, scope)
    while origin is not None and origin.steps[-1:] == (PARAM,) and origin.steps[-2:-1] != (CALL,) and (
            origin.steps[-2].startswith(".")):
        origin = Origin(origin.module, origin.export, origin.steps[:-2], origin.node)
    return origin


def classify(origin: Origin | None, is_client: Callable[[Origin], bool]) -> Source:
    """``LIBRARY`` when ``is_client`` accepts the origin, ``SERVICE`` for an import
    from the project's own modules, else ``OTHER``."""
    if origin is None:
        return Source.OTHER
    if is_client(origin):
        return Source.LIBRARY
    return Source.SERVICE if is_service_module(origin.module) else Source.OTHER


def client_source(origin: Origin | None, is_client: Callable[[Origin], bool], packages: frozenset[str],
                  scope: Scope, facts: FileFacts) -> Source:
    """``classify``, where a value from the project's own modules counts (``SERVICE``) only in
    a file that imports or requires one of ``packages`` (``import type { Knex } from 'knex'``)."""
    source = classify(origin, is_client)
    if source is Source.SERVICE:
        root = scope
        while root.parent is not None:
            root = root.parent
        if packages.isdisjoint(facts.origins.packages(root)):
            return Source.OTHER
    return source


# --- table names written as strings -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableName:
    """``'schema.table as alias'`` as a builder reads it; ``at`` is the host
    character offset where the reference (its schema, else its name) starts."""

    schema: str | None
    name: str
    alias: str | None
    at: int


def _identifier_like(part: str) -> bool:
    return bool(part) and not part[0].isdigit() and all(c.isalnum() or c in "_$" for c in part)


def table_name(node: Node | None, facts: FileFacts) -> TableName | None:
    """A plain string (or a template without interpolation) naming a table:
    ``'t'``, ``'s.t'``, ``'t as x'``, ``'s.t as x'`` (``AS`` in any case;
    ``catalog.s.t`` keeps ``s.t``). None for anything else."""
    node = unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    inner = node.named_children
    if any(child.type != "string_fragment" for child in inner) or len(inner) > 1:
        return None  # escapes or interpolations: not a plain name
    host = facts.host
    start = host.char_offset(node.start_byte) + 1
    text = host.text[start:host.char_offset(node.end_byte) - 1]
    words = text.split()
    if len(words) == 3 and words[1].lower() == "as" and _identifier_like(words[2]):
        reference, alias = words[0], words[2]
    elif len(words) == 1:
        reference, alias = words[0], None
    else:
        return None
    parts = reference.split(".")
    if not all(_identifier_like(p) for p in parts) or len(parts) > 3:
        return None
    schema = parts[-2] if len(parts) > 1 else None
    lead = len(text) - len(text.lstrip())
    skipped = len(".".join(parts[:-2])) + 1 if len(parts) == 3 else 0
    return TableName(schema, parts[-1], alias, start + lead + skipped)


def schema_override(links: list[Link], method: str, facts: FileFacts) -> str | None:
    """The schema a ``method('schema')`` call in the chain sets (knex's and Kysely's
    ``withSchema``): the first such call naming a bare table-like string."""
    for link in links:
        if link.method == method and link.call is not None:
            named = table_name(first_argument(link.arguments), facts)
            if named is not None and named.schema is None and named.alias is None:
                return named.name
    return None


def location_at(facts: FileFacts, char_offset: int) -> Location:
    line, col = facts.host.lines.position(char_offset)
    return Location(facts.src.path, line, col)


# --- facts ---------------------------------------------------------------------------------------


def add_access(facts: FileFacts, site: CallSite, location: Location, ref: RelationRef, kind: AccessKind,
               via: Via, operation: str, anchor_call: Node | None = None) -> None:
    """One access, anchored at the statement of ``anchor_call`` (default: the site's call)."""
    facts.add_access(location, ref, kind, via=via, operation=operation,
                     call=anchor_call if anchor_call is not None else site.call)


def string_ref(table: TableName, default_schema: str | None = None) -> RelationRef:
    """The relation a builder's table string names (builders quote identifiers: case is kept)."""
    return RelationRef(name=table.name, schema=table.schema or default_schema, quoted=True)
