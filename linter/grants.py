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

Every name in the script comes from the manifest or the checked code, so all
SQL text is written by the functions under "SQL text" and nowhere else:
identifiers are always double-quoted (``quote_ident``), string constants are
escaped whatever ``standard_conforming_strings`` says (``quote_literal``),
``DO`` bodies get a dollar-quote tag that does not occur in them
(``do_block``, ``dollar_tag``), and comment text shows control characters as escapes
(``comment``). Names the script would use as identifiers are checked first
(``GrantsError``, exit 2): not empty, no control, bidirectional-override or
undecodable character, at most 63 bytes (PostgreSQL cuts longer names, which
could then name another object), no role name PostgreSQL reserves (``public``,
``none``, ``current_user``, ``session_user``, ``current_role``, ``pg_*``, in
any case) and no rights on system schemas (``pg_*``, ``information_schema``).
"""
from __future__ import annotations

from dataclasses import dataclass

from hos_lint.context import ProjectContext
from hos_lint.manifest import AllowEntry, Manifest, ManifestError, ServiceConfig
from hos_lint.model import Location, RelationKind
from hos_lint.ownership import Ownership
from hos_lint.safe import is_printable, printable

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
VIEW_WRITE_PRIVILEGES = "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"

# Role names PostgreSQL gives a meaning of its own (``public`` is every role;
# ``GRANT … TO "public"`` grants to PUBLIC even quoted) or refuses; refused in
# any case, so no script that folds case can reach them. ``pg_`` is reserved
# for PostgreSQL's predefined roles, and ``pg_*``/``information_schema`` are
# its system schemas.
RESERVED_ROLES = frozenset({"public", "none", "current_user", "session_user", "current_role"})
RESERVED_PREFIX = "pg_"
MAX_NAME_BYTES = 63  # NAMEDATALEN - 1: PostgreSQL truncates longer identifiers


class UnknownService(ValueError):
    """``--service NAME`` names no service of the manifest."""


class GrantsError(ManifestError):
    """Names the script cannot use safely, one ``file:line: key: message`` each (exit 2)."""


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

    @property
    def creates_role(self) -> bool:
        """Whether the script creates this service's role: it owns something (a schema or public tables)."""
        return bool(self.schema or self.public_tables)


def plan_grants(manifest: Manifest, context: ProjectContext | None = None,
                service: str | None = None) -> tuple[ServiceGrants, ...]:
    """One ``ServiceGrants`` per service (sorted by name), or only ``service``.

    ``context`` (a ``ProjectContext``) is optional; it only adds the known
    views of each schema to the script's comments. Raises ``UnknownService``,
    and ``GrantsError`` listing every name the script cannot use.
    """
    services = sorted(manifest.services, key=lambda s: s.name)
    if service is not None:
        services = [s for s in services if s.name == service]
        if not services:
            known = ", ".join(printable(s) for s in sorted(s.name for s in manifest.services)) or "none"
            raise UnknownService(f"--service {printable(service)}: no such service in the manifest "
                                 f"(services: {known})")
    plans = tuple(_plan(manifest, svc, context) for svc in services)
    errors = [e for svc, plan in zip(services, plans) for e in _name_errors(manifest, svc, plan)]
    if errors:
        raise GrantsError(errors)
    return plans


def _plan(manifest: Manifest, svc: ServiceConfig, context: ProjectContext | None) -> ServiceGrants:
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


def _known_views(context: ProjectContext | None, schema: str | None) -> tuple[str, ...]:
    if context is None or schema is None:
        return ()
    views = (RelationKind.VIEW, RelationKind.MATVIEW)
    return tuple(sorted(f"{s}.{n}" for (s, n), known in context.names.relations.items()
                        if s == schema and known.relation.kind in views))


# --- the names the script uses ------------------------------------------------------------


