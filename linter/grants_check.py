"""``hos-lint grants --check`` and ``--probes``: the Phase 5 roles against the code.

Pure: ``check_grants`` takes the roles ``grants.plan_grants`` plans and the
resolved accesses, and says for each access a service's own code makes whether
that service's role would be allowed it (a ``Verdict``); ``render_check`` lists
the denied ones, ``render_probes`` writes the SQL script that asks PostgreSQL.

What the role of a service is allowed, exactly as ``hos-lint grants`` writes it:
- everything on the tables of its own schema, and only reads on the views and
  materialized views there (a write through a view is denied);
- everything on the ``public`` tables it claims first with ``tables:``;
- reads of the relations its ``allow:`` entries list as ``read``;
- nothing else: no read of another schema without an ``allow:`` read, no write
  on another service's data (``allow:`` writes are never granted), nothing at
  all when the service gets no role (it owns no schema and no public table).

Checked: the reads and writes of a service's own code. Not checked, and said
so in the summary: DDL and foreign keys, and the reads inside a view's
definition, which the role that runs the migrations does (the grants script's
header says to run it as that role); accesses in files of no service (shared
migrations); accesses whose relation is unknown (HOS901 and HOS205 report those).

The probe script switches to each service's role (``SET LOCAL ROLE``) and
tries every (service, relation, access kind) of the graph once per statement
(a read is ``SELECT … LIMIT 0``; a write is ``INSERT … SELECT WHERE false``,
``UPDATE … SET <first column> = DEFAULT WHERE false`` and ``DELETE … WHERE
false``) inside a savepoint that is always rolled back, in a transaction that
is rolled back too, and prints one row per probe. Every name reaches the
script as a string constant written by ``grants.quote_literal`` and becomes
an identifier only through ``format('%I')`` in the database; comments go
through ``grants.comment`` and the ``DO`` block through ``grants.do_block``.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from hos_lint.grants import ServiceGrants, comment, do_block, quote_literal
from hos_lint.model import Access, AccessKind, Location, Relation, RelationKind
from hos_lint.ownership import Ownership
from hos_lint.safe import printable

VIEWS = (RelationKind.VIEW, RelationKind.MATVIEW)
# The statements that try one access kind, in the order the probes run them.
STATEMENTS = {AccessKind.READ: ("SELECT",), AccessKind.WRITE: ("INSERT", "UPDATE", "DELETE")}


class NotChecked(enum.Enum):
    """Why an access is left out of the check (counted in the summary)."""

    MIGRATION = "DDL, foreign-key or view-definition accesses (the migration role runs them)"
    NO_SERVICE = "accesses in files of no service"
    UNRESOLVED = "accesses to relations hos-lint could not resolve"


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """One access a service's code makes, and whether its role would be allowed it."""

    service: str
    role: str | None  # None: the service gets no role
    relation: Relation
    kind: AccessKind  # READ or WRITE
    location: Location
    allowed: bool
    why: str  # what grants or denies it, for people

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.service, self.relation.schema, self.relation.name, self.kind.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantsCheck:
    verdicts: tuple[Verdict, ...]  # sorted by (path, line, col, service, relation, kind)
    not_checked: tuple[tuple[NotChecked, int], ...] = ()  # reasons with a non-zero count

    @property
    def denied(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.allowed)

    def probes(self) -> tuple[Verdict, ...]:
        """One verdict per (service, relation, access kind): its first call site."""
        first: dict[tuple[str, str, str, str], Verdict] = {}
        for v in self.verdicts:
            first.setdefault(v.key, v)
        return tuple(first[k] for k in sorted(first))


