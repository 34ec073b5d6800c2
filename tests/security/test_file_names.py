"""File names that are not valid UTF-8 are walked, analysed and reported by every
command and output format, never exit 3; outputs backslash-escape the
undecodable bytes (``bad\\xff.sql``), JSON stays valid UTF-8, SARIF URIs
percent-encode the real bytes (``bad%FF.sql``).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli
from hos_lint.filenames import escape, json_safe, uri

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
BAD = os.fsdecode(b"services/order/db/bad\xff.sql")  # "services/order/db/bad\udcff.sql"
SHOWN = "services/order/db/bad\\xff.sql"  # how every output prints it
BLOB = os.fsdecode(b"services/order/db/blob\xfe.sql")  # a binary file: not analysed, in the summary
BLOB_SHOWN = "services/order/db/blob\\xfe.sql"


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / "services/order/db").mkdir(parents=True)
    (root / "hos-lint.yaml").write_text(MANIFEST)
    (root / BAD).write_text("DELETE FROM auth_service.users;\n")
    monkeypatch.chdir(root)
    return root


def run(*args: str, code: int = 1) -> str:
    """The command's stdout, which must be valid UTF-8, after checking its exit code."""
    result = CliRunner().invoke(cli, [*args, "--no-cache", "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout_bytes.decode("utf-8")  # strict: no lone surrogate reached the output


def no_surrogates(value) -> None:
    """Every string in a parsed JSON document is valid Unicode (what strict parsers demand)."""
    json.dumps(value, ensure_ascii=False).encode("utf-8")


# --- the helpers --------------------------------------------------------------------------


def test_escape_writes_undecodable_bytes_as_hex_and_leaves_real_text_alone():
    assert escape(BAD) == SHOWN
    assert escape(os.fsdecode(b"a\x80\xff")) == "a\\x80\\xff"
    assert escape("caf\u00e9 \u65e5\u672c \U0001f600.sql") == "caf\u00e9 \u65e5\u672c \U0001f600.sql"  # valid: unchanged
    assert escape("x\ud800y") == "x\\ud800y"  # a lone surrogate no file name has (hostile JSON input)


def test_json_safe_escapes_keys_and_values_and_keeps_other_types():
    assert json_safe({BAD: [BAD, 1, None, True], "n": 2.5}) == {SHOWN: [SHOWN, 1, None, True], "n": 2.5}


def test_uri_percent_encodes_the_real_bytes():
    assert uri(BAD) == "services/order/db/bad%FF.sql"
    assert uri("a b/caf\u00e9.sql") == "a%20b/caf%C3%A9.sql"
    assert uri("x\ud800") == "x%5Cud800"


# --- check, every format -------------------------------------------------------------------


def test_text(project):
    out = run("check")
    assert out.splitlines()[0] == (f"{SHOWN}:1:13: HOS101 order writes auth_service.users (owned by auth) "
                                   "with DELETE; publish an event or call the auth API instead of writing its tables")
    assert out.splitlines()[-1].startswith("Found 1 problem (1 error) in 1 file across 2 services")


def test_text_for_real_stdout(project):
    """A real process: its stdout is a strict UTF-8 stream, where a lone surrogate used to exit 3."""
    proc = subprocess.run([sys.executable, "-m", "hos_lint", "check", "--no-cache"], cwd=project,
                          capture_output=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.decode("utf-8").startswith(f"{SHOWN}:1:13: HOS101 ")


def test_json(project):
    (project / BLOB).write_bytes(b"\0\0binary")
    doc = json.loads(run("check", "--format", "json"))
    no_surrogates(doc)
    assert [(f["code"], f["path"], f["severity"]) for f in doc["findings"]] == [
        ("HOS101", SHOWN, "error"), ("HOS901", BLOB_SHOWN, "error")]
    assert doc["summary"]["not_analysed"] == [{"path": BLOB_SHOWN, "reason": "binary"}]


def test_sarif(project):
    (project / BLOB).write_bytes(b"\0\0binary")
    doc = json.loads(run("check", "--format", "sarif"))
    no_surrogates(doc)
    run_ = doc["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]] == [
        "services/order/db/bad%FF.sql", "services/order/db/blob%FE.sql"]
    (note,) = run_["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == f"{BLOB_SHOWN}: not analysed: binary"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/order/db/blob%FE.sql"


def test_github(project):
    out = run("check", "--format", "github")
    assert out.startswith(f"::error file={SHOWN},line=1,col=13,title=HOS101 cross-service-write::order writes")


def test_junit(project):
    (project / BLOB).write_bytes(b"\0\0binary")
    root = ET.fromstring(run("check", "--format", "junit").encode("utf-8"))
    assert [c.get("classname") for c in root.iter("testcase")] == [SHOWN, BLOB_SHOWN]
    assert root.find("testsuite/system-err").text == f"{BLOB_SHOWN}: not analysed: binary\n"


def test_markdown(project):
    (project / BLOB).write_bytes(b"\0\0binary")
    out = run("check", "--format", "markdown")
    assert f"| `{SHOWN}:1` | HOS101 |" in out
    assert f"- `{BLOB_SHOWN}`: binary" in out


def test_output_file(project):
    run("check", "--format", "json", "--output", "report.json")
    doc = json.loads((project / "report.json").read_bytes().decode("utf-8"))
    assert doc["findings"][0]["path"] == SHOWN


# --- the other commands ----------------------------------------------------------------------


def test_accesses_text_and_json(project):
    assert run("accesses", code=0).startswith(f"{SHOWN}:1:13: order write auth_service.users (owned by auth)")
    doc = json.loads(run("accesses", "--format", "json", code=0))
    no_surrogates(doc)
    assert [a["path"] for a in doc["accesses"]] == [SHOWN]


def test_ownership_text_and_json(project):
    (project / os.fsdecode(b"services/order/db/t\xe9.sql")).write_text("CREATE TABLE order_service.t (id int);\n")
    assert run("ownership", code=0).splitlines()[0].endswith("<- services/order/db/t\\xe9.sql:1 (CREATE TABLE)")
    doc = json.loads(run("ownership", "--format", "json", code=0))
    no_surrogates(doc)
    assert doc["relations"][0]["sources"] == [{"where": "services/order/db/t\\xe9.sql:1", "what": "CREATE TABLE"}]


def test_why(project):
    out = run("why", f"{BAD}:1", code=0)
    assert out.startswith(f"{SHOWN}:1:13: order writes auth_service.users via sql (DELETE)\n")


@pytest.mark.parametrize("fmt", ["md", "html", "json", "mermaid", "dot"])
def test_report(project, fmt):
    out = run("report", "--format", fmt, code=0)
    if fmt == "json":
        doc = json.loads(out)
        no_surrogates(doc)
        assert doc["touches"][0]["first"] == f"{SHOWN}:1:13"
    elif fmt in ("md", "html"):
        assert f"{SHOWN}:1" in out


def test_grants(project):
    assert 'CREATE ROLE "order_service" NOLOGIN' in run("grants", code=0)


def test_baseline_round_trip(project):
    assert CliRunner().invoke(cli, ["baseline", "--no-cache"], env={"CI": ""}).exit_code == 0
    text = (project / "hos-lint-baseline.json").read_bytes().decode("utf-8")
    assert json.loads(text)["entries"][0]["path"] == SHOWN
    out = run("check", code=0)  # the finding matches its entry (by fingerprint)
    assert out.startswith("No problems found in 1 file across 2 services; 1 baselined")


def test_cache_and_pool(project):
    """The cache key and the process pool handle such names (24+ files start the pool)."""
    for i in range(30):
        (project / os.fsdecode(b"services/order/db/m%d\xff.sql" % i)).write_text("SELECT 1;\n")
    first = CliRunner().invoke(cli, ["check", "--jobs", "2"])
    second = CliRunner().invoke(cli, ["check", "--jobs", "2"])
    assert (first.exit_code, second.exit_code) == (1, 1)
    assert first.stdout.splitlines()[:-1] == second.stdout.splitlines()[:-1] == [
        f"{SHOWN}:1:13: HOS101 order writes auth_service.users (owned by auth) with DELETE; publish an event or "
        "call the auth API instead of writing its tables"]
    assert (project / ".hos-lint-cache").is_dir()


def test_path_argument_naming_the_file(project):
    """pre-commit passes the staged file names as arguments."""
    out = run("check", BAD)
    assert out.startswith(f"{SHOWN}:1:13: HOS101 ")
    assert out.splitlines()[-1].startswith("Found 1 problem (1 error) in 1 file across 2 services")


def test_zero_config_service_folder_not_utf8(tmp_path, monkeypatch):
    """A service folder named with such bytes: service name escaped; init drafts a glob that matches it."""
    services = tmp_path / "repo/services"
    folder = services / os.fsdecode(b"ord\xfer") / "db"
    folder.mkdir(parents=True)
    (folder / "x.sql").write_text("DELETE FROM auth_service.users;\n")
    (folder.parent / "package.json").write_text("{}\n")
    (services / "auth/db").mkdir(parents=True)
    (services / "auth/package.json").write_text("{}\n")
    (services / "auth/db/a.sql").write_text("CREATE TABLE auth_service.users (id int);\n")
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    monkeypatch.chdir(tmp_path / "repo")
    out = run("check", "services")
    assert out.startswith("services/ord\\xfer/db/x.sql:1:13: HOS101 ord\\xfer writes auth_service.users")
    init = CliRunner().invoke(cli, ["init", "services"], catch_exceptions=False)
    assert (init.exit_code, init.stdout[:35]) == (0, "Wrote hos-lint.yaml with 2 services")
    manifest = (tmp_path / "repo/hos-lint.yaml").read_bytes().decode("utf-8")
    assert '  "ord\\\\xfer":\n' in manifest and "    paths: ['services/ord?r']" in manifest
    assert run("check").startswith("services/ord\\xfer/db/x.sql:1:13: HOS101 ord\\xfer writes")


@pytest.mark.skipif(shutil.which("git") is None and not os.environ.get("CI"), reason="needs git")
def test_changed_since_finds_the_file(project):
    def git(*args):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=project, check=True,
                       capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    (project / os.fsdecode(b"services/order/db/new\xfa.sql")).write_text("UPDATE auth_service.users SET a = 1;\n")
    out = run("check", "--changed-since", "HEAD")
    assert out.splitlines()[0].startswith("services/order/db/new\\xfa.sql:1:8: HOS101 ")
    assert out.splitlines()[-1].startswith("Found 1 problem (1 error) in 1 file")


def test_valid_non_ascii_and_literal_backslash_names_are_printed_as_they_are(project):
    """Look-alikes: a UTF-8 name is not escaped; a name with a real backslash is left as written."""
    (project / "services/order/db/caf\u00e9.sql").write_text("DELETE FROM auth_service.sessions;\n")
    (project / "services/order/db/lit\\xff.sql").write_text("DELETE FROM auth_service.tokens;\n")
    doc = json.loads(run("check", "--format", "json"))
    assert [f["path"] for f in doc["findings"]] == [
        SHOWN, "services/order/db/caf\u00e9.sql", "services/order/db/lit\\xff.sql"]


def test_init_names_a_hostile_repository_folder_escaped(tmp_path, monkeypatch):
    """The path init prints holds the folder's name: its control characters are shown, not obeyed."""
    repo = tmp_path / "c\nFAKE\x1b[31m"
    (repo / "services/order/db").mkdir(parents=True)
    (repo / "services/order/package.json").write_text("{}\n")
    (repo / "services/order/db/x.sql").write_text("SELECT 1;\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    monkeypatch.chdir(tmp_path)
    init = CliRunner().invoke(cli, ["init", str(repo)], catch_exceptions=False)
    assert init.exit_code == 0, init.output
    assert init.stdout.count("\n") == 1 and "\x1b" not in init.stdout
    assert init.stdout.startswith("Wrote c\\x0aFAKE\\x1b[31m/hos-lint.yaml with 1 service")

