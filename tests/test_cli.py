"""The command line: exit codes 0/1/2/3, default command, exact text output."""
import json

import pytest
from click.testing import CliRunner

from hos_lint import app
from hos_lint.cli import cli

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "hos-lint.yaml").write_text(MANIFEST)
    db = tmp_path / "services/order/db"
    db.mkdir(parents=True)
    (db / "ok.sql").write_text("SELECT * FROM order_service.orders;\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_exit_0_on_clean_project(project):
    code, out, _ = run("services/")
    assert code == 0
    assert out.startswith("No problems found in 1 file across 2 services")


def test_exit_1_and_exact_lines_on_findings(project):
    (project / "services/order/db/bad.sql").write_text("SELECT 1;\nDELETE FROM auth_service.users;\n")
    code, out, _ = run("check", "services")
    assert code == 1
    assert out.splitlines()[0] == (
        "services/order/db/bad.sql:2:13: HOS101 order writes auth_service.users (owned by auth) with DELETE; "
        "publish an event or call the auth API instead of writing its tables")
    assert out.splitlines()[1].startswith("Found 1 problem (1 error) in 2 files across 2 services")


def test_fail_on_never_and_ignore(project):
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    assert run("services", "--fail-on", "never")[0] == 0
    assert run("services", "--ignore", "HOS101")[0] == 0
    assert run("services", "--select", "HOS102")[0] == 0


def test_json_output_shape(project):
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    code, out, _ = run("services", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == 1
    (finding,) = doc["findings"]
    assert list(finding) == ["code", "name", "severity", "service", "path", "line", "col", "relation", "owner",
                             "access", "operation", "message", "fingerprint"]
    assert (finding["code"], finding["path"], finding["line"], finding["col"], finding["relation"],
            finding["owner"], finding["access"], finding["operation"]) == (
        "HOS101", "services/order/db/bad.sql", 1, 13, "auth_service.users", "auth", "write", "DELETE")


def test_exit_2_on_bad_manifest_one_line_no_traceback(project):
    (project / "hos-lint.yaml").write_text("version: 1\nservices:\n  order:\n    schema: [a]\n")
    code, out, err = run("services")
    assert code == 2
    assert err == "hos-lint: hos-lint.yaml:4: services.order.schema: expected a string, got a list\n"
    assert "Traceback" not in out + err


def test_exit_2_on_missing_path(project):
    code, _, err = run("services/nope")
    assert code == 2 and err.startswith("hos-lint: services/nope: no such file or directory")


def test_exit_2_on_unknown_rule():
    code, _, err = run("rule", "HOS999")
    assert code == 2 and "unknown rule" in err


def test_exit_3_on_internal_error(project, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(app, "check", boom)
    code, _, err = run("services")
    assert code == 3
    assert err == "hos-lint: internal error: RuntimeError: kaput (run with --debug for the traceback)\n"


def test_rules_and_rule_docs():
    code, out, _ = run("rules")
    assert code == 0 and out.splitlines()[0].startswith("HOS101  cross-service-write")
    code, out, _ = run("rule", "HOS101")
    assert code == 0
    assert out.startswith("# cross-service-write (HOS101)\n\nDefault severity: error\n")
    assert "## What it does" in out and "## Instead" in out


def test_files_only_reports_those_files(project):
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    (project / "services/order/db/bad2.sql").write_text("DELETE FROM auth_service.users;\n")
    code, out, _ = run("services/order/db/bad2.sql")
    assert code == 1
    assert [l.split(":")[0] for l in out.splitlines()[:-1]] == ["services/order/db/bad2.sql"]


def test_accesses_json(project):
    code, out, _ = run("accesses", "--format", "json", "services")
    assert code == 0
    assert json.loads(out) == {"version": 1, "accesses": [{
        "service": "order", "path": "services/order/db/ok.sql", "line": 1, "col": 15,
        "relation": "order_service.orders", "schema": "order_service", "name": "orders", "kind": "read",
        "via": "sql", "operation": "SELECT", "owner": "order", "source": "order_service.orders"}]}


def test_garbled_prisma_schema_is_hos901_and_other_findings_survive(project):
    prisma = project / "services/order/prisma"
    prisma.mkdir(parents=True)
    (prisma / "schema.prisma").write_text(
        "model Order {\n  id Int @id\n  @@schema(\"order_service\")\n}\n\nmodel Broken {\n  id Int @id @default(\n")
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    code, out, _ = run("services")
    assert code == 1
    lines = out.splitlines()[:-1]
    assert [l.split(": ")[0] + " " + l.split(": ")[1].split()[0] for l in lines] == [
        "services/order/db/bad.sql:1:13 HOS101",
        "services/order/prisma/schema.prisma:7:22 HOS901",
    ]


def test_accesses_on_a_standalone_sql_file_outside_any_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.sql").write_text("SET search_path TO billing;\nUPDATE invoices SET paid = true;\n")
    code, out, _ = run("accesses", "--format", "json", "--no-cache", "report.sql")
    assert code == 0
    assert json.loads(out)["accesses"] == [{
        "service": None, "path": "report.sql", "line": 2, "col": 8, "relation": "billing.invoices",
        "schema": "billing", "name": "invoices", "kind": "write", "via": "sql", "operation": "UPDATE",
        "owner": None, "source": "invoices"}]


# --- no silent configuration ------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (("--select", "HOS999"), "--select HOS999: unknown rule 'HOS999'; did you mean HOS902 (unused-suppression)?"),
    (("--select", "HOS10l"), "--select HOS10l: unknown rule 'HOS10l'; did you mean HOS101 (cross-service-write)?"),
    (("--ignore", "HOS1O2"), "--ignore HOS1O2: unknown rule 'HOS1O2'; did you mean HOS102 (cross-service-read)?"),
    (("--ignore", "HOS101,cross-servce-read"),
     "--ignore cross-servce-read: unknown rule 'cross-servce-read'; did you mean HOS102 (cross-service-read)?"),
    (("--select", "unused"), "--select unused: unknown rule 'unused'; `hos-lint rules` lists them"),
])
def test_an_unknown_rule_on_the_command_line_is_a_usage_error_with_a_did_you_mean(project, args, message):
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    code, out, err = run("services", *args)
    assert (code, out, err) == (2, "", f"hos-lint: {message}\n")


def test_rule_codes_prefixes_and_names_in_any_case_select_rules(project):
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    assert run("services", "--select", "hos1")[0] == 1
    assert run("services", "--select", "HOS10")[0] == 1
    assert run("services", "--select", "cross-service-write")[0] == 1
    assert run("services", "--ignore", "Cross-Service-Write")[0] == 0
    assert run("services", "--select", "HOS2,HOS9")[0] == 0


@pytest.mark.parametrize(("rules", "message"), [
    ("  ignore: [HOS2O3]\n",
     "hos-lint.yaml:6: rules.ignore.0: unknown rule 'HOS2O3'; did you mean HOS203 (unowned-relation)?"),
    ("  severity: {HOS999: warning}\n",
     "hos-lint.yaml:6: rules.severity.HOS999: unknown rule 'HOS999'; did you mean HOS902 (unused-suppression)?"),
    ("  select:\n    - HOS101\n    - HOS10l\n",
     "hos-lint.yaml:8: rules.select.1: unknown rule 'HOS10l'; did you mean HOS101 (cross-service-write)?"),
    ("  severity:\n    HOS1: warning\n",
     "hos-lint.yaml:7: rules.severity.HOS1: 'HOS1' is a prefix of several rules; name one rule by its code or name"),
])
def test_an_unknown_rule_in_the_manifest_names_its_line_and_key(project, rules, message):
    (project / "hos-lint.yaml").write_text(MANIFEST + "rules:\n" + rules)
    code, out, err = run("services")
    assert (code, out, err) == (2, "", f"hos-lint: {message}\n")


def test_a_severity_override_by_rule_name_applies(project):
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    (project / "hos-lint.yaml").write_text(MANIFEST + "rules:\n  severity: {cross-service-write: warning}\n")
    code, out, _ = run("services")
    assert code == 0 and out.splitlines()[-1].startswith("Found 1 problem (1 warning)")


def test_unknown_rule_docs_suggest_the_closest(project):
    assert run("rule", "HOS1O2")[1:] == ("", "hos-lint: unknown rule 'HOS1O2'; did you mean HOS102 "
                                             "(cross-service-read)?\n")


def test_manifest_globs_that_match_nothing_are_errors_at_their_line(project):
    (project / "hos-lint.yaml").write_text(
        "version: 1\nservices:\n  order: {schema: order_service, paths: [services/ordr]}\n"
        "  auth: {schema: auth_service}\nextend-exclude:\n  - '**/*.spce.ts'\n")
    code, out, err = run("services")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "hos-lint: hos-lint.yaml:3: services.order.paths.0: 'services/ordr' matches no file under the project "
        "root that is not excluded; the service would go unchecked",
        "hos-lint: hos-lint.yaml:6: extend-exclude.0: '**/*.spce.ts' matches no file or folder under the project "
        "root; it excludes nothing"]


