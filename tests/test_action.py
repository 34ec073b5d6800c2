"""The GitHub Action: action.yml's own `run:` scripts, executed with bash as the runner
does, with a fake GITHUB_* environment, on a temporary git repository holding a base
branch and a pull request that plants violations. setup-python and the pip install step
are not run (the package is installed); the install step's output is the test's Python."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from trees import git, pull_request_repo

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

pytestmark = pytest.mark.skipif(shutil.which("git") is None and not os.environ.get("CI"), reason="needs git")



def evaluate(value: str, inputs: dict[str, str]) -> str:
    """The expressions action.yml uses: inputs.*, and the install step's python output."""
    def one(m: re.Match) -> str:
        expr = m.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        assert expr == "steps.install.outputs.python", expr
        return sys.executable
    return EXPRESSION.sub(one, value)


def run_action(repo: Path, tmp: Path, event: str = "pull_request", **given: str):
    """Run every `run:` step but the install, as a composite action's bash steps run
    (`bash --noprofile --norc -eo pipefail FILE`, in GITHUB_WORKSPACE); return the last
    step's process, the summary, the outputs (name -> value) and the step outputs file."""
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    summary, outputs = tmp / "summary.md", tmp / "outputs.txt"
    summary.write_text(""), outputs.write_text("")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    env = {**base, "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
           "GITHUB_BASE_REF": "main" if event == "pull_request" else "", "GITHUB_WORKSPACE": str(repo),
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs), "GITHUB_ACTION_PATH": str(ROOT),
           "RUNNER_TEMP": str(tmp)}
    steps = [s for s in ACTION["runs"]["steps"] if "run" in s and s.get("id") != "install"]
    assert [s["id"] for s in steps] == ["check"]
    for step in steps:
        script = tmp / f"{step['id']}.sh"
        script.write_text(step["run"])
        step_env = {**env, **{k: evaluate(str(v), inputs) for k, v in step.get("env", {}).items()}}
        proc = subprocess.run([step["shell"], "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo,
                              env=step_env, capture_output=True, text=True, timeout=300)
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return proc, summary.read_text(), written


@pytest.fixture
def pull_request(tmp_path):
    """main: a manifest, a clean file and an old violation; feature: 12 new cross-service
    writes in one file and a clean change in another."""
    manifest = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
    return pull_request_repo(tmp_path / "repo", {
        "hos-lint.yaml": manifest,
        "services/order/db/old.sql": "DELETE FROM auth_service.sessions;\n",
        "services/order/db/clean.sql": "SELECT 1 FROM order_service.orders;\n",
    }, {
        "services/order/db/new.sql": "".join(f"UPDATE auth_service.users SET n = {i};\n" for i in range(1, 13)),
        "services/order/db/clean.sql": "SELECT 2 FROM order_service.orders;\n",
    })


def _write(line: int) -> str:
    return (f"::error file=services/order/db/new.sql,line={line},col=8,title=HOS101 cross-service-write::"
            "order writes auth_service.users (owned by auth) with UPDATE; publish an event or call the auth API "
            "instead of writing its tables")


def test_pull_request_gates_the_change_annotates_summarises_and_writes_valid_sarif(pull_request, tmp_path):
    proc, summary, outputs = run_action(pull_request, tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:10] == [_write(n) for n in range(1, 11)]
    assert lines[10] == (
        "::notice title=hos-lint%3A 2 of 12 findings not annotated::At most 10 annotations of each level per step "
        "(GitHub shows the first 10). Not annotated: 2 errors; see this step's log below, the job summary, "
        "hos-lint.sarif.")
    assert lines[11].startswith("HOS101 services/order/db/new.sql:11:8: order writes auth_service.users")
    assert lines[12].startswith("HOS101 services/order/db/new.sql:12:8: ")
    assert lines[13].startswith("Found 12 problems (12 errors) in 2 files across 2 services")
    assert len(lines) == 14 and "old.sql" not in proc.stdout  # only the pull request's files are gated

    assert summary.startswith("## ❌ hos-lint: failed\n\n**12 findings** (12 errors) in 2 files across 2 services")
    assert summary.endswith("\nChecked the files changed since the merge-base of `origin/main` and HEAD (the whole "
                            "project when an ownership input changed); `hos-lint.sarif` holds every finding of the "
                            "project.\n")
    assert outputs == {"findings": "12", "errors": "12", "warnings": "0", "info": "0", "sarif": "hos-lint.sarif"}

    doc = json.loads((pull_request / "hos-lint.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(doc)
    uris = sorted({(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in doc["runs"][0]["results"]})
    assert uris == [("services/order/db/new.sql", n) for n in range(1, 13)] + [("services/order/db/old.sql", 1)]


def test_outputs_are_the_ones_action_yml_declares():
    declared = {name: spec["value"] for name, spec in ACTION["outputs"].items()}
    assert declared == {name: f"${{{{ steps.check.outputs.{name} }}}}"
                        for name in ("findings", "errors", "warnings", "info", "sarif")}


def test_a_clean_change_passes_and_push_gates_the_whole_project(pull_request, tmp_path):
    (pull_request / "services/order/db/new.sql").write_text("SELECT 1 FROM order_service.orders;\n")
    git(pull_request, "commit", "-qam", "fix")
    proc, summary, outputs = run_action(pull_request, tmp_path, sarif="")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(proc.stdout.splitlines()) == 1
    assert proc.stdout.startswith("No problems found in 2 files across 2 services (")
    assert summary.startswith("## ✅ hos-lint: passed") and "holds every finding" not in summary
    assert outputs == {"findings": "0", "errors": "0", "warnings": "0", "info": "0", "sarif": ""}
    assert not (pull_request / "hos-lint.sarif").exists()

    proc, summary, outputs = run_action(pull_request, tmp_path, event="push", summary="false")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("::error file=services/order/db/old.sql,line=1,col=13,")
    assert summary == "" and outputs["findings"] == "1"


def test_changed_only_false_fail_on_never_and_paths(pull_request, tmp_path):
    proc, _, outputs = run_action(pull_request, tmp_path, changed_only="false", fail_on="never",
                                  paths="services/order/db/old.sql")
    assert proc.returncode == 0
    assert outputs["findings"] == "1" and "old.sql,line=1" in proc.stdout and "new.sql" not in proc.stdout


@pytest.mark.parametrize(("given", "error"), [
    ({"changed_only": "maybe"}, "input changed-only: expected true or false, got 'maybe'"),
    ({"fail_on": "sometimes"}, "input fail-on: expected one of error, warning, info, never or empty, got 'sometimes'"),
    ({"summary": "yes please"}, "input summary: expected true or false, got 'yes please'"),
    ({"sarif": "out/missing/x.sarif"}, "input sarif out/missing/x.sarif: folder {repo}/out/missing does not exist"),
])
def test_a_bad_input_is_exit_2_with_an_annotation_naming_it(pull_request, tmp_path, given, error):
    proc, _, outputs = run_action(pull_request, tmp_path, **given)
    assert proc.returncode == 2
    assert proc.stdout == f"::error title=hos-lint::{error.format(repo=pull_request)}\n" and outputs == {}


def test_hostile_inputs_never_reach_a_shell(pull_request, tmp_path):
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")  # values only through env:
    marker = tmp_path / "pwned"
    proc, _, _ = run_action(pull_request, tmp_path, paths=f'$(touch {marker}) `touch {marker}`; touch "{marker}"')
    assert proc.returncode == 2 and not marker.exists()
    assert proc.stdout.splitlines() == [f"::error title=hos-lint::input paths: {p}: no such file or directory"
                                        for p in f'$(touch {marker}) `touch {marker}`; touch "{marker}"'.split()]


def test_a_base_branch_missing_from_the_clone_is_exit_2(pull_request, tmp_path):
    git(pull_request, "update-ref", "-d", "refs/remotes/origin/main")
    proc, _, _ = run_action(pull_request, tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "::error title=hos-lint::--changed-since: unknown git ref 'origin/main'\n"


def test_every_run_script_is_bash_that_parses():
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            done = subprocess.run(["bash", "-n", "-c", step["run"]], capture_output=True, text=True)
            assert done.returncode == 0, (step["name"], done.stderr)
