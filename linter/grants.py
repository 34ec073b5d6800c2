"""``hos-lint grants``: the Phase 5 least-privilege roles as a SQL script.

Pure: ``plan_grants`` reads the manifest (and, when given, the project context
for the views it knows) and returns one frozen ``ServiceGrants`` per service;
``render_grants`` writes them as SQL; ``generate_grants`` does both.

What each service's role gets (the role is the service's ``role:`` or its
schema name, the same naming HOS301 checks existing grants against):
- ``CREATE ROLE … NOLOGIN`` when missing: no password is ever written;
- ``USAGE`` on its own schema, every table privilege on its tables and
  ``USAGE, SELECT, UPDATE`` on its sequences, now and (``ALTER DEFAULT
  PRIVILEGES``) for tables and sequences created there later;
- ``SELECT`` only on the views of its own schema: write privileges on views
  are revoked, because PostgreSQL runs a write through a simple view with the
  view owner's rights, which would reopen the write to the table it reads
  (HOS104). The view itself reads its base tables with its owner's rights, so
  the role needs nothing on the other service's table;
- the same table rights on the ``public`` tables it claims with ``tables:``
  (a legacy service, or tables not moved yet; a table claimed twice, HOS204,
  goes to its first claimant only);
- nothing on other schemas, except each reviewed ``allow:`` read, which
  becomes an explicit ``SELECT`` with the entry's reason as a comment.
  ``allow:`` writes are listed as comments and never granted.

Every statement is idempotent (``GRANT``/``REVOKE`` are, roles are created
only when missing), and the script runs in one transaction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from linter.manifest import Manifest, ServiceConfig
from linter.model import RelationKind
from linter.ownership import Ownership

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
VIEW_WRITE_PRIVILEGES = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"

# PostgreSQL's reserved key words (SQL Key Words appendix, "reserved" and
# "reserved (can be function or type)"): an identifier spelt like one must be quoted.
RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation
column concurrently constraint create cross current_catalog current_date current_role current_schema current_time
current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze
from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit
localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references
returning right select session_user similar some symmetric system_user table tablesample then to trailing true union
unique user using variadic verbose when where window with
""".split())
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*\Z")


