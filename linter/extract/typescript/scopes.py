"""The lexical scope model: which names (and ``this`` fields) denote a client.

Clients are recognised without type information. A scope maps each name
declared in it to what it denotes: a ``Client`` or None (declared, not a
client), and the names whose declaration has an ``Origin`` (``imports``) to it.
``bindings`` fills scopes as the walk enters them; ``prisma_clients`` decides
what a declaration's type or value denotes, ``imports`` where it comes from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hos_lint.extract.typescript.origin import Origin


@dataclass(frozen=True, slots=True)
class Client:
    """A recognised Prisma client: ``client_type`` None when definite, else the
    declared type name resolution must confirm extends PrismaClient."""

    client_type: str | None = None


DEFINITE = Client()


class This:
    """What ``this`` means in a class body: its declared fields and itself, as
    clients and as origins (``origin``: the class extends an imported class)."""

    def __init__(
        self, fields: dict[str, Client | None], itself: Client | None,
        field_origins: dict[str, Origin] | None = None, origin: Origin | None = None,
    ) -> None:
        self.fields = fields
        self.itself = itself
        self.field_origins: dict[str, Origin] = {} if field_origins is None else field_origins
        self.origin = origin


NO_THIS = This({}, None)


class Scope:
    """One lexical scope: names declared in it (None: declared, not a client)."""

    def __init__(self, parent: Scope | None, this: This) -> None:
        self.parent = parent
        self.this = this
        self.names: dict[str, Client | None] = {}
        self.origins: dict[str, Origin] = {}

    def lookup(self, name: str) -> tuple[bool, Client | None]:
        """(declared anywhere in the chain, client info of the closest declaration)."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None
