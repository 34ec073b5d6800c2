"""The public rule API: ``Rule``, ``Valid``/``Invalid`` examples and ``RuleContext``.

A rule module in ``rules/`` defines one ``RULE = Rule(...)`` with its docs (the
module docstring), examples and a check function. Rules import only
``linter.model`` and ``linter.rule``; everything they need from the project
comes through ``RuleContext``: the resolved records (models, foreign keys,
connections, grants), the extraction problems, the manifest's claims and
ownership lookups. Nothing is resolved in a rule.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hos_lint.manifest import Claim as Claim  # re-exported: rules name the claims they read
from hos_lint.model import (
    Access,
    AccessKind,
    Anchor,
    Finding,
    Location,
    Problem,
    Relation,
    RelationKind,
    ResolvedConnection,
    ResolvedForeignKey,
    ResolvedGrant,
    ResolvedModel,
    Severity,
    Suppression,
)

if TYPE_CHECKING:
    from hos_lint.context import ProjectContext
    from hos_lint.manifest import ServiceConfig

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Instead")


@dataclass(frozen=True)
class Valid:
    """Files (path → text) that must produce no finding of the rule."""

    files: Mapping[str, str]
    manifest: str | None = None  # YAML replacing the default example manifest


@dataclass(frozen=True)
class Invalid:
    """Files that must produce exactly ``expect``: ``"CODE line:col relation"``
    (path defaults to the only file) or ``"CODE path:line:col relation"``."""

    files: Mapping[str, str]
    expect: tuple[str, ...]
    manifest: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleContext:
    """What a check may know: the resolved project, bound to one rule. Checks read the
    records and call the methods below, never ``project`` itself."""

    project: ProjectContext
    code: str
    name: str
    severity: Severity
    models: tuple[ResolvedModel, ...] = ()  # Prisma models (by service, then path order), then ORM models
    foreign_keys: tuple[ResolvedForeignKey, ...] = ()  # Prisma relation fields with @relation(fields: …)
    connections: tuple[ResolvedConnection, ...] = ()  # Prisma datasources' schemas, then connection URLs
    grants: tuple[ResolvedGrant, ...] = ()
    problems: tuple[Problem, ...] = ()  # what extraction could not analyse (HOS901) or know (HOS205)
    claims: tuple[Claim, ...] = ()  # the manifest's schema and public table claims, in its order

    @classmethod
    def bind(cls, project: ProjectContext, rule: Rule) -> RuleContext:
        """The context a rule's checks get."""
        return cls(project=project, code=rule.code, name=rule.name, severity=rule.severity, models=project.models,
                   foreign_keys=project.foreign_keys, connections=project.connections, grants=project.grants,
                   problems=project.problems, claims=project.manifest.claims)

    def finding(self, *, location: Location, service: str | None, message: str, hint: str = "",
                access: Access | None = None, relation: Relation | str | None = None,
                owner: str | None = None, anchor: Anchor | None = None,
                severity: Severity | None = None) -> Finding:
        """A finding of this rule; ``severity`` replaces the rule's default for this one."""
        rel = relation if relation is not None else (access.relation if access else None)
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            location=location,
            service=service,
            message=message,
            hint=hint,
            relation=str(rel) if rel is not None else None,
            owner=owner,
            access=access.kind if access else None,
            operation=access.operation if access else None,
            anchor=anchor or (access.anchor if access else None),
        )

    def access_finding(self, access: Access, *, message: str, hint: str, owner: str | None = None) -> Finding:
        """A finding at an access's own position, carrying its service, relation and operation."""
        return self.finding(location=access.location, service=access.service, access=access, owner=owner,
                            message=message, hint=hint)

    def owner_of(self, relation: Relation | None) -> str | None:
        return self.project.ownership.owner_of(relation)

    def service_config(self, name: str | None) -> ServiceConfig | None:
        return self.project.manifest.service(name)

    def own_schema(self, service: str | None) -> str | None:
        svc = self.service_config(service)
        return svc.schema if svc else None

    def is_allowed(self, service: str | None, relation: Relation, kind: AccessKind) -> bool:
        """True when an ``allow:`` entry of the service lists the relation for this kind."""
        wanted = str(relation)
        for entry in self.project.manifest.allow:
            if entry.service != service:
                continue
            names = entry.write if kind is AccessKind.WRITE else entry.read
            if wanted in names or (relation.schema == "public" and relation.name in names):
                return True
        return False

    def is_view(self, relation: Relation | None) -> bool:
        return relation is not None and relation.kind in (RelationKind.VIEW, RelationKind.MATVIEW)


