"""Sequelize (``sequelize``, ``@sequelize/core``) and ``sequelize-typescript``:
models and their static methods.

Models: ``sequelize.define('User', { …attributes }, { schema, tableName })``
on a Sequelize instance (``new Sequelize(…)``, a value typed ``Sequelize``, or
one imported from another file of the service in a file that imports
Sequelize) maps the variable it is assigned to and the model name; ``User.init(attributes, {
sequelize, schema, tableName, modelName })`` (in a file importing Sequelize;
the ``sequelize`` option is what makes it Sequelize's) maps ``User``;
sequelize-typescript's ``@Table({ schema, tableName })`` (or a bare
``@Table``) maps the class. Without a ``tableName`` the table is Sequelize's
default: the model name pluralised (``User`` → ``"Users"``, English rules),
in snake_case with ``underscored: true``, the model name itself with
``freezeTableName: true``.

Operations: a model's static methods — ``findAll``, ``findOne``,
``findByPk``, ``findAndCountAll``, ``count``, ``max``, ``min``, ``sum``
(reads); ``create``, ``bulkCreate``, ``update``, ``destroy``, ``upsert``,
``increment``, ``decrement``, ``truncate``, ``restore``, ``findOrCreate``
(writes) — on a name imported from another file of the service, on a model
or derived class declared in the file, or on ``sequelize.models.<Name>``
(never on a package's export: ``NestFactory.create``), located at the model
name; which models are the service's is decided at resolution.
``sequelize.query(sql)`` is raw SQL (``raw_sql``).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hos_lint.extract.typescript.entities import (
    add_access,
    add_model,
    arguments_of,
    bound_name,
    class_argument,
    class_decorators,
    computed,
    imports_package,
    is_local,
    method_call,
    options_argument,
    snake_case,
    string_value,
    table_ref,
    text_start,
)
from hos_lint.extract.typescript.literals import pair_value
from hos_lint.extract.typescript.origin import NEW, Origin
from hos_lint.extract.typescript.sites import CallSite, ClassSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import member_parts
from hos_lint.model import AccessKind, OrmModel, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.typescript.scopes import Scope

VIA = Via.SEQUELIZE
PACKAGES = frozenset(("sequelize", "@sequelize/core", "sequelize-typescript"))
TYPESCRIPT_PACKAGE = "sequelize-typescript"

READ_METHODS = frozenset("findAll findOne findByPk findAndCountAll count max min sum aggregate".split())
WRITE_METHODS = frozenset((
    "create bulkCreate update destroy upsert increment decrement truncate restore findOrCreate findCreateFind"
).split())
_IMPORT_PREFIXES = tuple(PACKAGES)

# English plurals as Sequelize's inflection applies them: uncountables,
# irregular words, then suffix rules (the first that matches wins).
_UNCOUNTABLE = frozenset((
    "equipment information rice money species series fish sheep moose deer news data metadata feedback "
    "software hardware staff"
).split())
_IRREGULAR = {"person": "people", "man": "men", "woman": "women", "child": "children", "ox": "oxen", "mouse": "mice",
              "goose": "geese", "foot": "feet", "tooth": "teeth", "quiz": "quizzes"}
_SUFFIXES = (
    (re.compile(r"(?i)(quiz)$"), r"\1zes"),
    (re.compile(r"(?i)(matr|vert|ind)(ix|ex)$"), r"\1ices"),
    (re.compile(r"(?i)(x|ch|ss|sh|zz)$"), r"\1es"),
    (re.compile(r"(?i)([^aeiouy]|qu)y$"), r"\1ies"),
    (re.compile(r"(?i)(hive)$"), r"\1s"),
    (re.compile(r"(?i)(?:([^f])fe|([lr])f)$"), r"\1\2ves"),
    (re.compile(r"(?i)sis$"), "ses"),
    (re.compile(r"(?i)([ti])um$"), r"\1a"),
    (re.compile(r"(?i)(buffal|tomat|potat|her|ech)o$"), r"\1oes"),
    (re.compile(r"(?i)(bu|alia|statu|campu|bonu|viru)s$"), r"\1ses"),
    (re.compile(r"(?i)(octop)us$"), r"\1i"),
    (re.compile(r"(?i)(ax|test)is$"), r"\1es"),
    (re.compile(r"(?i)s$"), "s"),
)


def pluralize(word: str) -> str:
    """``User`` → ``Users``, ``Category`` → ``Categories``, ``Person`` → ``People``;
    a word already plural (ending in ``s``) stays as it is."""
    lower = word.lower()
    if any(lower == w or lower.endswith("_" + w) or word.endswith(w.capitalize()) for w in _UNCOUNTABLE):
        return word
    for singular, plural in _IRREGULAR.items():
        cut = len(word) - len(singular)
        if lower.endswith(singular) and (cut == 0 or word[cut].isupper() or word[cut - 1] == "_"):
            tail = plural.capitalize() if word[cut].isupper() else plural
            return word[:cut] + tail
    for pattern, replacement in _SUFFIXES:
        if pattern.search(word):
            return pattern.sub(replacement, word, count=1)
    return word + "s"


def default_table(model_name: str, options: Node | None, facts: FileFacts) -> str:
    """Sequelize's table name for a model without ``tableName``."""
    host = facts.host
    freeze = pair_value(options, "freezeTableName", host) if options is not None else None
    if freeze is not None and host.node_text(freeze) == "true":
        return model_name
    underscored = pair_value(options, "underscored", host) if options is not None else None
    plural = pluralize(model_name)
    return snake_case(plural) if underscored is not None and host.node_text(underscored) == "true" else plural


