"""What the TypeScript ORMs share: entity/model classes mapped to tables, and
operations on them, as the same facts SQLAlchemy models give.

A mapped class becomes an ``OrmModel`` (its class name, the table and schema
it maps, located at the class name); a view also becomes a ``RelationDef`` of
kind view (writes through it are HOS104). An operation on a class becomes an
``Access`` whose ref names the class (``RelationRef(orm_class=…)``),
resolved late against the service's models: an entity imported from another
file of the service resolves like one declared in the same file, and a class
that is no model of the service is no access. An operation on a table named
in a string (``'schema.table'``) is an access to that SQL name.

Names are sent quoted by these ORMs, so case matters only when it is mixed
(as for SQLAlchemy). A name or schema computed at run time is HOS205 at it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from hos_lint.embedded import Origin as TextOrigin
from hos_lint.extract.typescript.chains import is_service_module
from hos_lint.extract.typescript.literals import sql_literal
from hos_lint.extract.typescript.origin import CALL, PARAM
from hos_lint.extract.typescript.sql_text import analyse, quote_identifier
from hos_lint.extract.typescript.tree import member_parts
from hos_lint.model import AccessKind, OrmModel, RelationDef, RelationKind, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.typescript.origin import Origin
    from hos_lint.extract.typescript.scopes import Scope
    from hos_lint.extract.typescript.sites import CallSite, ClassSite, FileFacts

_UPPER_RUN = re.compile(r"([A-Z])([A-Z])([a-z])")
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_TRANSPARENT = frozenset(("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"))


def snake_case(name: str) -> str:
    """``OrderItem`` → ``order_item``, ``HTTPLog`` → ``http_log`` (the word
    boundaries TypeORM's and MikroORM's default naming strategies draw)."""
    return _LOWER_UPPER.sub(r"\1_\2", _UPPER_RUN.sub(r"\1_\2\3", name)).lower()


def table_ref(name: str, schema: str | None) -> RelationRef:
    """A table name as these ORMs send it: quoted, so case matters only when mixed."""
    return RelationRef(name=name, schema=schema or None, quoted=name != name.lower())


def path_ref(path: str) -> RelationRef | None:
    """``'schema.table'`` or ``'table'`` (a ``database.schema.table`` path keeps its
    last two parts); None for an empty part or anything else than a name path."""
    parts = path.split(".")
    if len(parts) > 3 or any(not part or part != part.strip() or '"' in part for part in parts):
        return None
    return table_ref(parts[-1], parts[-2] if len(parts) > 1 else None)


def string_value(node: Node | None, facts: FileFacts) -> str | None:
    """The text of a string literal (or template without interpolations); None otherwise."""
    while node is not None and node.type in _TRANSPARENT:
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type not in ("string", "template_string", "binary_expression"):
        return None
    literal = sql_literal(node, facts.host)
    if literal is None or literal[2]:
        return None
    return literal[0]


def decorator_parts(decorator: Node) -> tuple[Node | None, Node | None]:
    """(the decorator function, its arguments): ``@Entity('t')`` gives
    (``Entity``, ``('t')``); a bare ``@Table`` gives (``Table``, None)."""
    expression = decorator.named_children[-1] if decorator.named_children else None
    if expression is None:
        return None, None
    if expression.type == "call_expression":
        return expression.child_by_field_name("function"), expression.child_by_field_name("arguments")
    return expression, None


def method_call(site: CallSite, facts: FileFacts) -> tuple[Node, Node, str] | None:
    """(receiver, method node, method name) of a ``receiver.method(...)`` call, else None."""
    receiver, prop = member_parts(site.function)
    if receiver is None or prop is None or site.arguments is None or site.arguments.type != "arguments":
        return None
    return receiver, prop, facts.host.node_text(prop)


_Role = TypeVar("_Role")


def role_call(
    site: CallSite,
    facts: FileFacts,
    methods: frozenset[str],
    role_of: Callable[[Origin | None, Scope, FileFacts], _Role | None],
) -> tuple[_Role, Node, str, list[Node]] | None:
    """(role of the receiver, method node, method name, arguments) of a
    ``receiver.method(...)`` call whose method is one of ``methods`` and whose
    receiver ``role_of`` (an ORM's reading of an origin) recognises, else None."""
    call = method_call(site, facts)
    if call is None or call[2] not in methods:
        return None
    receiver, prop, method = call
    role = role_of(facts.origins.of(receiver, site.scope), site.scope, facts)
    if role is None:
        return None
    return role, prop, method, arguments_of(site.arguments)


def arguments_of(arguments: Node | None) -> list[Node]:
    """A call's argument nodes (none for a tagged template or no call)."""
    if arguments is None or arguments.type != "arguments":
        return []
    return [arg for arg in arguments.named_children if arg.type != "comment"]


def class_decorators(site: ClassSite, facts: FileFacts) -> Iterator[tuple[Node, Node | None, Origin]]:
    """Each decorator of a class whose function has a known origin: (the decorator,
    its arguments node or None, the origin)."""
    for decorator in site.decorators:
        function, arguments = decorator_parts(decorator)
        origin = facts.origins.of(function, site.scope)
        if origin is not None:
            yield decorator, arguments, origin


def options_argument(arguments: Node | None) -> Node | None:
    """The first argument when it is an object literal (``@Entity({ … })``), else None."""
    args = arguments_of(arguments)
    return args[0] if args and args[0].type == "object" else None


R = TypeVar("R")


def follow_steps(role: R | None, index: int, origin: Origin, scope: Scope, facts: FileFacts,
                 after_method: Callable[[R, str, str, Node, Scope, FileFacts], R | None],
                 after_property: Callable[[R, str], R | None]) -> R | None:
    """``role`` carried through ``origin``'s member steps from ``index`` on: a call
    (or callback parameter) of ``.name`` through ``after_method``, a read of ``.name``
    through ``after_property``. None when a step is no member or a role ends."""
    steps, nodes = origin.steps, origin.nodes
    while index < len(steps) and role is not None:
        step = steps[index]
        if not step.startswith("."):
            return None
        following = steps[index + 1] if index + 1 < len(steps) else None
        if following in (CALL, PARAM):
            role = after_method(role, step[1:], following, nodes[index + 1], scope, facts)
            index += 2
        else:
            role = after_property(role, step[1:])
            index += 1
    return role


def bound_name(call: Node, through: tuple[str, ...]) -> Node | None:
    """The name (pattern) of the variable ``call`` initialises, looking through the
    wrapper node types ``through`` (``const User = await x(…) as T``); None otherwise."""
    declarator = call.parent
    while declarator is not None and declarator.type in through:
        declarator = declarator.parent
    if declarator is None or declarator.type != "variable_declarator":
        return None
    return declarator.child_by_field_name("name")


def class_argument(node: Node | None, scope: Scope, facts: FileFacts) -> Node | None:
    """The class an argument names: an identifier (``User``) that is not a local
    variable or parameter, or the class of ``new User(…)``. The identifier node,
    else None; whether it is a model of the service is decided at resolution."""
    while node is not None and node.type in _TRANSPARENT:
        node = node.named_children[0] if node.named_children else None
    if node is not None and node.type == "new_expression":
        node = node.child_by_field_name("constructor")
    if node is None or node.type != "identifier":
        return None
    current: Scope | None = scope
    name = facts.host.node_text(node)
    while current is not None:
        if name in current.names:
            return node if current.parent is None else None  # module level: a class or an alias of one
        current = current.parent
    return node


def add_model(facts: FileFacts, name_node: Node, ref: RelationRef, *, view: bool, what: str,
              expression: Node | None = None) -> None:
    """A mapped class (located at its name); a view is also a view definition,
    with what its literal SQL ``expression`` reads."""
    location = facts.location(name_node)
    class_name = facts.host.node_text(name_node)
    facts.orm_models.append(OrmModel(service=facts.src.service, class_name=class_name, ref=ref, location=location))
    if view and not (expression is not None and _view_body(facts, name_node, ref, expression, f"{what} {class_name}")):
        facts.relation_defs.append(RelationDef(
            service=facts.src.service, ref=ref, kind=RelationKind.VIEW, location=location, what=f"{what} {class_name}",
        ))


def _view_body(facts: FileFacts, name_node: Node, ref: RelationRef, expression: Node, what: str) -> bool:
    """A view's literal SQL ``expression``, read as ``CREATE VIEW <ref> AS <expression>``:
    its definition (with what it reads) and the reads inside it, not the DDL
    itself (declaring a view entity is not running DDL). False when the
    expression is no literal SELECT (a query-builder function)."""
    literal = sql_literal(expression, facts.host)
    if literal is None or literal[2] or not facts.parse_sql:
        return False
    text, origin, _ = literal
    prefix = f"CREATE VIEW {quote_identifier([p for p in (ref.schema, ref.name) if p])} AS "
    name_at = facts.host.char_offset(name_node.start_byte)
    pinned = tuple((i, name_at) for i in range(len(prefix)))  # the whole prefix stands at the class name
    combined = TextOrigin((*pinned, *((t + len(prefix), h) for t, h in origin.pieces)), origin.lines)
    from hos_lint.extract.sql import extract_sql  # files without SQL never load sqlglot

    result = extract_sql(prefix + text, combined, path=facts.src.path, service=facts.src.service, via=Via.SQL,
                         anchor=facts.host.anchor(name_node), placeholders=frozenset())
    defs = [d for d in result.relation_defs if d.kind is RelationKind.VIEW]
    if not defs:
        return False
    location = facts.location(name_node)
    facts.relation_defs.extend(replace(d, ref=ref, location=location, what=what) for d in defs)
    facts.accesses.extend(replace(a, referrer_ref=ref) for a in result.accesses if a.referrer_ref is not None)
    facts.problems.extend(result.problems)
    return True


def add_access(facts: FileFacts, at: Node, ref: RelationRef, kind: AccessKind, *, via: Via, operation: str,
               call: Node, referrer: RelationRef | None = None) -> None:
    """An access located at ``at`` (the table reference or the method), anchored at ``call``'s statement."""
    facts.add_access(facts.location(at), ref, kind, via=via, operation=operation, call=call, referrer=referrer)


def class_ref(node: Node, facts: FileFacts) -> RelationRef:
    """The ref of an operation on the class ``node`` names."""
    return RelationRef(orm_class=facts.host.node_text(node))


def computed(facts: FileFacts, at: Node, what: str, call: Node) -> None:
    """HOS205: a table name or schema computed at run time."""
    facts.add_run_time(at, f"{what} is computed at run time; the relation it names cannot be known statically", call)


def underscore(name: str) -> str:
    """``OrderItem`` → ``order_item``, ``HTTPLog`` → ``httplog`` (MikroORM's
    ``UnderscoreNamingStrategy``: a boundary only between a lower-case letter
    and an upper-case one)."""
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def imports_package(facts: FileFacts, scope: Scope, prefixes: tuple[str, ...]) -> bool:
    """Whether the file imports (or requires at module level) a package starting with one of ``prefixes``."""
    root = scope
    while root.parent is not None:
        root = root.parent
    return any(package.startswith(prefixes) for package in facts.origins.packages(root))


def embedded_sql(facts: FileFacts, arg: Node | None, call: Node, *, via: Via, method: str) -> None:
    """SQL text passed to ``method``: a literal is analysed (with positions back in
    this file), one built at run time is HOS205 at the call."""
    if arg is not None:
        analyse(call, arg, facts, via=via, require_sql=False, dynamic=f".{method}")


def is_local(origin: Origin) -> bool:
    """A module of the project itself (``./data-source``, ``@/db``, ``~/db``, ``#db``): what the
    builders and drivers call a service module (``chains.is_service_module``)."""
    return is_service_module(origin.module)


def outer_methods(call: Node, facts: FileFacts) -> list[str]:
    """Methods called on ``call``'s result in the same expression (``a().b().c()`` from ``a()``)."""
    out: list[str] = []
    current = call
    while len(out) < 64:
        member = current.parent
        if member is None or member.type != "member_expression" or member.child_by_field_name("object") != current:
            break
        outer = member.parent
        prop = member.child_by_field_name("property")
        if outer is None or outer.type != "call_expression" or outer.child_by_field_name("function") != member:
            break
        if prop is not None:
            out.append(facts.host.node_text(prop))
        current = outer
    return out


def first_class(call: Node, scope: Scope, facts: FileFacts) -> Node | None:
    """The class the first argument of ``call`` names (``getRepository(User)``)."""
    args = arguments_of(call.child_by_field_name("arguments"))
    return class_argument(args[0], scope, facts) if args else None


def type_entity(node: Node, scope: Scope, facts: FileFacts, inject_package: str) -> Node | None:
    """The entity of a repository declared as ``node`` (a type annotation, an
    ``extends`` clause or a ``new`` expression): ``@InjectRepository(E)`` from
    ``inject_package`` on the declaration, else the first type argument
    (``Repository<E>``, ``extends Repository<E>``), else ``new Repository(E, …)``'s
    first argument."""
    if node.type == "new_expression":
        return first_class(node, scope, facts)
    declaration = node.parent
    if declaration is not None:
        for decorator in declaration.named_children:
            if decorator.type != "decorator":
                continue
            function, arguments = decorator_parts(decorator)
            origin = facts.origins.of(function, scope)
            if origin is not None and origin.package == inject_package and origin.export == "InjectRepository":
                args = arguments_of(arguments)
                return class_argument(args[0], scope, facts) if args else None
    type_arguments = node.child_by_field_name("type_arguments") or _generic_arguments(node)
    first = type_arguments.named_children[0] if type_arguments is not None and type_arguments.named_children else None
    if first is None or first.type != "type_identifier" or _is_type_parameter(first, facts):
        return None
    return first


def _is_type_parameter(name: Node, facts: FileFacts) -> bool:
    """``T`` in ``function f<T>(r: Repository<T>)`` / ``class R<T> extends Repository<T>``."""
    text = facts.host.node_text(name)
    current = name.parent
    while current is not None:
        params = current.child_by_field_name("type_parameters")
        for param in params.named_children if params is not None else ():
            declared = param.child_by_field_name("name")
            if declared is not None and facts.host.node_text(declared) == text:
                return True
        current = current.parent
    return False


def _generic_arguments(node: Node) -> Node | None:
    """The type arguments of the generic type in a (``T | null``, parenthesised) annotation."""
    stack = [node]
    for _ in range(16):
        if not stack:
            return None
        current = stack.pop(0)
        if current.type == "generic_type":
            return current.child_by_field_name("type_arguments")
        if current.type in ("type_annotation", "union_type", "parenthesized_type"):
            stack.extend(current.named_children)
    return None


def text_start(node: Node) -> Node:
    """The string fragment of a string literal (the relation name itself), else the node."""
    if node.type in ("string", "template_string"):
        for child in node.named_children:
            if child.type == "string_fragment":
                return child
    return node
