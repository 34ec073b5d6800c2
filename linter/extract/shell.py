"""SQL fed to ``psql`` from shell scripts (``.sh``, ``.bash``), SPEC §4.3.

Two shapes are recognised:
- heredocs that feed ``psql`` (``psql … <<EOF``, ``<<-EOF``, ``<<'EOF'``,
  ``<<"EOSQL"``, ``cat <<EOF | psql``, ``docker exec -i db psql <<EOF``);
- ``psql -c "…"`` / ``psql -c '…'`` / ``--command=…`` literal commands.

The script is parsed with tree-sitter-bash (the runtime the TypeScript
grammar uses): its commands and their words say which command runs psql, its
heredoc nodes give each body and its delimiter, its ``comment`` nodes are the
script's comments (a ``#`` inside a word, a string or a heredoc body is none).
A heredoc feeds psql when its own command or a later command of its pipeline
runs psql; a heredoc feeding anything else (``cat <<EOF > f``) is not SQL and
is left alone.

Measured CPU time of ``scan_script`` (finding the SQL chunks and comments,
best of 5) against the hand scanner it replaced (logical lines, a quote-aware
``<<`` search, shlex): the fixture's script, 0.073 ms before and 0.058 ms
now; 200 generated scripts (``python bench/gen_shell.py 200``, 1.2 MB), 288
ms before and 216 ms now, of which parsing is 62 ms. The SQL and comments
found were the same on all of them. Walking every node in Python cost more than the
hand scanner; a query (run in C) picks out the few node kinds read here.

Heredoc bodies are passed verbatim to ``extract_sql`` so positions are the
script's own. In unquoted heredocs and double-quoted ``-c`` strings the shell
expands ``$VAR``, ``${VAR}``, ``$(cmd)`` and backticks: each expansion
becomes a bind marker (``$1``, ``$2``…) passed as a placeholder, so an
expansion standing for a relation name is HOS205 and one in a value position
is fine. ``$$`` is kept literally (in practice it is meant as a dollar quote).
The expansions are read from the text by bash's rules (``_decode``):
tree-sitter-bash leaves backticks and ``$1``/``$@`` in a heredoc body as
plain content.

Where tree-sitter-bash 0.25 cannot read a script the way bash does, what is
lost is reported (HOS901), never guessed: a heredoc delimiter glued to an
operator (``<<EOF;``, its issue #346) and a syntax error that swallows a psql
command.

Line breaks are LF, CR LF and a lone CR, as everywhere in hos-lint. Bash
reads a lone CR as an ordinary character (a CR-only script is one line to
it); the script is parsed with each lone CR read as LF, which keeps every
offset, so its lines are the ones the linter reports and a CR-only script is
analysed like any other.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hos_lint.embedded import LineIndex, Origin, OriginBuilder
from hos_lint.extract.base import ExtractConfig, HostText, comment_at, parse_error
from hos_lint.model import (
    Access,
    Anchor,
    ExtractResult,
    Grant,
    Language,
    Location,
    Problem,
    RelationDef,
    SourceFile,
    Via,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query

NAME = "shell"
LANGUAGE = Language.SHELL
SUFFIXES = (".sh", ".bash")


@dataclass(frozen=True, slots=True)
class SqlChunk:
    """One piece of SQL found in a script, ready for ``extract_sql``."""

    text: str
    origin: Origin
    placeholders: frozenset[str] = frozenset()


def handles(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def might_access_db(data: bytes) -> bool:
    return b"psql" in data.lower()


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Every access in SQL the script feeds to psql; never raises. The comments
    handed over are the script's ``#`` comments and the SQL comments of what
    it feeds to psql (heredoc bodies are SQL lines of the script)."""
    accesses: list[Access] = []
    defs: list[RelationDef] = []
    grants: list[Grant] = []
    lines = LineIndex.of(text)
    script = scan_script(text)
    problems = [_unreadable(src, lines, offset, what) for offset, what in script.unreadable]
    spans = list(script.comments)
    if script.chunks:  # the SQL extractor (and sqlglot) only for a script that feeds psql some SQL
        from hos_lint.extract.sql import extract_sql
    for chunk in script.chunks:
        if _whole_expansion(chunk):
            problems.append(_dynamic(src, chunk))
            continue
        result = extract_sql(chunk.text, chunk.origin, path=src.path, service=src.service,
                             via=Via.SQL, placeholders=chunk.placeholders)
        accesses += result.accesses
        defs += result.relation_defs
        grants += result.grants
        problems += result.problems
        spans += [(chunk.origin.host_offset(a), chunk.origin.host_offset(b - 1) + 1) for a, b in result.comments]
    comments = tuple(comment_at(text, lines, a, b) for a, b in sorted(spans)) if config.comments else ()
    return ExtractResult(path=src.path, service=src.service, accesses=tuple(accesses),
                         relation_defs=tuple(defs), grants=tuple(grants), problems=tuple(problems),
                         comments=comments)


