"""A file that cannot be analysed at all is HOS901 at *error* severity, so the
default gate (``fail_on: error``) fails: one corrupt byte, a NUL, a size or
nesting limit or an unreadable file can no longer hide the file's violations.
A single statement that does not parse stays a warning. The summary counts
exactly the files that were not analysed.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
WRITE = b"DELETE FROM auth_service.users;\n"  # a cross-service write (HOS101) in every bad file


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / "services/order/db").mkdir(parents=True)
    (root / "services/order/src").mkdir(parents=True)
    (root / "hos-lint.yaml").write_text(MANIFEST)
    monkeypatch.chdir(root)
    return root


def check(*args: str):
    return CliRunner().invoke(cli, ["check", "--no-cache", "--jobs", "1", *args], catch_exceptions=False)


def unreadable(project, deny_reads) -> str:
    """A read that fails with EACCES (what chmod 000 does to anyone but root)."""
    path = "services/order/db/secret.sql"
    (project / path).write_bytes(WRITE)
    deny_reads("secret.sql")
    return path


def write(project, path: str, data: bytes) -> str:
    (project / path).parent.mkdir(parents=True, exist_ok=True)
    (project / path).write_bytes(data)
    return path


# (what, how to make it, HOS901 line, reason in the summary)
BAD_FILES = [
    pytest.param(lambda p, m: unreadable(p, m), 1, "unreadable", id="unreadable"),
    pytest.param(lambda p, m: write(p, "services/order/db/latin1.sql", WRITE + b"-- caf\xe9\n"), 2, "not UTF-8",
                 id="invalid-byte"),
    pytest.param(lambda p, m: write(p, "services/order/db/nul.sql", WRITE + b"\0"), 1, "binary", id="nul-byte"),
    pytest.param(lambda p, m: write(p, "services/order/db/huge.sql", WRITE * (9 * 1024 * 1024 // len(WRITE))),
                 1, "too large", id="over-size-limit"),
    pytest.param(lambda p, m: write(p, "services/order/src/deep.py",
                                    b"import psycopg\nx = " + b"[" * 300 + b"]" * 300
                                    + b"\ncursor.execute('DELETE FROM auth_service.users')\n"),
                 2, "nested too deeply", id="python-nesting-limit"),
    pytest.param(lambda p, m: write(p, "docker-compose.yml", b"x: " + b"[" * 200 + b"]" * 200
                                    + b"\nservices: {order: {environment: {DATABASE_URL: postgres://h/d}}}\n"),
                 1, "YAML over the alias or nesting limit", id="yaml-nesting-limit"),
]


@pytest.mark.parametrize("make,line,reason", BAD_FILES)
def test_a_file_not_analysed_is_an_error_and_fails_the_default_gate(project, deny_reads, make, line, reason):
    path = make(project, deny_reads)
    result = check("--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert [(f["code"], f["path"], f["line"], f["severity"]) for f in doc["findings"]] == [
        ("HOS901", path, line, "error")]
    assert doc["summary"]["not_analysed"] == [{"path": path, "reason": reason}]
    assert doc["summary"]["files_scanned"] == 0
    assert doc["summary"]["failed"] is True


@pytest.mark.parametrize("make,line,reason", BAD_FILES[1:3])
def test_manifest_severity_lowers_it(project, deny_reads, make, line, reason):
    (project / "hos-lint.yaml").write_text(MANIFEST + "rules:\n  severity: {HOS901: warning}\n")
    path = make(project, deny_reads)
    result = check("--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(f["code"], f["path"], f["severity"]) for f in doc["findings"]] == [("HOS901", path, "warning")]


def test_internal_error_in_an_extractor_is_an_error(project, monkeypatch):
    from hos_lint.extract import sql

    write(project, "services/order/db/boom.sql", WRITE)

    def extract(src, text, config):
        raise ValueError("boom")

    monkeypatch.setattr(sql, "extract", extract)
    doc = json.loads(check("--format", "json").stdout)
    assert [(f["code"], f["line"], f["severity"]) for f in doc["findings"]] == [("HOS901", 1, "error")]
    assert doc["summary"]["not_analysed"] == [{"path": "services/order/db/boom.sql", "reason": "internal error"}]


# --- look-alikes: part of a file not parsed stays a warning ---------------------------------


@pytest.mark.parametrize("path,data,line", [
    ("services/order/db/one.sql", b"SELEC * FROM x;\n" + WRITE, 1),
    ("services/order/src/deep.ts", b"const prisma = new PrismaClient();\nconst x = " + b"[" * 300 + b"]" * 300
     + b";\n", 2),
    ("services/order/prisma/schema.prisma", b"model Order {\n  id Int @id\n", 1),
    ("docker-compose.yml", b"services: {order: {environment: {DATABASE_URL: [\n", 2),
    (".env", b"DATABASE_URL='postgres://h/d\n", 1),
])
def test_one_part_that_does_not_parse_stays_a_warning(project, path, data, line):
    write(project, path, data)
    result = check("--format", "json")
    doc = json.loads(result.stdout)
    hos901 = [(f["path"], f["line"], f["severity"]) for f in doc["findings"] if f["code"] == "HOS901"]
    assert hos901 == [(path, line, "warning")]
    assert doc["summary"]["not_analysed"] == []


def test_syntax_error_alone_does_not_fail_the_default_gate(project):
    write(project, "services/order/db/one.sql", b"SELEC * FROM x;\n")
    result = check()
    assert result.exit_code == 0
    assert result.stdout.startswith("services/order/db/one.sql:1:1: HOS901 could not parse SQL statement")


# --- the summary counts exactly -------------------------------------------------------------


def test_summary_counts_every_file_not_analysed(project, deny_reads):
    for param in BAD_FILES:
        param.values[0](project, deny_reads)
    write(project, "services/order/db/one.sql", b"SELEC * FROM x;\n")  # analysed: one statement failed
    write(project, "services/order/db/ok.sql", b"SELECT * FROM order_service.orders;\n")  # analysed
    write(project, "services/order/src/util.ts", b"export const x = 1;\n")  # skipped: no database token
    text = check()
    assert text.exit_code == 1
    summary = text.stdout.splitlines()[-1]
    assert " in 2 files across 2 services; 6 files not analysed (" in summary, summary
    doc = json.loads(check("--format", "json").stdout)
    assert sorted(n["path"] for n in doc["summary"]["not_analysed"]) == [
        "docker-compose.yml", "services/order/db/huge.sql", "services/order/db/latin1.sql",
        "services/order/db/nul.sql", "services/order/db/secret.sql", "services/order/src/deep.py"]
    assert doc["summary"]["files_scanned"] == 2
    assert doc["summary"]["by_severity"] == {"error": 6, "warning": 1, "info": 0}