def _name_errors(manifest: Manifest, svc: ServiceConfig, plan: ServiceGrants) -> list[str]:
    """Every identifier of this service's section that PostgreSQL would read otherwise than meant."""
    if not plan.creates_role:
        return []
    key = f"services.{printable(svc.name)}"
    out = []
    problem = _role_problem(plan.role)
    if svc.role is None and svc.schema and problem == _identifier_problem(plan.role):
        problem = None  # named after a schema the script cannot use either: reported once, below
    if problem and svc.role is None:
        source = "schema" if svc.schema else "service name"
        out.append(_error(svc.location, key, f'the role would be named "{printable(plan.role)}" after its {source}, '
                                             f"but {problem}; set `role:` to a name of its own"))
    elif problem:
        out.append(_error(svc.location, f"{key}.role", f'"{printable(plan.role)}": {problem}'))
    if plan.schema:
        problem = _schema_problem(plan.schema)
        if problem:
            out.append(_error(svc.schema_location or svc.location, f"{key}.schema",
                              f'"{printable(plan.schema)}": {problem}'))
    out += [_error(svc.location, f"{key}.tables", f'"{printable(t)}": {problem}')
            for t in plan.public_tables if (problem := _identifier_problem(t))]
    for i, entry in enumerate(manifest.allow):
        if entry.service == svc.name:
            out += _read_errors(entry, f"allow.{i}.read")
    return out


def _read_errors(entry: AllowEntry, key: str) -> list[str]:
    out = []
    for name in entry.read:
        read = _allowed(name, "")
        problem = _schema_problem(read.schema) or _identifier_problem(read.name)
        if problem:
            out.append(_error(entry.location, key, f'"{printable(name)}": {problem}'))
    return out


def _role_problem(role: str) -> str | None:
    if role.lower() == "public":
        return "a role name PostgreSQL reserves, in any letter case (PUBLIC means every role)"
    if role.lower() in RESERVED_ROLES:
        return f"a role name PostgreSQL reserves, in any letter case ({role.upper()} is a role keyword)"
    if role.lower().startswith(RESERVED_PREFIX):
        return "PostgreSQL reserves role names starting with pg_, in any letter case, for its own roles"
    return _identifier_problem(role)


def _schema_problem(schema: str) -> str | None:
    if schema.lower().startswith(RESERVED_PREFIX) or schema.lower() == "information_schema":
        return "a PostgreSQL system schema: the script never grants rights on one"
    return _identifier_problem(schema)


def _identifier_problem(name: str) -> str | None:
    if not name:
        return "an empty name"
    if not is_printable(name):
        return "the name holds a control, bidirectional or undecodable character (shown escaped)"
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return (f"{size} bytes long; PostgreSQL keeps only the first {MAX_NAME_BYTES}, "
                "which could name another object")
    return None


def _error(location: Location | None, key: str, message: str) -> str:
    where = f"{location.path}:{location.line}: " if location else ""
    return f"{where}{key}: {message}"



# --- SQL text: every piece of SQL the script holds is written here -----------------------


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, always double-quoted (``"`` doubled): no keyword
    list to keep, and the name keeps its exact case. ``plan_grants`` refuses bad
    names first; a name that still reaches here unchecked raises ``ValueError``."""
    problem = _identifier_problem(name)
    if problem:
        raise ValueError(f'identifier "{printable(name)}": {problem}')
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A string constant read the same whatever ``standard_conforming_strings``
    says: ``'`` doubled, and with a backslash an ``E''`` string with the
    backslash doubled (PostgreSQL's own ``quote_literal`` does the same)."""
    if not is_printable(text):
        raise ValueError(f"string constant '{printable(text)}' holds a control character")
    body = text.replace("'", "''")
    if "\\" in text:
        return "E'" + body.replace("\\", "\\\\") + "'"
    return "'" + body + "'"


def dollar_tag(body: str) -> str:
    """``$grants$``, or ``$grants1$``, ... when the body holds it: a dollar-quoted
    string with this tag ends exactly where ``body`` does."""
    tag, n = "$grants$", 0
    while (body + tag).find(tag) != len(body):
        n += 1
        tag = f"$grants{n}$"
    return tag


def comment(text: str) -> str:
    """One ``--`` comment line: control characters (a newline would end the
    comment and start live SQL) are shown as escapes."""
    return "-- " + printable(text)


def do_block(*lines: str) -> list[str]:
    """An anonymous PL/pgSQL block (``DO``) holding ``lines``, dollar-quoted."""
    tag = dollar_tag("\n".join(("", *lines, "")))
    return [f"DO {tag}", *lines, f"{tag};"]


# --- the script ------------------------------------------------------------------------------

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


def generate_grants(manifest: Manifest, context: ProjectContext | None = None,
                    service: str | None = None) -> str:
    """``render_grants(plan_grants(...))``: the ``hos-lint grants`` output."""
    return render_grants(plan_grants(manifest, context, service))


def _section(plan: ServiceGrants) -> str:
    where = f"schema {plan.schema}" if plan.schema else "no schema"
    lines = [comment(f"{plan.service}: {where}, role {plan.role}")]
    if not plan.creates_role:
        return "\n".join(lines + [comment("owns no schema and no public tables: no role is created"), ""])
    lines += _create_role(plan.role)
    if plan.schema:
        lines += _own_schema(plan)
    if plan.public_tables:
        lines += _public_tables(plan.public_tables, plan.role)
    lines += _allowances(plan, quote_ident(plan.role))
    return "\n".join(lines + [""])


def _create_role(role: str) -> list[str]:
    return do_block(
        "BEGIN",
        f"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(role)}) THEN",
        f"    CREATE ROLE {quote_ident(role)} NOLOGIN;",
        "  END IF;",
        "END",
    )


def _own_schema(plan: ServiceGrants) -> list[str]:
    schema, role = quote_ident(plan.schema or ""), quote_ident(plan.role)
    lines = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role};",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {role};",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {role};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {role};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role};",
        comment("Views stay read-only: ALL TABLES above includes them, and a write through a view"),
        comment("runs with the view owner's rights on the table it reads (HOS104)."),
    ]
    if plan.views:
        lines.append(comment("Views in this schema known to hos-lint: " + ", ".join(plan.views)))
    return lines + _revoke_view_writes(plan.schema or "", plan.role)


