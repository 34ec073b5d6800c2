"""The extractor's entry points: which files it takes, the cheap prefilter, and
``extract``: parse, run the two passes, assemble the result; a file that
cannot be parsed is one HOS901."""
from __future__ import annotations

import ast
import dataclasses
import gc
import io
import re
import tokenize

import libcst as cst

from hos_lint.embedded import LineIndex, split_lines
from hos_lint.extract.base import NESTED_TOO_DEEPLY, ExtractConfig, comment_at, parse_error
from hos_lint.extract.python.bindings import Collector
from hos_lint.extract.python.knowledge import Knowledge
from hos_lint.extract.python.positions import parse_host
from hos_lint.extract.python.scan import Scan
from hos_lint.extract.python.sqlalchemy import declarative_models
from hos_lint.extract.python.visitor import visit_calls
from hos_lint.model import Access, Comment, ExtractResult, Grant, Language, OrmModel, Problem, RelationDef, SourceFile

NAME = "python"
LANGUAGE = Language.PYTHON
SUFFIXES = (".py",)

_PREFILTER_TOKENS = (
    b"execute", b"fetch", b"text(", b"read_sql", b"sqlalchemy", b"Table(",
    b"__tablename__", b"prisma", b"copy_", b"select(", b"session",
    b"find_", b"query(",
)

_BRACKET = re.compile(r"[\[\](){}]")
# CPython refuses more than 200 nested brackets; libcst's native parser crashes
# the process (not an exception) somewhere above a thousand, so deeper files are
# reported without parsing them.
_MAX_BRACKETS = 200


def handles(path: str) -> bool:
    return path.endswith(SUFFIXES)


def might_access_db(data: bytes) -> bool:
    """Cheap byte scan: could this file touch a database at all?"""
    return any(token in data for token in _PREFILTER_TOKENS)


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Every access, ORM model and problem in one Python file (see the package docstring).

    A syntax error yields one HOS901 at libcst's position and nothing else;
    nesting too deep for the parser is one HOS901 at 1:1. Comments are handed
    over in every case (a suppression may be about that HOS901).

    The cyclic garbage collector is paused while the file is parsed and
    walked, and resumed (if it was running) once its tree is freed: a libcst
    tree is thousands of container objects, none in a cycle, that reference
    counting frees when the extraction returns; traversing them meanwhile
    cost about a tenth of an extraction (1,000-file generated tree).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        result = _extract(src, text, config)
    finally:
        if paused:
            gc.enable()
    return dataclasses.replace(result, comments=comments(text)) if config.comments else result


def _extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    depth_line = _too_deep(text)
    if depth_line is not None:
        return _too_deep_result(src, depth_line)
    try:
        module, host = parse_host(text)
        collector = Collector(module)
        collector.walk(module)
        host.layout = collector.layout
        scan = Scan(src, host, Knowledge(collector), config)
        visit_calls(scan, collector.calls)
        return _result(scan)
    except (cst.ParserSyntaxError, cst.CSTValidationError) as err:
        return _syntax_error(src, text, err)
    except RecursionError:
        return _too_deep_result(src, 1)


def _result(scan: Scan) -> ExtractResult:
    src = scan.src
    accesses = list(scan.accesses)
    problems = list(scan.problems)
    relation_defs: list[RelationDef] = []
    grants: list[Grant] = []
    for result in scan.sql_results:
        accesses.extend(result.accesses)
        problems.extend(result.problems)
        relation_defs.extend(result.relation_defs)
        grants.extend(result.grants)
    models = declarative_models(src, scan.host, scan.know) + scan.orm_models

    def at(item: Access | Problem | OrmModel) -> tuple[int, int]:
        return item.location.line, item.location.col

    return ExtractResult(
        path=src.path, service=src.service,
        accesses=tuple(sorted(accesses, key=at)), problems=tuple(sorted(problems, key=at)),
        orm_models=tuple(sorted(models, key=at)),
        relation_defs=tuple(relation_defs), grants=tuple(grants),
    )


def comments(text: str) -> tuple[Comment, ...]:
    """Every ``#`` comment, as CPython's own tokenizer sees them (never one
    inside a string). libcst keeps comments only inside whitespace nodes our
    walker skips, so the tokenizer is the cheaper way to them. Lines break at
    CR, LF and CR LF (universal newlines), as ``LineIndex`` counts them. A
    tokenizer error ends the list; the comments before it still count. A
    text without ``#`` has none, and is not tokenized."""
    if "#" not in text:
        return ()
    lines = LineIndex.of(text)
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == tokenize.COMMENT:
                start = lines.offset(tok.start[0], tok.start[1] + 1)
                out.append(comment_at(text, lines, start, start + len(tok.string)))
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        pass  # extraction reports the syntax error (HOS901)
    return tuple(out)


# --- what cannot be analysed -------------------------------------------------------------------


def _syntax_error(src: SourceFile, text: str, err: cst.ParserSyntaxError | cst.CSTValidationError) -> ExtractResult:
    """One HOS901 for a file libcst cannot parse (or builds no valid tree
    for: a name made of an unassigned code point).

    libcst's native parser often reports the line *after* the error, so the
    position (and message) come from CPython's own parser when it agrees the
    file is invalid; ``ast.parse`` only parses, it never executes anything.
    """
    if isinstance(err, cst.ParserSyntaxError):
        line, col, message = max(err.raw_line, 1), max(err.raw_column, 0) + 1, f"Python syntax error: {err.message}"
    else:
        line, col, message = 1, 1, f"Python syntax error: {err}"
    try:
        ast.parse(text)
    except SyntaxError as cpython:
        if cpython.lineno:
            line, col = cpython.lineno, max(cpython.offset or 1, 1)
            message = f"Python syntax error: {cpython.msg}"
    except Exception:  # noqa: BLE001 - null bytes, recursion: keep libcst's position
        pass
    line, col = _clamp(text, line, col)
    problem = parse_error(src, line, col, message)
    return ExtractResult(path=src.path, service=src.service, problems=(problem,))


def _clamp(text: str, line: int, col: int) -> tuple[int, int]:
    """Keep a reported position inside the file (at most just past a line's end)."""
    lines = split_lines(text)
    line = min(max(line, 1), len(lines))
    return line, min(max(col, 1), len(lines[line - 1]) + 1)


def _too_deep(text: str) -> int | None:
    """Line where bracket nesting first exceeds ``_MAX_BRACKETS``, else None.

    Brackets inside strings and comments count too; only a file with more
    than 200 unbalanced brackets inside its strings could be misjudged.
    """
    depth = 0
    for match in _BRACKET.finditer(text):
        depth += 1 if match.group() in "([{" else -1
        if depth > _MAX_BRACKETS:
            return LineIndex.of(text).position(match.start())[0]
    return None


def _too_deep_result(src: SourceFile, line: int) -> ExtractResult:
    """Nothing of the file is analysed: one HOS901 for the whole file (error severity)."""
    problem = parse_error(src, line, 1, "Python file is nested too deeply to analyse", whole_file=True)
    return ExtractResult(path=src.path, service=src.service, problems=(problem,), skipped=NESTED_TOO_DEEPLY)
