"""Discovery: excludes (replace / extend), .gitignore at every level and .git/info/exclude
(checked against git itself), service paths, and manifest globs that match nothing."""
import os
import shutil
import subprocess

import pytest

from hos_lint.discovery import ServiceMatcher, walk_project
from hos_lint.manifest import parse_manifest

needs_git = pytest.mark.skipif(shutil.which("git") is None and not os.environ.get("CI"), reason="git is not installed")


def make(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def walk(root, manifest_tail="", services="  a: {schema: a_service}\n"):
    manifest = parse_manifest(f"version: 1\nservices:\n{services}{manifest_tail}", root=str(root))
    return walk_project(manifest)


def paths(w):
    return sorted(c.path for c in w.files)


def git(root, *args):
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env).stdout


def test_default_excludes_skip_dependency_and_build_folders_but_not_look_alikes(tmp_path):
    make(tmp_path, {"services/a/node_modules/x/q.sql": "", "services/a/dist/q.sql": "", "build/q.sql": "",
                    "services/a/src/q.sql": "", "services/a/src/dist.sql": "", "services/a/builder/q.sql": "",
                    "services/a/node_modules_docs.sql": "", ".hos-lint-cache/x.sql": "", ".git/x.sql": ""})
    assert paths(walk(tmp_path)) == ["services/a/builder/q.sql", "services/a/node_modules_docs.sql",
                                     "services/a/src/dist.sql", "services/a/src/q.sql"]


def test_exclude_replaces_the_defaults_extend_exclude_adds(tmp_path):
    make(tmp_path, {"services/a/dist/q.sql": "", "services/a/src/q.spec.ts": "", "services/a/src/q.ts": "",
                    ".git/x.sql": "", ".hos-lint-cache/x.sql": ""})
    # `exclude:` alone: dist/ is checked again (the defaults are gone); .git and the cache never are
    assert paths(walk(tmp_path, "exclude: ['*.spec.ts']\n")) == ["services/a/dist/q.sql", "services/a/src/q.ts"]
    assert paths(walk(tmp_path, "extend-exclude: ['*.spec.ts']\n")) == ["services/a/src/q.ts"]
    assert paths(walk(tmp_path)) == ["services/a/src/q.spec.ts", "services/a/src/q.ts"]


def test_exclude_entries_and_service_paths_that_match_nothing_are_named(tmp_path):
    make(tmp_path, {"services/a/q.sql": "", "services/a/q.spec.ts": "", "legacy/README.md": "",
                    "services/gone/node_modules/x.sql": ""})
    services = ("  a: {schema: a_service, paths: [services/a, services/aa]}\n"
                "  b:\n    schema: b_service\n    paths:\n      - legacy\n      - services/gone\n")
    w = walk(tmp_path, "exclude: [node_modules/, '*.spce.ts']\nextend-exclude: ['*.spec.ts', vendor/]\n", services)
    assert [(e.key, e.value, e.location.line) for e in w.unmatched] == [
        ("services.a.paths.1", "services/aa", 3),
        ("services.b.paths.1", "services/gone", 8),  # holds only excluded files
        ("exclude.1", "*.spce.ts", 9),
        ("extend-exclude.1", "vendor/", 10)]
    # a service with no `paths:` (default services/<name>) is not an entry written in the manifest
    assert walk(tmp_path, services="  a: {schema: a_service}\n  nope: {schema: n}\n").unmatched == ()


def test_service_paths_are_anchored_globs_and_the_longest_wins():
    m = parse_manifest("version: 1\nservices:\n  api: {paths: [services/api]}\n  admin: {paths: [services/api/admin]}\n"
                       "  jobs: {paths: ['workers/*/jobs']}\n", root="/p")
    matcher = ServiceMatcher.of(m.services)
    assert [matcher.service_of(p) for p in (
        "services/api/x.ts", "services/api/admin/x.ts", "services/apix/x.ts", "x/services/api/y.ts",
        "workers/mail/jobs/x.py", "workers/mail/x.py", "workers/a/b/jobs/x.py")] == [
        "api", "admin", None, None, "jobs", None, None]


@needs_git
def test_gitignore_at_every_level_and_info_exclude_agree_with_git(tmp_path):
    root = tmp_path / "repo"
    files = {
        ".gitignore": ("gen/\n!gen/back.sql\n*.gen.sql\n!keep.gen.sql\n/top.sql\ndocs/**/*.sql\n# comment\n\n"
                       "\\#hash.sql\n\\!bang.sql\nq?.ts\nr[0-9].ts\nspace.sql   \nmig/**/old\n"),
        "services/a/gen/back.sql": "", "!bang.sql": "", "bang.sql": "", "q1.ts": "", "q12.ts": "", "r5.ts": "",
        "rx.ts": "", "space.sql": "", "mig/old/a.sql": "", "mig/x/y/old/a.sql": "", "mig/x/older/a.sql": "",
        "top.sql": "", "sub/top.sql": "", "#hash.sql": "", "hash.sql": "",
        "services/a/gen/x.sql": "", "services/a/gen.sql": "",
        "services/a/db/y.gen.sql": "", "services/a/db/keep.gen.sql": "",
        "services/a/db/.gitignore": "/z.sql\nlocal/\n!y.gen.sql\n",
        "services/a/db/z.sql": "", "services/a/db/sub/z.sql": "", "services/a/db/local/q.sql": "",
        "services/a/local/q.sql": "",
        "docs/a/b/c.sql": "", "docs/c.sql": "", "docs/c.ts": "",
        "services/a/db/info.sql": "", "services/a/db/other.sql": "",
    }
    make(root, files)
    git(root, "init", "-q")
    (root / ".git/info/exclude").write_text("info.sql\n")
    expected = sorted(git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0")[:-1])
    assert sorted(paths(walk(root))) == expected
    # the fixture exercises every kind of pattern: git keeps and drops files at each level
    assert "services/a/db/y.gen.sql" in expected and "services/a/db/z.sql" not in expected
    assert "services/a/db/info.sql" not in expected and "#hash.sql" not in expected and "hash.sql" in expected
    everything = sorted(p for p in files)
    assert sorted(paths(walk(root, "respect-gitignore: false\n"))) == everything


@needs_git
def test_a_project_below_the_repository_root_reads_the_gitignore_files_above_it(tmp_path):
    repo = tmp_path / "repo"
    make(repo, {".gitignore": "gen/\n/project/top.sql\n", "project/gen/x.sql": "", "project/top.sql": "",
                "project/a.sql": "", "project/sub/top.sql": "", "other/.gitignore": "*.sql\n"})
    git(repo, "init", "-q")
    (repo / ".git/info/exclude").write_text("/project/sub/\n")
    assert paths(walk(repo / "project")) == ["a.sql"]


def test_without_a_repository_gitignore_files_are_not_read(tmp_path):
    # git only applies .gitignore inside a repository; neither does hos-lint
    make(tmp_path, {".gitignore": "*.sql\n", "a.sql": ""})
    if any((d / ".git").exists() for d in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary folder is inside a git repository")
    assert paths(walk(tmp_path)) == [".gitignore", "a.sql"]
