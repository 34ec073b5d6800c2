"""Property tests: no input makes an extractor raise, and positions stay inside the file.

Covers what the extractor test files do not already fuzz: SQL splitting and
extraction, the TypeScript extractor on arbitrary (not fragment-built) text,
the Python and shell extractors, and ``linter.app.extract_bytes`` on
arbitrary bytes for every language. (Prisma has its own arbitrary-text and
token-soup properties in ``tests/extract/test_prisma.py``.)
"""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hos_lint.app import extract_bytes
from hos_lint.embedded import Origin, split_lines
from hos_lint.extract import python as py
from hos_lint.extract import shell
from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.sql import SqlResult, extract_sql, split_statements
from hos_lint.model import AccessKind, ExtractResult, Language, SkipReason, SourceFile

SETTINGS = settings(max_examples=200, deadline=None)
PROBLEM_CODES = {"HOS901", "HOS205"}


def assert_in_file(text: str, result: ExtractResult | SqlResult, problems_too: bool = True) -> None:
    """Every reported position is a real 1-based line:col of ``text`` (col may be one past the end;
    lines break at LF, CR LF and a lone CR)."""
    lines = split_lines(text)
    locations = [a.location for a in result.accesses] + [p.location for p in result.problems if problems_too]
    for loc in locations:
        assert 1 <= loc.line <= len(lines), (loc, len(lines))
        assert 1 <= loc.col <= len(lines[loc.line - 1]) + 1, (loc, lines[loc.line - 1])
    assert {p.code for p in result.problems} <= PROBLEM_CODES
    assert all(isinstance(a.kind, AccessKind) for a in result.accesses)


# --- SQL ----------------------------------------------------------------------------

SQL_PIECES = st.sampled_from([
    "SELECT", "INSERT INTO", "UPDATE", "DELETE FROM", "CREATE TABLE", "CREATE VIEW v AS", "ALTER TABLE", "DROP",
    "WITH x AS (", "FROM", "JOIN", "WHERE", "SET search_path TO", "GRANT ALL ON", "TO", "VALUES (", "(", ")",
    ",", ";", "*", "a", "order_service.orders", '"Quoted"."T"', "'str;ing'", "E'\\''", "$$", "$tag$", "$1",
    "--c\n", "/*", "*/", "\\connect db\n", "\n", " ", "COPY t FROM stdin;\n1\n\\.\n", "DO $$ BEGIN END $$",
    "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", "RETURNING", "é", "\x00", "\r\n",
])
SQLISH = st.lists(SQL_PIECES, max_size=40).map(" ".join)


@SETTINGS
@given(st.one_of(st.text(), SQLISH))
def test_split_statements_slices_the_text_in_order(text):
    statements = split_statements(text)
    end = 0
    for stmt in statements:
        assert stmt.start >= end
        assert stmt.text and stmt.text[0] not in " \t\r\f\n" and stmt.text == stmt.text.rstrip()
        assert text[stmt.start: stmt.start + len(stmt.text)] == stmt.text
        end = stmt.start + len(stmt.text)
    assert end <= len(text)


IDENTS = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@SETTINGS
@given(st.lists(IDENTS, min_size=1, max_size=8), st.sampled_from([";", ";\n", " ;\n\n", ";\n-- note\n"]))
def test_split_statements_finds_each_plain_statement(tables, separator):
    texts = [f"SELECT * FROM s.{t}" for t in tables]
    joined = separator.join(texts) + separator
    assert [s.text for s in split_statements(joined)] == texts


@SETTINGS
@given(st.one_of(st.text(), SQLISH))
def test_extract_sql_never_raises_and_positions_are_in_the_text(text):
    result = extract_sql(text, Origin.identity(text), path="a.sql", service="order")
    assert isinstance(result, SqlResult)
    assert_in_file(text, result)


# --- TypeScript, Python, shell ---------------------------------------------------------


