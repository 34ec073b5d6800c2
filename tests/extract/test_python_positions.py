"""The Python extractor's node offsets (``positions.node_offsets``, which works
around the slow public ``PositionProvider``) agree with ``PositionProvider`` on
every node of a varied corpus, and the workaround stays the only place that
touches libcst's private API."""
from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from hos_lint.embedded import LineIndex
from hos_lint.extract.python import positions
from hos_lint.extract.python.bindings import Collector
from hos_lint.model import Location

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "linter/extract/python"

SNIPPETS = [
    "",
    "x = 1",  # no final newline: libcst generates one, then takes it back
    "# only a comment",
    "\n\n# leading blank lines\nx = 1\n",
    "a = 1\r\nb = f'{a!r:>{w}}' 'tail'\r\n",  # CR LF
    "a = 1\rb = 'x'\rif a:\r    b = 2",  # CR only
    "if x:\n\tcur.execute('SELECT 1')\n",  # tabs
    "s = 'é😀' + b'\\x00' + '\\N{BULLET}' + r'\\d'\n",  # characters outside the BMP count as one
    "名前 = 'ünïcode'\nprint(名前)\n",
    "x = (\n  1 +  # a comment\n  2)\n",
    "sql = 'SELECT a ' \\\n    'FROM t'\nsql += f\"WHERE id = {i}\"\n",
    "q = '''\nSELECT *\n  FROM \"Order\"\n'''\n",
    'q = """x""" "y" f"z{1}" r"w"\nb = b"x" rb"y" Rb\'\\z\'\n',
    "q = 'SELECT %s FROM t' % (x,)\nr = 'SELECT {} FROM {t}'.format(a, t=b)\n",
    "q = f'{x:{width}.{precision}}' f'{\"nested\"}' f'{{literal}}'\n",
    "def f(a, /, b=2, *c, d: str = 'x', **e) -> int:\n    return a\n",
    ("@decorator(arg)\n@other\nclass Order(Base, metaclass=Meta):\n    __tablename__ = 'orders'\n"
    "    __table_args__ = ({'schema': 's'},)\n    id: int = Column(Integer)\n"),
    ("async def g(conn):\n    async with conn.transaction() as tx:\n        rows = await conn.fetch('SELECT 1')\n"
    "    async for row in conn.cursor('SELECT 2'):\n        yield row\n"),
    "for i in range(3):\n    pass\nelse:\n    pass\nwhile (n := next(it)) is not None:\n    break\n",
    ("try:\n    x = 1\nexcept (ValueError, TypeError) as err:\n    raise\nelse:\n    pass\nfinally:\n    y = 2\n"
    "try:\n    pass\nexcept* OSError:\n    pass\n"),
    ("match cmd:\n    case [1, *rest] if rest:\n        pass\n    case {'a': b, **kw}:\n        pass\n"
    "    case Point(x=0) | None:\n        pass\n    case _:\n        pass\n"),
    "x = 1; y = 2;\nglobal a, b\n",
    "f = lambda a, *, b=1: a + b\nv = [i for i in xs if i] + {k: v for k, v in d.items()}\n",
    "t = a[1:2, ::3], b[..., None]\nu = not -x ** 2 // y @ z\nw = a if b else c\n",
    "import a.b as c\nfrom . import d\nfrom ..e import (f as g, h)\nfrom os import *\n",
    "def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        del n\n    return inner\n",
    "assert x, 'msg'\nwith open(p) as a, b as c:\n    pass\n",
    "x: list[int]\ny: 'Prisma | None' = None\n",
    "type Alias = int\ndef ident[T](a: T) -> T: ...\nclass Box[T]: pass\n",
    "session.query(Order).filter(Order.id == 1).join(Item).update({'a': 1})\n",
    "db.order.find_many(where={'id': 1})\nawait prisma.query_raw('SELECT 1')\n",
    "print(*args, **kwargs)\nx = 1\n\x0c\ny = 2\n",  # a form feed is not a line break
]

# Texts libcst does not regenerate exactly: it drops a form feed that starts a
# statement's line, and the final CR of a file whose lines end in CR alone.
NOT_REGENERATED = [
    "a = 1\rb = 'x'\rprint(a, b)\r",
    "x = 1\n\x0ccur.execute('SELECT * FROM t')\n",
    "\x0ccur.execute('SELECT * FROM t')",  # and no final line break
    "x = 1\n\x0c\x0cz = 2\nprint(x, z)",
]

