"""Hostile git refs, change sets that move ownership, the cache folder, output and baseline
files, and signals: one reproducer per item, each with the look-alikes that must not trip it.

Git tests build real repositories in tmp_path; signal tests run the real command line in a
subprocess on a generated tree big enough for the process pool.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hos_lint.cli import cli

TWO = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"
ALLOW = TWO + ("allow:\n  - service: order\n    read: [auth_service.users]\n"
               "    reason: checkout shows the e-mail until the profile API ships\n")
HOS102_USERS = ("services/order/db/r.sql:1:15: HOS102 order reads auth_service.users (owned by auth) directly; "
                "read it through a view in order_service or call the auth API")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


pytestmark = pytest.mark.usefixtures("private_cache_key")  # conftest: a signing key of its own


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository with ``files`` committed on ``main``; the cwd is its root."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    os.chdir(root)
    return root


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def cwd_back():
    before = os.getcwd()
    yield
    os.chdir(before)


# --- git refs ----------------------------------------------------------------------------------------------


def test_a_ref_that_looks_like_an_option_never_reaches_git_as_one(tmp_path):
    repo(tmp_path, {"hos-lint.yaml": TWO, "services/order/db/ok.sql": "SELECT 1 FROM order_service.orders;\n"})
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    code, out, err = run("check", f"--changed-since=--output={victim}")
    assert (code, out) == (2, "")
    assert err == f"hos-lint: --changed-since: unknown git ref '--output={victim}'\n"
    assert victim.read_text() == "keep me\n"
    code, out, err = run("report", f"--diff=--output={victim}")
    assert (code, out, err) == (2, "", f"hos-lint: --diff: unknown git ref '--output={victim}'\n")
    assert victim.read_text() == "keep me\n"


@pytest.mark.parametrize("ref", ["nope", "HEAD~5", "main..HEAD", "a\nb", "-h", "--all"])
def test_a_ref_that_names_no_commit_is_exit_2_with_one_line(tmp_path, ref):
    repo(tmp_path, {"hos-lint.yaml": TWO, "services/order/db/ok.sql": "SELECT 1 FROM order_service.orders;\n"})
    code, out, err = run("check", "--changed-since", ref)
    assert (code, out) == (2, "")
    assert err == f"hos-lint: --changed-since: unknown git ref {ref!r}\n"


def test_changed_since_diffs_against_the_merge_base_not_the_tip_of_the_base_branch(tmp_path):
    root = repo(tmp_path, {"hos-lint.yaml": TWO,
                           "services/order/db/legacy.sql": "SELECT * FROM auth_service.users;\n",
                           "services/order/db/ok.sql": "SELECT 1 FROM order_service.orders;\n"})
    git(root, "checkout", "-qb", "feature")
    (root / "services/order/db/new.sql").write_text("SELECT 2 FROM auth_service.sessions;\n")
    commit(root, "feature work")
    # main moves on after the branch point: it fixes legacy.sql, which the feature never touched
    git(root, "checkout", "-q", "main")
    (root / "services/order/db/legacy.sql").write_text("SELECT * FROM order_service.orders;\n")
    commit(root, "fix on main")
    git(root, "checkout", "-q", "feature")
    code, out, err = run("check", "--changed-since", "main", "--no-cache")
    assert (code, err) == (1, "")
    assert out.splitlines()[:-1] == [  # new.sql only: legacy.sql is not this branch's change
        "services/order/db/new.sql:1:15: HOS102 order reads auth_service.sessions (owned by auth) directly; "
        "read it through a view in order_service or call the auth API"]
    assert out.splitlines()[-1].startswith("Found 1 problem (1 error) in 1 file across 2 services")


def test_changed_since_with_a_path_that_does_not_exist_is_exit_2_not_nothing_changed(tmp_path):
    """A misspelt PATH must not limit the change to nothing and pass the gate."""
    root = repo(tmp_path, {"hos-lint.yaml": TWO, "services/order/db/ok.sql": "SELECT 1 FROM order_service.orders;\n"})
    git(root, "checkout", "-qb", "feature")
    (root / "services/order/db/new.sql").write_text("SELECT 2 FROM auth_service.sessions;\n")
    commit(root, "feature work")
    code, out, err = run("check", "--changed-since", "main", "--no-cache", "services/ordr")
    assert (code, out, err) == (2, "", "hos-lint: services/ordr: no such file or directory\n")
    code, out, _ = run("check", "--changed-since", "main", "--no-cache", "services/order")
    assert code == 1 and "new.sql:1:15: HOS102" in out
    code, out, _ = run("check", "--changed-since", "main", "--no-cache", "services/auth-missing/x.sql")
    assert code == 2


def test_report_diff_compares_with_the_merge_base(tmp_path):
    root = repo(tmp_path, {"hos-lint.yaml": TWO, "services/order/db/ok.sql": "SELECT 1 FROM order_service.orders;\n"})
    git(root, "checkout", "-qb", "feature")
    git(root, "checkout", "-q", "main")
    (root / "services/order/db/late.sql").write_text("SELECT * FROM auth_service.users;\n")
    commit(root, "main gains a dependency after the branch point")
    git(root, "checkout", "-q", "feature")
    code, out, err = run("report", "--diff", "main", "--no-cache")
    assert (code, err) == (0, "")
    assert out == "## hos-lint: data boundaries compared with `main`\n\nNo change to who touches whose data.\n"


def test_a_folder_outside_any_repository_is_exit_2(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p", {"hos-lint.yaml": TWO, "services/order/db/ok.sql": "SELECT 1;\n"})
    os.chdir(tmp_path / "p")
    code, out, err = run("check", "--changed-since", "main")
    assert code == 2 and out == "" and err.startswith("hos-lint: --changed-since: not a git repository")
    assert err.count("\n") == 1


# --- widening when an ownership input changes ----------------------------------------------------------------


def base_project() -> dict[str, str]:
    return {
        "hos-lint.yaml": ALLOW,
        "services/order/db/r.sql": "SELECT * FROM auth_service.users;\n",
        "services/order/db/w.sql": "INSERT INTO order_service.summary VALUES (1);\n",
        "services/order/db/ok.sql": "SELECT 1 FROM order_service.orders;\n",
    }


def test_removing_an_allow_entry_widens_to_the_whole_project(tmp_path):
    root = repo(tmp_path, base_project())
    (root / "hos-lint.yaml").write_text(TWO)
    code, out, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == "hos-lint: hos-lint.yaml changed; checking the whole project\n"
    assert code == 1
    assert out.splitlines()[:-1] == [HOS102_USERS]


def test_removing_an_allow_entry_widens_also_when_run_from_a_subfolder(tmp_path):
    """The manifest's path is relative to the project root, not to the folder hos-lint runs in."""
    root = repo(tmp_path, base_project())
    (root / "hos-lint.yaml").write_text(TWO)
    os.chdir(root / "services/order")
    code, out, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == "hos-lint: hos-lint.yaml changed; checking the whole project\n"
    assert code == 1 and "HOS102" in out


