"""What an analysis hands to the renderers: ``Project`` (stages 1–6) and
``RunResult`` (a finished check, stage 8).

Records only. ``app`` builds them; ``output`` renders them, so they live
below both (``output`` must not import ``app``).
"""
from __future__ import annotations

from dataclasses import dataclass

from hos_lint import policy
from hos_lint.baseline import Entry
from hos_lint.context import ProjectContext
from hos_lint.manifest import Manifest
from hos_lint.model import Access, ExtractResult, FileNotice, Finding


@dataclass(frozen=True, kw_only=True)
class Project:
    """Stages 1–6: the manifest, every file's extraction, the context, resolved accesses."""

    manifest: Manifest
    results: tuple[ExtractResult, ...]
    context: ProjectContext
    accesses: tuple[Access, ...]
    notices: tuple[FileNotice, ...]
    scope: tuple[str, ...]  # project-relative paths the user asked about ("" = everything)
    files_only: bool  # every PATH named a file (pre-commit style)
    repo_root: str = ""  # the repository holding the project (machine formats name paths from it)
    databases: tuple[FileNotice, ...] = ()  # services on a database other than PostgreSQL (also in notices)
    skipped: tuple[str, ...] = ()  # one line per named file that the configuration excludes


@dataclass(frozen=True, kw_only=True)
class RunResult:
    findings: tuple[Finding, ...]
    inferred: bool = False  # services and schemas came from zero-config inference
    files_scanned: int
    services: tuple[str, ...]
    services_with_schema: int = 0  # how many of ``services`` have a schema of their own
    notices: tuple[FileNotice, ...] = ()
    suppressed: int = 0
    baselined: int = 0
    stale: tuple[Entry, ...] = ()
    fail_on: str = "error"
    max_annotations: int = 10  # the manifest's max-annotations (--format github)
    duration_s: float = 0.0
    root: str = ""  # the project root (finding paths are relative to it)
    legacy: tuple[str, ...] = ()  # zero-config: services inferred to be the monolith being decomposed
    databases: tuple[FileNotice, ...] = ()  # services on a database other than PostgreSQL (also in notices)
    repo_root: str = ""  # the repository root ("" = the project root)
    skipped: tuple[str, ...] = ()  # named files not checked because the configuration excludes them

    @property
    def failed(self) -> bool:
        return policy.fails(self.findings, self.fail_on)
