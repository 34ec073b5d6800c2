"""Output formats: pure ``render(result, catalog, options) -> str`` functions."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from linter.output import github, json_format, junit, markdown, sarif, text


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    show_source: bool = False
    # (path, line) -> source text, read by the CLI when --show-source is given
    sources: dict = field(default_factory=dict)
    statistics: bool = False
    quiet: bool = False
    cwd: str | None = None  # text output names files relative to it (set by the CLI)


FORMATTERS: dict[str, Callable] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "markdown": markdown.render,
}