def test_a_migration_creating_a_view_widens(tmp_path):
    root = repo(tmp_path, base_project())
    (root / "services/order/db/001_view.sql").write_text(
        "CREATE VIEW order_service.summary AS SELECT id FROM order_service.orders;\n")
    code, out, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == ("hos-lint: services/order/db/001_view.sql changed and holds relation definitions; "
                   "checking the whole project\n")
    assert code == 1
    assert [line.split(" ")[:2] for line in out.splitlines()[:-1]] == [
        ["services/order/db/w.sql:1:13:", "HOS104"]]


def test_deleting_a_migration_that_created_a_view_widens(tmp_path):
    files = {**base_project(), "services/order/db/001_view.sql":
             "CREATE VIEW order_service.summary AS SELECT id FROM order_service.orders;\n"}
    root = repo(tmp_path, files)
    (root / "services/order/db/001_view.sql").unlink()
    commit(root, "drop the view migration")
    code, out, err = run("check", "--changed-since", "HEAD~1", "--no-cache")
    assert err == ("hos-lint: services/order/db/001_view.sql changed and held relation definitions; "
                   "checking the whole project\n")
    assert code == 0 and out.startswith("No problems found in 3 files")


def test_editing_a_prisma_schema_widens_to_the_typescript_that_uses_it(tmp_path):
    schema = ('datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n'
              '  schemas  = ["order_service"]\n}\n\nmodel User {\n  id Int @id\n  @@schema("order_service")\n}\n')
    root = repo(tmp_path, {
        "hos-lint.yaml": TWO,
        "services/order/prisma/schema.prisma": schema,
        "services/order/src/users.ts": ('import { PrismaClient } from "@prisma/client";\n'
                                        "const prisma = new PrismaClient();\n"
                                        "export const users = () => prisma.user.findMany();\n"),
    })
    git(root, "checkout", "-qb", "feature")
    (root / "services/order/prisma/schema.prisma").write_text(
        schema.replace('@@schema("order_service")', '@@schema("auth_service")'))
    commit(root)
    code, out, err = run("check", "--changed-since", "main", "--no-cache")
    assert err == ("hos-lint: services/order/prisma/schema.prisma changed and holds Prisma models; "
                   "checking the whole project\n")
    assert code == 1
    assert "services/order/src/users.ts:3:35: HOS102 order reads auth_service.User (owned by auth)" in out


