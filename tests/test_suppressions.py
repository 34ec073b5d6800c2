"""Inline suppressions in TypeScript, SQL, Python (and Prisma) comments: with and
without a reason, used and unused, anchored to multi-line statements."""
from hos_lint.extract import extractor_for
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import SourceFile
from hos_lint.suppressions import find_suppressions
from hos_lint.testing import run_files

PRISMA_SEARCH = (
    "model Product {\n  id Int @id\n  @@map(\"products\")\n  @@schema(\"product_service\")\n}\n"
)
TS_HEAD = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"


def codes(files) -> set[tuple[str, int, str]]:
    return {(f.location.path, f.location.line, f.code) for f in run_files(files)}


def suppressions_in(path: str, text: str):
    """The suppressions in the comments the file's extractor hands over."""
    ext = extractor_for(path)
    result = ext.extract(SourceFile(path, "order", ext.LANGUAGE), text, ExtractConfig())
    return find_suppressions(path, result.comments)


def test_sql_comment_above_a_multiline_statement_suppresses_it():
    sql = ("-- hos-lint: ignore[HOS102] nightly report until the view lands\n"
           "SELECT o.id\nFROM order_service.orders o\nJOIN auth_service.users u ON u.id = o.user_id;\n")
    assert codes({"services/order/db/r.sql": sql}) == set()


def test_sql_trailing_comment_on_any_line_of_the_statement():
    sql = ("SELECT o.id\nFROM order_service.orders o -- hos-lint: ignore[HOS102] reviewed in PLAT-7\n"
           "JOIN auth_service.users u ON u.id = o.user_id;\n")
    assert codes({"services/order/db/r.sql": sql}) == set()


def test_sql_comment_does_not_reach_the_next_statement():
    sql = ("SELECT 1; -- hos-lint: ignore[HOS102] not this one\n"
           "SELECT * FROM auth_service.users;\n")
    assert codes({"services/order/db/r.sql": sql}) == {
        ("services/order/db/r.sql", 1, "HOS902"), ("services/order/db/r.sql", 2, "HOS102")}


def test_sql_without_reason_is_reported_and_suppresses_nothing():
    sql = "-- hos-lint: ignore[HOS102]\nSELECT * FROM auth_service.users;\n"
    assert codes({"services/order/db/r.sql": sql}) == {
        ("services/order/db/r.sql", 1, "HOS902"), ("services/order/db/r.sql", 2, "HOS102")}


def test_sql_without_codes_is_reported():
    sql = "-- hos-lint: ignore because reasons\nSELECT * FROM auth_service.users;\n"
    assert codes({"services/order/db/r.sql": sql}) == {
        ("services/order/db/r.sql", 1, "HOS902"), ("services/order/db/r.sql", 2, "HOS102")}


def test_wrong_code_does_not_suppress_and_is_unused():
    sql = "-- hos-lint: ignore[HOS101] wrong rule\nSELECT * FROM auth_service.users;\n"
    assert codes({"services/order/db/r.sql": sql}) == {
        ("services/order/db/r.sql", 1, "HOS902"), ("services/order/db/r.sql", 2, "HOS102")}


def test_ts_comment_above_a_multiline_prisma_call():
    ts = TS_HEAD + (
        "// hos-lint: ignore[HOS102] indexing reads until product events carry payloads\n"
        "const rows = await prisma.product\n  .findMany({\n    where: { active: true },\n  });\n")
    assert codes({"services/search/prisma/schema.prisma": PRISMA_SEARCH, "services/search/src/a.ts": ts}) == {
        ("services/search/prisma/schema.prisma", 1, "HOS105")}


def test_ts_trailing_comment_on_the_last_line_of_the_call():
    ts = TS_HEAD + ("const rows = await prisma.product.findMany({\n"
                    "  where: { active: true },\n}); // hos-lint: ignore[HOS102] reviewed\n")
    assert ("services/search/src/a.ts", 3, "HOS102") not in codes(
        {"services/search/prisma/schema.prisma": PRISMA_SEARCH, "services/search/src/a.ts": ts})


def test_ts_block_comment_and_unused():
    ts = TS_HEAD + ("/* hos-lint: ignore[HOS101] nothing writes here */\n"
                    "const rows = await prisma.product.findMany();\n")
    assert codes({"services/search/prisma/schema.prisma": PRISMA_SEARCH, "services/search/src/a.ts": ts}) == {
        ("services/search/prisma/schema.prisma", 1, "HOS105"),
        ("services/search/src/a.ts", 3, "HOS902"),
        ("services/search/src/a.ts", 4, "HOS102")}


