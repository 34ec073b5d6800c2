"""Which of one file's facts the resolve stage reads across files. Pure."""
from __future__ import annotations

from hos_lint.model import AccessKind, ExtractResult

# ExtractResult fields that build_context (or zero-config inference) reads across files:
# a change to any of them can change findings in files that did not change.
_SHARED_FACTS = (
    ("models", "Prisma models"),
    ("datasources", "a Prisma datasource"),
    ("relation_defs", "relation definitions"),
    ("grants", "GRANTs"),
    ("connections", "database connection settings"),
    ("client_classes", "Prisma client classes"),
    ("orm_models", "ORM models"),
)
# DDL that changes a relation's existence or shape; indexes, triggers, comments and
# refreshes do not change who owns what.
_LOCAL_DDL_OBJECTS = frozenset({"INDEX", "TRIGGER"})


def shared_facts(result: ExtractResult) -> str | None:
    """What in one file's extraction other files' findings can depend on (None: nothing).

    ``--changed-since`` widens to the whole project when a changed file (as it is
    now, or as it was at the merge-base) has any: the facts build_context merges,
    and SQL that creates, alters or drops a relation or view.
    """
    for name, what in _SHARED_FACTS:
        if getattr(result, name):
            return what
    for access in result.accesses:
        words = access.operation.split()
        if (access.kind is AccessKind.DDL and len(words) >= 2 and words[0] in ("CREATE", "ALTER", "DROP")
                and words[1] not in _LOCAL_DDL_OBJECTS):
            return access.operation
    return None
