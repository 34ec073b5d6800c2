"""The project walk (``hos_lint.discovery.walk_project``) against the walk it replaced,
kept here as the reference: the same ``Walk`` (files with their services, in order;
notices; manifest globs that matched nothing) on many generated trees. The reference
asks pathspec itself for every answer (no quick tests, no per-folder shortcuts): every
service path is matched as a glob, every path is checked against the exclude spec and
each ignore file of its chain.

The trees hold what the walk must get right: random folder and file names (unicode,
spaces, dots, ``[`` ``*`` ``!`` ``#`` ``?``, a backslash, a line break), nested
``.gitignore`` files with negations and folder-only patterns, ``.git/info/exclude``, a
project below its repository root, manifest ``exclude``/``extend-exclude``, service
paths plain and glob (nested ones too, ``.`` and ``./x``), symlinks (to a folder, to a
file inside, to a file outside, dangling, a symlinked ``.gitignore``) and folders that
cannot be listed."""
from __future__ import annotations

import errno
import json
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pathspec import GitIgnoreSpec

from hos_lint.discovery import Candidate, Excluder, ServiceMatcher, Walk, _inside, _walk_error, walk_project
from hos_lint.globs import anchored, compile_glob, spec
from hos_lint.manifest import ALWAYS_EXCLUDE, Manifest, ServiceConfig, parse_manifest

# --- the reference: the former walk, service matcher and exclude decision ---


class ReferenceMatcher:
    """Every service path as a pathspec glob, the longest first (ties by service name)."""

    def __init__(self, services: tuple[ServiceConfig, ...]) -> None:
        entries = []
        for svc in services:
            for p in svc.paths:
                p = p.strip("/")
                whole = p in ("", ".")
                entries.append((spec([anchored(p)]), 0 if whole else len(p), svc.name))
        entries.sort(key=lambda e: (-e[1], e[2]))
        self.entries = entries

    def service_of(self, path: str) -> str | None:
        for matcher, _, name in self.entries:
            if GitIgnoreSpec.match_file(matcher, path):
                return name
        return None


def reference_reason(excluder: Excluder, rel: str, is_dir: bool) -> str | None:
    """Why ``rel`` itself is skipped, asked of pathspec pattern by pattern."""
    probe = rel + "/" if is_dir else rel
    hit = GitIgnoreSpec.check_file(excluder._exclude, probe)
    if hit.include and hit.index is not None:
        return f"excluded by {(excluder.manifest.exclude + ALWAYS_EXCLUDE)[hit.index]!r}"
    if not excluder.manifest.respect_gitignore:
        return None
    folder = rel.rpartition("/")[0]
    for ignore in reversed(excluder.chain(folder + "/" if folder else "")):
        if not probe.startswith(ignore.strip):
            continue
        result = GitIgnoreSpec.check_file(ignore.spec, ignore.base + probe[len(ignore.strip):])
        if result.include is not None and result.index is not None:
            return f"ignored by {ignore.name}" if result.include else None
    return None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def reference_walk(manifest: Manifest) -> Walk:
    root = Path(manifest.root)
    root_real = os.path.realpath(root)
    matcher = ReferenceMatcher(manifest.services)
    excluder = Excluder(str(root), manifest)
    files: list[Candidate] = []
    notices = excluder.notices
    excludes = list(manifest.exclude_entries)
    service_paths = [(e, compile_glob(anchored(e.value))) for s in manifest.services for e in s.path_entries]

    def seen(rel: str) -> None:
        excludes[:] = [e for e in excludes if compile_glob(e.value).match_file(rel) is None]

    pending: list[tuple[str, str]] = [(str(root), "")]
    while pending:
        folder, rel_folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as err:
            notices.append(_walk_error(root, err))
            continue
        dirs: dict[str, os.DirEntry[str]] = {}
        names: dict[str, os.DirEntry[str]] = {}
        for entry in entries:
            (dirs if _is_dir(entry) else names)[entry.name] = entry
        excluder.listed(rel_folder, ".gitignore" in names or ".gitignore" in dirs)
        kept = []
        for d in sorted(dirs):
            rel = rel_folder + d
            if excludes:
                seen(rel + "/")
            if reference_reason(excluder, rel, True):
                continue
            if dirs[d].is_symlink():
                notices.append((rel, "symlinked directory; not followed"))
                continue
            kept.append(d)
        for name in sorted(names):
            rel = rel_folder + name
            if excludes:
                seen(rel)
            if reference_reason(excluder, rel, False):
                continue
            entry = names[name]
            if entry.is_symlink() and not _inside(os.path.realpath(entry.path), root_real):
                notices.append((rel, "symlink points outside the project; not followed"))
                continue
            if service_paths:
                service_paths = [(e, p) for e, p in service_paths if p.match_file(rel) is None]
            files.append(Candidate(rel, matcher.service_of(rel)))
        pending.extend((os.path.join(folder, d), f"{rel_folder}{d}/") for d in reversed(kept))
    unmatched = sorted((*excludes, *(e for e, _ in service_paths)),
                       key=lambda e: e.location.line if e.location else 0)
    return Walk(tuple(files), tuple(notices), tuple(unmatched), excluder)