# --- receivers -----------------------------------------------------------------------------------


def _is_instance(origin: Origin | None) -> bool:
    """A Sequelize instance: ``new Sequelize(…)`` or a value declared ``Sequelize``."""
    return (origin is not None and origin.package in PACKAGES and origin.export == "Sequelize"
            and origin.steps == (NEW,))


def _sequelize(origin: Origin | None, scope: Scope, facts: FileFacts) -> bool:
    """A Sequelize instance, or a value imported from another file of the service
    (``import { sequelize } from './db'``) in a file that imports Sequelize."""
    if _is_instance(origin):
        return True
    return origin is not None and is_local(origin) and not origin.steps and imports_package(
        facts, scope, _IMPORT_PREFIXES)


def _model_receiver(receiver: Node, scope: Scope, facts: FileFacts) -> Node | None:
    """The model name node a static call is made on: a name imported from another
    file of the service, or a model or derived class declared in this file
    (never a package's export: ``NestFactory.create``), or ``<sequelize>.models.<Name>``."""
    named = class_argument(receiver, scope, facts)
    if named is not None:
        declared = {m.class_name for m in facts.orm_models} | {c.name for c in facts.client_classes}
        if facts.host.node_text(named) in declared:
            return named
        origin = facts.origins.of(named, scope)
        return named if origin is not None and is_local(origin) and not origin.steps else None
    obj, prop = member_parts(receiver)
    models, name = member_parts(obj)
    if prop is None or name is None or facts.host.node_text(name) != "models":
        return None
    return prop if _sequelize(facts.origins.of(models, scope), scope, facts) else None


# --- call sites ----------------------------------------------------------------------------------


def recognise(site: CallSite, facts: FileFacts) -> None:
    call = method_call(site, facts)
    if call is None:
        return
    receiver, prop, method = call
    if method in ("define", "init"):
        args = arguments_of(site.arguments)
        if len(args) < 2 or args[1].type != "object":
            return
        if method == "init":
            _init(site, receiver, args[1], facts)
        elif _sequelize(facts.origins.of(receiver, site.scope), site.scope, facts):
            _define(site, args, facts)
    elif method in READ_METHODS or method in WRITE_METHODS:
        if imports_package(facts, site.scope, ("typeorm", "@mikro-orm/")):
            return  # an entity of another ORM: its statics mean something else (TypeORM's create builds)
        model = _model_receiver(receiver, site.scope, facts)
        if model is not None:
            kind = AccessKind.READ if method in READ_METHODS else AccessKind.WRITE
            add_access(facts, model, RelationRef(orm_class=facts.host.node_text(model)), kind, via=VIA,
                       operation=method, call=site.call)


def _define(site: CallSite, args: list[Node], facts: FileFacts) -> None:
    """``sequelize.define('Name', attributes, options)``."""
    if not args:
        return
    model_name = string_value(args[0], facts)
    if model_name is None:
        computed(facts, args[0], "Sequelize define's model name", site.call)
        return
    options = args[2] if len(args) > 2 and args[2].type == "object" else None
    ref = _table(model_name, options, site.call, facts, "Sequelize define")
    if ref is None:
        return
    bound = bound_name(site.call, ("await_expression", "as_expression"))
    names = [bound] if bound is not None and bound.type == "identifier" else []
    if bound is None or facts.host.node_text(bound) != model_name:
        names.append(args[0])
    for name in names:
        _add(facts, text_start(name), model_name if name is args[0] else None, ref)


