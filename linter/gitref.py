"""The I/O edge of ``hos-lint report --diff GIT_REF``: the project as it was at a ref.

``checkout(ref, root)`` is a context manager yielding the project root as it
was at ``ref``, materialised in a temporary directory that is removed on exit.

How: ``git archive --format=tar REF`` of the repository holding ``root``,
extracted with Python's ``tarfile`` (the ``data`` filter: no absolute paths,
no links out of the tree, no device files). Chosen over ``git worktree`` because
it leaves no trace in the repository (no ``.git/worktrees`` entry to prune if
the run is killed) and needs no ``tar`` binary. It honours ``export-ignore``
in ``.gitattributes``, like any ``git archive``; only committed files are seen,
which is what a pull request's base is.
"""
from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class GitRefError(Exception):
    """git is missing, the folder is not in a repository, or the ref does not exist."""


@contextmanager
def checkout(ref: str, root: str | Path) -> Iterator[Path]:
    """Yield ``root``'s counterpart inside a temporary tree of ``ref``; raise GitRefError."""
    root = Path(root).resolve()
    top = Path(os.fsdecode(_git(root, "rev-parse", "--show-toplevel").strip())).resolve()
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    archive = _git(top, "archive", "--format=tar", commit)
    with tempfile.TemporaryDirectory(prefix="hos-lint-ref-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / root.relative_to(top)


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise GitRefError("--diff needs git on PATH") from None
    except subprocess.CalledProcessError as err:
        detail = err.stderr.decode(errors="replace").strip() or f"git {args[0]} failed"
        if args[:2] == ("rev-parse", "--verify"):
            detail = f"unknown git ref {args[-1].removesuffix('^{commit}')!r}"
        raise GitRefError(f"--diff: {detail}") from None
    return done.stdout
