"""Every output hos-lint prints: pure renderers, one signature per kind of document.

- check results (``hos-lint check``): ``render(result, catalog, options) -> str``
  (``CheckRenderer``), one module per format, in ``FORMATTERS``;
- the report (``hos-lint report``): ``render(report, options) -> str``
  (``ReportRenderer``), in ``REPORT_FORMATTERS``; its diff (``--diff``) is
  ``report_diff.render(diff, options)``;
- project listings (``hos-lint accesses``, ``hos-lint ownership``):
  ``render(project) -> str`` (``ProjectRenderer``), in ``ACCESSES_FORMATTERS``
  and ``OWNERSHIP_FORMATTERS``;
- ``hos-lint why``: ``why.render(project, findings, path, line)``.

Hostile text is made safe by the shared helpers: ``safe`` (control and
bidirectional characters), ``filenames`` (bytes that are not UTF-8),
``paths`` (how a format names a file) and ``markdown`` (Markdown text).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from hos_lint.output.options import DiffOptions, RenderOptions, ReportOptions

if TYPE_CHECKING:
    from hos_lint.analysis import Project, RunResult
    from hos_lint.report import Report
    from hos_lint.rule import Catalog

__all__ = ["ACCESSES_FORMATTERS", "FORMATTERS", "OWNERSHIP_FORMATTERS", "REPORT_FORMATTERS", "CheckRenderer",
           "DiffOptions", "ProjectRenderer", "RenderOptions", "ReportOptions", "ReportRenderer"]

CheckRenderer = Callable[["RunResult", "Catalog", RenderOptions], str]
ReportRenderer = Callable[["Report", ReportOptions], str]
ProjectRenderer = Callable[["Project"], str]

_R = TypeVar("_R")


class _Registry(Mapping[str, _R], Generic[_R]):
    """Format name -> renderer, each imported on first use: a run imports the one
    renderer it prints with (``check --format json`` never loads the HTML report)."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = where  # name -> "module:function" under hos_lint.output

    def __getitem__(self, name: str) -> _R:
        module, _, function = self._where[name].partition(":")
        renderer: _R = getattr(importlib.import_module(f"hos_lint.output.{module}"), function)
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


FORMATTERS: Mapping[str, CheckRenderer] = _Registry({
    "text": "text:render",
    "json": "json_format:render",
    "sarif": "sarif:render",
    "github": "github:render",
    "junit": "junit:render",
    "markdown": "markdown:render",
})

REPORT_FORMATTERS: Mapping[str, ReportRenderer] = _Registry({
    "md": "report_md:render",
    "markdown": "report_md:render",  # the name `check --format` uses
    "html": "report_html:render",
    "mermaid": "report_graph:render_mermaid",
    "dot": "report_graph:render_dot",
    "json": "report_json:render",
})

ACCESSES_FORMATTERS: Mapping[str, ProjectRenderer] = _Registry({
    "text": "accesses:render_text", "json": "accesses:render_json"})
OWNERSHIP_FORMATTERS: Mapping[str, ProjectRenderer] = _Registry({
    "text": "ownership:render_text", "json": "ownership:render_json"})
