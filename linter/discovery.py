"""Walk the project and turn paths into ``SourceFile``s.

Every file under the project root that an extractor handles is discovered, so
ownership facts (Prisma models, views) always come from the whole project;
which files are *reported* is decided later from the PATHS the user gave.
Symlinked directories are never followed (no loops, nothing outside the root);
a symlinked file is kept only when it resolves inside the root.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from linter.manifest import Manifest, ServiceConfig


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a gitignore-style glob (``**`` crosses folders, ``*`` does not)."""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


@lru_cache(maxsize=64)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{glob_regex(p).pattern})" for p in patterns) or "(?!)")


def matches_any(path: str, patterns: tuple[str, ...]) -> bool:
    """True when any glob matches (one alternation regex per pattern set)."""
    return _combined(patterns).fullmatch(path) is not None


@dataclass(frozen=True, slots=True)
class ServiceMatcher:
    """Maps a project-relative path to the service whose ``paths`` contain it."""

    entries: tuple[tuple[re.Pattern[str], int, str], ...]

    @classmethod
    def of(cls, services: tuple[ServiceConfig, ...]) -> "ServiceMatcher":
        entries = []
        for svc in services:
            for p in svc.paths:
                p = p.strip("/")
                # "." is the whole project (a repository that is one app): the least specific path
                pattern = "**" if p in ("", ".") else p + "/**"
                entries.append((glob_regex(pattern), 0 if p in ("", ".") else len(p), svc.name))
        # the most specific (longest) path wins, so services/api/admin can nest
        entries.sort(key=lambda e: (-e[1], e[2]))
        return cls(tuple(entries))

    def service_of(self, path: str) -> str | None:
        for regex, _, name in self.entries:
            if regex.fullmatch(path):
                return name
        return None


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str  # project-relative POSIX
    service: str | None


@dataclass(frozen=True, slots=True)
class Walk:
    files: tuple[Candidate, ...]
    notices: tuple[tuple[str, str], ...]  # (path, reason) of entries skipped


def walk_project(manifest: Manifest) -> Walk:
    """Every non-excluded regular file under the root, sorted, with its service."""
    root = Path(manifest.root)
    root_real = os.path.realpath(root)
    matcher = ServiceMatcher.of(manifest.services)
    files: list[Candidate] = []
    notices: list[tuple[str, str]] = []
    for folder, dirs, names in os.walk(root, onerror=lambda err: notices.append(_walk_error(root, err))):
        rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        rel_folder = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = sorted(d for d in dirs if _keep_dir(folder, rel_folder + d, manifest, notices))
        for name in sorted(names):
            rel = rel_folder + name
            if matches_any(rel, manifest.exclude):
                continue
            full = os.path.join(folder, name)
            if os.path.islink(full) and not _inside(os.path.realpath(full), root_real):
                notices.append((rel, "symlink points outside the project; not followed"))
                continue
            files.append(Candidate(rel, matcher.service_of(rel)))
    return Walk(tuple(files), tuple(notices))


def _keep_dir(folder: str, rel: str, manifest: Manifest, notices: list) -> bool:
    if matches_any(rel, manifest.exclude) or matches_any(rel + "/", manifest.exclude):
        return False
    if os.path.islink(os.path.join(folder, os.path.basename(rel))):
        notices.append((rel, "symlinked directory; not followed"))
        return False
    return True


def _walk_error(root: Path, err: OSError) -> tuple[str, str]:
    rel = os.path.relpath(err.filename or str(root), root).replace(os.sep, "/")
    return rel, f"cannot be read: {err.strerror or err}"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def relative_to_root(path: Path, root: str) -> str | None:
    """Project-relative POSIX path of a user-given path, or None when outside."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return None
    text = rel.as_posix()
    return "" if text == "." else text
