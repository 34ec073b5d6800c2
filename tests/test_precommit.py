"""The published hook, run by the real pre-commit (`try-repo`) against a
temporary git repository: it fails on a staged cross-service write and passes
once the write is fixed."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def hook_repo(tmp: Path) -> Path:
    """A committed copy of this project (try-repo installs the hook from a git repo)."""
    repo = tmp / "hook"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__",
                                                               ".pytest_cache", ".hos-lint-cache", "fixtures", "bench"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "hook")
    return repo


def try_repo(hook: Path, project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(project.parent / "pc-home")}
    return subprocess.run([*PRE_COMMIT, "try-repo", str(hook), "hos-lint"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hook_blocks_a_staged_cross_service_write_and_passes_once_fixed(tmp_path):
    hook = hook_repo(tmp_path)
    project = tmp_path / "project"
    (project / "services/order/db").mkdir(parents=True)
    (project / "hos-lint.yaml").write_text(
        "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n")
    (project / "services/order/db/clean.sql").write_text("SELECT * FROM order_service.orders;\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")

    bad = project / "services/order/db/sync.sql"
    bad.write_text("UPDATE auth_service.users SET last_order_at = now();\n")
    git(project, "add", "services/order/db/sync.sql")
    failed = try_repo(hook, project)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "services/order/db/sync.sql:1:8: HOS101 order writes auth_service.users" in failed.stdout

    bad.write_text("UPDATE order_service.orders SET synced_at = now();\n")
    git(project, "add", "services/order/db/sync.sql")
    passed = try_repo(hook, project)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_hook_passes_only_files_hos_lint_analyses():
    """hos-lint refuses a named file it cannot analyse (exit 2), so the hook must not pass one."""
    import re

    import yaml

    from hos_lint.extract import language_for

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    admitted = re.compile(hook["files"])
    refused = re.compile(hook["exclude"])
    names = ["a.ts", "a.tsx", "a.mts", "a.cts", "a.js", "a.jsx", "a.mjs", "a.cjs", "a.d.ts", "x/a.d.mts",
             "a.d.cts", "a.sql", "a.py", "schema.prisma", "run.sh", "run.bash", ".env", "svc/.env.local",
             "docker-compose.yml", "compose.override.yaml", "k8s/deploy.yaml", "charts/x/templates/d.yml",
             "hos-lint.yaml", ".hos-lint.yaml", "README.md", "a.json", "values.yaml", "a.pyi"]
    passed = [n for n in names if admitted.search(n) and not refused.search(n)]
    assert [n for n in passed if language_for(n) is None] == ["hos-lint.yaml", ".hos-lint.yaml"]
    assert [n for n in names if language_for(n) is not None and n not in passed] == []


def test_the_readme_snippet_works_once_autoupdate_freezes_its_rev(tmp_path):
    """The README's .pre-commit-config.yaml (`rev: main`) and its `pre-commit autoupdate
    --freeze` command, with the repository URL pointing at a committed copy of this project."""
    import re

    import yaml

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = next(b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if b.startswith("repos:"))
    command = next(b for b in re.findall(r"```sh\n(.*?)\n```", readme, re.DOTALL) if "autoupdate" in b)
    url = "https://github.com/your-org/hos-lint"
    assert url in snippet and command == f"pre-commit autoupdate --freeze --repo {url}"
    hook = hook_repo(tmp_path)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook, capture_output=True, text=True).stdout.strip()
    project = tmp_path / "project"
    (project / "services/order/db").mkdir(parents=True)
    (project / "hos-lint.yaml").write_text(
        "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n")
    (project / "services/order/db/sync.sql").write_text("UPDATE auth_service.users SET last_order_at = now();\n")
    (project / ".pre-commit-config.yaml").write_text(snippet.replace(url, str(hook)))
    git(project, "init", "-q")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    frozen = subprocess.run([*PRE_COMMIT, *command.replace(url, str(hook)).split()[1:]], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == sha  # no tag in the copy: the default branch's head
    git(project, "add", "-A")
    run = subprocess.run([*PRE_COMMIT, "run", "--files", "services/order/db/sync.sql"], cwd=project, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "services/order/db/sync.sql:1:8: HOS101 order writes auth_service.users" in run.stdout
