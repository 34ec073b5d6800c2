"""Walk the project and turn paths into ``SourceFile``s.

Every file under the project root that an extractor handles is discovered, so
ownership facts (Prisma models, views) always come from the whole project;
which files are *reported* is decided later from the PATHS the user gave.
Symlinked directories are never followed (no loops, nothing outside the root);
a symlinked file is kept only when it resolves inside the root.

What is skipped, in gitignore syntax (``linter.globs``, pathspec): the
manifest's excludes (the defaults, replaced by ``exclude:`` or extended by
``extend-exclude:``), and, unless ``respect-gitignore: false``, what git
ignores: every ``.gitignore`` from the repository root down (a deeper file
overrides a higher one) and ``.git/info/exclude``. Nothing above the
repository root is read.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from hos_lint.globs import GlobError, Spec, anchored, compile_glob, normal_path, spec
from hos_lint.manifest import ALWAYS_EXCLUDE, Entry, Manifest, ServiceConfig, find_repo_root

MAX_IGNORE_FILE_BYTES = 1024 * 1024


_Rank = tuple[int, str]  # (-length of the path as written, service name): the smallest wins


@dataclass(frozen=True, slots=True)
class ServiceMatcher:
    """Maps a project-relative path to the service whose ``paths`` contain it: of all the
    paths that contain it, the most specific (longest as written) wins, ties by service name.

    A path without glob characters (``services/order``, most of them) holds exactly what
    lies under that folder, so which of them contain a file is a property of its folder:
    settled once per folder by dict lookups over the folder's prefixes, no regular
    expression. Only the glob paths that would outrank a folder's answer are asked of
    pathspec, file by file."""

    entries: tuple[tuple[GitIgnoreSpec, int, str], ...]  # every path, the most specific first
    _plain: dict[str, _Rank] = field(default_factory=dict, compare=False, repr=False)  # folder -> best
    _whole: _Rank | None = field(default=None, compare=False, repr=False)  # "." (every path), the best
    _globs: tuple[tuple[_Rank, GitIgnoreSpec, str], ...] = field(default=(), compare=False, repr=False)
    _best: dict[str, _Rank | None] = field(default_factory=dict, compare=False, repr=False)  # memo
    _folders: dict[str, tuple[str | None, tuple[tuple[GitIgnoreSpec, str], ...]]] = field(
        default_factory=dict, compare=False, repr=False)  # memo of folder()

    @classmethod
    def of(cls, services: tuple[ServiceConfig, ...]) -> ServiceMatcher:
        entries = []
        plain: dict[str, _Rank] = {}
        whole: _Rank | None = None
        globs = []
        for svc in services:
            for p in svc.paths:
                p = p.strip("/")
                # "." is the whole project (a repository that is one app): the least specific path
                length = 0 if p in ("", ".") else len(p)
                glob = anchored(p)
                matcher = spec([glob])
                entries.append((matcher, length, svc.name))
                rank = (-length, svc.name)
                regex = compile_glob(glob).regex
                source = regex.pattern if regex is not None else None
                folder = glob[1:-3]  # "/<folder>/**"
                if glob == "**" and source == "(?s).":  # every path but the empty one
                    whole = min(whole, rank) if whole else rank
                elif glob == f"/{folder}/**" and source == "(?s)^" + re.escape(folder) + "/":  # a folder
                    plain[folder] = min(plain[folder], rank) if folder in plain else rank
                else:
                    globs.append((rank, matcher, svc.name))
        # the most specific (longest) path wins, so services/api/admin can nest
        entries.sort(key=lambda e: (-e[1], e[2]))
        globs.sort(key=lambda e: e[0])
        return cls(tuple(entries), plain, whole, tuple(globs))

    def service_of(self, path: str) -> str | None:
        norm = normal_path(path)
        if not norm:  # nothing is under the empty path; ask every entry as pathspec would
            return next((name for matcher, _, name in self.entries if matcher.match_file(path)), None)
        name, globs = self.folder(norm.rpartition("/")[0])
        for matcher, glob_name in globs:
            if matcher.match_file(path):
                return glob_name
        return name

    def folder(self, folder: str) -> tuple[str | None, tuple[tuple[GitIgnoreSpec, str], ...]]:
        """For the files directly in ``folder`` (normalised, "" at the root, no trailing ``/``):
        the service their folder gives them, and the glob paths (in order) that outrank it
        and must be asked file by file; the first of those that matches wins instead."""
        known = self._folders.get(folder)
        if known is None:
            best = self._best_of(folder)
            globs = tuple((matcher, name) for rank, matcher, name in self._globs if best is None or rank < best)
            known = self._folders[folder] = (best[1] if best else None, globs)
        return known

    def _best_of(self, folder: str) -> _Rank | None:
        """The best plain path that holds every file of ``folder``: a folder path equal to
        ``folder`` or to one of its prefixes that ends before a ``/``, or the whole project."""
        best = self._best
        chain = []
        while folder not in best:
            chain.append(folder)
            if "/" not in folder:
                break
            folder = folder.rpartition("/")[0]
        above = best[folder] if folder in best else self._whole
        for here in reversed(chain):
            own = self._plain.get(here)
            if own is not None and (above is None or own < above):
                above = own
            best[here] = above
        return above


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str  # project-relative POSIX
    service: str | None


@dataclass(frozen=True, slots=True)
class Walk:
    files: tuple[Candidate, ...]
    notices: tuple[tuple[str, str], ...]  # (path, reason) of entries skipped
    unmatched: tuple[Entry, ...] = ()  # manifest globs (exclude, service paths) that matched nothing
    excluder: Excluder | None = field(default=None, compare=False)  # to explain a skipped PATH later


@dataclass(slots=True)
class _IgnoreFile:
    """One ``.gitignore`` (or ``.git/info/exclude``): its patterns with their lines."""

    name: str  # for messages, relative to the project root (``../.gitignore`` above it)
    base: str  # prepended to a path, made relative to the file's folder, before matching
    strip: str  # the file's project-relative folder, removed from a path before matching
    spec: Spec
    lines: tuple[int, ...]  # source line of each pattern

    def decides(self, rel: str) -> tuple[bool, str] | None:
        """(ignored or re-included, which line) when a pattern of this file matches ``rel``."""
        if not rel.startswith(self.strip):
            return None
        result = self.spec.check_file(self.base + rel[len(self.strip):])
        if result.include is None or result.index is None:
            return None
        pattern = self.spec.patterns[result.index].pattern
        return result.include, f"{self.name}:{self.lines[result.index]} ({pattern!r})"


# the ignore files deciding for a folder's entries, deepest first: (quick test, decision, base,
# length of strip); the decision is asked only when the quick test is not None
_Checks = tuple[tuple[Callable[[str], object], Callable[[str], bool | None], str, int], ...]


@dataclass(slots=True)
class Excluder:
    """Decides whether a project-relative path is skipped, and why."""

    root: str
    manifest: Manifest
    notices: list[tuple[str, str]] = field(default_factory=list)
    _exclude: Spec = field(default_factory=lambda: spec(()))
    _listed: dict[str, bool] = field(default_factory=dict)  # folder -> whether its listing holds .gitignore
    _outer: list[_IgnoreFile] = field(default_factory=list)  # info/exclude, then .gitignore above the root
    _chains: dict[str, tuple[_IgnoreFile, ...]] = field(default_factory=dict)  # folder -> files, deepest last
    _checks: dict[str, _Checks] = field(default_factory=dict)  # folder -> checks()
    _in_repository: bool = False

    def __post_init__(self) -> None:
        self._exclude = spec(self.manifest.exclude + ALWAYS_EXCLUDE)
        if self.manifest.respect_gitignore:
            self._outer = self._outer_ignore_files()

    def reason(self, rel: str, is_dir: bool) -> str | None:
        """Why ``rel`` itself is skipped (its parent folders are not looked at), or None."""
        probe = rel + "/" if is_dir else rel
        hit = self._exclude.check_file(probe)
        if hit.include and hit.index is not None:
            pattern = (self.manifest.exclude + ALWAYS_EXCLUDE)[hit.index]
            return f"excluded by {self._exclude_source(pattern)} {pattern!r}"
        if not self.manifest.respect_gitignore:
            return None
        folder = rel.rpartition("/")[0]
        for ignore in reversed(self.chain(folder + "/" if folder else "")):
            decided = ignore.decides(probe)
            if decided is not None:
                ignored, where = decided
                return f"ignored by {where}" if ignored else None
        return None

    def listed(self, folder: str, holds_ignore_file: bool) -> None:
        """What the walk's listing of ``folder`` ("" or ending with "/") showed: a folder
        without a ``.gitignore`` entry (of any type) needs no look for one."""
        self._listed[folder] = holds_ignore_file

    def checks(self, folder: str) -> _Checks:
        """The ignore files that decide for the entries of ``folder`` ("" or ending with "/"),
        the deepest first, as ``_Checks``: the first decision that is not None is the
        answer, as in ``reason``."""
        known = self._checks.get(folder)
        if known is None:
            known = self._checks[folder] = tuple((ignore.spec.quick, ignore.spec.include_of, ignore.base,
                                                  len(ignore.strip)) for ignore in reversed(self.chain(folder)))
        return known

    def folders(self, with_ignore_file: bool = False) -> tuple[str, ...]:
        """Every folder the walk listed ("" or ending with "/"), or only those whose
        listing held a ``.gitignore``."""
        if with_ignore_file:
            return tuple(folder for folder, holds in self._listed.items() if holds)
        return tuple(self._listed)

    def explain(self, rel: str, is_dir: bool) -> str | None:
        """Why a path, or one of the folders above it, is skipped (for a PATH the user named)."""
        parts = rel.split("/")
        for i in range(1, len(parts)):
            why = self.reason("/".join(parts[:i]), True)
            if why:
                return f"{why} (folder {'/'.join(parts[:i])}/)"
        return self.reason(rel, is_dir)

    def chain(self, folder: str) -> tuple[_IgnoreFile, ...]:
        """The ignore files that apply inside ``folder`` ("" or ending with "/"), deepest last."""
        if folder in self._chains:
            return self._chains[folder]
        if folder == "":
            above: tuple[_IgnoreFile, ...] = tuple(self._outer)
        else:
            parent = folder[:-1].rpartition("/")[0]
            above = self.chain(parent + "/" if parent else "")
        own = None
        if self._in_repository and self._listed.get(folder, True):
            own = self._read_ignore(Path(self.root, folder, ".gitignore"), folder + ".gitignore", "", folder)
        self._chains[folder] = above + ((own,) if own else ())
        return self._chains[folder]

    def _exclude_source(self, pattern: str) -> str:
        for entry in self.manifest.exclude_entries:
            if entry.value == pattern:
                line = f":{entry.location.line}" if entry.location else ""
                return f"{entry.location.path if entry.location else 'hos-lint.yaml'}{line} {entry.key.split('.')[0]}"
        return "the default exclude"

    def _outer_ignore_files(self) -> list[_IgnoreFile]:
        """``.git/info/exclude``, then the ``.gitignore`` of each folder from the repository root
        down to (not including) the project root: the lowest precedence first. None outside a
        repository; nothing above its root."""
        root = Path(self.root).resolve()
        repo = find_repo_root(root)
        if repo is None:
            return []
        self._in_repository = True
        below = root.relative_to(repo).as_posix()
        below = "" if below == "." else below + "/"  # the project root, relative to the repository
        out = []
        git_dir = repo / ".git"
        if git_dir.is_dir() and not git_dir.is_symlink():
            out.append(self._read_ignore(git_dir / "info" / "exclude", "", below, ""))
        parts = below.split("/")[:-1]
        for i in range(len(parts)):
            folder = "".join(f"{p}/" for p in parts[:i])  # relative to the repository
            out.append(self._read_ignore(repo / folder / ".gitignore", "", below[len(folder):], ""))
        return [f for f in out if f is not None]

    def _read_ignore(self, path: Path, name: str, base: str, strip: str) -> _IgnoreFile | None:
        """One ignore file's patterns; ``name`` is its project-relative path ("" to derive it).
        A symlink is not followed, as git does not follow a symlinked ``.gitignore``."""
        name = name or os.path.relpath(path, os.path.realpath(self.root)).replace(os.sep, "/")
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            if stat.S_ISLNK(info.st_mode):
                self.notices.append((name, "symlinked ignore file; not followed (git does not follow it either)"))
            return None
        if info.st_size > MAX_IGNORE_FILE_BYTES:
            self.notices.append((name, f"ignore file larger than {MAX_IGNORE_FILE_BYTES // 1024} KB; not applied"))
            return None
        try:
            text = path.read_bytes().decode("utf-8", errors="surrogateescape")
        except OSError as err:
            self.notices.append((name, f"cannot be read: {err.strerror or err}; not applied"))
            return None
        patterns: list[GitIgnoreSpecPattern] = []
        lines: list[int] = []
        refused: dict[str, list[str]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                pattern = compile_glob(line)
            except GlobError as err:
                refused.setdefault(str(err), []).append(str(number))
                continue
            if pattern.include is not None:
                patterns.append(pattern)
                lines.append(number)
        for why, numbers in refused.items():  # one notice per file and reason, however many lines
            where = f"line{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"
            self.notices.append((name, f"{where}: {why}; not applied"))
        if not patterns:
            return None
        return _IgnoreFile(name, base, strip, Spec(patterns), tuple(lines))


_name = attrgetter("name")


def walk_project(manifest: Manifest) -> Walk:
    """Every non-excluded regular file under the root, sorted, with its service."""
    root = Path(manifest.root)
    root_real = os.path.realpath(root)
    matcher = ServiceMatcher.of(manifest.services)
    excluder = Excluder(str(root), manifest)
    excluded = excluder._exclude.include_of
    quick_exclude = excluder._exclude.quick
    respect_gitignore = manifest.respect_gitignore
    files: list[Candidate] = []
    notices = excluder.notices
    # manifest globs not yet seen to match anything: exclude entries are tried on every path the
    # walk meets, service paths on every file it keeps
    excludes = [(e, compile_glob(e.value)) for e in manifest.exclude_entries]
    service_paths = [(e, compile_glob(anchored(e.value))) for s in manifest.services for e in s.path_entries]

    # os.walk's order (a folder's files, then its subfolders, each sorted), on os.scandir
    # entries: whether one is a link needs no system call, and paths are joined as strings.
    # What a folder inherits from its parent: the ignore files deciding for its entries
    # (unless it holds a .gitignore) and the best plain service path holding it.
    plain = matcher._plain
    per_file = bool(matcher._globs)  # a glob service path: files are asked one by one
    pending: list[tuple[str, str, _Checks | None, _Rank | None]] = [(str(root), "", None, matcher._whole)]
    while pending:
        folder, rel_folder, checks, best = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as err:
            notices.append(_walk_error(root, err))
            continue
        if len(entries) > 1:
            entries.sort(key=_name)  # names are unique: the order of the sorted names
        holds_ignore_file = ".gitignore" in map(_name, entries)
        excluder.listed(rel_folder, holds_ignore_file)
        if holds_ignore_file:
            checks = None  # read when the first entry gets past the excludes
        if plain and rel_folder:
            own = plain.get(rel_folder[:-1])
            if own is not None and (best is None or own < best):
                best = own
        # the subfolders first (decided as met, in sorted order), then the files
        names = []
        kept = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:  # an entry that cannot be examined is not a folder, as in os.walk
                is_dir = False
            if not is_dir:
                names.append(entry)
                continue
            probe = f"{rel_folder}{entry.name}/"
            if excludes:
                excludes = [(e, p) for e, p in excludes if p.match_file(probe) is None]
            if quick_exclude(probe) is not None and excluded(probe):
                continue
            if respect_gitignore:
                if checks is None:
                    checks = excluder.checks(rel_folder)
                if checks and _ignored(probe, checks):
                    continue
            if entry.is_symlink():
                notices.append((probe[:-1], "symlinked directory; not followed"))
                continue
            kept.append((entry.path, probe))
        service = best[1] if best is not None else None
        for entry in names:
            rel = rel_folder + entry.name
            if excludes:
                excludes = [(e, p) for e, p in excludes if p.match_file(rel) is None]
            if quick_exclude(rel) is not None and excluded(rel):
                continue
            if respect_gitignore:
                if checks is None:
                    checks = excluder.checks(rel_folder)
                if checks and _ignored(rel, checks):
                    continue
            if entry.is_symlink() and not _inside(os.path.realpath(entry.path), root_real):
                notices.append((rel, "symlink points outside the project; not followed"))
                continue
            if service_paths:
                service_paths = [(e, p) for e, p in service_paths if p.match_file(rel) is None]
            files.append(Candidate(rel, matcher.service_of(rel) if per_file else service))
        for path, probe in reversed(kept):
            pending.append((path, probe, checks, best))
    unmatched = sorted((*(e for e, _ in excludes), *(e for e, _ in service_paths)),
                       key=lambda e: e.location.line if e.location else 0)
    return Walk(tuple(files), tuple(notices), tuple(unmatched), excluder)


def _ignored(probe: str, checks: _Checks) -> bool:
    """Whether the ignore files (deepest first) ignore a walk path (a folder's ends with ``/``):
    the deepest that decides, decides."""
    for quick, decision, base, strip in checks:
        path = base + probe[strip:] if strip or base else probe
        if quick(path) is not None:
            decided = decision(path)
            if decided is not None:
                return decided
    return False


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