def test_several_ownership_inputs_are_counted_exactly(tmp_path):
    files = {**base_project(), "services/order/db/001_view.sql":
             "CREATE VIEW order_service.summary AS SELECT id FROM order_service.orders;\n"}
    root = repo(tmp_path, files)
    (root / "hos-lint.yaml").write_text(TWO)
    (root / "services/order/db/001_view.sql").unlink()  # held a view: counted from the merge-base
    (root / "services/order/db/002_t.sql").write_text("CREATE TABLE order_service.t (id int);\n")
    (root / "services/order/db/003_dml.sql").write_text("INSERT INTO order_service.t VALUES (1);\n")
    code, out, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == "hos-lint: hos-lint.yaml changed (and 2 other ownership inputs); checking the whole project\n"
    assert code == 1 and HOS102_USERS in out.splitlines()


def test_a_symlink_out_of_the_project_is_not_read_to_decide(tmp_path):
    outside = tmp_path / "outside.sql"
    outside.write_text("CREATE TABLE order_service.t (id int);\n")
    root = repo(tmp_path, base_project())
    (root / "services/order/db/link.sql").symlink_to(outside)
    code, _, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == ""


def test_a_path_that_links_out_of_the_repository_does_not_move_the_root(tmp_path):
    """pre-commit passes a committed symlink like any staged file: the manifest is
    still the repository's, and nothing above the repository is walked."""
    outside = tmp_path / "outside.sql"
    outside.write_text("SELECT 1;\n")
    (tmp_path / "hos-lint.yaml").write_text("version: 1\nservices:\n  decoy: {schema: decoy}\n")
    root = repo(tmp_path, base_project())
    (root / "services/order/db/link.sql").symlink_to(outside)
    code, out, err = run("check", "--no-cache", "services/order/db/link.sql")
    assert (code, err) == (0, "")
    assert out.startswith("No files checked across 2 services; 1 file not analysed")


def test_widening_keeps_the_paths_the_user_gave(tmp_path):
    root = repo(tmp_path, {**base_project(), "services/auth/db/x.sql": "DELETE FROM order_service.orders;\n"})
    (root / "hos-lint.yaml").write_text(TWO)
    code, out, err = run("check", "--changed-since", "HEAD", "--no-cache", "services/order")
    assert err == "hos-lint: hos-lint.yaml changed; checking every file under the given paths\n"
    assert (code, out.splitlines()[:-1]) == (1, [HOS102_USERS])


def test_a_changed_baseline_widens(tmp_path):
    root = repo(tmp_path, base_project())
    (root / "hos-lint-baseline.json").write_text('{"version": 1, "entries": []}\n')
    code, _, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == "hos-lint: hos-lint-baseline.json changed and is the baseline; checking the whole project\n"
    assert code == 0


LOOK_ALIKES = {
    "DML only": ("services/order/db/more.sql", "INSERT INTO order_service.orders VALUES (1);\n"),
    "DDL text in a string": ("services/order/db/s.sql", "SELECT 'CREATE VIEW order_service.x AS SELECT 1';\n"),
    "DDL in a comment": ("services/order/db/c.sql", "-- CREATE TABLE order_service.t (id int);\nSELECT 1;\n"),
    "an index": ("services/order/db/002_idx.sql", "CREATE INDEX orders_idx ON order_service.orders (id);\n"),
    "a Prisma schema with only a generator": ("services/order/prisma/schema.prisma",
                                              'generator client {\n  provider = "prisma-client-js"\n}\n'),
    "compose without a database URL": ("docker-compose.yml",
                                       "services:\n  order:\n    image: nginx\n    environment:\n      PORT: '80'\n"),
    "a copy of a manifest that is not the manifest": ("docs/hos-lint.yaml", TWO),
    "TypeScript that only queries": ("services/order/src/q.ts",
                                     'import { PrismaClient } from "@prisma/client";\n'
                                     "const prisma = new PrismaClient();\n"
                                     "export const n = () => prisma.order.count();\n"),
}