def check_grants(plans: Iterable[ServiceGrants], accesses: Iterable[Access], owners: Ownership) -> GrantsCheck:
    """The verdict on every read and write of the planned services' code (see the module doc);
    ``owners`` only names whose data a denied access touches."""
    by_service = {p.service: p for p in plans}
    verdicts: list[Verdict] = []
    skipped: dict[NotChecked, int] = {}
    for a in accesses:
        if a.service is not None and a.service not in by_service:
            raise ValueError(f"an access of {printable(a.service)}, a service without a plan")
        reason = _not_checked(a)
        if reason is not None:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        assert a.service is not None and a.relation is not None  # _not_checked said so
        verdicts.append(_verdict(by_service[a.service], a, owners.owner_of(a.relation)))
    verdicts.sort(key=lambda v: (v.location.path, v.location.line, v.location.col, v.key))
    return GrantsCheck(verdicts=tuple(verdicts), not_checked=tuple((r, skipped[r]) for r in NotChecked if r in skipped))


def _not_checked(a: Access) -> NotChecked | None:
    if a.kind not in STATEMENTS or a.referrer is not None:
        return NotChecked.MIGRATION
    if a.service is None:
        return NotChecked.NO_SERVICE
    if a.relation is None:
        return NotChecked.UNRESOLVED
    return None


def _verdict(plan: ServiceGrants, a: Access, owner: str | None) -> Verdict:
    assert a.relation is not None
    allowed, why = _decide(plan, a.relation, a.kind, owner)
    role = plan.role if plan.creates_role else None
    return Verdict(service=plan.service, role=role, relation=a.relation, kind=a.kind, location=a.location,
                   allowed=allowed, why=why)


def _decide(plan: ServiceGrants, relation: Relation, kind: AccessKind, owner: str | None) -> tuple[bool, str]:
    """(allowed, why): the grants ``hos-lint grants`` writes for this role, applied to one access."""
    if not plan.creates_role:
        return False, f"{plan.service} gets no role: it owns no schema and claims no public table"
    if relation.schema == plan.schema:
        if relation.kind in VIEWS and kind is AccessKind.WRITE:
            return False, "the roles keep views read-only (a write through a view runs with its owner's rights)"
        return True, f"its own schema {plan.schema}"
    if relation.schema == "public" and relation.name in plan.public_tables:
        return True, "a public table it claims with `tables:`"
    if kind is AccessKind.READ and any((r.schema, r.name) == (relation.schema, relation.name)
                                       for r in plan.allowed_reads):
        return True, "an `allow:` read"
    whose = f"owned by {owner}" if owner is not None else "owned by no service"
    if kind is AccessKind.READ:
        return False, f"{whose}, and no `allow:` read gives it to {plan.service}"
    if str(relation) in plan.refused_writes or (relation.schema == "public" and relation.name in plan.refused_writes):
        return False, f"{whose}; an `allow:` write is never granted: call the owner's API or publish an event"
    return False, f"{whose}; the roles grant no write on data the service does not own"


# --- the list -----------------------------------------------------------------------------------


def render_check(check: GrantsCheck) -> str:
    """``path:line:col: service reads schema.name: denied: why``, one line per denied access,
    then one summary line."""
    lines = [f"{printable(str(v.location))}: {printable(v.service)} {v.kind.verb} "
             f"{printable(str(v.relation))}: denied: {printable(v.why)}" for v in check.denied]
    total = len(check.verdicts)
    if check.denied:
        head = f"{len(check.denied)} of {total} accesses would be denied by the roles `hos-lint grants` writes"
    else:
        head = f"all {total} accesses are allowed by the roles `hos-lint grants` writes"
    skipped = "; ".join(f"{n} {reason.value}" for reason, n in check.not_checked)
    return "\n".join([*lines, head + (f" (not checked: {skipped})" if skipped else "") + "."]) + "\n"


# --- the probes -----------------------------------------------------------------------------------

PROBES_HEADER = """\
-- Phase 5 grant probes, generated by `hos-lint grants --probes`: for every service, relation
-- and kind of access in the code, switch to the service's role and try the access.
-- Run it as a superuser (or a member of every service role) on a database where the
-- migrations and `hos-lint grants` ran:  psql -X -q --csv -f probes.sql
-- Nothing changes: every probe runs in a savepoint that is rolled back, and so is the script.
-- One row per probe: expected is what hos-lint says the role is allowed; observed is
-- allowed, denied (42501), missing (no such relation), no role, or error (see sqlstate).
"""

_COLUMNS = ("n int, service text, relation text, access text, statement text, expected text, "
            "observed text, sqlstate text, site text")