def _init(site: CallSite, receiver: Node, options: Node, facts: FileFacts) -> None:
    """``User.init(attributes, { sequelize, … })`` in a file importing Sequelize."""
    shorthand = any(child.type == "shorthand_property_identifier" and facts.host.node_text(child) == "sequelize"
                    for child in options.named_children)
    has_sequelize = shorthand or pair_value(options, "sequelize", facts.host) is not None
    if receiver.type != "identifier" or not has_sequelize or not imports_package(facts, site.scope, _IMPORT_PREFIXES):
        return
    name_node = pair_value(options, "modelName", facts.host)
    model_name = facts.host.node_text(receiver) if name_node is None else string_value(name_node, facts)
    if model_name is None:
        computed(facts, name_node or receiver, "Sequelize init's model name", site.call)
        return
    ref = _table(model_name, options, site.call, facts, "Sequelize init")
    if ref is not None:
        _add(facts, receiver, None, ref)


def _table(model_name: str, options: Node | None, call: Node, facts: FileFacts, what: str) -> RelationRef | None:
    host = facts.host
    table_node = pair_value(options, "tableName", host) if options is not None else None
    schema_node = pair_value(options, "schema", host) if options is not None else None
    table = default_table(model_name, options, facts) if table_node is None else string_value(table_node, facts)
    schema = None if schema_node is None else string_value(schema_node, facts)
    if table is None or (schema_node is not None and schema is None):
        bad = table_node if table is None else schema_node
        computed(facts, bad if bad is not None else call, f"{what} {model_name}'s table", call)
        return None
    return table_ref(table, schema)


def _add(facts: FileFacts, at: Node, name: str | None, ref: RelationRef) -> None:
    """A model named ``name`` (default: the text at ``at``), located at ``at``."""
    if name is None:
        add_model(facts, at, ref, view=False, what="Sequelize model")
        return
    facts.orm_models.append(OrmModel(service=facts.src.service, class_name=name, ref=ref, location=facts.location(at)))


# --- sequelize-typescript ----------------------------------------------------------------------


def recognise_class(site: ClassSite, facts: FileFacts) -> None:
    """``@Table`` / ``@Table({ … })`` from ``sequelize-typescript`` on a named class."""
    if site.name is None:
        return
    for decorator, arguments, origin in class_decorators(site, facts):
        if origin.package != TYPESCRIPT_PACKAGE or origin.steps or origin.export != "Table":
            continue
        options = options_argument(arguments)
        name_node = pair_value(options, "modelName", facts.host) if options is not None else None
        model_name = facts.host.node_text(site.name) if name_node is None else string_value(name_node, facts)
        if model_name is None:
            computed(facts, name_node or decorator, "sequelize-typescript @Table's model name", decorator)
            return
        ref = _table(model_name, options, decorator, facts, "sequelize-typescript @Table")
        if ref is not None:
            add_model(facts, site.name, ref, view=False, what="Sequelize model")


KNOWLEDGE = Knowledge(
    name="sequelize",
    recognise=recognise,
    recognise_class=recognise_class,
    # The package names (every model declaration imports one), and the static
    # methods called on a model imported from another file.
    triggers=frozenset((b"sequelize", *(f".{m}(".encode() for m in sorted(READ_METHODS | WRITE_METHODS)))),
    calls=READ_METHODS | WRITE_METHODS | {"define", "init"},  # models are classes: never skipped
    examples=(
        "import { Sequelize } from 'sequelize'\nconst s = new Sequelize('postgres://x')\n"
        "export const T = s.define('T', {}, { schema: 's' })\n",
        "import { Model } from 'sequelize'\nexport class T extends Model {}\nT.init({}, { sequelize, schema: 's' })\n",
        "import { Table, Model } from 'sequelize-typescript'\n"
        "@Table({ schema: 's' })\nexport class T extends Model {}\n",
        *(f"import {{ T }} from './t'\nexport const f = () => T.{m}()\n" for m in sorted(READ_METHODS | WRITE_METHODS)),
    ),
)
