"""Output formats: pure ``render(result, catalog, options) -> str`` functions."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from linter.output import github, json_format, junit, markdown, sarif, text


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    show_source: bool = False
    statistics: bool = False
    quiet: bool = False


FORMATTERS: dict[str, Callable] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "markdown": markdown.render,
}