def test_ts_directive_inside_a_string_is_not_a_suppression():
    ts = TS_HEAD + "const s = '// hos-lint: ignore[HOS102] not a comment'; await prisma.product.findMany();\n"
    assert ("services/search/src/a.ts", 3, "HOS102") in codes(
        {"services/search/prisma/schema.prisma": PRISMA_SEARCH, "services/search/src/a.ts": ts})


def test_prisma_comment_suppresses_foreign_model():
    prisma = "// hos-lint: ignore[HOS105] read model until the view exists\n" + PRISMA_SEARCH
    assert codes({"services/search/prisma/schema.prisma": prisma}) == set()


def test_find_suppressions_python_tokens():
    text = ('x = "# hos-lint: ignore[HOS101] in a string"\n'
            "cur.execute(  # hos-lint: ignore[HOS102, HOS101] legacy job\n    'SELECT 1')\n")
    (s,) = suppressions_in("a.py", text)
    assert (s.location.line, s.location.col, s.codes, s.reason, s.lines) == (
        2, 15, ("HOS102", "HOS101"), "legacy job", (2, 2))


def test_find_suppressions_sql_skips_strings_and_dollar_bodies():
    text = ("SELECT '-- hos-lint: ignore[HOS102] no';\n"
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 -- hos-lint: ignore[HOS102] no\n$$ LANGUAGE sql;\n"
            "  -- hos-lint: ignore[HOS103] yes\n")
    (s,) = suppressions_in("a.sql", text)
    assert (s.location.line, s.location.col, s.codes, s.reason, s.lines) == (4, 3, ("HOS103",), "yes", (4, 5))


PY_HEAD = "import psycopg\n\ncur = psycopg.connect('').cursor()\n"


def test_python_trailing_comment_on_a_multiline_call_suppresses_it():
    py = PY_HEAD + ("cur.execute(  # hos-lint: ignore[HOS101] nightly cleanup agreed with auth (AUTH-88)\n"
                    "    'DELETE FROM auth_service.sessions WHERE expired'\n)\n")
    assert codes({"services/order/jobs/cleanup.py": py}) == set()


def test_python_comment_above_the_statement_suppresses_it():
    py = PY_HEAD + ("# hos-lint: ignore[HOS101] nightly cleanup agreed with auth (AUTH-88)\n"
                    "cur.execute('DELETE FROM auth_service.sessions WHERE expired')\n")
    assert codes({"services/order/jobs/cleanup.py": py}) == set()


def test_python_without_reason_and_unused():
    py = PY_HEAD + ("cur.execute('DELETE FROM auth_service.sessions')  # hos-lint: ignore[HOS101]\n"
                    "cur.execute('SELECT 1')  # hos-lint: ignore[HOS102] left over\n")
    assert codes({"services/order/jobs/cleanup.py": py}) == {
        ("services/order/jobs/cleanup.py", 4, "HOS101"),
        ("services/order/jobs/cleanup.py", 4, "HOS902"),
        ("services/order/jobs/cleanup.py", 5, "HOS902"),
    }


def test_a_suppression_naming_no_rule_is_reported_even_when_its_code_never_runs():
    sql = "SELECT * FROM auth_service.users; -- hos-lint: ignore[HOS999] typo of HOS102\n"
    assert codes({"services/order/db/r.sql": sql}) == {
        ("services/order/db/r.sql", 1, "HOS102"), ("services/order/db/r.sql", 1, "HOS902")}
    # look-alike: a real code whose rule was not selected is not judged (it may match when it runs)
    from hos_lint.registry import load_catalog
    only_101 = tuple(r for r in load_catalog().rules if r.code in ("HOS101", "HOS902"))
    sql = "SELECT * FROM auth_service.users; -- hos-lint: ignore[HOS102] reviewed\n"
    assert run_files({"services/order/db/r.sql": sql}, rules=only_101) == []
    sql = "SELECT * FROM auth_service.users; -- hos-lint: ignore[HOS999] reviewed\n"
    assert [(f.code, f.full_message) for f in run_files({"services/order/db/r.sql": sql}, rules=only_101)] == [
        ("HOS902", "suppression of HOS999 matches no finding; remove the comment")]
