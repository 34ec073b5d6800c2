"""What the language server does, without the protocol's transport: open buffers,
their diagnostics, code actions and hovers, as ``lsprotocol`` values.

``Session`` keeps a ``LiveProject`` (the project facts in memory) and the text of
every open buffer. Every handler is a plain method (the tests drive them directly,
thousands of times); ``hos_lint.lsp.server`` wires them to pygls, debounces edits
and sends what they return. A handler never raises for what a buffer holds: a file
that cannot be analysed is its own HOS901, as in ``check``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types

import hos_lint.rules
from hos_lint.app import Options, UsageError
from hos_lint.app.editing import BufferCheck, LiveProject
from hos_lint.extract import language_for
from hos_lint.lsp.text import Insert, Lines, apply_insert, suppression_inserts
from hos_lint.manifest import ManifestError
from hos_lint.model import Access, Finding, Location, Severity
from hos_lint.output import markdown as md
from hos_lint.output import why as why_output

SOURCE = "hos-lint"
WHY_COMMAND = "hos-lint.why"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def docs_uri(code: str, name: str) -> str:
    """The rule's documentation: its module in the installed package (``hos-lint rule CODE``
    prints the same text)."""
    module = f"{code.lower()}_{name.replace('-', '_')}.py"
    return (Path(hos_lint.rules.__file__).parent / module).resolve().as_uri()


def path_of(uri: str) -> Path | None:
    """The file a ``file:`` URI names; None for any other scheme (an unsaved buffer)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


@dataclass
class Buffer:
    uri: str
    rel: str | None  # project-relative path; None outside the project
    text: str
    version: int | None = None
    extracted: bool = False  # ``text`` is what the project holds for this file
    checked: BufferCheck | None = None  # the last check of this buffer
    generation: int = -1  # the project context ``checked`` was judged against


Publish = tuple[str, list[types.Diagnostic]]  # (uri, diagnostics) to send


