"""The walk remembered (stage 2): when no folder of the project changed, the files it
holds are the ones the last walk kept.

A folder's modification time changes whenever an entry is added to it, removed from
it or renamed in it (a symbolic link is replaced, never edited), and its change time
whenever its permissions change; what the walk keeps depends on nothing else but the
manifest and the ignore files. So the index keeps, beside the walk's answer, the
(mtime_ns, ctime_ns) of every folder the walk listed and the stat of every ignore file
that could apply (each ``.gitignore`` in those folders, ``.git/info/exclude`` and those
between the repository root and the project root, present or not: creating a
``.gitignore`` in a listed folder changes that folder's mtime). A run whose
manifest is the same and whose folders and ignore files all stat the same reuses the
answer; any difference walks again. As for files, a folder changed within the
timestamp granularity of the walk could keep its mtime: an index is written only when
every folder is older than the walk's start by ``RACY_MARGIN_NS``.

Checking costs one stat per folder instead of listing it and matching every entry
against the excludes, the ignore files and the service paths (``bench/RESULTS.md``).
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from hos_lint import __version__
from hos_lint.cache import RACY_MARGIN_NS, Cache, Stat, stat_of
from hos_lint.discovery import Candidate, Walk, walk_project
from hos_lint.manifest import Manifest, find_repo_root

NAME = "walk"
FolderStat = tuple[int, int]  # mtime_ns, ctime_ns
FileStat = Stat | None  # None when missing


def walk(manifest: Manifest, cache: Cache | None) -> Walk:
    """``walk_project(manifest)``, or what the last walk of this manifest found when no
    folder and no ignore file changed since."""
    if cache is None or not cache.enabled:
        return walk_project(manifest)
    key = _key(manifest)
    known = _recall(cache, key, manifest)
    if known is not None:
        return known
    cache.make_folder()  # before the walk: creating it later would change the root's mtime
    started = time.time_ns()
    found = walk_project(manifest)
    _remember(cache, key, manifest, found, started)
    return found


def _key(manifest: Manifest) -> str:
    return hashlib.sha256(repr((__version__, manifest)).encode("utf-8", "surrogatepass")).hexdigest()


def _recall(cache: Cache, key: str, manifest: Manifest) -> Walk | None:
    stored = cache.read_index(NAME)
    if not (isinstance(stored, tuple) and len(stored) == 7 and stored[0] == key):
        return None
    _, folders, ignores, paths, services, notices, unmatched = stored
    root = os.path.join(manifest.root, "")
    try:
        for folder, seen in folders.items():
            st = os.stat(root + folder)
            if (st.st_mtime_ns, st.st_ctime_ns) != seen:
                return None
    except OSError:
        return None
    if any(_file_stat(path) != seen for path, seen in ignores.items()):
        return None
    return Walk(tuple(map(Candidate, paths, services)), notices, unmatched)


def _remember(cache: Cache, key: str, manifest: Manifest, found: Walk, started: int) -> None:
    if found.excluder is None or found.notices:
        return  # a folder that could not be listed, a link not followed: walked every time
    root = os.path.join(manifest.root, "")
    folders: dict[str, FolderStat] = {}
    try:
        for folder in found.excluder.folders():
            st = os.stat(root + folder)
            if st.st_mtime_ns >= started - RACY_MARGIN_NS or st.st_ctime_ns >= started - RACY_MARGIN_NS:
                return  # changed within the timestamp granularity of the walk: not to be trusted
            folders[folder] = (st.st_mtime_ns, st.st_ctime_ns)
    except OSError:
        return
    ignores = {path: _file_stat(path) for path in _ignore_files(manifest, found)}
    if any(st is not None and st[1] >= started - RACY_MARGIN_NS for st in ignores.values()):
        return
    cache.write_index(NAME, (key, folders, ignores, tuple(c.path for c in found.files),
                             tuple(c.service for c in found.files), found.notices, found.unmatched))


def _ignore_files(manifest: Manifest, found: Walk) -> list[str]:
    """Every ignore file that could decide what the walk keeps: the ``.gitignore`` files
    in the folders listed (one created in a folder changes that folder's mtime, so only
    those present need a stat), and those above the project root, present or not."""
    if not manifest.respect_gitignore or found.excluder is None:
        return []
    root = Path(manifest.root).resolve()
    listed = found.excluder.folders(with_ignore_file=True)
    out = [os.path.join(manifest.root, folder, ".gitignore") for folder in listed]
    repo = find_repo_root(root)
    if repo is not None:
        out.append(str(repo / ".git" / "info" / "exclude"))
        for parent in [root, *root.parents]:
            if parent == repo:
                break
            out.append(str(parent.parent / ".gitignore"))
    return out


def _file_stat(path: str) -> FileStat:
    try:
        return stat_of(os.lstat(path))
    except OSError:
        return None
