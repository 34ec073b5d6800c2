"""Baseline: new violations fail, line shifts do not, fixed ones are stale,
subset runs never call out-of-scope entries stale, CI never writes silently."""
import json

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
OLD = "SELECT 1;\nDELETE FROM auth_service.users WHERE id = 1;\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "hos-lint.yaml").write_text(MANIFEST)
    db = tmp_path / "services/order/db"
    db.mkdir(parents=True)
    (db / "a.sql").write_text(OLD)
    (db / "b.sql").write_text("UPDATE auth_service.users SET x = 1;\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


def run(*args):
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_baseline_file_is_sorted_one_entry_per_line(project):
    assert run("baseline") == (0, "Wrote 2 findings to hos-lint-baseline.json.\n", "")
    lines = (project / "hos-lint-baseline.json").read_text().splitlines()
    assert lines[0] == '{"version": 1, "entries": ['
    assert lines[-1] == "]}"
    entries = [json.loads(l.rstrip(",")) for l in lines[1:-1]]
    assert [(e["path"], e["code"], e["relation"]) for e in entries] == [
        ("services/order/db/a.sql", "HOS101", "auth_service.users"),
        ("services/order/db/b.sql", "HOS101", "auth_service.users"),
    ]


def test_baselined_findings_pass_and_new_ones_fail(project):
    run("baseline")
    code, out, _ = run("services")
    assert code == 0 and "2 baselined" in out
    (project / "services/order/db/c.sql").write_text("TRUNCATE auth_service.users;\n")
    code, out, _ = run("services")
    assert code == 1
    assert out.splitlines()[0].startswith("services/order/db/c.sql:1:10: HOS101")


def test_inserting_lines_above_keeps_the_match(project):
    run("baseline")
    (project / "services/order/db/a.sql").write_text("-- a comment\n\n\nSELECT 2;\n" + OLD)
    assert run("services")[0] == 0


def test_fixed_violation_is_reported_stale(project):
    run("baseline")
    (project / "services/order/db/b.sql").write_text("SELECT 1;\n")
    code, out, _ = run("services")
    assert code == 0
    assert ("services/order/db/b.sql: stale baseline entry HOS101 auth_service.users no longer occurs; "
            "run `hos-lint baseline` to drop it") in out.splitlines()


def test_subset_run_does_not_call_other_files_stale(project):
    run("baseline")
    (project / "services/order/db/b.sql").write_text("SELECT 1;\n")
    code, out, _ = run("services/order/db/a.sql")
    assert code == 0 and "stale" not in out
    before = (project / "hos-lint-baseline.json").read_text()
    run("services/order/db/a.sql")
    assert (project / "hos-lint-baseline.json").read_text() == before


def test_no_baseline_shows_everything(project):
    run("baseline")
    code, out, _ = run("services", "--no-baseline")
    assert code == 1 and out.count("HOS101") == 2


def test_ci_refuses_to_write_without_flag(project, monkeypatch):
    monkeypatch.setenv("CI", "true")
    code, _, err = run("baseline")
    assert code == 2 and "only written with --update-baseline" in err
    assert not (project / "hos-lint-baseline.json").exists()
    assert run("baseline", "--update-baseline")[0] == 0
    assert (project / "hos-lint-baseline.json").exists()


def test_corrupt_baseline_is_a_usage_error(project):
    (project / "hos-lint-baseline.json").write_text("{not json")
    code, _, err = run("services")
    assert code == 2 and err.startswith("hos-lint: hos-lint-baseline.json: not a hos-lint baseline")
