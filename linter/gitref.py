"""The I/O edge to git: refs from the command line, what changed since one, the project at one.

A ref comes from the command line (``--changed-since REF``, ``report --diff REF``)
and is hostile: ``--output=/some/file`` must never reach git as an option. So a
ref is passed to git exactly once, after ``--end-of-options``, to
``rev-parse --verify REF^{commit}``; every later command receives the commit id
that returned (40 hex digits, never an option), and file names go after ``--``.

Like semgrep's ``--baseline-commit`` and GitHub's pull-request diff, "changed
since REF" means changed since the merge-base of REF and ``HEAD`` (three-dot
semantics): commits that landed on the base branch after the pull request
branched off are not the pull request's changes.

``checkout(commit, root)`` is a context manager yielding the project root as it
was at a commit, materialised in a temporary directory that is removed on
exit: ``git archive --format=tar COMMIT`` of the repository holding ``root``,
extracted with Python's ``tarfile`` (the ``data`` filter: no absolute paths,
no links out of the tree, no device files). Chosen over ``git worktree``
because it leaves no trace in the repository (no ``.git/worktrees`` entry to
prune if the run is killed) and needs no ``tar`` binary. It honours
``export-ignore`` in ``.gitattributes``, like any ``git archive``; only
committed files are seen, which is what a pull request's base is.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256 object id
_NO_BLOB = re.compile(r"0+")


class GitRefError(Exception):
    """git is missing, the folder is not in a repository, or the ref does not name a commit."""


@dataclass(frozen=True, slots=True)
class Change:
    """One path that differs between the merge-base and the working tree."""

    path: str  # relative to the repository's top folder, POSIX
    status: str  # A added (or untracked), M modified, D deleted, T type changed
    old_blob: str | None  # object id of the file at the merge-base; None when it did not exist


@dataclass(frozen=True, slots=True)
class ChangeSet:
    top: Path  # the repository's top folder
    base: str  # the merge-base commit
    changes: tuple[Change, ...]


def toplevel(cwd: str | Path) -> Path:
    """The top folder of the repository holding ``cwd``."""
    return Path(os.fsdecode(_git(cwd, "rev-parse", "--show-toplevel").rstrip(b"\n"))).resolve()


def resolve(ref: str, cwd: str | Path) -> str:
    """The commit id ``ref`` names; GitRefError when it names none (or is not a ref at all)."""
    if not ref or "\0" in ref:
        raise GitRefError(f"unknown git ref {ref!r}")
    try:
        out = _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except GitRefError as err:
        if "not a git repository" in str(err).lower():
            raise
        raise GitRefError(f"unknown git ref {ref!r}") from None
    commit = out.decode("ascii", "replace").strip()
    if not _COMMIT.fullmatch(commit):
        raise GitRefError(f"unknown git ref {ref!r}")
    return commit


def merge_base(commit: str, cwd: str | Path, ref: str) -> str:
    """The merge-base of ``commit`` (already resolved from ``ref``) and HEAD."""
    try:
        out = _git(cwd, "merge-base", commit, "HEAD")
    except GitRefError:
        raise GitRefError(f"{ref!r} and HEAD have no common ancestor in this clone "
                          "(a shallow clone needs a deeper fetch, e.g. fetch-depth: 0)") from None
    return out.decode("ascii", "replace").strip()


def changes_since(ref: str, cwd: str | Path) -> ChangeSet:
    """Every path changed since the merge-base of ``ref`` and HEAD: committed, staged,
    unstaged and untracked (not ignored) files, deletions included."""
    top = toplevel(cwd)
    base = merge_base(resolve(ref, top), top, ref)
    raw = _git(top, "diff", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff", "--no-textconv",
               "--ignore-submodules", base, "--")
    out: dict[str, Change] = {}
    fields = raw.split(b"\0")
    for meta, name in zip(fields[0::2], fields[1::2]):
        # :old_mode new_mode old_id new_id status
        parts = meta.lstrip(b":").decode("ascii", "replace").split()
        if len(parts) != 5:
            continue
        old_mode, _, old_id, _, status = parts
        path = os.fsdecode(name)
        regular = old_mode.startswith("100")  # a file, not a symlink (120000) or submodule (160000)
        old = old_id if regular and not _NO_BLOB.fullmatch(old_id) else None
        out[path] = Change(path, status[:1], old)
    untracked = _git(top, "ls-files", "-z", "--others", "--exclude-standard", "--full-name")
    for name in untracked.split(b"\0"):
        if name:
            path = os.fsdecode(name)
            out.setdefault(path, Change(path, "A", None))
    return ChangeSet(top=top, base=base, changes=tuple(out[p] for p in sorted(out)))


def read_blobs(top: str | Path, ids: list[str]) -> dict[str, bytes]:
    """The content of each blob id, read in one ``git cat-file --batch``."""
    ids = [i for i in dict.fromkeys(ids) if _COMMIT.fullmatch(i)]
    if not ids:
        return {}
    out = _git(top, "cat-file", "--batch", stdin="".join(f"{i}\n" for i in ids).encode("ascii"))
    blobs, pos = {}, 0
    for oid in ids:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<id> missing" or not a blob
        size = int(header[2])
        blobs[oid] = out[pos:pos + size]
        pos += size + 1
    return blobs


@contextmanager
def checkout(ref: str, root: str | Path) -> Iterator[Path]:
    """Yield ``root``'s counterpart inside a temporary tree of the merge-base of ``ref``
    and HEAD (what a pull request branched from); raise GitRefError."""
    root = Path(root).resolve()
    top = toplevel(root)
    commit = merge_base(resolve(ref, top), top, ref)
    archive = _git(top, "archive", "--format=tar", commit)
    with tempfile.TemporaryDirectory(prefix="hos-lint-ref-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / root.relative_to(top)


def _git(cwd: str | Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin,
                              capture_output=True, check=True, env=env)
    except FileNotFoundError:
        raise GitRefError("needs git on PATH") from None
    except subprocess.CalledProcessError as err:
        lines = err.stderr.decode(errors="replace").strip().splitlines()
        detail = lines[-1] if lines else f"git {args[0]} failed"
        raise GitRefError(detail.removeprefix("fatal: ")) from None
    return done.stdout
