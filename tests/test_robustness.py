"""Bad input never crashes the run nor loses other files' findings (SPEC §7 "Nothing silent").

Every test builds a small project whose ``services/order/db/bad.sql`` holds a
real cross-service write, adds one pathological file, runs the real CLI
(``check --format json --no-cache``) and asserts the exact findings: the
HOS101 of ``bad.sql`` plus exactly what the pathological file must yield.
"""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
BAD_SQL = "services/order/db/bad.sql"
HOS101 = ("HOS101", BAD_SQL, 1, 13)
RULE_SUFFIX = "; fix the syntax or report the construct as unsupported"


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / "services/order/db").mkdir(parents=True)
    (root / "services/order/src").mkdir(parents=True)
    (root / "hos-lint.yaml").write_text(MANIFEST)
    (root / BAD_SQL).write_text("DELETE FROM auth_service.users;\n")
    monkeypatch.chdir(root)
    return root


def check() -> dict:
    """Run ``hos-lint check --format json --no-cache`` in-process; exit code 1 (the HOS101) is expected."""
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache", "--jobs", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def found(doc: dict) -> list[tuple[str, str, int, int]]:
    return [(f["code"], f["path"], f["line"], f["col"]) for f in doc["findings"]]


def messages(doc: dict, path: str) -> list[str]:
    return [f["message"] for f in doc["findings"] if f["path"] == path]


def not_analysed(doc: dict) -> list[tuple[str, str]]:
    return [(n["path"], n["reason"]) for n in doc["summary"]["not_analysed"]]


# --- binary, huge, invalid UTF-8, empty ---------------------------------------------


def test_binary_ts_with_database_tokens_is_hos901_at_line_1(project):
    (project / "services/order/src/blob.ts").write_bytes(b"this.prisma.order\0\0\x01\x02findMany\0" * 40)
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/src/blob.ts", 1, 1)]
    assert messages(doc, "services/order/src/blob.ts") == [
        "binary file with a source extension; not analysed" + RULE_SUFFIX]
    assert not_analysed(doc) == [("services/order/src/blob.ts", "binary")]


def test_binary_ts_without_database_tokens_is_still_reported(project):
    (project / "services/order/src/logo.ts").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 8)
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/src/logo.ts", 1, 1)]


