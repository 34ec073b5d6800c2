"""``hos-lint report --diff REF``: what a change does to who touches whose data,
as a pull-request comment (``order now reads auth_service.users (owned by
auth) directly``). Names pass through ``linter.output.markdown``."""
from __future__ import annotations

from hos_lint.filenames import escape
from hos_lint.output.markdown import code as md_code
from hos_lint.output.markdown import text as md_text
from hos_lint.output.options import DiffOptions
from hos_lint.output.report_labels import ICONS, owner_label, route_label
from hos_lint.report import DIRECT, Cell, ReportDiff, Touch

_VERBS = {"read": ("reads", "no longer reads"), "write": ("writes", "no longer writes"),
          "ddl": ("changes the schema of", "no longer changes the schema of"),
          "reference": ("holds a foreign key to", "no longer holds a foreign key to")}


def render(diff: ReportDiff, options: DiffOptions) -> str:
    """New and dropped dependencies, then the foreign touches added and removed."""
    lines = [f"## hos-lint: data boundaries compared with {md_code(options.ref)}", ""]
    if diff.empty:
        return escape("\n".join(lines + ["No change to who touches whose data."]) + "\n")
    if diff.new_dependencies:
        lines.append("**New dependencies:** " + ", ".join(_edge(c) for c in diff.new_dependencies))
    if diff.dropped_dependencies:
        lines.append("**Dropped dependencies:** " + ", ".join(_edge(c) for c in diff.dropped_dependencies))
    if diff.new_dependencies or diff.dropped_dependencies:
        lines.append("")
    if diff.added:
        lines += ["### New", "", *(_line(t, added=True) for t in diff.added), ""]
    if diff.removed:
        lines += ["### Removed", "", *(_line(t, added=False) for t in diff.removed), ""]
    return escape("\n".join(lines).rstrip("\n") + "\n")


def _edge(c: Cell) -> str:
    return f"{md_text(c.service)} → {md_text(owner_label(c.owner))}"


def _line(t: Touch, added: bool) -> str:
    verb = _VERBS[t.kind][0 if added else 1]
    now = "now " if added else ""
    owner = f"owned by {md_text(t.owner)}" if t.owner else "owned by no service"
    how = "directly" if t.route == DIRECT else f"through view {md_code(t.route.removeprefix('view '))}"
    text = f"- {md_text(t.service)} {now}{verb} {md_code(t.relation)} ({owner}) {how}"
    where = md_code(f"{t.first.path}:{t.first.line}")
    if added:
        text += f" — {md_text(route_label(t))}, {where}" if t.route == DIRECT else f" — {where}"
        if t.worst:
            text = f"- {ICONS[t.worst.value]} " + text[2:] + f" ({', '.join(t.findings)})"
    return text