class UnknownService(ValueError):
    """``--service NAME`` names no service of the manifest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowedRead:
    schema: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceGrants:
    """Everything one service's role is given."""

    service: str
    role: str
    schema: str | None
    public_tables: tuple[str, ...] = ()
    views: tuple[str, ...] = ()  # schema.name of views hos-lint knows in the service's schema
    allowed_reads: tuple[AllowedRead, ...] = ()
    refused_writes: tuple[str, ...] = ()  # allow: write entries, listed but not granted


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier: bare when it is lower-case and not reserved, else double-quoted."""
    if _PLAIN.match(name) and name not in RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def plan_grants(manifest: Manifest, context=None, service: str | None = None) -> tuple[ServiceGrants, ...]:
    """One ``ServiceGrants`` per service (sorted by name), or only ``service``.

    ``context`` (a ``ProjectContext``) is optional; it only adds the known
    views of each schema to the script's comments. Raises ``UnknownService``.
    """
    services = sorted(manifest.services, key=lambda s: s.name)
    if service is not None:
        services = [s for s in services if s.name == service]
        if not services:
            known = ", ".join(sorted(s.name for s in manifest.services)) or "none"
            raise UnknownService(f"--service {service}: no such service in the manifest (services: {known})")
    return tuple(_plan(manifest, svc, context) for svc in services)


def _plan(manifest: Manifest, svc: ServiceConfig, context) -> ServiceGrants:
    owners = Ownership.of(manifest)  # a public table claimed twice (HOS204) goes to its first claimant
    reads: list[AllowedRead] = []
    writes: list[str] = []
    for entry in manifest.allow:
        if entry.service == svc.name:
            reads += [_allowed(name, entry.reason) for name in entry.read]
            writes += entry.write
    return ServiceGrants(
        service=svc.name,
        role=svc.role_name,
        schema=svc.schema,
        public_tables=tuple(sorted(t for t in set(svc.tables) if owners.public_tables.get(t) == svc.name)),
        views=_known_views(context, svc.schema),
        allowed_reads=tuple(sorted(set(reads), key=lambda r: (r.schema, r.name, r.reason))),
        refused_writes=tuple(sorted(set(writes))),
    )


def _allowed(name: str, reason: str) -> AllowedRead:
    """``schema.name``, or a bare name for a ``public`` table (as HOS102 matches them)."""
    schema, dot, rel = name.partition(".")
    return AllowedRead(schema=schema if dot else "public", name=rel if dot else name, reason=reason)


def _known_views(context, schema: str | None) -> tuple[str, ...]:
    if context is None or schema is None:
        return ()
    views = (RelationKind.VIEW, RelationKind.MATVIEW)
    return tuple(sorted(f"{s}.{n}" for (s, n), known in context.relations.items()
                        if s == schema and known.relation.kind in views))


# --- SQL ---------------------------------------------------------------------------------

HEADER = """\
-- Phase 5 database roles, generated by `hos-lint grants` from the ownership manifest.
-- One NOLOGIN role per service: USAGE and every table and sequence privilege on its own
-- schema (also for tables created there later), SELECT only on the views in its own
-- schema, nothing on other schemas except the reviewed `allow:` reads listed below.
-- Idempotent: run it again after every migration that adds tables or views.
-- Run it as the role that runs the migrations: ALTER DEFAULT PRIVILEGES covers the
-- tables and sequences that this role creates later.
-- No password is written here. To let a service log in, run once, out of band:
--   ALTER ROLE <role> WITH LOGIN PASSWORD '<from your secret store>';
"""


def render_grants(plans: tuple[ServiceGrants, ...]) -> str:
    """The SQL script for these plans, in one transaction."""
    body = [_section(p) for p in plans]
    return HEADER + "\nBEGIN;\n\n" + "\n".join(body) + "\nCOMMIT;\n"


def generate_grants(manifest: Manifest, context=None, service: str | None = None) -> str:
    """``render_grants(plan_grants(...))``: the ``hos-lint grants`` output."""
    return render_grants(plan_grants(manifest, context, service))


def _section(plan: ServiceGrants) -> str:
    role = quote_ident(plan.role)
    where = f"schema {plan.schema}" if plan.schema else "no schema"
    lines = [f"-- {plan.service}: {where}, role {plan.role}"]
    if not plan.schema and not plan.public_tables:
        return "\n".join(lines + ["-- owns no schema and no public tables: no role is created", ""])
    lines += _create_role(plan.role)
    if plan.schema:
        lines += _own_schema(plan)
    if plan.public_tables:
        lines += _public_tables(plan.public_tables, role)
    lines += _allowances(plan, role)
    return "\n".join(lines + [""])


def _create_role(role: str) -> list[str]:
    return [
        "DO $grants$",
        "BEGIN",
        f"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(role)}) THEN",
        f"    CREATE ROLE {quote_ident(role)} NOLOGIN;",
        "  END IF;",
        "END",
        "$grants$;",
    ]


def _own_schema(plan: ServiceGrants) -> list[str]:
    schema, role = quote_ident(plan.schema or ""), quote_ident(plan.role)
    lines = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role};",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {role};",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {role};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {role};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role};",
        "-- Views stay read-only: ALL TABLES above includes them, and a write through a view",
        "-- runs with the view owner's rights on the table it reads (HOS104).",
    ]
    if plan.views:
        lines.append("-- Views in this schema known to hos-lint: " + ", ".join(plan.views))
    return lines + _revoke_view_writes(plan.schema or "", plan.role)


def _revoke_view_writes(schema: str, role: str) -> list[str]:
    """Every view and materialized view in the schema, whether hos-lint knows it or not.

    ``schema`` and ``role`` are raw names: ``format('%I')`` quotes them in the database."""
    return [
        "DO $grants$",
        "DECLARE v record;",
        "BEGIN",
        "  FOR v IN SELECT c.relname FROM pg_catalog.pg_class c",
        "           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
        f"           WHERE n.nspname = {quote_literal(schema)} AND c.relkind IN ('v', 'm')",
        "           ORDER BY c.relname LOOP",
        f"    EXECUTE format('REVOKE {VIEW_WRITE_PRIVILEGES} ON %I.%I FROM %I', "
        f"{quote_literal(schema)}, v.relname, {quote_literal(role)});",
        "  END LOOP;",
        "END",
        "$grants$;",
    ]


def _public_tables(tables: tuple[str, ...], role: str) -> list[str]:
    lines = ["-- the public tables it claims in the manifest (`tables:`)",
             f"GRANT USAGE ON SCHEMA public TO {role};"]
    lines += [f"GRANT {TABLE_PRIVILEGES} ON public.{quote_ident(t)} TO {role};" for t in tables]
    return lines + _owned_sequences(tables, role)


def _owned_sequences(tables: tuple[str, ...], role: str) -> list[str]:
    """The sequences behind the tables' serial and identity columns (their names are not
    in the source), so inserts that take a default id work."""
    names = ", ".join(quote_literal(t) for t in tables)
    return [
        "DO $grants$",
        "DECLARE s record;",
        "BEGIN",
        "  FOR s IN SELECT seq.relname FROM pg_catalog.pg_depend d",
        "           JOIN pg_catalog.pg_class seq ON seq.oid = d.objid AND seq.relkind = 'S'",
        "           JOIN pg_catalog.pg_class t ON t.oid = d.refobjid",
        "           JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace AND n.oid = seq.relnamespace",
        f"           WHERE n.nspname = 'public' AND t.relname IN ({names}) AND d.deptype IN ('a', 'i')",
        "           ORDER BY seq.relname LOOP",
        f"    EXECUTE format('GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCE public.%I TO %s', s.relname, "
        f"{quote_literal(role)});",
        "  END LOOP;",
        "END",
        "$grants$;",
    ]


def _allowances(plan: ServiceGrants, role: str) -> list[str]:
    lines = []
    for schema in sorted({r.schema for r in plan.allowed_reads} - {plan.schema}):
        lines.append(f"GRANT USAGE ON SCHEMA {quote_ident(schema)} TO {role};  -- for the allow: reads below")
    for r in plan.allowed_reads:
        lines.append(f"-- allow: {_one_line(r.reason)}")
        lines.append(f"GRANT SELECT ON {quote_ident(r.schema)}.{quote_ident(r.name)} TO {role};")
    for name in plan.refused_writes:
        lines.append(f"-- allow: write {name} is not granted: Phase 5 grants no write on another "
                     "service's data; call its API or publish an event")
    return lines


def _one_line(text: str) -> str:
    """A reason as one SQL comment line (a newline would end the comment)."""
    return " ".join(text.split())