@pytest.mark.parametrize("kind", sorted(LOOK_ALIKES))
def test_changes_that_move_no_ownership_do_not_widen(tmp_path, kind):
    root = repo(tmp_path, base_project())
    rel, text = LOOK_ALIKES[kind]
    write(root, {rel: text})
    code, out, err = run("check", "--changed-since", "HEAD", "--no-cache")
    assert err == ""
    assert "HOS102" not in out  # r.sql, not changed, is not checked


def test_a_ref_with_no_common_ancestor_is_exit_2(tmp_path):
    root = repo(tmp_path, {"hos-lint.yaml": TWO, "services/order/db/ok.sql": "SELECT 1;\n"})
    git(root, "checkout", "-q", "--orphan", "other")
    commit(root, "unrelated")
    code, out, err = run("check", "--changed-since", "main")
    assert (code, out) == (2, "")
    assert err.startswith("hos-lint: --changed-since: 'main' and HEAD have no common ancestor")
    assert err.count("\n") == 1


# --- the cache folder is never followed ------------------------------------------------------------------


CACHE_PROJECT = {"hos-lint.yaml": TWO, "services/order/db/bad.sql": "DELETE FROM auth_service.users;\n"}


def _expected() -> str:
    return run("check", "--no-cache")[1].rsplit("(", 1)[0]


def test_a_committed_cache_symlink_is_not_followed(tmp_path):
    root = repo(tmp_path, CACHE_PROJECT)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".hos-lint-cache").symlink_to(outside)
    expected = _expected()
    for _ in range(2):  # a cold and a would-be warm run
        code, out, err = run("check")
        assert code == 1 and out.rsplit("(", 1)[0] == expected
        assert err == ("hos-lint: .hos-lint-cache is a symbolic link; not following it, "
                       "running without the cache\n")
    assert list(outside.iterdir()) == []
    assert (root / ".hos-lint-cache").is_symlink()


def test_a_dangling_gitignore_symlink_inside_the_cache_is_not_followed(tmp_path):
    root = repo(tmp_path, CACHE_PROJECT)
    (root / ".hos-lint-cache").mkdir()
    target = tmp_path / "planted"
    (root / ".hos-lint-cache/.gitignore").symlink_to(target)
    expected = _expected()
    code, out, err = run("check")
    assert code == 1 and out.rsplit("(", 1)[0] == expected
    assert err == ("hos-lint: .hos-lint-cache/.gitignore is a symbolic link; not following it, "
                   "running without the cache\n")
    assert not target.exists() and not target.is_symlink()
    assert sorted(p.name for p in (root / ".hos-lint-cache").iterdir()) == [".gitignore"]


def test_a_pack_symlink_is_neither_read_nor_replaced(tmp_path):
    root = repo(tmp_path, CACHE_PROJECT)
    run("check")  # a real cache
    (pack,) = (root / ".hos-lint-cache").glob("extract-v*.pack")
    pack.unlink()
    elsewhere = tmp_path / "elsewhere.pack"
    elsewhere.write_bytes(b"not a pack")
    pack.symlink_to(elsewhere)
    code, _, err = run("check")
    assert code == 1
    assert err == (f"hos-lint: .hos-lint-cache/{pack.name} is a symbolic link; not following it, "
                   "running without the cache\n")
    assert pack.is_symlink() and elsewhere.read_bytes() == b"not a pack"


