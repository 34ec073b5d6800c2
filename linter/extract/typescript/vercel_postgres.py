"""``@vercel/postgres``: ``sql`…``` templates are queries.

The tag is the package's ``sql`` export, or the ``sql`` member of its
``db``, ``createPool()`` and ``createClient()`` values; interpolations are
bind parameters. ``.query('…')`` on those values is raw SQL (``raw_sql``).
"""
from __future__ import annotations

from hos_lint.extract.typescript import sql_text
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import tag_function
from hos_lint.model import Via

PACKAGES = frozenset(("@vercel/postgres",))
VIA = Via.VERCEL_POSTGRES


def recognise(site: CallSite, facts: FileFacts) -> None:
    """``sql`…``` with ``sql`` from ``@vercel/postgres`` (or ``pool.sql`…```)."""
    if site.arguments is None or site.arguments.type != "template_string":
        return
    origin = facts.origins.of(tag_function(site.function), site.scope)
    if origin is None or origin.package not in PACKAGES:
        return
    if (origin.export == "sql" and not origin.steps) or origin.steps[-1:] == (".sql",):
        sql_text.analyse(site.call, site.arguments, facts, via=VIA, require_sql=True)


KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=frozenset((b"@vercel/postgres",)),
    examples=("import { sql } from '@vercel/postgres';\nconst { rows } = await sql`SELECT * FROM t`;",),
)
