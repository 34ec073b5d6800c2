"""How each format names a file (SPEC §2): machine formats (json, sarif, github,
junit, markdown) relative to the repository root, so annotations and code
scanning land on the files whatever folder holds the manifest; text relative to
the cwd, as ruff prints it (absolute for a file outside the cwd).

Findings carry project-relative paths (fingerprints and baselines use those);
these functions only change how a path is shown. Pure string operations.
"""
from __future__ import annotations

import os
import posixpath

from hos_lint.analysis import RunResult


def from_repo(result: RunResult, path: str) -> str:
    """A project-relative path as the repository names it."""
    prefix = _project_in_repo(result)
    return f"{prefix}/{path}" if prefix else path


def from_cwd(result: RunResult, path: str, cwd: str | None) -> str:
    """A project-relative path as seen from ``cwd`` (unchanged when the cwd is unknown)."""
    root = result.root
    if not cwd or not root:
        return path
    full = posixpath.join(_posix(root), path)
    here = _posix(cwd).rstrip("/") or "/"
    if full == here:
        return "."
    if full.startswith(here.rstrip("/") + "/"):
        return full[len(here.rstrip("/")) + 1:]
    return full


def _project_in_repo(result: RunResult) -> str:
    root, repo = result.root, result.repo_root
    if not root or not repo:
        return ""
    rel = posixpath.relpath(_posix(root), _posix(repo))
    return "" if rel == "." or rel.startswith("..") else rel


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path
