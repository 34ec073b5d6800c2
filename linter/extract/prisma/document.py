"""The parsed Prisma document: blocks, their members and the values of
attributes and properties (frozen records; ``parser`` builds them)."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class ValueKind(enum.Enum):
    STRING = "string"
    NUMBER = "number"
    PATH = "path"  # identifiers and constants: Cascade, true, db.Text
    ARRAY = "array"
    CALL = "call"  # env("X"), now(), a(sort: Desc)


@dataclass(frozen=True, slots=True, kw_only=True)
class Value:
    """One expression. ``text`` is the source as written; ``value`` is the
    decoded string (STRING), the digits (NUMBER) or the name (PATH, CALL)."""

    kind: ValueKind
    text: str
    line: int
    col: int
    value: str = ""
    items: tuple[Value, ...] = ()  # ARRAY
    args: tuple[Argument, ...] = ()  # CALL

    def strings(self) -> tuple[str, ...]:
        """The string items of an array value (non-strings skipped); () otherwise."""
        return tuple(i.value for i in self.items if i.kind is ValueKind.STRING)

    def names(self) -> tuple[str, ...]:
        """The names in an array of paths or calls (``[a, b(sort: Desc)]``)."""
        return tuple(i.value for i in self.items if i.kind in (ValueKind.PATH, ValueKind.CALL))


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    name: str | None  # None for a positional argument
    value: Value
    line: int
    col: int


def _find_argument(args: tuple[Argument, ...], name: str, position: int | None) -> Value | None:
    """The argument called ``name``, else the ``position``-th positional one."""
    for arg in args:
        if arg.name == name:
            return arg.value
    positional = [a.value for a in args if a.name is None]
    if position is not None and position < len(positional):
        return positional[position]
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    """``@name(args)`` or ``@@name(args)``; ``name`` has no ``@``; line/col of the ``@``."""

    name: str
    args: tuple[Argument, ...]
    line: int
    col: int

    def argument(self, name: str, position: int | None = None) -> Value | None:
        return _find_argument(self.args, name, position)

    def string(self, name: str, position: int | None = None) -> str | None:
        """The decoded string argument, or None when absent or not a string."""
        value = self.argument(name, position)
        return value.value if value is not None and value.kind is ValueKind.STRING else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A model/view/type field; line/col of its name."""

    name: str
    type: str  # "Unsupported" for Unsupported("..."), whose argument is type_arg
    line: int
    col: int
    optional: bool = False
    is_list: bool = False
    type_arg: str | None = None
    attributes: tuple[Attribute, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Property:
    """``key = value`` inside a datasource or generator; line/col of the key."""

    key: str
    value: Value
    line: int
    col: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumValue:
    name: str
    line: int
    col: int
    attributes: tuple[Attribute, ...] = ()


class BlockKind(enum.Enum):
    MODEL = "model"
    VIEW = "view"
    TYPE = "type"
    ENUM = "enum"
    DATASOURCE = "datasource"
    GENERATOR = "generator"


KEYWORDS = frozenset(k.value for k in BlockKind)


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """A top-level block; line/col of its keyword. ``complete`` is False when a
    parse error cut it short (its members are those read before the error)."""

    kind: BlockKind
    name: str
    line: int
    col: int
    fields: tuple[Field, ...] = ()
    attributes: tuple[Attribute, ...] = ()  # block attributes (@@...)
    properties: tuple[Property, ...] = ()  # datasource / generator
    values: tuple[EnumValue, ...] = ()  # enum
    complete: bool = True

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def property(self, key: str) -> Property | None:
        return next((p for p in self.properties if p.key == key), None)


@dataclass(frozen=True, slots=True)
class ParseError:
    line: int
    col: int
    message: str


@dataclass(frozen=True, slots=True)
class PrismaDocument:
    blocks: tuple[Block, ...]
    errors: tuple[ParseError, ...]