def _whole_expansion(chunk: SqlChunk) -> bool:
    """``psql -c "$SQL"``: the whole statement comes from a variable."""
    return chunk.text.strip() in chunk.placeholders


def _dynamic(src: SourceFile, chunk: SqlChunk) -> Problem:
    from hos_lint.extract.sql import HOS205_MESSAGE

    line, col = chunk.origin.position(0)
    return Problem(code="HOS205", location=Location(src.path, line, col), message=HOS205_MESSAGE,
                   service=src.service, anchor=Anchor(line, line, chunk.text.strip()))


def _unreadable(src: SourceFile, lines: LineIndex, offset: int, what: str) -> Problem:
    line, col = lines.position(offset)
    return parse_error(src, line, col, f"could not parse the shell script here: {what}")


# --------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------

_GRAMMAR: list[tuple[Parser, Query]] = []
_LONE_CR = re.compile(r"\r(?!\n)")
# The nodes the scan reads; everything else is found through them.
_NODES = "(comment) @n (heredoc_redirect) @n (command) @n (ERROR) @n (heredoc_body) @n"


def _grammar() -> tuple[Parser, Query]:
    """The tree-sitter-bash parser and the query for the nodes the scan reads,
    built once per process on first use."""
    if not _GRAMMAR:
        import tree_sitter_bash
        from tree_sitter import Language as TSLanguage
        from tree_sitter import Parser, Query

        language = TSLanguage(tree_sitter_bash.language())
        _GRAMMAR.append((Parser(language), Query(language, _NODES)))
    return _GRAMMAR[0]


def parse_script(text: str) -> tuple[HostText, Node]:
    """The script's tree, each lone CR read as a line break (same length, so
    every byte and character offset is the text's own)."""
    host = HostText(_LONE_CR.sub("\n", text))
    return host, _grammar()[0].parse(host.data).root_node


def _nodes(root: Node) -> list[Node]:
    """The comments, heredocs, commands, heredoc bodies and ERROR nodes of a
    tree in document order, outer before inner (a query runs in C: walking
    every node in Python took longer than the hand scanner it replaces)."""
    from tree_sitter import QueryCursor

    found = QueryCursor(_grammar()[1]).captures(root).get("n", [])
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))


# --------------------------------------------------------------------------
# finding SQL
# --------------------------------------------------------------------------


@dataclass(slots=True)
class Script:
    """What one walk over a script finds: the SQL it feeds to psql, the
    (start, end) offsets of its ``#`` comments, and (offset, what) of the
    parts the parser could not read where psql may be."""

    chunks: list[SqlChunk] = field(default_factory=list)
    comments: list[tuple[int, int]] = field(default_factory=list)
    unreadable: list[tuple[int, str]] = field(default_factory=list)


def scan_script(text: str) -> Script:
    """Its psql heredoc bodies and ``-c`` strings in order, and its comments
    (see ``Script``)."""
    host, root = parse_script(text)
    script = Script()
    enclosing: list[Node] = []  # the heredoc bodies and ERROR nodes around the current node
    for node in _nodes(root):
        while enclosing and enclosing[-1].end_byte <= node.start_byte:
            enclosing.pop()
        if any(n.type == "heredoc_body" for n in enclosing):
            continue  # nothing in a heredoc body is shell a psql command or comment could be in
        readable = not enclosing  # below an ERROR node, commands are guesses
        _scan_node(node, readable, text, host, script)
        if node.type in ("heredoc_body", "ERROR"):
            enclosing.append(node)
    return script