def test_a_cache_that_is_a_file_is_refused_and_a_real_one_works(tmp_path):
    root = repo(tmp_path, CACHE_PROJECT)
    (root / ".hos-lint-cache").write_text("x")
    code, _, err = run("check")
    assert code == 1 and err == "hos-lint: .hos-lint-cache is not a folder; running without the cache\n"
    (root / ".hos-lint-cache").unlink()
    assert run("check")[2] == "" and run("check")[2] == ""
    assert sorted(p.name for p in (root / ".hos-lint-cache").iterdir())[0] == ".gitignore"
    assert len(list((root / ".hos-lint-cache").glob("extract-v*.pack"))) == 1
    assert not list((root / ".hos-lint-cache").glob(".tmp-*"))
    assert run("check", "--no-cache")[2] == ""  # --no-cache never looks at the folder


# --- --output ---------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, CACHE_PROJECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("command", [["check"], ["report"], ["accesses"], ["grants"]])
def test_output_to_a_missing_folder_or_a_folder_is_exit_2_with_one_line(project, command):
    code, out, err = run(*command, "--output", "nowhere/report.txt")
    assert (code, out, err) == (2, "", "hos-lint: --output nowhere/report.txt: folder "
                                f"{os.path.realpath(project / 'nowhere')} does not exist\n")
    (project / "out").mkdir()
    code, out, err = run(*command, "--output", "out")
    assert (code, out, err) == (2, "", "hos-lint: --output out: is a folder\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_output_to_a_full_device_is_exit_2_with_one_line(project):
    code, out, err = run("check", "--output", "/dev/full")
    assert (code, out, err) == (2, "", "hos-lint: --output /dev/full: cannot write: No space left on device\n")


def test_output_to_a_device_is_written_directly(project):
    code, _, err = run("check", "--output", os.devnull)
    assert (code, err) == (1, "")


def _hos_lint_limited(cwd: Path, limit: int, *args: str) -> subprocess.CompletedProcess:
    """The real command line with a file-size limit: writes past ``limit`` bytes fail (EFBIG)."""
    def limit_writes():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "hos_lint", *args], cwd=cwd, capture_output=True, text=True,
                          preexec_fn=limit_writes, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_a_failed_write_leaves_the_previous_report_whole(project):
    (project / "report.json").write_text('{"previous": true}\n')
    done = _hos_lint_limited(project, 100, "check", "--no-cache", "--format", "json", "--output", "report.json")
    assert done.returncode == 2
    assert done.stderr == "hos-lint: --output report.json: cannot write: File too large\n"
    assert (project / "report.json").read_text() == '{"previous": true}\n'
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_failed_baseline_write_leaves_the_previous_baseline_whole(project):
    previous = '{"version": 1, "entries": []}\n'
    (project / "hos-lint-baseline.json").write_text(previous)
    done = _hos_lint_limited(project, 40, "baseline", "--no-cache", "--update-baseline")
    assert done.returncode == 2
    assert done.stderr == f"hos-lint: baseline {project / 'hos-lint-baseline.json'}: cannot write: File too large\n"
    assert (project / "hos-lint-baseline.json").read_text() == previous


def test_output_replaces_the_report_and_keeps_its_mode(project):
    (project / "r.txt").write_text("old\n")
    (project / "r.txt").chmod(0o640)
    assert run("check", "--output", "r.txt")[0] == 1
    assert (project / "r.txt").read_text().startswith("services/order/db/bad.sql:1:13: HOS101")
    assert (project / "r.txt").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".r.txt")) == []


# --- baseline files ---------------------------------------------------------------------------------------


BAD_BASELINES = {
    "list fingerprint": (b'{"version": 1, "entries": [{"fingerprint": ["a"], "code": "HOS101", "path": "a"}]}',
                         "not a hos-lint baseline (entries[0].fingerprint: expected a string, got a list)"),
    "dict fingerprint": (b'{"version": 1, "entries": [{"fingerprint": {"a": 1}, "code": "HOS101", "path": "a"}]}',
                         "not a hos-lint baseline (entries[0].fingerprint: expected a string, got an object)"),
    "null path": (b'{"version": 1, "entries": [{"fingerprint": "a", "code": "HOS101", "path": "a"}, '
                  b'{"fingerprint": "b", "code": "HOS101", "path": null}]}',
                  "not a hos-lint baseline (entries[1].path: expected a string, got null)"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "not a hos-lint baseline (nested too deeply)"),
    "invalid UTF-8": (b'{"version": 1, "entries": [{"fingerprint": "\xff"}]}', "not valid UTF-8 (byte 44)"),
    "entries not a list": (b'{"version": 1, "entries": {"a": 1}}',
                           "not a hos-lint baseline (entries: expected a list)"),
    "not an object": (b'[1, 2]', "not a hos-lint baseline (expected an object with version and entries)"),
}


