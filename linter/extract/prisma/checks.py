"""The attributes the facts come from, checked the way Prisma checks them
(``@@map``/``@map``/``@@schema`` take one string, ``@relation`` names and
field lists, datasource ``provider``/``url``/``schemas``, model and field
names): a block failing one is left out, with one error per failed check."""
from __future__ import annotations

from hos_lint.extract.prisma.document import Attribute, Block, BlockKind, ParseError, Property, Value, ValueKind


def check_block(block: Block) -> list[ParseError]:
    """What Prisma would reject about the parts of ``block`` hos-lint reads:
    table, column and schema names, relations, datasource settings."""
    if block.kind in (BlockKind.MODEL, BlockKind.VIEW):
        return _check_model(block)
    if block.kind is BlockKind.DATASOURCE:
        return _check_datasource(block)
    if block.kind is BlockKind.ENUM:
        return _check_enum(block)
    return []


def _check_enum(block: Block) -> list[ParseError]:
    """Enums are no tables, but their ``@@map`` / ``@@schema`` / ``@map`` follow
    the same rules (a schema breaking them is no schema Prisma runs)."""
    errors = _check_unique_attributes(block.attributes, "@@")
    errors += _check_map_and_schema(block.attributes)
    for value in block.values:
        errors += _check_unique_attributes(value.attributes, "@")
        for attr in value.attributes:
            if attr.name == "map":
                errors += _check_one_string(attr, "@map", "name")
    return errors


def _check_map_and_schema(attributes: tuple[Attribute, ...]) -> list[ParseError]:
    errors = []
    for attr in attributes:
        if attr.name == "map":
            errors += _check_one_string(attr, "@@map", "name")
        elif attr.name == "schema":
            errors += _check_one_string(attr, "@@schema", "map")
    return errors


def _check_model(block: Block) -> list[ParseError]:
    label = block.kind.value
    errors = _check_name(block.name, label, block.line, block.col)
    errors += _check_unique_attributes(block.attributes, "@@")
    errors += _check_map_and_schema(block.attributes)
    for field in block.fields:
        errors += _check_name(field.name, "field", field.line, field.col)
        errors += _check_unique_attributes(field.attributes, "@")
        for attr in field.attributes:
            if attr.name == "map":
                errors += _check_one_string(attr, "@map", "name")
            elif attr.name == "relation":
                errors += _check_relation(attr)
    return errors


def _check_name(name: str, what: str, line: int, col: int) -> list[ParseError]:
    if name[:1].isdigit():
        return [ParseError(line, col, f"the name of a {what} must not start with a digit: '{name}'")]
    if "-" in name:
        return [ParseError(line, col, f"'-' is not allowed in {what} names: '{name}'")]
    return []


_FACT_ATTRIBUTES = frozenset({"map", "schema", "relation"})


def _check_unique_attributes(attributes: tuple[Attribute, ...], marker: str) -> list[ParseError]:
    seen: set[str] = set()
    errors = []
    for attr in attributes:
        if attr.name in _FACT_ATTRIBUTES and attr.name in seen:
            errors.append(ParseError(attr.line, attr.col, f"{marker}{attr.name} is given twice"))
        seen.add(attr.name)
    return errors


def _check_one_string(attr: Attribute, label: str, arg_name: str) -> list[ParseError]:
    """``label("x")`` or ``label(arg_name: "x")``: one string, nothing else."""
    args = attr.args
    if (len(args) == 1 and args[0].name in (None, arg_name)
            and args[0].value.kind is ValueKind.STRING):
        return []
    return [ParseError(attr.line, attr.col,
                       f'{label} takes exactly one string argument ({label}("...") or '
                       f'{label}({arg_name}: "..."))')]


_RELATION_ARGUMENTS = frozenset({"name", "fields", "references", "map", "onDelete", "onUpdate"})


def _check_relation(attr: Attribute) -> list[ParseError]:
    """``@relation("name"?, fields: f, references: r, map: "fk", onDelete: X, onUpdate: Y)``,
    where ``f`` and ``r`` are a field name or a list of field names."""
    errors = []
    positional = [a for a in attr.args if a.name is None]
    named = [a.name for a in attr.args if a.name is not None]
    if len(positional) > 1 or (positional and "name" in named):
        errors.append(ParseError(attr.line, attr.col, "@relation takes one unnamed argument, its name"))
    for arg in attr.args:
        key, value = arg.name or "name", arg.value
        if arg.name is not None and (arg.name not in _RELATION_ARGUMENTS or named.count(arg.name) > 1):
            errors.append(ParseError(arg.line, arg.col,
                                     f"@relation: unknown or repeated argument '{arg.name}'"))
        elif key in ("name", "map") and value.kind is not ValueKind.STRING:
            errors.append(ParseError(arg.line, arg.col, f"@relation: '{key}' must be a string"))
        elif key in ("fields", "references") and not _field_names(value):
            errors.append(ParseError(arg.line, arg.col,
                                     f"@relation: '{key}' must be a field name or a list of field names"))
    return errors


def _field_names(value: Value) -> bool:
    """A bare name (``aId``) or a non-empty list of bare names (``[a, b]``)."""
    if value.kind is ValueKind.PATH:
        return True
    return (value.kind is ValueKind.ARRAY and bool(value.items)
            and all(i.kind is ValueKind.PATH for i in value.items))


def _check_datasource(block: Block) -> list[ParseError]:
    errors = []
    seen: set[str] = set()
    for prop in block.properties:
        if prop.key in seen and prop.key in ("provider", "url", "schemas"):
            errors.append(ParseError(prop.line, prop.col, f"datasource property '{prop.key}' is given twice"))
        seen.add(prop.key)
        value = prop.value
        if prop.key == "provider" and value.kind is not ValueKind.STRING:
            errors.append(ParseError(prop.line, prop.col, "datasource 'provider' must be a string"))
        elif prop.key == "url" and value.kind is not ValueKind.STRING and env_argument(value) is None:
            errors.append(ParseError(prop.line, prop.col,
                                     "datasource 'url' must be a string or env(\"VARIABLE\")"))
        elif prop.key == "schemas":
            errors += _check_schemas(prop)
    return errors


def _check_schemas(prop: Property) -> list[ParseError]:
    value = prop.value
    names = (value.value,) if value.kind is ValueKind.STRING else value.strings()
    if value.kind is ValueKind.ARRAY and len(names) != len(value.items):
        return [ParseError(prop.line, prop.col, "datasource 'schemas' must list strings")]
    if value.kind not in (ValueKind.STRING, ValueKind.ARRAY) or not names:
        return [ParseError(prop.line, prop.col, "datasource 'schemas' must be a non-empty list of strings")]
    if len(set(names)) != len(names):
        return [ParseError(prop.line, prop.col, "datasource 'schemas' lists a schema twice")]
    return []


def env_argument(value: Value) -> str | None:
    """VAR from ``env("VAR")``: Prisma takes the one string argument whatever
    its name (``env(name: "VAR")`` only draws a warning). None otherwise."""
    if value.kind is not ValueKind.CALL or value.value != "env" or len(value.args) != 1:
        return None
    arg = value.args[0].value
    return arg.value if arg.kind is ValueKind.STRING else None