# --- generated trees ---

FOLDER_NAMES = ("a", "b", "src", "gen", "dist", "build", "node_modules", "keep", "é", "ü x", "a b", ".hidden",
                "dot.", "[x]", "x", "*", "!bang", "#hash", "q?", "back\\slash", "t ", "new\nline", "services",
                "api", "admin", "order", "jobs", "locked", ".git", "日本")
FILE_NAMES = ("x.ts", "y.sql", "keep.sql", "a.ts", "top.ts", "é.py", "a b.sql", "[1].ts", "*.ts", "!bang.sql",
              "#hash.sql", "q1.ts", ".env", "Dockerfile", "dist", "b", "gen", "x", "new\nline.ts", "t .sql")
IGNORE_LINES = ("*.sql", "!keep.sql", "gen/", "/top.ts", "a*", "**/b", "src/**/x.ts", "!src/", "dist/", "*.ts",
                "!a.ts", "[ab].ts", "\\!bang.sql", "\\#hash.sql", "# comment", "", "é*", "a b.sql", "build",
                "!build/", "*", "!*/", "!*.py", "x/", "/x", "q?.ts", "**/api/**", "services/*/gen", "[x",
                "a*b*c*d*e", "t .sql", "!x", ".hidden/", "日本/")
EXCLUDES = ("gen/", "*.sql", "!keep.sql", "dist/", "nothing-here/", "a/**/x.ts", "/top.ts", "é*", ".hidden",
            "[x]/", "x", "*.py", "!*.py", "services/api/", "**/b")
SERVICE_PATHS = ("services/api", "services/api/admin", "services/*/api", "services/order", "services/*", "src",
                 "a", "a/b", "é", "a b", "ü x/src", ".", "./services", "nope/nothing", "*/src", "[x]", "x",
                 "services/api/", "/src", "a/**/b", "services/?rder", "t ", "!bang", "#hash", "dot.")
SEEDS = 100  # generated trees (each walked by both walks)
SERVICE_NAMES = ("api", "admin", "order", "jobs", "zeta", "alpha")


def grow(rng: random.Random, folder: Path, depth: int, made: list[Path]) -> None:
    for _ in range(rng.randint(0, 5 if depth < 3 else 2)):
        if depth < 4 and rng.random() < 0.45:
            sub = folder / rng.choice(FOLDER_NAMES)
            if sub.exists():
                continue
            sub.mkdir()
            made.append(sub)
            grow(rng, sub, depth + 1, made)
        else:
            path = folder / rng.choice(FILE_NAMES)
            if not path.exists():
                path.write_text("x")
                made.append(path)


def ignore_text(rng: random.Random) -> str:
    return "\n".join(rng.choice(IGNORE_LINES) for _ in range(rng.randint(1, 6))) + "\n"


def generate(rng: random.Random, base: Path) -> tuple[Path, str]:
    """A tree under ``base``; returns the project root and the manifest text."""
    repo = base / "repo"
    repo.mkdir()
    root = repo / "proj" if rng.random() < 0.25 else repo
    root.mkdir(exist_ok=True)
    (base / "outside.ts").write_text("x")
    made: list[Path] = [root]
    for fixed in ("services/api/admin/x.ts", "services/api/y.sql", "services/order/src/a.ts", "src/x.ts"):
        if rng.random() < 0.5:
            (root / fixed).parent.mkdir(parents=True, exist_ok=True)
            (root / fixed).write_text("x")
            made.extend(p for p in ((root / fixed).parent, root / fixed) if p not in made)
    grow(rng, root, 0, made)
    folders = [p for p in made if p.is_dir() and not p.is_symlink()]
    files = [p for p in made if p.is_file() and not p.is_symlink()]
    if rng.random() < 0.85:
        (repo / ".git" / "info").mkdir(parents=True)
        if rng.random() < 0.5:
            (repo / ".git" / "info" / "exclude").write_text(ignore_text(rng))
        if root != repo:
            (repo / ".gitignore").write_text(ignore_text(rng) + "/proj/" + rng.choice(("a/", "x.ts", "b")) + "\n")
    for folder in folders:
        if rng.random() < (0.6 if folder == root else 0.25) and not (folder / ".gitignore").exists():
            (folder / ".gitignore").write_text(ignore_text(rng))
    for _ in range(rng.randint(0, 3)):
        here = rng.choice(folders)
        name = rng.choice(("link", "ln.ts", "out.ts", "dangling.ts", ".gitignore", "ldir"))
        if os.path.lexists(here / name):
            continue
        kind = rng.choice(("dir", "file", "outside", "dangling", "ignore"))
        if kind == "dir":
            target = rng.choice(folders)
        elif kind == "file" and files:
            target = rng.choice(files)
        elif kind == "ignore":
            target = here / "ignored.txt"
            target.write_text("*.ts\n")
            name = ".gitignore" if not (here / ".gitignore").exists() else name
        elif kind == "outside":
            target = base / "outside.ts"
        else:
            target = here / "missing"
        if not os.path.lexists(here / name):
            (here / name).symlink_to(os.path.relpath(target, here))
    return root, manifest_text(rng, root)