def render_probes(check: GrantsCheck) -> str:
    """The probe script: one ``DO`` block trying every probe, then the table of outcomes."""
    tries = [(v, statement) for v in check.probes() for statement in STATEMENTS[v.kind]]
    rows = [_probe_row(n, v, statement) for n, (v, statement) in enumerate(tries, start=1)]
    lines = [PROBES_HEADER, "BEGIN;", f"CREATE TEMPORARY TABLE hos_lint_probes ({_COLUMNS});"]
    if rows:
        lines += do_block(*_PROBE_BODY_HEAD, ",\n".join(rows), *_PROBE_BODY_TAIL)
    else:
        lines.append(comment("no read or write of a service's own code to probe"))
    lines += ["SELECT service, relation, access, statement, expected, observed, sqlstate, site",
              "  FROM hos_lint_probes ORDER BY n;", "ROLLBACK;"]
    return "\n".join(lines) + "\n"


def _probe_row(n: int, v: Verdict, statement: str) -> str:
    values = (v.service, v.role or "", v.relation.schema, v.relation.name, v.kind.value, statement,
              "allowed" if v.allowed else "denied", f"{v.location.path}:{v.location.line}")
    return f"    ({n}, " + ", ".join(quote_literal(printable(x)) for x in values) + ")"


# The DO block's body around the VALUES rows. Identifiers are formatted with %I from the
# row's text; the savepoint (the inner block) always ends with an error, so it is rolled
# back with whatever the statement did and with the role switch.
_PROBE_BODY_HEAD = (
    "DECLARE",
    "  p record; stmt text; col name; stage text; outcome text; state text;",
    "BEGIN",
    "  FOR p IN SELECT * FROM (VALUES",
)
_PROBE_BODY_TAIL = (
    "  ) AS v(n, service, role_name, schema_name, rel_name, access, statement, expected, site) ORDER BY n LOOP",
    "    outcome := NULL; state := '';",
    "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace",
    "                   WHERE ns.nspname = p.schema_name AND c.relname = p.rel_name) THEN",
    "      outcome := 'missing';",
    "    END IF;",
    "    SELECT a.attname INTO col FROM pg_catalog.pg_attribute a",
    "      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid",
    "      JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace",
    "      WHERE ns.nspname = p.schema_name AND c.relname = p.rel_name AND a.attnum > 0 AND NOT a.attisdropped",
    "      ORDER BY a.attnum LIMIT 1;",
    "    stmt := CASE p.statement",
    "      WHEN 'SELECT' THEN format('SELECT 1 FROM %I.%I LIMIT 0', p.schema_name, p.rel_name)",
    "      WHEN 'INSERT' THEN format('INSERT INTO %I.%I SELECT WHERE false', p.schema_name, p.rel_name)",
    "      WHEN 'UPDATE' THEN format('UPDATE %I.%I SET %I = DEFAULT WHERE false', p.schema_name, p.rel_name, col)",
    "      WHEN 'DELETE' THEN format('DELETE FROM %I.%I WHERE false', p.schema_name, p.rel_name)",
    "    END;",
    "    IF outcome IS NULL THEN",
    "      BEGIN",
    "        stage := 'role';",
    "        EXECUTE format('SET LOCAL ROLE %I', p.role_name);",
    "        stage := 'statement';",
    "        EXECUTE stmt;",
    "        RAISE SQLSTATE 'HLP01';",
    "      EXCEPTION WHEN OTHERS THEN",
    "        state := SQLSTATE;",
    "        outcome := CASE WHEN state = 'HLP01' THEN 'allowed' WHEN stage = 'role' THEN 'no role'",
    "                        WHEN state = '42501' THEN 'denied' ELSE 'error' END;",
    "      END;",
    "    END IF;",
    "    INSERT INTO hos_lint_probes VALUES (p.n, p.service, p.schema_name || '.' || p.rel_name, p.access,",
    "      p.statement, p.expected, outcome, CASE WHEN state = 'HLP01' THEN '' ELSE state END, p.site);",
    "  END LOOP;",
    "END",
)
