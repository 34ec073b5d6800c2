"""What the CLI decides for a renderer, one record per kind of document.

Renderers are pure: whether to use colour, which source lines to show or
where HTML links point is decided by ``cli.py`` and passed in here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Check results (``hos-lint check --format ...``)."""

    color: bool = False
    show_source: bool = False
    # (path, line) -> source text, read by the CLI when --show-source is given
    sources: Mapping[tuple[str, int], str] = field(default_factory=dict)
    statistics: bool = False
    quiet: bool = False
    cwd: str | None = None  # text output names files relative to it (set by the CLI)
    # --format github: annotations of each level (None: the manifest's max-annotations; 0: no cap)
    max_annotations: int | None = None
    # --format github: where else the findings held back from annotations are (the job summary, a SARIF file)
    elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """The report (``hos-lint report --format ...``)."""

    link_base: str = ""  # prefix of file links in HTML (e.g. a repository blob URL)


@dataclass(frozen=True, slots=True)
class DiffOptions:
    """The report diff (``hos-lint report --diff REF``)."""

    ref: str  # the git ref the project is compared with, as the user gave it
