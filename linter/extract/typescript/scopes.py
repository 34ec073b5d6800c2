"""The lexical scope model: which names (and ``this`` fields) denote a client.

Clients are recognised without type information. A scope maps each name
declared in it to what it denotes: a ``Client`` or None (declared, not a
client). ``bindings`` fills scopes as the walk enters them;
``prisma_clients`` decides what a declaration's type or value denotes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Client:
    """A recognised Prisma client: ``client_type`` None when definite, else the
    declared type name resolution must confirm extends PrismaClient."""

    client_type: str | None = None


DEFINITE = Client()


class This:
    """What ``this`` means in a class body: its declared fields and itself."""

    def __init__(self, fields: dict[str, Client | None], itself: Client | None) -> None:
        self.fields = fields
        self.itself = itself


NO_THIS = This({}, None)


class Scope:
    """One lexical scope: names declared in it (None: declared, not a client)."""

    def __init__(self, parent: Scope | None, this: This) -> None:
        self.parent = parent
        self.this = this
        self.names: dict[str, Client | None] = {}

    def lookup(self, name: str) -> tuple[bool, Client | None]:
        """(declared anywhere in the chain, client info of the closest declaration)."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None
