"""Globs match any character a file name can hold, and a hostile glob cannot stall a run.

Reproducers: a newline in a file or folder name dropped the file out of its
service (the glob ``**`` was a regex ``.*`` without DOTALL): no finding, no
notice. Globs come from the manifest and from ``.gitignore`` files of the
checked repository, so both are untrusted: a pattern with many wildcards is a
backtracking regex that took minutes on one long path.
"""
import os
import subprocess
import time

import pytest
from click.testing import CliRunner

from hos_lint.app import Options, run
from hos_lint.cli import cli
from hos_lint.globs import GlobError, anchored, compile_glob, matches

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
WRITE = "DELETE FROM auth_service.users;\n"


def project(root, files, manifest=MANIFEST):
    root.mkdir(parents=True, exist_ok=True)
    (root / "hos-lint.yaml").write_text(manifest)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def found(root):
    result = run(Options(paths=(str(root),), cache=False))
    return sorted((f.code, f.service, f.location.path, f.location.line) for f in result.findings)


def test_a_newline_in_a_file_or_folder_name_stays_in_its_service(tmp_path):
    project(tmp_path, {"services/order/db/bad\nname.sql": WRITE, "services/order/new\nfolder/q.sql": WRITE,
                       "services/order/db/plain.sql": WRITE})
    assert found(tmp_path) == [
        ("HOS101", "order", "services/order/db/bad\nname.sql", 1),
        ("HOS101", "order", "services/order/db/plain.sql", 1),
        ("HOS101", "order", "services/order/new\nfolder/q.sql", 1)]


def test_a_folder_that_only_starts_like_a_service_is_not_in_it(tmp_path):
    # look-alikes: `order\nx` and `order x` are sibling folders of services/order, not inside it
    project(tmp_path, {"services/order\nx/q.sql": WRITE, "services/order x/q.sql": WRITE})
    assert [(code, service) for code, service, *_ in found(tmp_path)] == []


def test_excludes_and_service_path_globs_match_across_newlines(tmp_path):
    manifest = ("version: 1\nservices:\n  order: {schema: order_service, paths: ['services/*/order']}\n"
                "  auth: {schema: auth_service}\nextend-exclude: ['**/*.spec.sql']\n")
    project(tmp_path, {"services/x\ny/order/q.sql": WRITE, "services/x\ny/order/a\nb/q.spec.sql": WRITE}, manifest)
    assert found(tmp_path) == [("HOS101", "order", "services/x\ny/order/q.sql", 1)]


def test_the_end_of_a_glob_is_the_end_of_the_name_not_a_final_newline():
    assert matches("*.sql", "a.sql") and not matches("*.sql", "a.sql\n")
    assert matches("**/legacy", "x/legacy") and not matches("**/legacy", "x/legacy\n")
    assert matches(anchored("services/a"), "services/a/x\n.sql")
    assert not matches(anchored("services/a"), "services/a\n/x.sql")


@pytest.mark.parametrize("pattern", ["**/a/**/a/**/a/**/zz", "*a*a*a*a*x", "a/**/b/**/c/**/d"])
def test_a_glob_with_too_many_wildcards_is_refused_not_run(pattern):
    with pytest.raises(GlobError, match="too many wildcards"):
        compile_glob(pattern)


def test_the_wildcard_bound_keeps_the_worst_allowed_glob_fast():
    worst = ["**/a/**/zz", "*a*a*ax", "**/a*a*x"]
    long_path = "/".join(["a"] * 2000) + "/" + "a" * 250
    started = time.perf_counter()
    for pattern in worst:
        assert not matches(pattern, long_path)
    assert time.perf_counter() - started < 2


def test_a_hostile_gitignore_cannot_stall_the_run_and_its_refused_line_is_reported(tmp_path):
    deep = "/".join(["a"] * 60)
    project(tmp_path, {".gitignore": "**/a/**/a/**/a/**/a/**/a/**/zz\n*.gen.sql\n*a*a*a*a*a*a*a*a*a*a*b\n",
                       f"services/order/{deep}/q.sql": WRITE, "services/order/db/x.gen.sql": WRITE})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    started = time.perf_counter()
    result = run(Options(paths=(str(tmp_path),), cache=False))
    assert time.perf_counter() - started < 10
    assert [f.location.path for f in result.findings] == [f"services/order/{deep}/q.sql"]
    assert [(n.path, n.reason) for n in result.notices] == [
        (".gitignore", "lines 1, 3: too many wildcards to match safely (at most 3 `*` or `**`, 2 of them `**`); "
                       "not applied")]


def test_a_hostile_manifest_glob_is_a_configuration_error_at_its_line(tmp_path, monkeypatch):
    project(tmp_path, {"services/order/q.sql": WRITE},
            MANIFEST + "extend-exclude:\n  - '**/a/**/a/**/a/**/zz'\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["."])
    assert (result.exit_code, result.stderr) == (
        2, "hos-lint: hos-lint.yaml:6: extend-exclude.0: too many wildcards to match safely (at most 3 `*` or `**`, "
           "2 of them `**`): '**/a/**/a/**/a/**/zz'\n")


def test_a_symlinked_gitignore_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ignore").write_text("*.sql\n")
    root = project(tmp_path / "repo", {"services/order/q.sql": WRITE})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    os.symlink(outside / "ignore", root / ".gitignore")
    result = run(Options(paths=(str(root),), cache=False))
    assert [f.location.path for f in result.findings] == ["services/order/q.sql"]
    assert [(n.path, n.reason) for n in result.notices] == [
        (".gitignore", "symlinked ignore file; not followed (git does not follow it either)"),
        (".gitignore", "symlink points outside the project; not followed")]


def test_the_line_about_an_excluded_named_file_escapes_its_name(tmp_path, monkeypatch):
    project(tmp_path, {"services/order/db/a\x1b[2Jb.spec.sql": WRITE, "services/order/db/ok.sql": WRITE},
            MANIFEST + "extend-exclude: ['*.spec.sql']\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["services/order/db/a\x1b[2Jb.spec.sql"])
    assert result.exit_code == 0 and "\x1b" not in result.stderr
    assert result.stderr.startswith("hos-lint: services/order/db/a")
