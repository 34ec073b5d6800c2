"""YAML files: documents composed within ``linter.yamlload``'s bounds, Helm
template actions blanked (offsets kept), and the node helpers every YAML
reader uses (``items`` with merge keys, ``scalar``, ``dig``)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml

from hos_lint import yamlload
from hos_lint.embedded import LineIndex
from hos_lint.extract.base import parse_error
from hos_lint.extract.config_files.settings import Read, Setting, line_end, next_line
from hos_lint.extract.config_files.values import EMPTY, Value
from hos_lint.model import Problem, SkipReason, SourceFile

# Why a YAML file past the alias or nesting limits of ``linter.yamlload`` was not analysed.
YAML_LIMIT = SkipReason.YAML_LIMIT
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
# A Go-template action (Helm): `{{ .Values.url }}`, `{{- if .x }}`; may span lines.
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class YamlFile:
    """The read-only context of one YAML file: its path and service, original
    text, line index, and the spans of Helm template actions left inline."""

    src: SourceFile
    text: str
    lines: LineIndex
    templates: tuple[tuple[int, int], ...] = ()

    def value(self, node: yaml.ScalarNode) -> Value:
        """A scalar's value; inline template actions in it are unresolved parts."""
        start, end = node.start_mark.index, node.end_mark.index
        if not any(s < end and start < e for s, e in self.templates):
            return Value.literal(node.value)
        raw = self.text[start:end]
        if node.style in ("'", '"') and len(raw) >= 2:
            raw = raw[1:-1]
        out, last = EMPTY, 0
        for m in _TEMPLATE.finditer(raw):
            out, last = out + Value.literal(raw[last:m.start()]) + Value.unknown(m.group()), m.end()
        return out + Value.literal(raw[last:])

    def position(self, node: yaml.ScalarNode, skip: int = 0) -> tuple[int, int]:
        """1-based (line, col) of a scalar's text, ``skip`` characters in (past any quote)."""
        offset = node.start_mark.index
        if node.style in ("'", '"'):
            offset += 1
        elif node.style in ("|", ">"):  # the text starts on the line after the indicator
            offset = next_line(self.text, offset)
            offset += len(self.text[offset:]) - len(self.text[offset:].lstrip(" "))
        return self.lines.position(offset + skip)


# Reads the settings of one YAML document (compose, Kubernetes, Helm values).
DocumentReader = Callable[["YamlFile", yaml.Node], Iterator[Setting]]


def yaml_settings(src: SourceFile, text: str, reader: DocumentReader, templated: bool) -> Read:
    """Parse every document of a YAML file and collect the settings ``reader`` finds.

    Documents before a syntax error are still read; the error is HOS901 at its
    line. With ``templated`` (Kubernetes folders, where Helm charts live) Go
    template actions are blanked first, and a file that is not YAML even then
    is skipped (a notice, not a parse error: it is not meant to be YAML).
    Compose files are never templates: ``{{.Name}}`` there is a literal.
    """
    parse_text, templates = blank_templates(text) if templated else (text, ())
    ctx = YamlFile(src, text, LineIndex.of(text), templates)
    docs, problem, comments = _documents(ctx, parse_text)
    settings = tuple(s for doc in docs for s in reader(ctx, doc))
    if problem is not None and problem.whole_file:
        return Read(settings, (problem,), skipped=YAML_LIMIT)
    if problem is not None and parse_text != text:
        return Read(settings, skipped=SkipReason.HELM_TEMPLATE)
    return Read(settings, (problem,) if problem else (), comments=comments)


def blank_templates(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` with Go-template actions neutralised, keeping every offset.

    An action alone on its line(s) (``{{- if .x }}``) becomes blanks; one inside
    a value becomes ``x`` characters so the value stays a scalar; the spans of
    the latter are returned so their values count as unresolved.
    """
    if "{{" not in text:
        return text, ()
    out, spans, last = [], [], 0
    for m in _TEMPLATE.finditer(text):
        line_start = max(text.rfind("\n", 0, m.start()), text.rfind("\r", 0, m.start())) + 1
        alone = not text[line_start:m.start()].strip() and _only_blank_after(text, m.end())
        out.append(text[last:m.start()])
        out.append(re.sub(r"[^\n]", " " if alone else "x", m.group()))
        if not alone:
            spans.append((m.start(), m.end()))
        last = m.end()
    out.append(text[last:])
    return "".join(out), tuple(spans)


def _only_blank_after(text: str, pos: int) -> bool:
    return not text[pos:line_end(text, pos)].strip()


def _documents(ctx: YamlFile, text: str) -> tuple[list[yaml.Node], Problem | None, tuple[tuple[int, int], ...]]:
    """The composed documents (node trees with marks), the first error if
    any, and the (start, end) offsets of the comments scanned up to there.

    Composing is bounded (``linter.yamlload``): past its alias or nesting
    limits the rest of the file is not read, and every walk below stays
    within them.
    """
    docs: list[yaml.Node] = []
    comments: list[tuple[int, int]] = []
    try:
        for doc in yamlload.compose_all(text, comments):
            if doc is not None:
                docs.append(doc)
    except yaml.YAMLError as err:
        return docs, _yaml_problem(ctx, err), tuple(comments)
    return docs, None, tuple(comments)


def _yaml_problem(ctx: YamlFile, err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    offset = mark.index if mark is not None else getattr(err, "position", 0)
    line, col = ctx.lines.position(min(max(offset, 0), len(ctx.text)))
    what = getattr(err, "problem", None) or getattr(err, "reason", None) or str(err)
    if isinstance(err, yamlload.YamlLimitError):
        return parse_error(ctx.src, line, col, f"YAML file not analysed: {what}", whole_file=True)
    context = getattr(err, "context", None)
    return parse_error(ctx.src, line, col, f"YAML parse error: {what}" + (f" ({context})" if context else ""))


def items(node: yaml.Node | None) -> dict[str, yaml.Node]:
    """A mapping node's entries by scalar key, ``<<`` merges applied (explicit
    keys override merged ones; earlier merged mappings win, as in YAML 1.1)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    merged: dict[str, yaml.Node] = {}
    own: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if key.tag == _MERGE_TAG:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                for k, v in items(source).items():
                    merged.setdefault(k, v)
        elif isinstance(key, yaml.ScalarNode):
            own[key.value] = value
    return {**merged, **own}


def leaf(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The node when it is a non-null scalar, else None."""
    if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG:
        return node
    return None


def scalar(node: yaml.Node | None) -> str | None:
    """A non-null scalar's text, else None."""
    found = leaf(node)
    text: str | None = found.value if found is not None else None
    return text


def dig(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        node = items(node).get(key)
    return node