def test_duplicate_manifest_keys_are_an_error_naming_both_lines(project):
    (project / "hos-lint.yaml").write_text(MANIFEST + "  order: {schema: orders}\n")
    code, _, err = run("services")
    assert (code, err) == (2, "hos-lint: hos-lint.yaml:5: services.order: duplicate key, first defined at line 3 "
                              "(YAML would silently keep only the last one)\n")


def test_a_path_with_nothing_to_analyse_says_so(project):
    (project / "services/auth/docs").mkdir(parents=True)
    (project / "services/auth/docs/README.md").write_text("auth\n")
    (project / "services/order/node_modules/pg").mkdir(parents=True)
    (project / "services/order/node_modules/pg/x.sql").write_text("DELETE FROM auth_service.users;\n")
    cases = {
        "services/auth": "services/auth: no file hos-lint analyses in this folder (Prisma schemas, "
                         "TypeScript/JavaScript, SQL, shell, Python, docker-compose, .env or Kubernetes files)",
        "services/auth/docs/README.md": "services/auth/docs/README.md: not a file hos-lint analyses (Prisma "
                                        "schemas, TypeScript/JavaScript, SQL, shell, Python, docker-compose, .env "
                                        "or Kubernetes files)",
        "services/order/node_modules": "services/order/node_modules: excluded by the default exclude "
                                       "'node_modules/'; nothing to check",
    }
    for path, message in cases.items():
        assert run(path) == (2, "", f"hos-lint: {message}\n"), path
    # one PATH with nothing to analyse fails the run even when another has files
    assert run("services/order", "services/auth")[0] == 2


