"""Writing small project trees for tests, and the other helpers several test modules share:
one helper instead of a copy per module."""
from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path


def write_tree(root: Path, files: dict[str, str], *, dedent: bool = False) -> Path:
    """Write each ``{relative path: text}`` under ``root`` (UTF-8, folders made); returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
    return root


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` with a fixed identity; its stdout."""
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          check=True, capture_output=True, text=True)
    return done.stdout


def pull_request_repo(repo: Path, base: dict[str, str], change: dict[str, str]) -> Path:
    """A repository whose ``main`` (also ``origin/main``, as a CI clone has it) holds
    ``base``, checked out on branch ``feature`` with one commit writing ``change``."""
    write_tree(repo, base)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    write_tree(repo, change)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change")
    return repo


MARKETPLACE = Path(__file__).resolve().parent.parent / "fixtures" / "hos-marketplace"


def copy_marketplace(dest: Path) -> Path:
    """A private copy of ``fixtures/hos-marketplace`` at ``dest`` (without any cache)."""
    shutil.copytree(MARKETPLACE, dest, symlinks=True, ignore=shutil.ignore_patterns(".hos-lint-cache"))
    return dest


def age(root: Path, seconds: int = 3600) -> None:
    """Every file under ``root`` (or ``root`` itself) last written ``seconds`` ago."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in [root] if root.is_file() else root.rglob("*"):
        if path.is_file() and ".hos-lint-cache" not in path.parts:
            os.utime(path, ns=(then, then))


def check_json(*args: str) -> str:
    """``hos-lint check --format json`` in this process (one job, never failing), its stdout."""
    from click.testing import CliRunner

    from hos_lint.cli import cli

    result = CliRunner().invoke(cli, ["check", "--format", "json", "--fail-on", "never", "--jobs", "1", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def counting_statements(monkeypatch) -> list[str]:
    """The text of every SQL statement analysed with sqlglot (not replayed from the statement
    memo) in this process from now on."""
    from hos_lint.extract import sql

    seen: list[str] = []
    real = sql._analyser

    def analyser():
        analyse = real()

        def counting(stmt, ctx, sink, memo):
            seen.append(stmt.text)
            return analyse(stmt, ctx, sink, memo)
        return counting

    monkeypatch.setattr(sql, "_analyser", analyser)
    return seen


def bench_generator():
    """``bench/generate.py`` as a module (``generate(root, files)`` writes a monorepo)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_generate", MARKETPLACE.parents[1] / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return module