def _scan_node(node: Node, readable: bool, text: str, host: HostText, script: Script) -> None:
    kind = node.type
    if kind == "comment":
        start, end = host.char_offset(node.start_byte), host.char_offset(node.end_byte)
        script.comments.append((start, end - (text[end - 1:end] == "\r")))
    elif readable and kind == "ERROR" and b"psql" in host.data[node.start_byte:node.end_byte].lower():
        script.unreadable.append((host.char_offset(node.start_byte), "a psql command in this part is not analysed"))
    elif readable and kind == "heredoc_redirect" and _feeds_psql(node, host):
        _heredoc(node, text, host, script)
    elif readable and kind == "command" and (psql := _psql_word(node, host)) is not None:
        script.chunks += _psql_c_strings(node, psql, text, host)


def _feeds_psql(redirect: Node, host: HostText) -> bool:
    """A heredoc feeds psql when the command it belongs to runs psql, or a
    command of the pipeline that command's output goes to (``cat <<EOF | psql``).

    tree-sitter-bash hangs the redirect on the whole list or pipeline before
    it (``a && b <<EOF``); bash gives it to the last command, ``b``."""
    statement = redirect.parent
    body = statement.child_by_field_name("body") if statement is not None else None
    own = _last_command(body)
    downstream = [c for pipe in redirect.children if pipe.type == "pipeline" for c in _commands(pipe)]
    return any(_runs_psql(c, host) for c in ([own] if own is not None else []) + downstream)


def _last_command(node: Node | None) -> Node | None:
    """The simple command a redirect after ``node`` belongs to."""
    while node is not None and node.type in ("pipeline", "list"):
        node = node.named_children[-1] if node.named_children else None
    return node if node is not None and node.type == "command" else None


def _commands(node: Node) -> Iterator[Node]:
    """The simple commands of a command, pipeline or list (not those inside
    substitutions or compound bodies)."""
    if node.type == "command":
        yield node
    elif node.type in ("pipeline", "list"):
        for child in node.children:
            yield from _commands(child)


def _runs_psql(command: Node, host: HostText) -> bool:
    """True when a word of the command runs psql (``psql``, ``/usr/bin/psql``,
    ``docker exec db psql``, ``sudo -u postgres psql``)."""
    return _psql_word(command, host) is not None


# Commands that run another command given among their arguments (``sudo -u postgres psql``,
# ``docker compose exec -T db psql``): a later word naming psql is psql running.
_WRAPPERS = frozenset(("sudo", "doas", "env", "exec", "nice", "nohup", "time", "timeout", "stdbuf", "chpst",
                       "docker", "docker-compose", "podman", "kubectl", "oc", "ssh"))


def _psql_word(command: Node, host: HostText) -> int | None:
    """Index among the command's children of the word naming psql: the command's name,
    or a later word when the command is a wrapper that runs another one (``echo psql``
    or ``grep psql`` runs no psql)."""
    wrapper = False
    for index, child in enumerate(command.children):
        if child.type == "command_name":
            name = _word_text(child.children[0], host) if child.children else ""
            if name.rsplit("/", 1)[-1] == "psql":
                return index
            wrapper = name.rsplit("/", 1)[-1] in _WRAPPERS
            if not wrapper:
                return None
        elif wrapper and _word_text(child, host).rsplit("/", 1)[-1] == "psql":
            return index
    return None


def _word_text(node: Node, host: HostText) -> str:
    """A word as the shell sees it when it has no expansion: ``psql``,
    ``'psql'``, ``"psql"``; '' for anything else."""
    raw = host.node_text(node)
    if node.type == "word":
        return raw.replace("\\", "")
    if node.type == "raw_string" or (node.type == "string" and node.named_child_count <= 1
                                     and all(c.type == "string_content" for c in node.named_children)):
        return raw[1:-1]
    return ""


# --------------------------------------------------------------------------
# heredoc bodies and -c strings
# --------------------------------------------------------------------------

_OPERATOR = re.compile(r"[;&|()<>\s]")