def test_a_named_file_that_the_configuration_excludes_is_skipped_with_one_line(project):
    (project / "hos-lint.yaml").write_text(MANIFEST + "extend-exclude: ['*.spec.sql']\n")
    (project / "services/order/db/a.spec.sql").write_text("DELETE FROM auth_service.users;\n")
    (project / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    code, out, err = run("services/order/db/a.spec.sql")
    assert (code, err) == (0, "hos-lint: services/order/db/a.spec.sql: excluded by hos-lint.yaml:5 extend-exclude "
                              "'*.spec.sql'; not checked\n")
    assert out.startswith("No files checked across 2 services")
    code, out, err = run("services/order/db/a.spec.sql", "services/order/db/bad.sql")
    assert code == 1 and [l.split(":")[0] for l in out.splitlines()[:-1]] == ["services/order/db/bad.sql"]
    assert err.startswith("hos-lint: services/order/db/a.spec.sql: excluded by")


def test_files_from_git_with_nothing_to_analyse_are_dropped_without_a_word(project):
    (project / "services/order/README.md").write_text("order\n")
    result = app.run(app.Options(paths=("services/order/README.md", "services/order/db/ok.sql"),
                                 paths_from_git=True, cache=False))
    assert (result.files_scanned, result.skipped) == (1, ())


def test_every_command_says_when_a_named_file_is_excluded(project):
    (project / "hos-lint.yaml").write_text(MANIFEST + "extend-exclude: ['*.spec.sql']\n")
    (project / "services/order/db/a.spec.sql").write_text("DELETE FROM auth_service.users;\n")
    line = "hos-lint: services/order/db/a.spec.sql: excluded by hos-lint.yaml:5 extend-exclude '*.spec.sql'; " \
           "not checked\n"
    code, out, err = run("accesses", "--format", "json", "services/order/db/a.spec.sql")
    assert (code, json.loads(out)["accesses"], err) == (0, [], line)
    assert run("why", "services/order/db/a.spec.sql:1")[2] == line


def test_an_unknown_fail_on_value_is_a_usage_error(project):
    code, out, err = run("services", "--fail-on", "warnings")
    assert (code, out) == (2, "") and "Invalid value for '--fail-on': 'warnings' is not one of" in err


def test_options_come_from_the_shared_parameters_once_and_leave_the_rest():
    from hos_lint import cli as cli_module

    params = {"paths": ("services/a", "b.sql"), "config": "m.yaml", "jobs": 3, "no_cache": True,
              "select": " HOS101, HOS2 ,,", "ignore": None, "fail_on": "warning", "baseline_file": "b.json",
              "no_baseline": True, "fmt": "json", "output": None}
    options = cli_module._options(params)
    assert options == app.Options(paths=("services/a", "b.sql"), config="m.yaml", select=("HOS101", "HOS2"),
                                  fail_on="warning", jobs=3, cache=False, baseline="b.json", no_baseline=True,
                                  notify=cli_module._notice)
    assert params == {"fmt": "json", "output": None}  # what the command body receives as it is


def test_jobs_unset_means_one_per_core_and_a_command_without_jobs_uses_one(monkeypatch):
    from hos_lint import cli as cli_module

    monkeypatch.setattr("os.cpu_count", lambda: 5)
    assert cli_module._options({"jobs": None}).jobs == 5
    assert cli_module._options({"path": "x", "force": False}).jobs == 1  # init has no --jobs
    assert cli_module._options({}) == app.Options(notify=cli_module._notice)


def test_every_analysing_command_reports_a_usage_error_the_same_way(project, monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # under CI `baseline` refuses to write before it looks at PATHS
    for command in (["check"], ["accesses"], ["ownership"], ["report"], ["grants"], ["baseline"]):
        code, out, err = run(*command, "services/nope")
        assert (code, out) == (2, ""), command
        assert err == "hos-lint: services/nope: no such file or directory\n", command


def test_github_format_caps_annotations_from_the_option_then_the_manifest(project):
    (project / "services/order/db/bad.sql").write_text(
        "DELETE FROM auth_service.users;\nDELETE FROM auth_service.sessions;\nDELETE FROM auth_service.keys;\n")
    code, out, _ = run("services", "--format", "github", "--max-annotations", "2")
    lines = out.splitlines()
    assert code == 1 and [l[:8] for l in lines[:3]] == ["::error ", "::error ", "::notice"]
    assert lines[3].startswith("HOS101 services/order/db/bad.sql:3:13: order writes auth_service.keys")
    (project / "hos-lint.yaml").write_text(MANIFEST + "max-annotations: 1\n")
    assert run("services", "--format", "github")[1].count("::error ") == 1
    assert run("services", "--format", "github", "--max-annotations", "0")[1].count("::error ") == 3


def test_max_annotations_with_another_format_is_a_usage_error(project):
    code, _, err = run("services", "--max-annotations", "3")
    assert code == 2 and err == "hos-lint: --max-annotations applies to --format github only, not --format text\n"
    assert run("services", "--format", "github", "--max-annotations", "-1")[0] == 2


def test_report_format_markdown_is_md(project):
    assert run("report", "--no-cache", "--format", "markdown") == run("report", "--no-cache", "--format", "md")
    assert run("report", "--no-cache", "--format", "markdown")[1].startswith("## hos-lint report\n")


@pytest.mark.parametrize("fmt", ["html", "json", "mermaid", "dot"])
def test_report_diff_in_another_format_than_markdown_is_a_usage_error(project, fmt):
    code, out, err = run("report", "--no-cache", "--diff", "HEAD", "--format", fmt)
    assert (code, out) == (2, "")
    assert err == f"hos-lint: --diff writes markdown only; drop --format {fmt} or use --format md\n"


def test_why_a_line_past_the_end_of_the_file_is_out_of_range(project):
    (project / "services/order/db/two.sql").write_text("SELECT 1;\nDELETE FROM auth_service.users;\n")
    assert run("why", "--no-cache", "services/order/db/two.sql:99999") == (
        2, "", "hos-lint: services/order/db/two.sql:99999: line out of range: the file has 2 lines\n")
    assert run("why", "--no-cache", "services/order/db/two.sql:3")[0] == 2
    assert run("why", "--no-cache", "services/order/db/two.sql:0")[0] == 2
    # the last line, and a line without an access, are in range
    code, out, _ = run("why", "--no-cache", "services/order/db/two.sql:2")
    assert code == 0 and out.startswith("services/order/db/two.sql:2:13: order writes auth_service.users via sql")
    assert run("why", "--no-cache", "services/order/db/two.sql:1") == (
        0, "services/order/db/two.sql:1: no database access and no finding here\n", "")


def test_messages_say_what_a_ddl_does_to_a_relation(project):
    (project / "services/order/db/alter.sql").write_text("ALTER TABLE public.sellers ADD COLUMN x int;\n")
    code, out, _ = run("check", "--no-cache", "--select", "HOS203", "services/order/db/alter.sql")
    assert out.splitlines()[0] == ("services/order/db/alter.sql:1:13: HOS203 order changes the schema of "
                                   "public.sellers, which no service owns; give table sellers in public an owner "
                                   "in hos-lint.yaml")
    code, out, _ = run("why", "--no-cache", "services/order/db/alter.sql:1")
    assert out.splitlines()[0] == ("services/order/db/alter.sql:1:13: order changes the schema of public.sellers "
                                   "via sql (ALTER TABLE)")


def test_the_command_line_entry_point_collects_garbage_less_often(monkeypatch):
    """``hos-lint`` (the console script's ``main``) raises the collector's thresholds before
    running: a run's syntax trees and records would otherwise be walked every 700 allocations."""
    import gc

    from hos_lint import cli as cli_module

    before = gc.get_threshold()
    monkeypatch.setattr("sys.argv", ["hos-lint", "--version"])
    try:
        with pytest.raises(SystemExit) as done:
            cli_module.main()
        assert done.value.code == 0
        assert gc.get_threshold() == cli_module.GC_THRESHOLD != (700, 10, 10)
    finally:
        gc.set_threshold(*before)