def test_50_mb_sql_file_is_skipped_with_hos901(project):
    statement = b"INSERT INTO order_service.orders (id, note) VALUES (1, 'x');\n"
    with open(project / "services/order/db/huge.sql", "wb") as fh:
        fh.write(statement * (50 * 1024 * 1024 // len(statement) + 1))
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/db/huge.sql", 1, 1)]
    assert messages(doc, "services/order/db/huge.sql") == [
        "file is larger than 8 MB; not analysed" + RULE_SUFFIX]
    assert not_analysed(doc) == [("services/order/db/huge.sql", "too large")]


def test_invalid_utf8_is_hos901_at_the_line_of_the_bad_byte(project):
    data = b"SELECT 1;\n\nSELECT * FROM order_service.orders WHERE name = 'Jos\xe9';\n"
    (project / "services/order/db/latin1.sql").write_bytes(data)
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/db/latin1.sql", 3, 1)]
    assert data.index(b"\xe9") == 63
    assert messages(doc, "services/order/db/latin1.sql") == [
        "file is not valid UTF-8 (byte 63); not analysed" + RULE_SUFFIX]


def test_invalid_utf8_in_typescript_is_hos901(project):
    (project / "services/order/src/a.ts").write_bytes(b"const prisma = new PrismaClient();\n// caf\xc3\n")
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/src/a.ts", 2, 1)]


@pytest.mark.parametrize("name", ["db/empty.sql", "src/empty.ts", "src/empty.py", "prisma/schema.prisma",
                                  "scripts/empty.sh"])
def test_empty_file_is_clean(project, name):
    target = project / "services/order" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"")
    doc = check()
    assert found(doc) == [HOS101]
    assert not_analysed(doc) == []


# --- deep nesting --------------------------------------------------------------------


def test_10000_deep_typescript_array_is_hos901_at_the_cut_off(project):
    (project / "services/order/src/deep.ts").write_text(
        "const prisma = new PrismaClient();\nconst x = " + "[" * 10_000 + "]" * 10_000 + ";\n")
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/src/deep.ts", 2, 229)]
    assert messages(doc, "services/order/src/deep.ts") == [
        "TypeScript nesting too deep to analyse; accesses in this region may be missed" + RULE_SUFFIX]


def test_10000_deep_prisma_arguments_are_hos901(project):
    (project / "services/order/prisma").mkdir()
    (project / "services/order/prisma/schema.prisma").write_text(
        "model A {\n  x Int @default(" + "f(" * 10_000 + ")\n}\n")
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/prisma/schema.prisma", 2, 145)]
    assert messages(doc, "services/order/prisma/schema.prisma") == [
        "Prisma schema parse error: arguments nested deeper than 64 levels (in model A)" + RULE_SUFFIX]


def test_10000_deep_sql_parentheses_are_hos901(project):
    (project / "services/order/db/deep.sql").write_text(
        "SELECT " + "(" * 10_000 + "1" + ")" * 10_000 + " FROM order_service.orders;\n")
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/db/deep.sql", 1, 1)]
    (message,) = messages(doc, "services/order/db/deep.sql")
    assert message.startswith("could not parse SQL statement (SELECT ((((")
    assert message.endswith(RULE_SUFFIX) and "maximum recursion depth exceeded" in message
    assert len(message) < 400  # the statement is quoted by its first words, capped in characters


DEEP_PYTHON = "import sqlalchemy\n\nx = " + "[" * 10_000 + "]" * 10_000 + "\n"


def test_10000_deep_python_list_is_hos901_not_a_crash(project):
    # In a subprocess: the failure mode is a segmentation fault, which would
    # take the test runner down with it.
    (project / "services/order/src/deep.py").write_text(DEEP_PYTHON)
    proc = subprocess.run([sys.executable, "-m", "hos_lint", "check", "--format", "json", "--no-cache"],
                          cwd=project, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr[-500:]
    doc = json.loads(proc.stdout)
    # reported where the nesting is (line 3), without handing the file to libcst's native parser
    assert found(doc) == [HOS101, ("HOS901", "services/order/src/deep.py", 3, 1)]


def _nested_python(depth: int) -> str:
    return ("import sqlalchemy\n\nx = " + "[" * depth + "]" * depth + "\n"
            "cursor.execute('DELETE FROM auth_service.users')\n")


def test_100_deep_python_list_is_analysed(project):
    (project / "services/order/src/nested.py").write_text(_nested_python(100))
    doc = check()
    assert found(doc) == [HOS101, ("HOS101", "services/order/src/nested.py", 4, 29)]


def test_199_deep_python_list_is_still_analysed(project):
    # Still valid CPython (its tokenizer stops at 200 levels); deeper files get
    # HOS901 before libcst sees them (test above), this one is analysed in full.
    (project / "services/order/src/nested.py").write_text(_nested_python(199))
    doc = check()
    assert found(doc) == [HOS101, ("HOS101", "services/order/src/nested.py", 4, 29)]


# --- symlinks and unreadable files ----------------------------------------------------


def test_symlink_loop_completes_and_is_listed(project):
    os.symlink("..", project / "services/order/db/loop")
    doc = check()
    assert found(doc) == [HOS101]
    assert not_analysed(doc) == [("services/order/db/loop", "symlinked directory; not followed")]


def test_symlink_out_of_the_project_is_not_followed(project, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "evil.sql").write_text("DELETE FROM auth_service.sessions;\n")
    os.symlink(outside / "evil.sql", project / "services/order/db/evil.sql")
    os.symlink(outside, project / "services/order/ext")
    doc = check()
    assert found(doc) == [HOS101]
    assert not_analysed(doc) == [  # in walk order: a folder's entries before its sub-folders'
        ("services/order/ext", "symlinked directory; not followed"),
        ("services/order/db/evil.sql", "symlink points outside the project; not followed"),
    ]


def test_symlinked_file_inside_the_project_is_analysed(project):
    # The look-alike that must still work: a file symlink that stays inside the root.
    os.symlink(project / BAD_SQL, project / "services/order/db/alias.sql")
    doc = check()
    assert found(doc) == [("HOS101", "services/order/db/alias.sql", 1, 13), HOS101]
    assert not_analysed(doc) == []


def test_unreadable_file_chmod_000(project, monkeypatch):
    """A real chmod 000 file. Root reads any file whatever its mode, so under root
    (as in CI) the check runs in a forked child that has dropped to ``nobody``."""
    (project / "services/order/db/secret.sql").write_text("SELECT 1;\n")
    if os.geteuid() != 0:
        doc = _check_unreadable(project, check)
    else:
        check()  # import every parser the run needs while they can still be read as root
        with _shared_copy(project) as shared:
            monkeypatch.chdir(shared)
            doc = _check_unreadable(shared, _check_as_nobody)
    assert found(doc) == [HOS101, ("HOS901", "services/order/db/secret.sql", 1, 1)]
    assert [f["severity"] for f in doc["findings"]] == ["error", "error"]
    assert messages(doc, "services/order/db/secret.sql") == [
        "cannot read file: Permission denied" + RULE_SUFFIX]
    assert not_analysed(doc) == [("services/order/db/secret.sql", "unreadable")]


def _check_unreadable(root: pathlib.Path, run) -> dict:
    target = root / "services/order/db/secret.sql"
    target.chmod(0)
    try:
        return run()
    finally:
        target.chmod(0o644)


NOBODY = 65534


@contextlib.contextmanager
def _shared_copy(project: pathlib.Path):
    """A copy of the project in a folder ``nobody`` may enter (pytest's temporary
    folders are private to their owner), removed afterwards."""
    shared = pathlib.Path(tempfile.mkdtemp(prefix="hos-lint-"))
    try:
        shared.chmod(0o755)
        yield pathlib.Path(shutil.copytree(project, shared / "repo"))
    finally:
        shutil.rmtree(shared)


def _check_as_nobody() -> dict:
    """``check`` in a forked child running as ``nobody``; its JSON document."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root for good, run the check, hand back the output
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache", "--jobs", "1"])
            payload = json.dumps({"exit": result.exit_code, "stdout": result.stdout,
                                  "error": repr(result.exception)}).encode()
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as incoming:
        payload = incoming.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0 and payload, "the unprivileged child failed"
    outcome = json.loads(payload)
    assert outcome["exit"] == 1, outcome
    return json.loads(outcome["stdout"])


def test_unreadable_file_simulated(project, deny_reads):
    """The read fails with EACCES (as chmod 000 does for a non-root user)."""
    target = project / "services/order/db/secret.sql"
    target.write_text("SELECT 1;\n")
    deny_reads("secret.sql")
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/db/secret.sql", 1, 1)]
    assert messages(doc, "services/order/db/secret.sql") == [
        "cannot read file: Permission denied" + RULE_SUFFIX]
    assert not_analysed(doc) == [("services/order/db/secret.sql", "unreadable")]


# --- a bug inside one extractor ---------------------------------------------------------


def test_exception_inside_an_extractor_is_hos901_naming_file_and_error(project, monkeypatch):
    from hos_lint.extract import sql

    (project / "services/order/db/boom.sql").write_text("SELECT * FROM order_service.orders;\n")
    (project / "services/order/db/other.sql").write_text("UPDATE auth_service.users SET name = 'x';\n")
    real_extract = sql.extract

    def extract(src, text, config):
        if src.path.endswith("boom.sql"):
            raise ValueError("boom")
        return real_extract(src, text, config)

    monkeypatch.setattr(sql, "extract", extract)
    doc = check()
    assert found(doc) == [HOS101, ("HOS901", "services/order/db/boom.sql", 1, 1),
                          ("HOS101", "services/order/db/other.sql", 1, 8)]
    assert messages(doc, "services/order/db/boom.sql") == [
        "internal error while analysing this file (ValueError: boom); please report it" + RULE_SUFFIX]