# Every node kind the extractor reports a position or an anchor for (a
# location, a decoded string's origin, a statement or header anchor).
REPORTED_KINDS = {
    cst.Call, cst.Name, cst.Attribute, cst.ClassDef, cst.SimpleString, cst.ConcatenatedString,
    cst.FormattedString, cst.FormattedStringText, cst.FormattedStringExpression, cst.BinaryOperation,
    cst.Subscript, cst.Await, cst.SimpleStatementLine, cst.If, cst.For, cst.While, cst.With, cst.WithItem,
    cst.Match, cst.Decorator, cst.Arg, cst.Param, cst.Parameters, cst.Lambda, cst.ListComp, cst.DictComp,
    cst.NamedExpr, cst.Try, cst.TryStar, cst.ExceptHandler, cst.IndentedBlock, cst.FunctionDef,
}
# Whitespace nodes at the end of a file without a final newline (and the module
# itself) end on the newline libcst generates and then takes back:
# PositionProvider places that end on a line past the text, the offsets at it.
_PAST_THE_END = (cst.Module, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine)


def corpus() -> list[tuple[str, str]]:
    files = sorted((ROOT / "fixtures").rglob("*.py")) + sorted(PACKAGE.glob("*.py"))
    named = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]
    return [(f"snippet {i}", text) for i, text in enumerate(SNIPPETS)] + named


def provider_ranges(module: cst.Module) -> Mapping[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]]:
    """1-based ((line, col), (line, col)) of every node, from the public PositionProvider."""
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {n: ((r.start.line, r.start.column + 1), (r.end.line, r.end.column + 1)) for n, r in ranges.items()}


@pytest.fixture
def workaround_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback to PositionProvider must not be taken: otherwise the
    comparison would compare the provider with itself."""
    def refuse(module: cst.Module, text: str) -> None:
        raise AssertionError("node_offsets fell back to PositionProvider")
    monkeypatch.setattr(positions, "_provider_offsets", refuse)


@pytest.mark.parametrize(("name", "text"), corpus(), ids=lambda v: v if len(v) < 60 else None)
def test_node_offsets_agree_with_position_provider(name: str, text: str, workaround_only: None) -> None:
    module = cst.parse_module(text)
    ours = positions.node_offsets(module, text)
    theirs = provider_ranges(module)
    lines = LineIndex.of(text)
    assert set(ours) == set(theirs)
    for node, (start, end) in ours.items():
        (their_start, their_end) = theirs[node]
        assert lines.position(start) == their_start, (type(node).__name__, text[start:start + 30])
        if their_end[0] > len(lines.starts):
            assert isinstance(node, _PAST_THE_END) and not text.endswith(("\n", "\r")), type(node).__name__
            continue
        assert lines.position(end) == their_end, (type(node).__name__, text[start:end][:60])


def test_corpus_holds_every_node_kind_the_extractor_reports() -> None:
    seen: set[type[cst.CSTNode]] = set()
    for _, text in corpus():
        seen.update(type(node) for node in positions.node_offsets(cst.parse_module(text), text))
    assert REPORTED_KINDS - seen == set()


def provider_offsets(module: cst.Module, text: str) -> dict[cst.CSTNode, tuple[int, int]]:
    """``provider_ranges`` as offsets into ``text``, for the nodes inside it."""
    lines = LineIndex.of(text)
    return {node: (lines.offset(*start), lines.offset(*end)) for node, (start, end) in provider_ranges(module).items()
            if end[0] <= len(lines.starts)}


@pytest.mark.parametrize("text", NOT_REGENERATED)
def test_texts_libcst_does_not_regenerate_still_get_offsets_into_the_text(text: str) -> None:
    module = cst.parse_module(text)
    assert module.code != text
    offsets = positions.node_offsets(module, text)
    leaves = [n for n in offsets if isinstance(n, (cst.Name, cst.SimpleString, cst.Integer))]
    assert leaves and all(text[slice(*offsets[n])] == n.value for n in leaves)
    calls = [text[slice(*offsets[n])] for n in offsets if isinstance(n, cst.Call)]
    assert calls and all(c.startswith(("cur.", "print(")) and c.endswith(")") for c in calls)


def test_a_workaround_that_miscounts_falls_back_to_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "x = 1\ncur.execute('SELECT 1')\n"
    monkeypatch.setattr(positions._OffsetRecorder, "add_indent_tokens", lambda self: None)
    monkeypatch.setattr(positions._OffsetRecorder, "add_token", lambda self, value: None)
    module = cst.parse_module(text)
    offsets = positions.node_offsets(module, text)
    assert offsets == provider_offsets(module, text)
    (call,) = (node for node in offsets if isinstance(node, cst.Call))
    assert offsets[call] == (6, 29)


def test_only_one_function_touches_libcst_private_api() -> None:
    private_uses = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("libcst._"):
                private_uses.append((path.name, node.module))
            if isinstance(node, ast.Import):
                private_uses += [(path.name, a.name) for a in node.names if a.name.startswith("libcst._")]
            if isinstance(node, ast.FunctionDef):
                calls = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute) and n.attr == "_codegen"}
                private_uses += [(path.name, f"{node.name}: {attr}") for attr in calls]
    assert private_uses == [("positions.py", "_generate: _codegen")]


# --- offsets of one statement at a time (``Host`` with the walker's layout) ----------------------


def walked_host(text: str) -> tuple[positions.Host, list[cst.CSTNode]]:
    """A ``Host`` with the layout of the extractor's walk, and every node that walk visits."""
    module = cst.parse_module(text)
    seen: list[cst.CSTNode] = []

    class Recorder(Collector):
        def walk(self, node: cst.CSTNode) -> None:
            seen.append(node)
            super().walk(node)

    collector = Recorder(module)
    collector.walk(module)
    return positions.Host(text, module, collector.layout), seen


