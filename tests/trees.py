"""Writing small project trees for tests: one helper instead of a copy per module."""
from __future__ import annotations

import subprocess
import textwrap
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
