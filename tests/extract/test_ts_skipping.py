"""The walk skips what no recogniser reads (``walker``, ``call_marks``), and that
changes nothing: every file below gives the same ``ExtractResult`` as the
reference walk, which visits every node and hands every call to every library
(``call_marks`` patched to None, the walk as it was before skipping)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from trees import bench_generator

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.typescript import walker
from hos_lint.model import Language, SourceFile

REPO = Path(__file__).resolve().parents[2]
CONFIGS = (ExtractConfig(), ExtractConfig(prisma_clients=("db",)))


def _extract(path: str, text: str, config: ExtractConfig):
    return ts.extract(SourceFile(path, "svc", Language.TYPESCRIPT), text, config)


def _reference(monkeypatch: pytest.MonkeyPatch, path: str, text: str, config: ExtractConfig):
    with monkeypatch.context() as patch:
        patch.setattr(ts, "call_marks", lambda data, libraries: None)
        return _extract(path, text, config)


def _same_as_reference(monkeypatch: pytest.MonkeyPatch, path: str, text: str) -> None:
    for config in CONFIGS:
        assert _extract(path, text, config) == _reference(monkeypatch, path, text, config), path


# Look-alikes of what skipping must keep: a call named like an op behind
# whitespace or a comment, a class (and a client class) inside an unmarked
# function, a client bound in a walked scope and used in a nested one, names in
# strings and comments, a binding in a skipped block shadowing nothing outside.
SNIPPETS = {
    "spaced.ts": """
        import { PrismaClient } from '@prisma/client'
        const prisma = new PrismaClient()
        export async function f() {
          await prisma.user.
            findMany()
          await prisma.order /* c */ . /* d */ count()
          await prisma.item?.findFirst()
        }
    """,
    "class-in-function.ts": """
        import { PrismaClient } from '@prisma/client'
        function make() {
          const x = [1, 2].map((n) => n + 1)
          return class Store extends PrismaClient {}
        }
        class Other extends Store { run() { return this.user.findMany() } }
    """,
    "nested-scope.ts": """
        import { PrismaClient } from '@prisma/client'
        export function outer() {
          const db = new PrismaClient()
          const helper = () => { const other = 1; return other + 1 }
          return [1].map(async () => {
            if (helper()) { return db.account.findUnique({ where: { id: 1 }, include: { owner: true } }) }
          })
        }
    """,
    "strings.ts": """
        import { PrismaClient } from '@prisma/client'
        const prisma = new PrismaClient()
        const s = 'findMany create update' // count delete
        function g(db: PrismaClient) { const createdAt = 1; return db.$queryRaw`SELECT * FROM orders` }
        function h() { const prisma = { user: { findMany() { return 1 } } }; return prisma.user.findMany() }
    """,
    "sequelize.ts": """
        import { User } from './models/user'
        export async function list() {
          const unrelated = await fetch('x').then((r) => r.json())
          return User.findAll({ where: { id: 1 } })
        }
        export const f = async () => { await User.create({}); return unrelated }
    """,
    "unicode.ts": """
        import { PrismaClient } from '@prisma/client'
        const prisma = new PrismaClient()
        const é = 1
        export const f = () => prisma.ünicode.findMany()
        export const g = () => prisma.user.counté()
    """,
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippets_match_the_reference_walk(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    _same_as_reference(monkeypatch, f"services/svc/src/{name}", textwrap.dedent(SNIPPETS[name]))


def test_spaced_calls_are_still_read() -> None:
    result = _extract("a.ts", textwrap.dedent(SNIPPETS["spaced.ts"]), ExtractConfig())
    found = sorted((a.location.line, a.ref.delegate, a.operation) for a in result.accesses)
    assert found == [(5, "user", "findMany"), (7, "order", "count"), (8, "item", "findFirst")]


def test_a_class_in_an_unmarked_function_is_still_recorded() -> None:
    result = _extract("a.ts", textwrap.dedent(SNIPPETS["class-in-function.ts"]), ExtractConfig())
    assert [(c.name, c.base, c.location.line) for c in result.client_classes] == [
        ("Store", "PrismaClient", 5), ("Other", "Store", 7)]


def test_nesting_too_deep_is_reported_inside_an_unmarked_region(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "const x = " + "(" * 300 + "1" + ")" * 300 + "\n"
    code = "import { PrismaClient } from '@prisma/client'\nconst prisma = new PrismaClient()\n" + deep
    assert ts.call_marks(code.encode(), ts.libraries_in(code.encode(), ExtractConfig())) is not None
    problems = _extract("a.ts", code, ExtractConfig()).problems
    assert [(p.code, p.location.line, p.location.col) for p in problems] == [("HOS901", 3, 229)]
    assert problems == _reference(monkeypatch, "a.ts", code, ExtractConfig()).problems


def test_library_examples_match_the_reference_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    for knowledge in ts.LIBRARIES:
        for example in knowledge.examples:
            _same_as_reference(monkeypatch, "services/svc/src/example.ts", example)


def test_fixture_sources_match_the_reference_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(p for p in (REPO / "fixtures").rglob("*") if p.is_file() and ts.handles(str(p)))
    assert len(paths) > 100
    for path in paths:
        _same_as_reference(monkeypatch, str(path.relative_to(REPO)), path.read_text("utf-8", "replace"))


def test_generated_tree_matches_the_reference_walk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bench_generator().generate(tmp_path, 200)
    paths = sorted(p for p in tmp_path.rglob("*") if p.is_file() and ts.handles(str(p)))
    skipped = 0
    for path in paths:
        data = path.read_bytes()
        if not ts.might_access_db(data):
            continue
        skipped += ts.call_marks(data, ts.libraries_in(data, ExtractConfig())) is not None
        _same_as_reference(monkeypatch, str(path.relative_to(tmp_path)), data.decode())
    assert skipped > 50  # the walk did skip on most of these files


def test_marks_are_whole_words_with_their_libraries() -> None:
    libraries = (ts.prisma_queries.KNOWLEDGE, ts.sequelize.KNOWLEDGE)
    data = b"x.createdAt; y.create(); recount; count\xc3\xa9; class A {}; classy"
    marks = ts.call_marks(data, libraries)
    assert marks is not None
    # ``create`` names both libraries, the word before a non-ASCII byte is kept, ``class`` asks for none
    assert [data[at:at + 6] for at in marks.offsets] == [b"create", b"count\xc3", b"class "]
    assert marks.recognisers == [0b11, 0b11, 0]


def test_no_marks_when_a_library_may_read_any_call() -> None:
    data = b"import { sql } from 'drizzle-orm'\nx.findMany()"
    assert ts.call_marks(data, (ts.prisma_queries.KNOWLEDGE,)) is not None
    assert ts.call_marks(data, (ts.prisma_queries.KNOWLEDGE, ts.drizzle.KNOWLEDGE)) is None  # its package imported
    assert ts.call_marks(b"x.findMany()", (ts.prisma_queries.KNOWLEDGE, ts.knex.KNOWLEDGE)) is None  # no ``calls``


def test_calls_are_handed_only_to_the_libraries_named_in_them() -> None:
    code = b"User.findAll(); other.create(); plain()"
    from hos_lint.extract.base import HostText
    from hos_lint.extract.typescript.prisma_clients import Clients
    from hos_lint.extract.typescript.sites import FileFacts

    host = HostText(code.decode())
    facts = FileFacts(SourceFile("a.ts", "svc", Language.TYPESCRIPT), host, Clients(host, ()), parse_sql=False)
    seen: dict[str, list[str]] = {"prisma": [], "sequelize": []}
    libraries = (ts.prisma_queries.KNOWLEDGE, ts.sequelize.KNOWLEDGE)
    walk = walker.Walker(
        facts,
        [lambda site, _: seen["prisma"].append(host.node_text(site.function)),
         lambda site, _: seen["sequelize"].append(host.node_text(site.function))],
        marks=ts.call_marks(code, libraries),
    )
    walk.visit_program(ts.parse_tree(code, "a.ts"))
    assert seen == {"prisma": ["other.create"], "sequelize": ["User.findAll", "other.create"]}