def _heredoc(redirect: Node, text: str, host: HostText, script: Script) -> None:
    """The body of a psql heredoc as a chunk (expanded unless the delimiter is
    quoted). An unterminated heredoc runs to the end of the script, as in bash."""
    start = next((c for c in redirect.children if c.type == "heredoc_start"), None)
    body = next((c for c in redirect.children if c.type == "heredoc_body"), None)
    if start is None or body is None:
        return
    delimiter = host.node_text(start)
    if _OPERATOR.search(delimiter):  # tree-sitter-bash #346: `<<EOF;` takes `EOF;` as the delimiter
        script.unreadable.append((host.char_offset(start.start_byte), (
            f"the shell parser reads '{delimiter}' as the delimiter of this heredoc: the heredoc and the "
            f"rest of the script are not analysed (a blank before the operator avoids it)")))
        return
    begin, end = host.char_offset(body.start_byte), host.char_offset(body.end_byte)
    script.chunks.append(_body_chunk(text, begin, end, bool(re.search(r"['\"\\]", delimiter)), host.lines))


def _body_chunk(text: str, start: int, end: int, quoted: bool, lines: LineIndex) -> SqlChunk:
    if quoted:  # no expansion: the body is verbatim SQL
        return SqlChunk(text[start:end], Origin.shifted(start, lines))
    builder = OriginBuilder(lines)
    markers = _decode(text, start, end, builder, escapes="$`\\")
    body, origin = builder.build()
    return SqlChunk(body, origin, markers)


_EXPANSION = re.compile(r"\$(?:\{[^}\n]*\}|\([^)\n]*\)|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?!-])|`[^`\n]*`")


def _decode(text: str, start: int, end: int, builder: OriginBuilder, escapes: str) -> frozenset[str]:
    """Copy ``text[start:end]`` into ``builder`` the way the shell would see
    it: ``\\`` before one of ``escapes`` drops the backslash, and each
    expansion becomes a new bind marker. Returns the markers used."""
    markers: list[str] = []
    i = start
    while i < end:
        ch = text[i]
        if ch == "\\" and i + 1 < end and text[i + 1] in escapes:
            builder.add_char(text[i + 1], i + 1)
            i += 2
            continue
        m = _EXPANSION.match(text, i, end) if ch in "$`" else None
        if m:
            markers.append(f"${len(markers) + 1}")
            builder.add(markers[-1], i)
            i = m.end()
            continue
        builder.add_char(ch, i)
        i += 1
    return frozenset(markers)


_DASH_C = re.compile(r"(?:-c|--command)=?")


def _psql_c_strings(command: Node, psql: int, text: str, host: HostText) -> list[SqlChunk]:
    """``psql -c '…'`` / ``-c "…"`` / ``-c'…'`` / ``--command="…"``: a quoted
    argument of the psql command after its psql word (``psql``: that word's
    index among the command's children)."""
    children = command.children
    chunks = []
    for index in range(psql + 1, len(children)):
        arg = children[index]
        parts = arg.children if arg.type == "concatenation" else [arg]
        if parts[0].type == "word" and _DASH_C.fullmatch(host.node_text(parts[0])):
            quoted = parts[1] if len(parts) > 1 else children[index + 1] if index + 1 < len(children) else None
            chunk = _quoted_arg(quoted, text, host) if quoted is not None else None
            if chunk is not None:
                chunks.append(chunk)
    return chunks


def _quoted_arg(node: Node, text: str, host: HostText) -> SqlChunk | None:
    """A ``'…'`` argument verbatim, a ``"…"`` one decoded with its expansions
    as markers; None for anything else."""
    start, end = host.char_offset(node.start_byte) + 1, host.char_offset(node.end_byte) - 1
    if node.type == "raw_string" and end >= start and text[end] == "'":
        return SqlChunk(text[start:end], Origin.shifted(start, host.lines))
    closed = node.children[-1] if node.children else None
    if node.type != "string" or closed is None or closed.type != '"' or closed.is_missing:
        return None
    builder = OriginBuilder(host.lines)
    markers = _decode(text, start, end, builder, escapes='$`"\\')
    body, origin = builder.build()
    return SqlChunk(body, origin, markers)