@pytest.mark.parametrize(("name", "text"), corpus(), ids=lambda v: v if len(v) < 60 else None)
def test_offsets_of_one_statement_at_a_time_equal_the_whole_modules(name: str, text: str,
                                                                     workaround_only: None) -> None:
    host, (module, *seen) = walked_host(text)
    whole = positions.node_offsets(host.module, text)
    assert all(host.start(n) == whole[n][0] for n in seen)
    assert all(host._range(n) == whole[n] for n in seen)
    # only the module's own nodes, a text libcst does not regenerate, and a last
    # statement without its line break need the whole module
    assert host._whole == bool(seen and (
        not positions._regenerated_in_pieces(text) or not text.endswith(("\n", "\r"))))
    assert host.start(module) == 0 and host._whole


def generated_nodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The type of every node whose code is generated for positions from now on."""
    done: list[str] = []
    real = positions._generate

    def spy(node: cst.CSTNode, recorder: positions._OffsetRecorder) -> bool:
        done.append(type(node).__name__)
        return real(node, recorder)
    monkeypatch.setattr(positions, "_generate", spy)
    return done


def test_a_statement_found_once_in_the_text_is_the_only_code_generated(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "import os\n\n\ndef f(cur):\n    cur.execute('SELECT 1')\n\n\ndef g():\n    return [1, 2, 3]\n"
    host, seen = walked_host(text)
    generated = generated_nodes(monkeypatch)
    (call,) = (n for n in seen if isinstance(n, cst.Call))
    assert host.location("a.py", call) == Location("a.py", 5, 5)
    assert host.anchor(call).text == "cur.execute('SELECT 1')"
    assert generated == ["SimpleStatementLine"]
    assert not host._whole


@pytest.mark.parametrize(("text", "line", "generated"), [
    # the statement's code also sits in a string before it: the module decides
    ('DOC = """\ncur.execute("SELECT 1")\n"""\ncur.execute("SELECT 1")\n', 4, ["SimpleStatementLine", "Module"]),
    # ... or after it
    ('cur.execute("SELECT 1")\nDOC = """\ncur.execute("SELECT 1")\n"""\n', 1, ["SimpleStatementLine", "Module"]),
    # the same line in two functions: the function around it decides
    ("def f(cur):\n    cur.execute('SELECT 1')\n\ndef g(cur):\n    cur.execute('SELECT 1')\n", 5,
     ["SimpleStatementLine", "FunctionDef"]),
    # an indented copy holds the unindented statement's code, not the other way round
    ("if a:\n    cur.execute('SELECT 1')\ncur.execute('SELECT 1')\n", 3, ["SimpleStatementLine", "Module"]),
    ("cur.execute('SELECT 1')\nif a:\n    cur.execute('SELECT 1')\n", 3, ["SimpleStatementLine"]),
    # no final line break: the module takes back the newline the statement ends with
    ("x = 1\ncur.execute('SELECT 1')", 2, ["SimpleStatementLine", "Module"]),
    # a form feed or a lone CR: libcst does not regenerate them, the whole module answers
    ("x = 1\n\x0ccur.execute('SELECT 1')\n", 2, ["Module"]),
    ("x = 1\rcur.execute('SELECT 1')\r", 2, ["Module"]),
    # CR LF is regenerated exactly
    ("x = 1\r\ncur.execute('SELECT 1')\r\n", 2, ["SimpleStatementLine"]),
])
def test_a_statement_whose_code_is_not_found_once_asks_the_one_around_it(
        monkeypatch: pytest.MonkeyPatch, text: str, line: int, generated: list[str]) -> None:
    host, seen = walked_host(text)
    calls = [n for n in seen if isinstance(n, cst.Call)]
    done = generated_nodes(monkeypatch)
    assert host.location("a.py", calls[-1]).line == line
    assert done == generated
    whole = positions.node_offsets(host.module, text)
    assert all(host._range(n) == whole[n] for n in seen)