def manifest_text(rng: random.Random, root: Path) -> str:
    lines = ["version: 1", "services:"]
    for name in rng.sample(SERVICE_NAMES, rng.randint(1, 4)):
        if rng.random() < 0.25:
            lines.append(f"  {name}: {{schema: {name}_s}}")  # the default path, services/<name>
            continue
        paths = rng.sample(SERVICE_PATHS, rng.randint(1, 3))
        if rng.random() < 0.5:  # a folder that exists, as written
            existing = [str(p.relative_to(root).as_posix()) for p in root.rglob("*") if p.is_dir()]
            if existing:
                paths.append(rng.choice(existing))
        lines.append(f"  {name}: {{schema: {name}_s, paths: {json.dumps(paths)}}}")
    if rng.random() < 0.4:
        lines.append(f"exclude: {json.dumps(rng.sample(EXCLUDES, rng.randint(0, 3)))}")
    if rng.random() < 0.5:
        lines.append(f"extend-exclude: {json.dumps(rng.sample(EXCLUDES, rng.randint(1, 3)))}")
    if rng.random() < 0.2:
        lines.append("respect-gitignore: false")
    return "\n".join(lines) + "\n"


@contextmanager
def locked_folders() -> Iterator[None]:
    """A folder named ``locked`` cannot be listed (as if unreadable: root reads any folder)."""
    scandir = os.scandir

    def guarded(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return scandir(path)

    os.scandir = guarded
    try:
        yield
    finally:
        os.scandir = scandir


def assert_same_walk(manifest: Manifest) -> Walk:
    with locked_folders():
        expected = reference_walk(manifest)
        got = walk_project(manifest)
    assert got.files == expected.files
    assert got.notices == expected.notices
    assert got.unmatched == expected.unmatched
    return got


@pytest.mark.parametrize("seed", range(SEEDS))
def test_the_walk_is_the_reference_walk_on_generated_trees(tmp_path, seed):
    rng = random.Random(seed)
    root, text = generate(rng, tmp_path)
    got = assert_same_walk(parse_manifest(text, root=str(root)))
    # and the service of any path, not only the walk's, is the reference matcher's
    manifest = parse_manifest(text, root=str(root))
    ours, theirs = ServiceMatcher.of(manifest.services), ReferenceMatcher(manifest.services)
    probes = [c.path for c in got.files] + ["", "/", "./", "//", "/services/api/x", "./services/api/x",
                                            "services/api", "services/api/", "services//api/x", "a/b/c/d.ts"]
    assert [ours.service_of(p) for p in probes] == [theirs.service_of(p) for p in probes]


def test_the_generated_trees_reach_every_case(tmp_path):
    """The generator is worth its runs: across the seeds, the walk keeps and skips files
    for every reason, and services are found by plain paths, globs and the whole project."""
    reasons: set[str] = set()
    services: set[str | None] = set()
    kept = 0
    for seed in range(SEEDS):
        base = tmp_path / str(seed)
        base.mkdir()
        root, text = generate(random.Random(seed), base)
        with locked_folders():
            w = walk_project(parse_manifest(text, root=str(root)))
        kept += len(w.files)
        services.update(c.service for c in w.files)
        reasons.update(why.split(";")[0].split(":")[-1].strip() for _, why in w.notices)
    assert {"symlinked directory", "symlink points outside the project", "Permission denied",
            "symlinked ignore file", "too many wildcards to match safely (at most 3 `*` or `**`, 2 of them `**`)"
            } <= reasons
    assert {None, "api", "admin", "order"} <= services
    assert kept > 500
