"""The ``Origin`` record: where a value comes from and what was done to it since
(see ``imports``, which works origins out). Apart from ``imports`` so that
``scopes``, which stores origins, and ``imports``, which reads scopes, do not
import each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

NAMESPACE = "*"  # the module object: ``import * as ns``, ``require('m')``
DEFAULT = "default"
CALL = "()"
NEW = "new"
TAG = "``"  # used as a template tag
PARAM = "=>"  # the first parameter of a function passed to it (a transaction callback)
MAX_STEPS = 48  # longer chains are not followed (no library needs more)


@dataclass(frozen=True, slots=True)
class Origin:
    """A value's source: ``module``'s ``export`` (``*``: the module object), then ``steps``.

    A step is ``()`` (called), ``new`` (constructed, or declared with that
    type), ``````` (used as a template tag), ``=>`` (the first parameter of a
    function passed to it) or ``.name`` (a member read). ``node`` is the
    expression (or type) of the last step, ``nodes`` those of every step,
    for reading arguments or type arguments; they take no part in equality.
    """

    module: str
    export: str
    steps: tuple[str, ...] = ()
    node: Node | None = field(default=None, compare=False)
    nodes: tuple[Node, ...] = field(default=(), compare=False)

    @property
    def package(self) -> str:
        """The package part of ``module``: ``drizzle-orm/pg-core`` gives ``drizzle-orm``,
        ``@nestjs/typeorm/dist`` gives ``@nestjs/typeorm``; ``node:`` prefixes dropped;
        a relative module (``./db``) is itself."""
        return _package(self.module)

    def then(self, step: str, node: Node) -> Origin | None:
        """This origin with ``step`` applied (None past ``MAX_STEPS``)."""
        if step.startswith(".") and not self.steps and self.export in (NAMESPACE, DEFAULT):
            return Origin(self.module, step[1:], (), node)
        if len(self.steps) >= MAX_STEPS:
            return None
        return Origin(self.module, self.export, (*self.steps, step), node, (*self.nodes, node))

    def index(self, *steps: str) -> int | None:
        """Where ``steps`` first occur in a row in ``self.steps`` (None: nowhere)."""
        width = len(steps)
        for start in range(len(self.steps) - width + 1):
            if self.steps[start:start + width] == steps:
                return start
        return None

    def is_(self, packages: frozenset[str] | tuple[str, ...], exports: frozenset[str] | tuple[str, ...],
            steps: tuple[str, ...] = ()) -> bool:
        """From one of ``packages``, one of ``exports``, with exactly ``steps`` applied."""
        return self.package in packages and self.export in exports and self.steps == steps


@lru_cache(maxsize=4096)
def _package(module: str) -> str:
    module = module.removeprefix("node:")
    if module.startswith("."):
        return module
    parts = module.split("/")
    return "/".join(parts[:2]) if module.startswith("@") else parts[0]
