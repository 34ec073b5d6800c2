"""The README's commands work as shown: the GitHub Actions workflow's hos-lint
command lines run against a real git repository with a pull-request-like
change, and the pre-commit hook id exists."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from trees import pull_request_repo

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def yaml_blocks() -> list:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", README, re.DOTALL)]


def workflow() -> dict:
    """The workflow that runs hos-lint itself (the one the Action replaces)."""
    return next(b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b
                and any("hos-lint check" in s.get("run", "") for job in b["jobs"].values() for s in job["steps"]))



@pytest.mark.skipif(shutil.which("git") is None or not (BIN / "hos-lint").exists(),
                    reason="needs git and the installed hos-lint console script")
def test_workflow_commands_run_on_a_pull_request(tmp_path):
    repo = pull_request_repo(tmp_path / "repo", {
        "hos-lint.yaml": "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n",
        "services/order/db/old.sql": "DELETE FROM auth_service.sessions;\n",
    }, {"services/order/db/new.sql": "UPDATE auth_service.users SET x = 1;\n"})

    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "GITHUB_STEP_SUMMARY": str(summary),
           "CI": "true"}
    steps = [s for s in workflow()["jobs"]["boundaries"]["steps"] if "run" in s and "hos-lint" in s["run"]
             and not s["run"].startswith("pip install")]
    outcomes = []
    for step in steps:
        script = step["run"].replace("${{ github.base_ref }}", "main")
        outcomes.append(subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True,
                                       text=True, timeout=300))
    gate, report = outcomes
    assert gate.returncode == 1
    assert gate.stdout.splitlines()[0].startswith(
        "::error file=services/order/db/new.sql,line=1,col=8,title=HOS101 cross-service-write::order writes")
    assert "old.sql" not in gate.stdout  # only the pull request's files are gated
    assert report.returncode == 0, report.stderr
    assert '"version": "2.1.0"' in (repo / "hos-lint.sarif").read_text()
    assert summary.read_text().startswith("## ❌ hos-lint: failed")


def test_precommit_snippet_names_the_published_hook():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    config = next(b for b in yaml_blocks() if isinstance(b, dict) and "repos" in b)
    assert config["repos"][0]["hooks"][0]["id"] in {h["id"] for h in hooks}


def test_readme_quick_start_has_two_commands_and_ci_runs_the_second():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[:2]
    assert "hos-lint fixtures/hos-marketplace" in commands[0]
    assert commands[1] in (ROOT / ".ci/run").read_text()


def test_readme_manifest_example_is_a_valid_manifest():
    from hos_lint.manifest import parse_manifest

    example = next(b for b in re.findall(r"```yaml\n(.*?)```", README, re.DOTALL) if b.startswith("version: 1"))
    manifest = parse_manifest(example, root="/repo")
    assert manifest.declared_root == "." and [s.name for s in manifest.services][:2] == ["auth", "order"]


def test_action_usage_and_inputs_table_match_action_yml():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (usage,) = [b for b in yaml_blocks() if isinstance(b, list) and "uses" in b[0]]
    assert usage == [{"uses": "your-org/hos-lint@main", "id": "hos-lint"}]
    assert "sarif_file: ${{ steps.hos-lint.outputs.sarif }}" in README and "sarif" in action["outputs"]
    table = re.search(r"\| input \| default \| meaning \|\n\|---\|---\|---\|\n((?:\|.*\n)+)", README).group(1)
    rows = {re.match(r"\| `([^`]+)` \| ([^|]+) \|", line).group(1): re.match(r"\| `[^`]+` \| ([^|]+) \|", line)
            .group(1).strip() for line in table.splitlines()}
    assert list(rows) == list(action["inputs"])
    for name, default in rows.items():  # a literal default in the table is action.yml's default
        if default.startswith("`"):
            assert default == f"`{action['inputs'][name]['default']}`", name
    outputs = re.search(r"Outputs: (.*?) \(the gate's counts\) and\n`(\w+)`", README)
    assert re.findall(r"`(\w+)`", outputs.group(1)) + [outputs.group(2)] == list(action["outputs"])


def test_schema_line_and_command_work_as_shown(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hos_lint.cli import cli
    from hos_lint.manifest import json_schema

    assert "```yaml\n# yaml-language-server: $schema=hos-lint.schema.json\n```" in README
    command = "hos-lint schema --output hos-lint.schema.json"
    assert f"```sh\n{command}\n```" in README
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, command.split()[1:]).exit_code == 0
    assert (tmp_path / "hos-lint.schema.json").read_text(encoding="utf-8") == json_schema()