def foreign_owner(access: Access, ctx: RuleContext) -> str | None:
    """The owner of the accessed relation when it is a service other than the accessor."""
    if access.service is None or access.relation is None:
        return None
    owner = ctx.owner_of(access.relation)
    return owner if owner is not None and owner != access.service else None


def unallowed_owner(access: Access, ctx: RuleContext, kind: AccessKind) -> str | None:
    """The foreign owner of the accessed relation (``foreign_owner``) unless an ``allow:``
    entry of the accessing service lists the relation for ``kind``."""
    owner = foreign_owner(access, ctx)
    if owner is None or access.relation is None or ctx.is_allowed(access.service, access.relation, kind):
        return None
    return owner


CheckAccess = Callable[[Access, RuleContext], Iterable[Finding]]
# every resolved access at once, for rules that report a relation once, not each access
CheckAccesses = Callable[[tuple[Access, ...], RuleContext], Iterable[Finding]]
CheckProject = Callable[[RuleContext], Iterable[Finding]]
# (unused, malformed, ctx): runs after suppressions are applied
CheckSuppressions = Callable[[tuple[Suppression, ...], tuple[Suppression, ...], RuleContext], Iterable[Finding]]


@dataclass(frozen=True, kw_only=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    check_access: CheckAccess | None = None
    check_accesses: CheckAccesses | None = None
    check_project: CheckProject | None = None
    check_suppressions: CheckSuppressions | None = None
    examples: tuple[Valid | Invalid, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip().rstrip(".")

    def sections(self) -> dict[str, str]:
        """``## Heading`` → body text of the docstring."""
        return dict(_split_sections(self.doc))


_HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


def _split_sections(doc: str) -> list[tuple[str, str]]:
    parts = _HEADING.split(doc)
    return [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


_FENCE = re.compile(r"^```(\w+) (\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc_examples(rule: Rule) -> tuple[tuple[str, dict[str, str]], ...]:
    """Code blocks of the Example and Instead sections as (section, {path: text})."""
    out = []
    for section in ("Example", "Instead"):
        body = rule.sections().get(section, "")
        files = {m.group(2): m.group(3) for m in _FENCE.finditer(body)}
        out.append((section, files))
    return tuple(out)


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def get(self, code: str) -> Rule | None:
        code = code.upper()
        for rule in self.rules:
            if rule.code == code or code in rule.aliases or rule.name == code.lower():
                return rule
        return None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.rules)

    def selected(self, selector: str) -> tuple[Rule, ...]:
        """The rules a ``select``/``ignore`` entry names: a code, an alias or a kebab-case name
        (any case), or a code prefix such as ``HOS1``. Empty when it names none."""
        exact = self.get(selector.strip())
        if exact is not None:
            return (exact,)
        prefix = selector.strip().upper()
        return tuple(r for r in self.rules if prefix and r.code.startswith(prefix))

    def unknown(self, selector: str, *, prefixes: bool = True) -> str | None:
        """Why ``selector`` names no rule, with the closest rule as a did-you-mean; None when it
        names one (a code prefix counts only with ``prefixes``)."""
        found = self.selected(selector) if prefixes else (self.get(selector.strip()),)
        if any(found):
            return None
        if not prefixes and self.selected(selector):
            return f"{selector!r} is a prefix of several rules; name one rule by its code or name"
        guess = self._closest(selector.strip())
        hint = f"did you mean {guess.code} ({guess.name})?" if guess else "`hos-lint rules` lists them"
        return f"unknown rule {selector!r}; {hint}"

    def _closest(self, text: str) -> Rule | None:
        """The rule a typo most likely meant: a code with letters that look like digits
        (``HOS1O2``, ``HOS10l``), else the nearest code, alias or name (difflib)."""
        upper = text.upper()
        if upper.startswith("HOS"):
            folded = "HOS" + upper[3:].translate(_LOOKALIKE_DIGITS)
            if self.get(folded) is not None:
                return self.get(folded)
        spellings = {s: r for r in self.rules for s in (r.code, *r.aliases, r.name.upper())}
        close = difflib.get_close_matches(upper, sorted(spellings), n=1)
        return spellings[close[0]] if close else None


_LOOKALIKE_DIGITS = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1", "Z": "2",
                                   "S": "5", "B": "8", "G": "6"})
