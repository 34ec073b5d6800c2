"""``--changed-since REF``: which files changed since a git ref, and whether the
change reaches further than those files (an ownership input changed)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from hos_lint import gitref, outfile
from hos_lint.app.extraction import config_for, extract_bytes
from hos_lint.app.loading import baseline_path, load_project_manifest
from hos_lint.app.options import Options, UsageError
from hos_lint.discovery import ServiceMatcher
from hos_lint.extract import language_for
from hos_lint.manifest import Manifest
from hos_lint.model import Language, SourceFile
from hos_lint.outfile import shown
from hos_lint.resolve import shared_facts


@dataclass(frozen=True, slots=True)
class ChangedScope:
    """What ``--changed-since`` checks: the changed files, or every file and why."""

    files: tuple[str, ...]  # existing changed files under PATHS, relative to the cwd
    widened: str | None = None  # why every file is checked instead ("hos-lint.yaml changed")


def changed_scope(ref: str, options: Options) -> ChangedScope:
    """Files changed since the merge-base of ``ref`` and HEAD (committed, staged, unstaged
    or untracked), limited to PATHS; widened to every file when an ownership input changed.

    An ownership input is the manifest, the baseline, or a file whose extraction, as it
    is now or as it was at the merge-base, holds facts other files' findings depend on
    (``shared_facts``): removing an ``allow:`` entry, editing a Prisma
    ``@@schema`` or deleting a migration that created a view changes findings in files
    the change did not touch.
    """
    missing = [p for p in options.paths if not os.path.lexists(p)]
    if missing:  # a misspelt PATH would limit the change to nothing: a gate that passes by accident
        raise UsageError(f"{shown(missing[0])}: no such file or directory")
    manifest = load_project_manifest(options)
    root = Path(manifest.root).resolve()
    try:
        changeset = gitref.changes_since(ref, root)
        found = [(c, root_relative(changeset.top / c.path, root)) for c in changeset.changes]
        changes = [(c, rel) for c, rel in found if rel is not None]
        widened = _widening_input(manifest, options, changeset, changes)
    except gitref.GitRefError as err:
        raise UsageError(f"--changed-since: {err}") from None
    limits = [Path(p).resolve() for p in options.paths]
    files: list[str] = []
    for _change, rel in changes:
        full = root / rel
        if full.is_file() and (not limits or any(full == lim or lim in full.parents for lim in limits)):
            files.append(os.path.relpath(full))
    return ChangedScope(files=tuple(files), widened=widened)


def root_relative(full: Path, root: Path) -> str | None:
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return None  # outside the project root: not this project's change


def _widening_input(manifest: Manifest, options: Options, changeset: gitref.ChangeSet,
                    changes: list[tuple[gitref.Change, str]]) -> str | None:
    """The first changed ownership input, as ``"PATH changed and holds Prisma models"``, or None."""
    root = Path(manifest.root).resolve()
    fixed = {baseline_path(options, manifest).resolve(): "is the baseline"}
    if manifest.path:
        fixed[(root / manifest.path).resolve()] = ""  # manifest.path is relative to the root, not the cwd
    matcher = ServiceMatcher.of(manifest.services)
    found: list[tuple[str, str]] = []

    def facts_of(rel: str, language: Language, data: bytes) -> str | None:
        service = matcher.service_of(rel)
        src = SourceFile(rel, service, language)
        return shared_facts(extract_bytes(src, data, config_for(manifest, service)))

    older: list[tuple[str, str, Language]] = []  # (blob at the merge-base, path, language)
    for change, rel in changes:
        full = root / rel
        language = language_for(rel)
        if full in fixed:
            found.append((rel, fixed[full]))
        elif language is not None:
            now = read_inside_root(full, root)
            what = facts_of(rel, language, now) if now is not None else None
            if what is not None:
                found.append((rel, f"holds {what}"))
            elif change.old_blob is not None:
                older.append((change.old_blob, rel, language))
    if older:
        blobs = gitref.read_blobs(changeset.top, [blob for blob, _, _ in older])
        for blob, rel, language in older:
            data = blobs.get(blob)
            what = facts_of(rel, language, data) if data is not None else None
            if what is not None:
                found.append((rel, f"held {what}"))
    if not found:
        return None
    rel, why = found[0]
    others = len(found) - 1
    return (f"{outfile.shown(rel)} changed" + (f" and {why}" if why else "")
            + (f" (and {others} other ownership input{'s' if others > 1 else ''})" if others else ""))


def read_inside_root(full: Path, root: Path) -> bytes | None:
    """A regular file's bytes; None for a deleted file, a folder, a device, a FIFO or a
    symbolic link that leads out of the project (the root is a wall; ``root`` is resolved)."""
    try:
        if not full.is_file() or (full.is_symlink() and root not in full.resolve().parents):
            return None
        return full.read_bytes()
    except OSError:
        return None


def narrow_to_changes(options: Options, ref: str) -> Options | None:
    """``options`` for checking only the files changed since ``ref``: every file under
    PATHS when an ownership input changed (the run is told why), None when nothing did."""
    changed = changed_scope(ref, options)
    if changed.widened:
        every = "every file under the given paths" if options.paths else "the whole project"
        options.tell(f"{changed.widened}; checking {every}")
        return options
    if not changed.files:
        return None
    return replace(options, paths=changed.files, paths_from_git=True)
