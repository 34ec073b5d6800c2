"""Where each node sits in the host text: character offsets, locations, anchors.

libcst's public way to positions is ``MetadataWrapper(module).resolve(PositionProvider)``
(line and column of every node). It costs more than parsing itself. CPU time,
best of several runs, libcst 1.9, CPython 3.11 (``bench/python_positions.py``;
the generated set is the Python files of ``bench/generate.py --files 5000``):

==============================================  ========================  ============================
                                                fixture: 12 files, 10 kB  generated: 199 files, 1.1 MB
==============================================  ========================  ============================
``parse_module`` (reference)                    17 ms                     2,925 ms
``PositionProvider``                            27 ms                     6,404 ms
``ByteSpanPositionProvider``                    22 ms                     4,370 ms
``node_offsets`` (below)                        6 ms                      944 ms
code generation alone (``.code``)               4 ms                      585 ms
extraction, per statement (``Host``)            21 ms                     2,089 ms
extraction, whole module, ``node_offsets``      24 ms                     2,878 ms
extraction, whole module, ``PositionProvider``  47 ms                     6,871 ms
==============================================  ========================  ============================

(``parse_module`` there keeps every tree alive, so the cyclic collector
traverses them; an extraction pauses it.)

``PositionProvider`` builds two position objects per node and splits every
token on line breaks; ``ByteSpanPositionProvider`` builds a span object per
node and encodes every token to UTF-8 (and its byte offsets would still need
mapping to characters). ``node_offsets`` only counts characters, so it costs
little more than code generation itself, and an extraction with it takes
about half the time.

So ``node_offsets`` (through ``_generate``, the one place that works around
the public API) drives libcst's code generation (as ``PositionProvider``
does) with a state that records character offsets.
``tests/extract/test_python_positions.py`` pins its offsets to
``PositionProvider``'s on a varied corpus. When libcst does not regenerate
the text exactly (it drops a form feed that starts a line, and the last CR of
a file whose lines end in CR alone) or its code generation asks for something
the state lacks, ``PositionProvider`` answers.

Even that pass costs more than the rest of an extraction once the tree is
walked, and it is rarely needed whole: the few statements holding what a file
reports are enough. ``Host`` generates the code of such a statement alone and
finds it in the text (exactly once, or it asks the statement around it, up to
the whole module), so a file pays for the statements it reports from.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import libcst as cst
from libcst.metadata import CodePosition, MetadataWrapper, PositionProvider

from hos_lint.embedded import LineIndex
from hos_lint.extract.base import anchor_of
from hos_lint.model import Anchor, Location

Offsets = Mapping[cst.CSTNode, tuple[int, int]]


class _OffsetRecorder:
    """What ``node_offsets`` hands to libcst's code generation instead of its
    ``CodegenState``: the same methods, but it counts characters instead of
    keeping tokens and records each node's (start, end) offsets by
    ``PositionProvider``'s rules (a syntactic range recorded inside a node
    wins over the whole node, so surrounding whitespace is excluded).
    """

    __slots__ = ("default_indent", "default_newline", "indent_tokens", "tokens", "offset", "last", "ranges",
                 "starts")

    def __init__(self, module: cst.Module) -> None:
        self.default_indent = module.default_indent
        self.default_newline = module.default_newline
        self.indent_tokens: list[str] = []
        self.tokens: list[str] = []  # Module code generation checks `len(tokens)`; only the first is kept
        self.offset = 0
        self.last = 0
        self.ranges: dict[cst.CSTNode, tuple[int, int]] = {}
        self.starts: list[int] = []

    def increase_indent(self, value: str) -> None:
        self.indent_tokens.append(value)

    def decrease_indent(self) -> None:
        self.indent_tokens.pop()

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self.last = len(value)
        if not self.tokens:
            self.tokens.append(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self.last

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.ranges:
            self.ranges[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            start = self.ranges[start_node][0] if start_node is not None else start
            end = self.ranges[end_node][1] if end_node is not None else end
            self.ranges[node] = (start, end)


def node_offsets(module: cst.Module, text: str) -> Offsets:
    """(start, end) character offsets in ``text`` of every node of ``module``
    (parsed from ``text``), as ``PositionProvider`` delimits them.

    Through ``_generate`` (libcst's private code generation, see the module
    docstring for why). Should that ever fail or not regenerate ``text``
    exactly, the public ``PositionProvider`` answers.
    """
    recorder = _OffsetRecorder(module)
    if not _generate(module, recorder):  # a libcst whose code generation asks for more
        return _provider_offsets(module, text)
    if recorder.offset != len(text):
        return _provider_offsets(module, text)
    return recorder.ranges


def _generate(node: cst.CSTNode, recorder: _OffsetRecorder) -> bool:
    """Run libcst's code generation of ``node`` into ``recorder``: False when
    it asks for something the recorder lacks.

    PRIVATE LIBCST API, here and nowhere else: ``CSTNode._codegen`` is called
    with a recorder standing in for libcst's code-generation state.
    """
    try:
        node._codegen(cast(Any, recorder))  # noqa: SLF001 - private: the measured workaround
    except (AttributeError, TypeError):
        return False
    return True


def _provider_offsets(module: cst.Module, text: str) -> Offsets:
    """``node_offsets`` through the public ``PositionProvider`` (slower, same answer).

    Its lines and columns count libcst's regeneration of ``text``, which may
    leave characters out: they are mapped back onto ``text``.
    """
    code = module.code
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = LineIndex.of(code)
    into_text = _alignment(code, text)

    def offset(position: CodePosition) -> int:
        if position.line > len(lines.starts):  # the final newline libcst generates, then takes back
            return len(text)
        return into_text[min(lines.offset(position.line, position.column + 1), len(code))]

    return {node: (offset(r.start), offset(r.end)) for node, r in ranges.items()}


def _alignment(code: str, text: str) -> list[int]:
    """The offset in ``text`` of every offset in ``code`` (and of its end),
    where ``code`` is ``text`` with some characters left out."""
    out: list[int] = []
    j = 0
    for char in code:
        found = text.find(char, j)
        j = found if found != -1 else min(j, len(text))
        out.append(j)
        j += 1
    out.append(min(j, len(text)))
    return out


@dataclass(slots=True)
class Layout:
    """Where each node sits among the statements of its module, as the walker
    found it: enough to generate the code of one statement alone.

    Keys are node ids (the module keeps every node alive while it is in use).
    ``owner``: the innermost statement holding a node (itself for a
    statement); ``outer``: the statement around a statement (None at the
    top); ``indents``: the indentation tokens a statement's code starts with.
    Statements are those that sit directly in a module or an indented block.
    """

    owner: dict[int, cst.CSTNode | None] = field(default_factory=dict)
    outer: dict[int, cst.CSTNode | None] = field(default_factory=dict)
    indents: dict[int, tuple[str, ...]] = field(default_factory=dict)


class _CodeRecorder(_OffsetRecorder):
    """An ``_OffsetRecorder`` that also keeps the code it is handed."""

    __slots__ = ("pieces",)

    def __init__(self, module: cst.Module, indents: tuple[str, ...]) -> None:
        super().__init__(module)
        self.indent_tokens = list(indents)
        self.pieces: list[str] = []

    def add_token(self, value: str) -> None:
        super().add_token(value)
        self.pieces.append(value)

    def pop_trailing_newline(self) -> None:  # only a module's code generation asks; kept exact anyway
        super().pop_trailing_newline()
        self.pieces.pop()


def _statement_offsets(statement: cst.CSTNode, indents: tuple[str, ...], module: cst.Module,
                       text: str) -> Offsets | None:
    """Offsets in ``text`` of every node of ``statement``, or None when the
    statement's code (generated alone, at ``indents``) is not found exactly
    once in ``text``.

    Found once, it can only be the statement itself: wherever libcst
    regenerates the text exactly, the statement's own code is there.
    """
    recorder = _CodeRecorder(module, indents)
    if not _generate(statement, recorder):
        return None
    code = "".join(recorder.pieces)
    at = text.find(code)
    if at == -1 or text.find(code, at + 1) != -1:
        return None
    return {node: (start + at, end + at) for node, (start, end) in recorder.ranges.items()}


def _regenerated_in_pieces(text: str) -> bool:
    """Does libcst regenerate every statement of ``text`` exactly? Not where a
    form feed or a CR that does not start a CR LF sits (see the module docstring)."""
    return "\f" not in text and ("\r" not in text or text.count("\r") == text.count("\r\n"))


class Host:
    """The host file text with node offsets: locations, anchors.

    Offsets are computed on first use, and only for the statement holding the
    node asked about (its code generated alone and found in the text, see
    ``_statement_offsets``) when the walker's ``layout`` is at hand; else, or
    when that statement's code is not found exactly once, for the statement
    around it, and so on up to the whole module (``node_offsets``). Files the
    prefilter let through often hold no database access, and those that do
    hold it in a few statements.
    """

    __slots__ = ("text", "module", "lines", "layout", "_ranges", "_whole")

    def __init__(self, text: str, module: cst.Module, layout: Layout | None = None) -> None:
        self.text = text
        self.module = module
        self.lines = LineIndex.of(text)
        self.layout = layout
        self._ranges: dict[cst.CSTNode, tuple[int, int]] = {}
        self._whole = False

    def _range(self, node: cst.CSTNode) -> tuple[int, int]:
        found = self._ranges.get(node)
        if found is None:
            self._locate(node)
            found = self._ranges[node]
        return found

    def _locate(self, node: cst.CSTNode) -> None:
        if self._whole:
            return
        layout = self.layout
        if layout is not None and _regenerated_in_pieces(self.text):
            statement = layout.owner.get(id(node))
            while statement is not None:
                offsets = _statement_offsets(statement, layout.indents[id(statement)], self.module, self.text)
                if offsets is not None:
                    self._ranges.update(offsets)
                    return
                statement = layout.outer[id(statement)]
        self._ranges.update(node_offsets(self.module, self.text))
        self._whole = True

    def start(self, node: cst.CSTNode) -> int:
        """Character offset of the node's first character."""
        return self._range(node)[0]

    def location(self, path: str, node: cst.CSTNode) -> Location:
        line, col = self.lines.position(self.start(node))
        return Location(path, line, col)

    def anchor(self, node: cst.CSTNode) -> Anchor:
        start, end = self._range(node)
        first = self.lines.position(start)[0]
        last = self.lines.position(max(start, end - 1))[0]
        return anchor_of(self.text[start:end], first, last)


def parse_host(text: str) -> tuple[cst.Module, Host]:
    """Parse ``text`` (may raise ``libcst.ParserSyntaxError``); positions come lazily."""
    module = cst.parse_module(text)
    return module, Host(text, module)
