"""An editor's view of the project (``hos-lint server``): every file's facts kept in
memory, open buffers checked from their text (never the file on disk), with the same
stages as ``check``.

``LiveProject.load`` runs stages 1–6 once over the files on disk (through the cache).
``LiveProject.check`` extracts one buffer's text, resolves it against the project's
context and judges it (rules, suppressions, policy, baseline) as a pre-commit run on
that one file would. The context is rebuilt only when a buffer's extraction holds (or
its previous one held) facts other files depend on (``shared_facts``: a Prisma schema,
a migration creating a table); the manifest and the baseline are ownership inputs of
their own, and ``LiveProject.load`` starts over when they change.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from hos_lint import baseline
from hos_lint.analysis import Project
from hos_lint.app.changed import read_inside_root
from hos_lint.app.checking import _rules, baseline_entries, judge
from hos_lint.app.extraction import config_for, extract_bytes, not_postgres_skip
from hos_lint.app.loading import baseline_path, check_rule_names, load_project_manifest
from hos_lint.app.options import Options
from hos_lint.app.project import analyse_manifest
from hos_lint.context import ProjectContext
from hos_lint.discovery import Excluder, ServiceMatcher, relative_to_root
from hos_lint.extract import language_for
from hos_lint.manifest import Manifest
from hos_lint.model import ExtractResult, Finding, Language, SourceFile
from hos_lint.providers import non_postgres
from hos_lint.registry import load_catalog
from hos_lint.resolve import build_context, resolve_accesses, shared_facts
from hos_lint.rule import Catalog, Rule


@dataclass(frozen=True, kw_only=True)
class BufferCheck:
    """One buffer's check: its findings (what ``check`` would report for the file) and
    the analysed project around it (for ``why`` and hovers), or why it was not checked."""

    path: str  # project-relative
    findings: tuple[Finding, ...] = ()
    project: Project | None = None
    not_checked: str | None = None  # "excluded by ...", "not a file hos-lint analyses"


@dataclass(kw_only=True)
class LiveProject:
    """The project facts of one root, overlaid by the editor's open buffers."""

    options: Options
    manifest: Manifest
    catalog: Catalog
    rules: tuple[Rule, ...]
    disk: dict[str, ExtractResult]  # every analysed file as it is on disk
    buffers: dict[str, ExtractResult] = field(default_factory=dict)  # open buffers' extractions
    baseline_entries: tuple[baseline.Entry, ...] = ()
    context: ProjectContext | None = None  # built from disk overlaid by buffers; None: stale
    generation: int = 0  # how many times the context was built: a check of an older one is stale
    excluder: Excluder | None = None
    _matcher: ServiceMatcher | None = None
    _elsewhere: frozenset[str] | None = None  # services whose datasource is not PostgreSQL

    @classmethod
    def load(cls, options: Options) -> LiveProject:
        """Stages 1–6 over the files on disk: ManifestError or UsageError as ``check`` raises them."""
        catalog = load_catalog()
        manifest = check_rule_names(load_project_manifest(options), options, catalog)
        project = analyse_manifest(manifest, replace(options, paths=()))
        entries = baseline_entries(options, project.manifest) or ()
        return cls(options=options, manifest=project.manifest, catalog=catalog,
                   rules=_rules(catalog, project.manifest, options),
                   disk={r.path: r for r in project.results}, baseline_entries=entries,
                   context=project.context, excluder=Excluder(project.manifest.root, project.manifest))

    @property
    def root(self) -> Path:
        return Path(self.manifest.root)

    def relative(self, path: Path) -> str | None:
        """The project-relative path of a file, None outside the project root."""
        rel = relative_to_root(path, self.manifest.root)
        return rel or None

    def is_ownership_input(self, rel: str) -> bool:
        """The manifest and the baseline: a change to them means loading again."""
        own = {baseline_path(self.options, self.manifest).resolve()}
        if self.manifest.path:
            own.add((self.root / self.manifest.path).resolve())
        return (self.root / rel).resolve() in own

    def why_not_checked(self, rel: str) -> str | None:
        """Why a file is not checked (another extension, excluded), None when it is."""
        if rel == self.manifest.path:
            return None  # its findings (HOS204) are the project's, as loaded when it was saved
        if language_for(rel) is None:
            return "not a file hos-lint analyses"
        if rel in self.disk:
            return None
        why = self.excluder.explain(rel, False) if self.excluder else None
        return why

    def update(self, rel: str, text: str) -> ExtractResult | None:
        """Extract an open buffer's text and keep it over the file on disk; the context goes
        stale when the buffer's facts, or the ones it replaces, reach other files."""
        language = language_for(rel)
        if language is None or self.why_not_checked(rel) is not None:
            return None
        result = self._extract(rel, language, text.encode("utf-8"))
        before = self.buffers.get(rel, self.disk.get(rel))
        if result != before and (_reaches_others(result) or _reaches_others(before)):
            self._stale()
        self.buffers[rel] = result
        return result

    def close(self, rel: str) -> None:
        """Forget a closed buffer: the file on disk counts again."""
        before = self.buffers.pop(rel, None)
        if before is not None and (_reaches_others(before) or _reaches_others(self.disk.get(rel))):
            self._stale()

    def saved(self, rel: str, text: str) -> None:
        """The buffer was written: what is on disk is now its text."""
        result = self.update(rel, text)
        if result is not None:
            self.disk[rel] = result

    def disk_changed(self, rel: str) -> None:
        """A file changed on disk outside the editor (a ``git checkout``, a generator)."""
        language = language_for(rel)
        if language is None or self.why_not_checked(rel) is not None:
            return
        data = read_inside_root(self.root / rel, self.root.resolve())
        before = self.disk.pop(rel, None)
        if data is not None:
            self.disk[rel] = self._extract(rel, language, data)
        if rel not in self.buffers and (_reaches_others(before) or _reaches_others(self.disk.get(rel))):
            self._stale()

    def check(self, rel: str) -> BufferCheck:
        """The findings ``check`` would report for one file, from its buffer (else from disk)."""
        why = self.why_not_checked(rel)
        if why is not None:
            return BufferCheck(path=rel, not_checked=why)
        result = self.buffers.get(rel) or self.disk.get(rel)
        if result is None and rel == self.manifest.path:
            result = ExtractResult(path=rel, service=None)
        if result is None:
            return BufferCheck(path=rel, not_checked="not open and not on disk")
        return self._judge(rel, result)

    def check_text(self, rel: str, text: str) -> BufferCheck:
        """What ``check`` would report for ``rel`` holding ``text``, keeping nothing (a trial
        edit: does this comment suppress that finding?). Against the current context."""
        language = language_for(rel)
        why = self.why_not_checked(rel)
        if language is None or why is not None:
            return BufferCheck(path=rel, not_checked=why)
        return self._judge(rel, self._extract(rel, language, text.encode("utf-8")))

    def _judge(self, rel: str, result: ExtractResult) -> BufferCheck:
        context = self._context()
        # HOS901/HOS205 come from the problems of the file being judged: this buffer's
        context = replace(context, problems=tuple(p for p in result.problems if p.location.path == rel))
        accesses = resolve_accesses(context, result.accesses)
        project = Project(manifest=self.manifest, results=(result,), context=context, accesses=accesses,
                          notices=(), scope=(rel,), files_only=True, repo_root=str(self.root))
        findings, _ = judge(project, self.rules, self.catalog)
        if self.baseline_entries:
            findings = baseline.match(findings, self.baseline_entries, in_scope=lambda p: p == rel,
                                      ran_codes={r.code for r in self.rules}).new
        return BufferCheck(path=rel, findings=findings, project=project)

    def _stale(self) -> None:
        self.context, self._elsewhere = None, None

    def _context(self) -> ProjectContext:
        if self.context is None:
            merged = {**self.disk, **self.buffers}
            self.context = build_context(self.manifest, merged.values())
            self.generation += 1
        return self.context

    def _extract(self, rel: str, language: Language, data: bytes) -> ExtractResult:
        if self._matcher is None:
            self._matcher = ServiceMatcher.of(self.manifest.services)
        service = self._matcher.service_of(rel)
        if self._elsewhere is None:
            merged = {**self.disk, **self.buffers}
            self._elsewhere = frozenset(non_postgres(d for r in merged.values() for d in r.datasources))
        src = SourceFile(rel, service, language)
        skipped = not_postgres_skip(src, self._elsewhere)
        if skipped is not None:
            return skipped
        return extract_bytes(src, data, config_for(self.manifest, service, postgres=service not in self._elsewhere))


def _reaches_others(result: ExtractResult | None) -> bool:
    return result is not None and shared_facts(result) is not None

