"""``hos-lint why PATH:LINE``: the evidence chain behind each access and finding
on one line — call site → model → @@map/@@schema → owner → rule → the ways out."""
from __future__ import annotations

from hos_lint.analysis import Project
from hos_lint.extract import language_for
from hos_lint.model import Access, Finding, Language, Location
from hos_lint.safe import printable

# the comment that starts a line in each language (README: Suppressions)
COMMENT_MARK = {
    Language.TYPESCRIPT: "//",
    Language.PRISMA: "//",
    Language.SQL: "--",
    Language.PYTHON: "#",
    Language.SHELL: "#",
    Language.CONFIG: "#",
}
PLACEHOLDER_REASON = "<why this is acceptable>"


def suppression_comment(mark: str, code: str) -> str:
    """The comment suppressing ``code``, written with ``mark``, its reason still to be given."""
    return f"{mark} hos-lint: ignore[{code}] {PLACEHOLDER_REASON}"


def comment_mark(path: str) -> str:
    """The line comment of the language hos-lint reads ``path`` in (``#`` for other YAML, such
    as the manifest; ``//`` for anything else)."""
    language = language_for(path)
    if language is not None:
        return COMMENT_MARK[language]
    return "#" if path.endswith((".yaml", ".yml")) else "//"


def _loc(location: Location | None) -> str:
    return f"{location.path}:{location.line}" if location else "?"


def _reference(access: Access, project: Project) -> list[str]:
    ref, ctx = access.ref, project.context.names
    if ref.delegate is not None:
        model = ctx.prisma_model(access.service, ref.delegate)
        if model is None:
            return [f"  delegate `{ref.delegate}` matches no Prisma model of {access.service}"]
        lines = [f"  delegate `{ref.delegate}` → Prisma model {model.name} ({_loc(model.location)})"]
        for field_name in ref.field_path:
            model = ctx.related_model(access.service, model, field_name)
            if model is None:
                break
            lines.append(f"  relation field `{field_name}` → model {model.name} ({_loc(model.location)})")
        if model is not None:
            schema = f'@@schema("{model.schema}")' if model.schema else "no @@schema (connection default)"
            lines.append(f'  @@map("{model.db_name}") {schema} → {access.relation}')
        return lines
    if ref.orm_class is not None:
        orm = ctx.orm_model(access.service, ref.orm_class)
        where = _loc(orm.location) if orm else "not found"
        return [f"  ORM model {ref.orm_class} ({where}) → {access.relation}"]
    if ref.schema:
        return [f"  SQL name {ref.display()} is schema-qualified → {access.relation}"]
    path = ref.search_path or ctx.search_path(access.service)
    how = "SET search_path" if ref.search_path else f"{access.service or 'no service'}'s search path"
    return [f"  unqualified SQL name `{ref.name}` on {how} ({', '.join(path)}) → {access.relation}"]


def _owner(access: Access, project: Project) -> str:
    rel = access.relation
    if rel is None:
        return "  owner: unknown (the relation could not be resolved)"
    owner = project.context.ownership.owner_of(rel)
    key = f"schema:{rel.schema}" if rel.schema != "public" else f"table:{rel.name}"
    prov = project.context.ownership.provenance.get(key)
    if owner is None:
        return f"  owner: nobody — no service owns {'schema ' + rel.schema if rel.schema != 'public' else rel}"
    return f"  owner: {owner} ({key.replace(':', ' ')} declared at {_loc(prov.location) if prov else 'inference'})"


def _ways_out(f: Finding) -> list[str]:
    return [
        f"    fix: {f.hint}" if f.hint else "    fix: see `hos-lint rule " + f.code + "`",
        f"    or suppress with a reason: {suppression_comment(comment_mark(f.location.path), f.code)}",
        "    or record a reviewed exception under `allow:` in hos-lint.yaml, or accept it in the baseline",
    ]


def render(project: Project, findings: tuple[Finding, ...], path: str, line: int) -> str:
    """Every access and finding on ``path:line`` (a line of a multi-line statement counts),
    each with the chain that led to it; one line saying so when there is none."""
    accesses = sorted((a for a in project.accesses if a.location.path == path and
                       (a.location.line == line or a.anchor.start_line <= line <= a.anchor.end_line)),
                      key=lambda a: (a.location.line, a.location.col))
    here = [f for f in findings if f.location.path == path and
            (f.location.line == line or (f.anchor and f.anchor.start_line <= line <= f.anchor.end_line))]
    if not accesses and not here:
        return printable(f"{path}:{line}: no database access and no finding here") + "\n"
    out = []
    for a in accesses:
        target = str(a.relation) if a.relation is not None else a.ref.display()
        out.append(f"{_loc(a.location)}:{a.location.col}: {a.service or 'no service'} {a.kind.verb} {target} "
                   f"via {a.via.value} ({a.operation})")
        out += _reference(a, project)
        out.append(_owner(a, project))
        matching = [f for f in here if f.location == a.location]
        out += [f"  rule: {f.code} {f.name} ({f.severity.value}): {f.full_message}" for f in matching]
        out += [w for f in matching for w in _ways_out(f)]
        if not matching:
            out.append("  rule: no finding — this access stays inside its owner's boundary or is allowed")
    for f in here:
        if not any(f.location == a.location for a in accesses):
            out.append(f"{_loc(f.location)}:{f.location.col}: {f.code} {f.name} ({f.severity.value}): {f.full_message}")
            out += _ways_out(f)
    return "\n".join(printable(line) for line in out) + "\n"