@pytest.mark.parametrize("kind", sorted(BAD_BASELINES))
def test_a_hostile_baseline_is_exit_2_with_one_line_naming_it(project, kind):
    data, detail = BAD_BASELINES[kind]
    (project / "hos-lint-baseline.json").write_bytes(data)
    code, out, err = run("check")
    assert (code, out) == (2, "")
    assert err == f"hos-lint: hos-lint-baseline.json: {detail}; regenerate it with `hos-lint baseline`\n"
    (project / "elsewhere.json").write_bytes(data)
    code, out, err = run("check", "--baseline", "elsewhere.json")
    assert (code, out) == (2, "") and err.startswith(f"hos-lint: elsewhere.json: {detail}")


def test_a_baseline_path_that_is_a_folder_is_exit_2_with_one_line(project):
    (project / "bl").mkdir()
    assert run("check", "--baseline", "bl") == (2, "", "hos-lint: bl: not a baseline file (a folder or special file)\n")
    assert run("baseline", "--update-baseline", "--baseline", "bl") == (2, "", "hos-lint: baseline bl: is a folder\n")
    (project / "hos-lint-baseline.json").mkdir()
    assert run("check") == (2, "", "hos-lint: hos-lint-baseline.json: not a baseline file (a folder or special file)\n")


def test_a_valid_baseline_still_matches(project):
    assert run("baseline", "--update-baseline")[0] == 0
    code, out, err = run("check")
    assert (code, err) == (0, "") and out.startswith("No problems found")


# --- signals and the process pool -------------------------------------------------------------------------


POOLED_FILES = 240


def _pooled_tree(root: Path) -> None:
    write(root, {"hos-lint.yaml": TWO})
    statements = "".join(f"SELECT a, b FROM order_service.t{j} WHERE x IN (SELECT y FROM order_service.u{j});\n"
                         for j in range(60))
    for i in range(POOLED_FILES):
        write(root, {f"services/order/db/f{i:03}.sql": f"-- file {i}\n{statements}"})


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _state(int(entry), parent=pid):
            out.append(int(entry))
    return out


def _state(pid: int, parent: int | None = None) -> bool:
    """True when ``pid`` is running (not a zombie) and, if given, a child of ``parent``."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and (parent is None or int(fields[1]) == parent)


@pytest.fixture
def started():
    """Processes a test started: whatever happens, none is left running."""
    procs: list[int] = []
    yield procs
    for pid in procs:
        if _state(pid):
            os.kill(pid, signal.SIGKILL)


def _start_pooled(root: Path, started: list[int], *args: str) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen([sys.executable, "-m", "hos_lint", "check", "--jobs", "2", *args], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started.append(proc.pid)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        workers = _children(proc.pid)
    started.extend(workers)
    assert len(workers) >= 2, "the run finished or never started its pool"
    return proc, workers


def _gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while any(_state(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _state(p)]


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")


@linux_only
def test_sigint_exits_130_with_the_cache_intact_and_no_worker_left(tmp_path, started):
    root = tmp_path / "tree"
    write(root, {"hos-lint.yaml": TWO, "services/order/db/seed.sql": "SELECT 1 FROM order_service.orders;\n"})
    env_ok = subprocess.run([sys.executable, "-m", "hos_lint", "check", "--jobs", "1"], cwd=root,
                            capture_output=True, text=True)
    assert env_ok.returncode == 0, env_ok.stderr
    cache = root / ".hos-lint-cache"
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    _pooled_tree(root)
    proc, workers = _start_pooled(root, started)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, "", "hos-lint: interrupted\n")
    assert _gone(workers) == []
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before  # no half pack, no temporary file


@linux_only
def test_sigterm_stops_the_pool_workers(tmp_path, started):
    _pooled_tree(tmp_path)
    proc, workers = _start_pooled(tmp_path, started, "--no-cache")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert _gone(workers) == []


@linux_only
def test_workers_die_with_a_killed_parent(tmp_path, started):
    _pooled_tree(tmp_path)
    proc, workers = _start_pooled(tmp_path, started, "--no-cache")
    proc.kill()
    proc.communicate(timeout=60)
    assert _gone(workers) == []