@SETTINGS
@given(st.text(), st.sampled_from(["a.ts", "a.tsx", "a.js", "a.mjs"]))
def test_typescript_arbitrary_text_never_raises(text, path):
    result = ts.extract(SourceFile(path, "order", Language.TYPESCRIPT), text, ExtractConfig(prisma_clients=("db",)))
    assert isinstance(result, ExtractResult)
    assert_in_file(text, result)


PY_PIECES = st.sampled_from([
    "import sqlalchemy\n", "from sqlalchemy import text, select, Table, MetaData\n", "cursor.execute(",
    "session.execute(text(", "await conn.fetch(", "db.user.find_many(", "f'", "'", '"', '"""', "SELECT * FROM t",
    "DELETE FROM auth_service.users", "{x}", "%s", ")", "(", "\n", "    ", "def f(sql: str):\n", "class M(Base):\n",
    "__tablename__ = 'orders'\n", "__table_args__ = {'schema': 's'}\n", "sql = ", " + ", "\\", "#", "é", "\t",
])
PYISH = st.lists(PY_PIECES, max_size=40).map("".join)


@SETTINGS
@given(st.one_of(st.text(), PYISH))
@example("x = 1\n\U00031350\n")  # a name libcst parses but will not build a tree for (unassigned code point)
def test_python_extractor_never_raises(text):
    result = py.extract(SourceFile("a.py", "order", Language.PYTHON), text, ExtractConfig())
    assert isinstance(result, ExtractResult)
    assert_in_file(text, result, problems_too=True)


def test_python_syntax_error_at_end_of_input_points_inside_the_file():
    result = py.extract(SourceFile("a.py", "order", Language.PYTHON), "0=\n0", ExtractConfig())
    # `0=` cannot be assigned to: the error is on line 1, inside the file
    assert [(p.location.line, p.location.col) for p in result.problems] == [(1, 1)]


SH_PIECES = st.sampled_from([
    "psql", "-c", "--command=", "<<EOF\n", "<<-'SQL'\n", "EOF\n", "SQL\n", "'", '"', "$VAR", "${X}", "$(cmd)",
    "`x`", "SELECT * FROM s.t;", "DELETE FROM $T;", "\\\n", "\n", " ", "|", "#", "é",
])


@SETTINGS
@given(st.one_of(st.text(), st.lists(SH_PIECES, max_size=40).map("".join)))
def test_shell_extractor_never_raises(text):
    result = shell.extract(SourceFile("a.sh", "order", Language.SHELL), text, ExtractConfig())
    assert isinstance(result, ExtractResult)
    assert_in_file(text, result)


# --- bytes through the app's stage-4 boundary -----------------------------------------------

PATHS = st.sampled_from(["a.sql", "a.ts", "a.tsx", "a.py", "a.sh", "schema.prisma", "a.txt"])
TOKENS = st.sampled_from([b"prisma", b"SELECT ", b"psql ", b"execute(", b"\0", b"\xff", b"\xef\xbb\xbf", b"\n"])


@SETTINGS
@given(PATHS, st.one_of(st.binary(max_size=2000), st.lists(st.one_of(TOKENS, st.binary(max_size=20))).map(b"".join)))
def test_extract_bytes_never_raises(path, data):
    language = {"sql": Language.SQL, "ts": Language.TYPESCRIPT, "tsx": Language.TYPESCRIPT, "py": Language.PYTHON,
                "sh": Language.SHELL, "prisma": Language.PRISMA, "txt": Language.SQL}[path.rsplit(".", 1)[1]]
    result = extract_bytes(SourceFile(path, "order", language), data, ExtractConfig())
    assert isinstance(result, ExtractResult)
    assert result.path == path
    assert all(p.location.line >= 1 and p.location.col >= 1 for p in result.problems)
    if path == "a.txt":
        assert result.skipped is SkipReason.NO_EXTRACTOR
