"""The one way hos-lint reads YAML: PyYAML's safe composer, bounded.

Every YAML file hos-lint reads (the manifest, docker-compose files, Kubernetes
manifests and Helm charts of the checked project) is hostile input. Aliases
share a node, so a few hundred bytes can stand for billions of nodes once
expanded (``a: &a [x, x]``, ``b: &b [*a, *a]``, ... or ``<<: [*a, *a]`` merge
keys ten levels deep), and every walk over the tree, PyYAML's own merge-key
flattening included, is exponential in that. Nesting is a second limit:
PyYAML's composer recurses once per level.

So documents are composed (never constructed) first, and while composing:

- each node may sit at most ``MAX_DEPTH`` levels deep, counting the levels an
  alias brings with it;
- all aliases of a stream together may add at most ``MAX_ALIAS_NODES`` nodes to
  it (an alias adds the size of its anchored subtree, expanded);
- an alias may not point into the node that holds it (a cycle).

Anything past a limit raises ``YamlLimitError`` (a ``yaml.MarkedYAMLError``)
at the alias or node where the limit was crossed, before any construction or
walk has happened. Within the limits, any walk over the composed tree,
aliases followed, visits at most the document's own nodes plus
``MAX_ALIAS_NODES`` and recurses at most ``MAX_DEPTH`` levels.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

MAX_DEPTH = 100
MAX_ALIAS_NODES = 100_000
# A comment in a stretch the scanner skipped: `#` up to one of PyYAML's line breaks.
_COMMENT = re.compile("#[^\0\r\n\x85\u2028\u2029]*")


class YamlLimitError(yaml.MarkedYAMLError):
    """A document past the alias or nesting limits; ``problem_mark`` is where."""

    def __init__(self, *, problem: str, problem_mark: Any) -> None:  # a pure-Python or libyaml Mark
        super().__init__(problem=problem, problem_mark=problem_mark)


def compose_all(text: str, comments: list[tuple[int, int]] | None = None) -> Iterator[yaml.Node | None]:
    """The node tree of each document in ``text`` (``None`` for an empty one), bounded.

    With ``comments``, the (start, end) offsets of the comments the scanner
    saw are added to it once the stream is read (or reading stopped).
    """
    loader = _BoundedLoader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        if comments is not None:
            comments.extend(loader.comments())
        loader.dispose()


def compose(text: str) -> yaml.Node | None:
    """The node tree of a single-document stream (``None`` when empty), bounded."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def construct(node: yaml.Node | None) -> Any:
    """Python data (safe types only) for a tree returned by ``compose``.

    Merge keys are flattened into the nodes they appear in, so read anything
    else needed from the tree (line numbers) before constructing.
    """
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` whose composer charges every node and alias against the
    limits, and whose scanner notes the stretches it skips between tokens.

    Those stretches hold nothing but blanks, line breaks and comments, so every
    ``#`` in them starts a comment the scanner saw (never one inside a quoted
    or block scalar, which the scanner reads as tokens).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0  # levels of the node being composed
        self._added = 0  # nodes the aliases of this stream have added so far
        self._measured: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)
        self._skipped: list[tuple[int, int]] = []  # (start, end) of each stretch the scanner skipped

    def comments(self) -> list[tuple[int, int]]:
        """(start, end) offsets of the comments scanned so far, in order."""
        text = self.buffer  # the whole stream (a str input is read at once), plus a final NUL
        return [m.span() for a, b in self._skipped for m in _COMMENT.finditer(text, a, b)]

    def _noting(self, skip: Any, *args: Any) -> None:
        start = self.index
        skip(*args)
        if self.index > start:
            self._skipped.append((start, self.index))

    def scan_to_next_token(self) -> None:
        self._noting(super().scan_to_next_token)

    def scan_block_scalar_ignored_line(self, start_mark: Any) -> None:
        self._noting(super().scan_block_scalar_ignored_line, start_mark)

    def scan_directive_ignored_line(self, start_mark: Any) -> None:
        self._noting(super().scan_directive_ignored_line, start_mark)

    def compose_document(self) -> yaml.Node | None:
        try:
            return super().compose_document()
        finally:
            self._measured = {}  # anchors (and so aliased nodes) never cross documents

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self._next_event()
            assert isinstance(event, yaml.AliasEvent)
            target = self.anchors.get(event.anchor)
            if target is not None:  # an undefined alias is PyYAML's own error
                self._charge(event, target)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(problem=f"nested deeper than {MAX_DEPTH} levels",
                                     problem_mark=self._next_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _next_event(self) -> yaml.Event:
        """The event about to be composed (PyYAML's stubs leave ``peek_event`` untyped)."""
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        return event

    def _charge(self, event: yaml.AliasEvent, target: yaml.Node) -> None:
        mark = event.start_mark
        if target.end_mark is None:  # a collection still being composed: the alias is inside it
            raise YamlLimitError(problem=f"alias *{event.anchor} refers to a node that contains it",
                                 problem_mark=mark)
        size, height = self._measure(target)
        if self._depth + height > MAX_DEPTH:
            raise YamlLimitError(problem=f"alias *{event.anchor} nests the document deeper than {MAX_DEPTH} "
                                         "levels", problem_mark=mark)
        self._added += size
        if self._added > MAX_ALIAS_NODES:
            raise YamlLimitError(problem=f"aliases expand the document by more than {MAX_ALIAS_NODES} nodes "
                                         f"(at alias *{event.anchor})", problem_mark=mark)

    def _measure(self, root: yaml.Node) -> tuple[int, int]:
        """(nodes, height) of ``root``'s subtree with aliases expanded.

        Iterative, and memoised per node, so the cost is the size of the
        composed graph, not of its expansion; sizes are capped just above the
        budget so they stay small integers.
        """
        memo = self._measured
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in memo:
                continue
            children = _children(node)
            if children_done:
                size = 1 + sum(memo[id(c)][0] for c in children)
                height = 1 + max((memo[id(c)][1] for c in children), default=0)
                memo[id(node)] = (min(size, MAX_ALIAS_NODES + 1), height)
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in memo)
        return memo[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