class Session:
    """One workspace root's project and the buffers open in it."""

    def __init__(self, root: Path, options: Options | None = None, encoding: str = "utf-16") -> None:
        self.root = root
        self.options = options or Options(paths=(str(root),))
        self.encoding = encoding
        self.buffers: dict[str, Buffer] = {}
        self.live: LiveProject | None = None
        self.load_error: str | None = None
        self.load()

    # --- the project ---------------------------------------------------------------------

    def load(self) -> None:
        """Load (again) every file's facts from disk; keep the open buffers over them.
        A manifest that does not load keeps the facts loaded before (and says why)."""
        try:
            live = LiveProject.load(self.options)
        except ManifestError as err:
            self.load_error = "; ".join(err.errors)
            return
        except UsageError as err:
            self.load_error = str(err)
            return
        self.live, self.load_error = live, None
        for buf in self.buffers.values():
            buf.rel = live.relative(path) if (path := path_of(buf.uri)) else None
            buf.extracted, buf.generation = False, -1

    def _fresh(self, buf: Buffer) -> bool:
        return buf.extracted and self.live is not None and buf.generation == self.live.generation \
            and self.live.context is not None

    # --- buffers -------------------------------------------------------------------------

    def open(self, uri: str, text: str, version: int | None = None) -> list[Publish]:
        rel = self.live.relative(path) if self.live and (path := path_of(uri)) else None
        self.buffers[uri] = Buffer(uri, rel, text, version)
        return self.refresh(uri)

    def change(self, uri: str, text: str, version: int | None = None) -> None:
        """Take the buffer's new text; ``refresh`` (after the debounce) checks it."""
        buf = self.buffers.get(uri)
        if buf is None:
            self.buffers[uri] = buf = Buffer(uri, None, text, version)
            buf.rel = self.live.relative(path) if self.live and (path := path_of(uri)) else None
            return
        buf.text, buf.version, buf.extracted = text, version, False

    def save(self, uri: str, text: str | None = None) -> list[Publish]:
        buf = self.buffers.get(uri)
        if buf is None:
            return []
        if text is not None and text != buf.text:
            buf.text, buf.extracted = text, False
        if self.live is None or (buf.rel and self.live.is_ownership_input(buf.rel)):
            self.load()  # the manifest (or the baseline) changed; or nothing had loaded yet
            return self.refresh_all()
        if self.live and buf.rel:
            self.live.saved(buf.rel, buf.text)
            buf.extracted = True
        return self.refresh(uri)

    def close(self, uri: str) -> list[Publish]:
        buf = self.buffers.pop(uri, None)
        if buf is None:
            return []
        if self.live and buf.rel:
            self.live.close(buf.rel)
        return [(uri, []), *self._recheck_stale()]

    def disk_changed(self, uris: list[str]) -> list[Publish]:
        """Files changed on disk (``workspace/didChangeWatchedFiles``)."""
        if self.live is None:
            self.load()
            return self.refresh_all()
        for uri in uris:
            path = path_of(uri)
            rel = self.live.relative(path) if path else None
            if rel is None:
                continue
            if self.live.is_ownership_input(rel):
                self.load()
                return self.refresh_all()
            self.live.disk_changed(rel)
        return self._recheck_stale()

    def refresh(self, uri: str) -> list[Publish]:
        """Check one buffer's current text; every other open buffer too when the project
        facts it is judged against changed (a schema edited in another buffer)."""
        buf = self.buffers.get(uri)
        if buf is None:
            return []
        if self.live is None or buf.rel is None:
            buf.extracted = True
            return [(uri, [])]
        if not buf.extracted:
            self.live.update(buf.rel, buf.text)
            buf.extracted = True
        return [(uri, self._check(buf)), *self._recheck_stale(buf)]

    def _recheck_stale(self, done: Buffer | None = None) -> list[Publish]:
        """Check again every extracted buffer judged against older project facts (one pass:
        checking does not change the facts)."""
        if self.live is None:
            return []
        out: list[Publish] = []
        for other in list(self.buffers.values()):
            if other is done or other.rel is None or not other.extracted:
                continue
            if other.generation != self.live.generation or self.live.context is None:
                out.append((other.uri, self._check(other)))
        return out

    def refresh_all(self) -> list[Publish]:
        out: list[Publish] = []
        for uri in list(self.buffers):
            out += self.refresh(uri)
        return out

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        buf = self.buffers.get(uri)
        if buf is None:
            return []
        if not self._fresh(buf):
            self.refresh(uri)
        return self._diagnostics(buf)

    def _check(self, buf: Buffer) -> list[types.Diagnostic]:
        assert self.live is not None and buf.rel is not None
        buf.checked = self.live.check(buf.rel)
        buf.generation = self.live.generation
        return self._diagnostics(buf)

    def _diagnostics(self, buf: Buffer) -> list[types.Diagnostic]:
        if buf.checked is None:
            return []
        lines = Lines(buf.text, self.encoding)
        return [self._diagnostic(f, lines, buf.checked) for f in buf.checked.findings]

    def _diagnostic(self, f: Finding, lines: Lines, checked: BufferCheck) -> types.Diagnostic:
        name = f.name or f.code
        return types.Diagnostic(
            range=self._range(lines, f.location.line, f.location.col, _written_name(f.location, checked)),
            message=f.full_message,
            severity=SEVERITY[f.severity],
            code=f.code,
            code_description=types.CodeDescription(href=docs_uri(f.code, name)) if f.name else None,
            source=SOURCE,
        )

    def _range(self, lines: Lines, line: int, col: int, name: str | None = None) -> types.Range:
        span = lines.reference_span(line, col, name)
        return types.Range(start=types.Position(line=span.line, character=lines.units(span.line, span.col)),
                           end=types.Position(line=span.end_line, character=lines.units(span.end_line, span.end_col)))

    # --- code actions, why, hover ------------------------------------------------------

    def _current(self, uri: str) -> tuple[Buffer, BufferCheck] | None:
        buf = self.buffers.get(uri)
        if buf is None:
            return None
        if not self._fresh(buf):
            self.refresh(uri)
        if buf.checked is None or buf.checked.project is None:
            return None
        return buf, buf.checked

    def code_actions(self, uri: str, where: types.Range) -> list[types.CodeAction]:
        """For each finding on the lines of ``where``: suppress it with a reason, show why."""
        current = self._current(uri)
        if current is None:
            return []
        buf, checked = current
        lines = Lines(buf.text, self.encoding)
        out: list[types.CodeAction] = []
        for f in checked.findings:
            diagnostic = self._diagnostic(f, lines, checked)
            if not (where.start.line <= diagnostic.range.start.line <= where.end.line):
                continue
            insert = self._suppression(buf, f, lines)
            if insert is not None:
                position = types.Position(line=insert.line, character=lines.units(insert.line, insert.col))
                edit = types.TextEdit(range=types.Range(start=position, end=position), new_text=insert.text)
                out.append(types.CodeAction(
                    title=f"Suppress {f.code} with a reason (hos-lint: ignore[{f.code}])",
                    kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [edit]})))
            out.append(types.CodeAction(
                title=f"Show why {f.code} is reported here (hos-lint why)",
                kind=types.CodeActionKind.Empty, diagnostics=[diagnostic],
                command=types.Command(title="hos-lint why", command=WHY_COMMAND,
                                      arguments=[uri, f.location.line])))
        return out

    def _suppression(self, buf: Buffer, f: Finding, lines: Lines) -> Insert | None:
        """The first placement of a suppression comment that the file's parser reads as one
        covering ``f``, leaving no other finding behind (no HOS902, no HOS901); None if none does."""
        assert self.live is not None and buf.rel is not None
        language = language_for(buf.rel)
        if language is None or f.code in ("HOS901", "HOS902"):
            return None
        start = f.anchor.start_line if f.anchor else f.location.line
        expected = Counter(g.code for g in buf.checked.findings) if buf.checked else Counter()
        expected[f.code] -= 1
        for insert in suppression_inserts(lines, language, f.code, start, f.location.line):
            trial = self.live.check_text(buf.rel, apply_insert(lines, insert))
            found = Counter(g.code for g in trial.findings)
            # the finding is gone and nothing new came (no HOS902, no HOS901); other findings
            # of the same code on the same statement go with it, as the comment covers them too
            if all(found[code] <= expected[code] for code in found) and found[f.code] <= expected[f.code]:
                return insert
        return None

    def why(self, uri: str, line: int) -> str:
        """``hos-lint why PATH:LINE`` for an open buffer's text (1-based line)."""
        current = self._current(uri)
        if current is None:
            return self.load_error or "hos-lint does not check this file"
        buf, checked = current
        assert checked.project is not None
        return why_output.render(checked.project, checked.findings, checked.path, line)

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        """Over a table reference: the relation, its owner and schema, and where that ownership
        is declared; with the finding on it, if any."""
        current = self._current(uri)
        if current is None:
            return None
        buf, checked = current
        assert checked.project is not None
        lines = Lines(buf.text, self.encoding)
        col = lines.col_of(position.line, position.character)
        for access in checked.project.accesses:
            name = access.ref.delegate
            span = lines.reference_span(access.location.line, access.location.col, name)
            if span.line == position.line and span.col <= col <= span.end_col:
                text = self._hover_text(access, checked)
                return types.Hover(
                    contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                    range=self._range(lines, access.location.line, access.location.col, name))
        return None

    def _hover_text(self, access: Access, checked: BufferCheck) -> str:
        """Markdown; every name in it comes from the project (hostile) and goes through
        ``output.markdown``'s ``code``/``text``."""
        assert checked.project is not None
        ctx = checked.project.context
        rel = access.relation
        out = [f"**{md.text(str(rel))}** ({rel.kind.value})" if rel
               else f"**{md.text(access.ref.display())}** (not resolved)"]
        owner = ctx.ownership.owner_of(rel)
        if rel is not None:
            key = f"schema:{rel.schema}" if rel.schema != "public" else f"table:{rel.name}"
            prov = ctx.ownership.provenance.get(key)
            where = (f"{prov.location.path}:{prov.location.line}" if prov and prov.location else "inferred")
            claim = (f"schema {md.code(rel.schema)}" if key.startswith("schema:")
                     else f"table {md.code(rel.name)} in `public`")
            out.append(f"- owner: **{md.text(owner)}** — {claim} is declared at {md.code(where)}" if owner else
                       f"- owner: nobody — no service owns {claim}")
            out.append(f"- schema: {md.code(rel.schema)}")
        out.append(f"- this file: {md.text(access.service or 'no service')} {access.kind.verb} it via "
                   f"{access.via.value} ({md.text(access.operation)})")
        for f in checked.findings:
            if f.location == access.location:
                out.append(f"- {f.code} {f.name}: {md.text(f.full_message)}")
        return "\n".join(out)


def _written_name(location: Location, checked: BufferCheck) -> str | None:
    """The Prisma delegate an access at ``location`` names (``payment`` in ``tx.payment.create``)."""
    if checked.project is not None:
        for access in checked.project.accesses:
            if access.location == location and access.ref.delegate:
                return access.ref.delegate
    return None


def arguments_of(args: Any) -> tuple[str, int] | None:
    """``[uri, line]`` from a ``workspace/executeCommand`` request, None when malformed."""
    if isinstance(args, (list, tuple)) and len(args) == 2 and isinstance(args[0], str) \
            and isinstance(args[1], int) and not isinstance(args[1], bool):
        return args[0], args[1]
    return None


__all__ = ["SOURCE", "WHY_COMMAND", "Session", "arguments_of", "docs_uri", "path_of"]