def _revoke_view_writes(schema: str, role: str) -> list[str]:
    """Every view and materialized view in the schema, whether hos-lint knows it or not.

    ``schema`` and ``role`` go in as string constants: ``format('%I')`` quotes them
    (and each view's name) in the database."""
    return do_block(
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
    )


def _public_tables(tables: tuple[str, ...], role: str) -> list[str]:
    lines = [comment("the public tables it claims in the manifest (`tables:`)"),
             f"GRANT USAGE ON SCHEMA public TO {quote_ident(role)};"]
    lines += [f"GRANT {TABLE_PRIVILEGES} ON public.{quote_ident(t)} TO {quote_ident(role)};" for t in tables]
    return lines + _owned_sequences(tables, role)


def _owned_sequences(tables: tuple[str, ...], role: str) -> list[str]:
    """The sequences behind the tables' serial and identity columns (their names are not
    in the source), so inserts that take a default id work. ``role`` is the raw name:
    ``format('%I')`` quotes it, like the sequence's."""
    names = ", ".join(quote_literal(t) for t in tables)
    return do_block(
        "DECLARE s record;",
        "BEGIN",
        "  FOR s IN SELECT seq.relname FROM pg_catalog.pg_depend d",
        "           JOIN pg_catalog.pg_class seq ON seq.oid = d.objid AND seq.relkind = 'S'",
        "           JOIN pg_catalog.pg_class t ON t.oid = d.refobjid",
        "           JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace AND n.oid = seq.relnamespace",
        f"           WHERE n.nspname = 'public' AND t.relname IN ({names}) AND d.deptype IN ('a', 'i')",
        "           ORDER BY seq.relname LOOP",
        f"    EXECUTE format('GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCE public.%I TO %I', s.relname, "
        f"{quote_literal(role)});",
        "  END LOOP;",
        "END",
    )


def _allowances(plan: ServiceGrants, role: str) -> list[str]:
    lines = []
    for schema in sorted({r.schema for r in plan.allowed_reads} - {plan.schema}):
        lines.append(f"GRANT USAGE ON SCHEMA {quote_ident(schema)} TO {role};  -- for the allow: reads below")
    for r in plan.allowed_reads:
        lines.append(comment("allow: " + " ".join(r.reason.split())))  # a reason may span lines
        lines.append(f"GRANT SELECT ON {quote_ident(r.schema)}.{quote_ident(r.name)} TO {role};")
    lines += [comment(f"allow: write {name} is not granted: Phase 5 grants no write on another service's data; "
                      "call its API or publish an event") for name in plan.refused_writes]
    return lines
