"""Same input, same output, byte for byte, whatever ``--jobs`` and whatever the cache holds (SPEC §7).

Runs the real CLI in-process on a generated 150-file monorepo (big enough
for the process pool) and, when it exists, on ``fixtures/hos-marketplace``.
"""
from __future__ import annotations

import enum
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from trees import bench_generator, counting_statements

from hos_lint import app, cache
from hos_lint.app import extraction
from hos_lint.cache import CACHE_DIR
from hos_lint.cli import cli

REPO = Path(__file__).resolve().parent.parent
MARKETPLACE = REPO / "fixtures" / "hos-marketplace"
GENERATED_FILES = 150


generate = bench_generator()


pytestmark = pytest.mark.usefixtures("private_cache_key")  # conftest: a signing key of its own


@pytest.fixture(scope="module")
def generated_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "repo"
    generate.generate(root, GENERATED_FILES)
    return root


def _copy(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True, ignore=shutil.ignore_patterns(".hos-lint-cache"))
    return root


PROJECTS = ["generated"] + (["hos-marketplace"] if MARKETPLACE.is_dir() else [])


@pytest.fixture(params=PROJECTS)
def project(request, generated_template, tmp_path, monkeypatch) -> Path:
    root = _copy(generated_template if request.param == "generated" else MARKETPLACE, tmp_path)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def generated(generated_template, tmp_path, monkeypatch) -> Path:
    root = _copy(generated_template, tmp_path)
    monkeypatch.chdir(root)
    return root


def check_json(*args: str) -> str:
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--fail-on", "never", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def counting_extractions(monkeypatch) -> list[str]:
    """Record the path of every file actually extracted (cache misses) in this process."""
    seen: list[str] = []
    real = extraction._extract_job

    def job(arguments):
        seen.append(arguments[0].path)
        return real(arguments)

    monkeypatch.setattr(extraction, "_extract_job", job)
    return seen


def test_generated_project_is_big_enough_for_the_pool(generated):
    doc = json.loads(check_json("--no-cache", "--jobs", "1"))
    assert doc["summary"]["files_scanned"] > app.POOL_THRESHOLD
    assert doc["summary"]["by_code"] == {"HOS101": 6, "HOS102": 38, "HOS105": 4, "HOS201": 4}


def test_jobs_1_and_jobs_4_are_byte_identical(project):
    one = check_json("--no-cache", "--jobs", "1")
    four = check_json("--no-cache", "--jobs", "4")
    assert json.loads(one)["findings"]  # the comparison is not between two empty reports
    assert four == one


def test_warm_cached_run_equals_cold_run(project, monkeypatch):
    cold = check_json("--no-cache", "--jobs", "1")
    first = check_json("--jobs", "1")  # writes the cache
    assert list((project / ".hos-lint-cache").glob("extract-v*.pack"))
    extracted = counting_extractions(monkeypatch)
    warm = check_json("--jobs", "1")
    assert extracted == []  # every file came from the cache
    assert first == cold and warm == cold


def test_a_cache_pack_name_changes_with_a_record_fields_type_or_an_enums_values(monkeypatch):
    """Records pickle as (class, field values): a pack written when a field held
    a string must not be read back once the field holds an enum."""
    from hos_lint import cache, model

    before = cache._shape()
    monkeypatch.setitem(model.Grant.__annotations__, "object_type", "str")
    assert cache._shape() != before
    monkeypatch.undo()
    assert cache._shape() == before
    monkeypatch.setattr(model, "GrantObjectType", enum.Enum("GrantObjectType", {"TABLE": "table"}))
    assert cache._shape() != before


def _delegate_sites(root: Path, service: str, delegate: str) -> set[tuple[str, int, int]]:
    """(path, line, col) of every ``this.prisma.<delegate>.`` in the service's TypeScript."""
    needle = f"this.prisma.{delegate}."
    sites = set()
    for path in sorted((root / "services" / service).rglob("*.ts")):
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            at = line.find(needle)
            while at >= 0:
                sites.add((path.relative_to(root).as_posix(), number, at + len("this.prisma.") + 1))
                at = line.find(needle, at + 1)
    return sites


def test_editing_a_prisma_schema_changes_cached_typescript_findings(generated, monkeypatch):
    schema = generated / "services/order/prisma/schema.prisma"
    moved = "payment_service.orders"
    before = json.loads(check_json("--jobs", "1"))["findings"]  # populates the cache
    assert [f for f in before if f["relation"] == moved] == []

    text = schema.read_text(encoding="utf-8")
    block = text.index("model Order {")
    at = text.index('@@schema("order_service")', block)
    schema.write_text(text[:at] + '@@schema("payment_service")' + text[at + len('@@schema("order_service")'):],
                      encoding="utf-8")
    extracted = counting_extractions(monkeypatch)
    after = json.loads(check_json("--jobs", "1"))["findings"]

    assert extracted == ["services/order/prisma/schema.prisma"]  # the TypeScript came from the cache
    sites = _delegate_sites(generated, "order", "order")
    assert len(sites) > 3
    assert {(f["path"], f["line"], f["col"]) for f in after
            if f["relation"] == moved and f["path"].endswith(".ts")} == sites
    assert {f["code"] for f in after if f["relation"] == moved and f["path"].endswith(".ts")} == {"HOS101", "HOS102"}
    unrelated = lambda fs: [f for f in fs if f["relation"] != moved  # noqa: E731
                            and f["path"] != "services/order/prisma/schema.prisma"]
    assert unrelated(after) == unrelated(before)


# --- the stat index: unchanged files are neither read nor hashed ----------------------------


def age(root: Path, seconds: int = 3600) -> int:
    """Give ``root`` (a file, or every file under a folder) an mtime ``seconds`` ago (as a checkout made earlier
    has); returns that mtime in nanoseconds."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in [root] if root.is_file() else root.rglob("*"):
        if path.is_file() and CACHE_DIR not in path.parts:
            os.utime(path, ns=(then, then))
    return then


def counting_reads(monkeypatch) -> list[str]:
    """Record the path of every file whose bytes are read (and so hashed) in this process."""
    seen: list[str] = []
    real = extraction._read

    def read(src, full_path):
        seen.append(src.path)
        return real(src, full_path)

    monkeypatch.setattr(extraction, "_read", read)
    return seen


def _a_file_with_findings(root: Path, cold: str) -> str:
    paths = sorted({f["path"] for f in json.loads(cold)["findings"] if f["path"].endswith(".repository.ts")})
    assert paths
    return paths[0]


def test_a_warm_run_reads_no_unchanged_file_and_equals_the_cold_run(project, monkeypatch):
    age(project)
    cold = check_json("--no-cache", "--jobs", "1")
    first = check_json("--jobs", "1")  # hashes every file, writes the pack and its stat index
    reads, extracted = counting_reads(monkeypatch), counting_extractions(monkeypatch)
    warm = check_json("--jobs", "1")
    assert reads == [] and extracted == []
    assert first == cold and warm == cold


def test_stat_index_and_content_hash_runs_are_byte_identical(project, monkeypatch):
    age(project)
    cold = check_json("--no-cache", "--jobs", "1")
    check_json("--jobs", "1")
    reads = counting_reads(monkeypatch)
    by_stat = check_json("--jobs", "1")
    assert reads == []
    monkeypatch.setattr(cache, "USE_STAT_INDEX", False)
    by_hash = check_json("--jobs", "1")
    every = list(reads)
    reads.clear()
    check_json("--no-cache", "--jobs", "1")
    assert every == reads and len(every) >= json.loads(cold)["summary"]["files_scanned"]  # all read and hashed
    four = check_json("--jobs", "4")
    assert by_stat == cold and by_hash == cold and four == cold


def test_files_changed_within_the_racy_margin_are_read_again_until_they_age(generated, monkeypatch):
    """An entry whose mtime is not older than the run that recorded it may hide a change
    made in the same timestamp tick: such files are re-read and re-hashed."""
    age(generated)
    target = "services/order/prisma/schema.prisma"
    os.utime(generated / target)  # just now
    check_json("--jobs", "1")
    reads = counting_reads(monkeypatch)
    check_json("--jobs", "1")
    assert reads == [target]  # racily clean: read and hashed again, every run until it ages
    check_json("--jobs", "1")
    assert reads == [target, target]
    age(generated / "services/order/prisma", 10)  # older than the margin: recorded once, then trusted
    check_json("--jobs", "1")
    check_json("--jobs", "1")
    assert reads == [target, target, target]


def test_touch_without_change_rehashes_that_file_only_and_extracts_nothing(generated, monkeypatch):
    age(generated)
    cold = check_json("--no-cache", "--jobs", "1")
    check_json("--jobs", "1")
    target = _a_file_with_findings(generated, cold)
    age(generated / target, 60)  # a new mtime, older than the racy margin
    reads, extracted = counting_reads(monkeypatch), counting_extractions(monkeypatch)
    touched = check_json("--jobs", "1")
    assert reads == [target] and extracted == []  # read and hashed; the same content key hits
    again = check_json("--jobs", "1")
    assert reads == [target]  # the index now holds the new stat
    assert touched == cold and again == cold


def _same_size_change(path: Path) -> None:
    """Rewrite ``path`` with other bytes of the same length (no database access left) and
    put its mtime back: only its ctime still tells the change."""
    before = path.stat()
    data = path.read_bytes()
    path.write_bytes(b"//" + b"x" * (len(data) - 3) + b"\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_a_change_with_the_same_size_and_mtime_is_caught(generated, monkeypatch):
    age(generated)
    check_json("--jobs", "1")
    before = check_json("--no-cache", "--jobs", "1")
    target = _a_file_with_findings(generated, before)
    _same_size_change(generated / target)
    reads = counting_reads(monkeypatch)
    warm = check_json("--jobs", "1")
    assert target in reads
    cold = check_json("--no-cache", "--jobs", "1")
    assert warm == cold != before
    assert [f for f in json.loads(warm)["findings"] if f["path"] == target] == []


def _coarse_ctime(monkeypatch) -> None:
    """A file system whose change time cannot tell two writes in one tick apart: ctime hidden."""
    from hos_lint.app import memo

    real = extraction.stat_of
    coarse = lambda st: real(st)[:2] + (0,) + real(st)[3:]  # noqa: E731
    monkeypatch.setattr(extraction, "stat_of", coarse)
    monkeypatch.setattr(memo, "stat_of", coarse)  # the run's first stat of every file


def test_racily_clean_same_size_same_mtime_change_is_caught_without_ctime(generated, monkeypatch):
    """git's racily clean case: the file is hashed, then rewritten with the same size in the
    same mtime tick. Only the racy rule (its mtime is not older than the run) catches it."""
    age(generated)
    _coarse_ctime(monkeypatch)
    before = check_json("--no-cache", "--jobs", "1")
    target = _a_file_with_findings(generated, before)
    os.utime(generated / target)  # written just before the run
    check_json("--jobs", "1")  # hashes it
    _same_size_change(generated / target)  # rewritten within the same tick
    warm = check_json("--jobs", "1")
    cold = check_json("--no-cache", "--jobs", "1")
    assert warm == cold != before


def test_without_the_racy_rule_the_same_change_would_be_missed(generated, monkeypatch):
    """The test above can fail: with the margin disabled the stale findings are served."""
    age(generated)
    _coarse_ctime(monkeypatch)
    monkeypatch.setattr(cache, "RACY_MARGIN_NS", -10**18)
    before = check_json("--no-cache", "--jobs", "1")
    target = _a_file_with_findings(generated, before)
    os.utime(generated / target)
    check_json("--jobs", "1")
    _same_size_change(generated / target)
    assert check_json("--jobs", "1") == before != check_json("--no-cache", "--jobs", "1")


def test_a_renamed_file_is_read_under_its_new_name_and_reported_there(generated, monkeypatch):
    age(generated)
    before = check_json("--no-cache", "--jobs", "1")
    check_json("--jobs", "1")
    old = _a_file_with_findings(generated, before)
    new = old.replace(".repository.ts", ".repo.ts")
    (generated / old).rename(generated / new)  # same inode, size and mtime: a new path
    reads, extracted = counting_reads(monkeypatch), counting_extractions(monkeypatch)
    warm = check_json("--jobs", "1")
    assert reads == [new] and extracted == [new]
    cold = check_json("--no-cache", "--jobs", "1")
    assert warm == cold
    paths = {f["path"] for f in json.loads(warm)["findings"]}
    assert new in paths and old not in paths


def test_a_deleted_file_leaves_the_report_and_nothing_is_read(generated, monkeypatch):
    age(generated)
    before = check_json("--no-cache", "--jobs", "1")
    check_json("--jobs", "1")
    gone = _a_file_with_findings(generated, before)
    (generated / gone).unlink()
    reads = counting_reads(monkeypatch)
    warm = check_json("--jobs", "1")
    assert reads == []
    cold = check_json("--no-cache", "--jobs", "1")
    assert warm == cold != before
    assert gone not in {f["path"] for f in json.loads(warm)["findings"]}


def test_an_index_entry_holds_only_for_the_same_identity_and_stat(tmp_path):
    """Unit level: a recorded key is returned for the very stat and identity it was
    recorded with, and for no look-alike (other size, mtime, ctime, inode or config)."""
    from hos_lint.cache import Cache

    old = time.time_ns() - 3600 * 1_000_000_000
    st = (120, old, old, 77)
    writer = Cache(str(tmp_path))
    writer.remember("a.ts", "ident", st, "k1")
    writer._used["k1"] = (b"", b"")
    writer._changed = True
    writer.save()
    reader = Cache(str(tmp_path))
    assert reader.known_key("a.ts", "ident", st) == "k1"
    assert reader.known_key("b.ts", "ident", st) is None
    assert reader.known_key("a.ts", "other", st) is None
    for i in range(4):
        assert reader.known_key("a.ts", "ident", st[:i] + (st[i] + 1,) + st[i + 1:]) is None
    recent = Cache(str(tmp_path))
    now = time.time_ns()
    recent.remember("c.ts", "ident", (1, now, now, 2), "k2")  # racily clean: not recorded
    assert "c.ts" not in recent._seen


# --- the statement memo: SQL seen before is replayed without sqlglot ------------------------


def statement_memo(root: Path) -> Path:
    [path] = (root / CACHE_DIR).glob("statements-v*.sqlmemo")
    return path


def drop_pack_and_run_memos(root: Path) -> None:
    """Keep only the statement memo: every file is extracted again, its SQL replayed."""
    for path in (root / CACHE_DIR).iterdir():
        if path.name.endswith((".pack", ".memo")):
            path.unlink()


def _token_read(texts: list[str]) -> list[str]:
    return [t for t in texts if t.split(None, 1)[0].upper() in ("SET", "RESET", "LOCK", "REFRESH", "GRANT", "REVOKE")
            or " OWNER TO " in t.upper()]


def test_cold_warm_and_memo_runs_are_byte_identical_whatever_jobs(project, monkeypatch):
    age(project)
    cold = check_json("--no-cache", "--jobs", "1")
    first = check_json("--jobs", "2")  # writes the pack and the statement memo (from the pool's workers)
    memo = statement_memo(project)
    assert len(cache.Cache(str(project)).read_statements()) > 10
    drop_pack_and_run_memos(project)
    analysed = counting_statements(monkeypatch)
    with_memo = check_json("--jobs", "1")  # every file extracted again, its SQL from the memo
    assert analysed == _token_read(analysed)  # only the forms the memo does not keep
    before = memo.stat()
    drop_pack_and_run_memos(project)
    with_memo_pool = check_json("--jobs", "2")
    after = memo.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # the workers added nothing
    warm = check_json("--jobs", "1")
    assert first == cold and with_memo == cold and with_memo_pool == cold and warm == cold


def test_a_pool_run_stores_what_its_workers_added(generated_template, tmp_path, monkeypatch):
    stored = {}
    for jobs in ("1", "2"):
        root = _copy(generated_template, tmp_path / jobs)
        monkeypatch.chdir(root)
        check_json("--jobs", jobs)
        stored[jobs] = cache.Cache(str(root)).read_statements()
    assert len(stored["1"]) > 100
    assert stored["2"] == stored["1"]


def _raw_sql_file(root: Path) -> str:
    paths = sorted(p for p in (root / "services").rglob("*.repository.ts") if "$queryRaw`" in p.read_text("utf-8"))
    assert paths
    return paths[0].relative_to(root).as_posix()


def test_an_edited_file_whose_sql_did_not_change_needs_no_sqlglot(generated, monkeypatch):
    age(generated)
    check_json("--jobs", "1")
    target = _raw_sql_file(generated)
    path = generated / target
    path.write_text("// edited\n" + path.read_text("utf-8"), encoding="utf-8")
    age(path, 60)
    analysed, extracted = counting_statements(monkeypatch), counting_extractions(monkeypatch)
    warm = check_json("--jobs", "1", target)
    assert extracted == [target] and analysed == []
    cold = check_json("--no-cache", "--jobs", "1", target)
    assert analysed  # the file's SQL needs sqlglot without the memo
    assert warm == cold


def test_no_cache_neither_reads_nor_writes_the_statement_memo(generated, monkeypatch):
    def refuse(*args):
        raise AssertionError("the statement memo was touched")

    monkeypatch.setattr(cache.Cache, "read_statements", refuse)
    monkeypatch.setattr(cache.Cache, "write_statements", refuse)
    check_json("--no-cache", "--jobs", "1")
    assert not (generated / CACHE_DIR).exists()


@pytest.mark.parametrize("content", ["unsigned", "signed-list", "signed-odd-entries"])
def test_a_corrupt_or_forged_statement_memo_is_ignored(generated, monkeypatch, content):
    age(generated)
    cold = check_json("--no-cache", "--jobs", "1")
    check_json("--jobs", "1")
    memo = statement_memo(generated)
    keys = list(cache.Cache(str(generated)).read_statements())
    writer = cache.Cache(str(generated))
    if content == "unsigned":
        import pickle

        memo.write_bytes(b"\0" * 32 + pickle.dumps(dict.fromkeys(keys, b"forged")))
    elif content == "signed-list":
        writer.write_statements(["not", "a", "dict"])  # type: ignore[arg-type] - the point of the test
    else:
        writer.write_statements(dict.fromkeys(keys, b"\x80\x05junk"))
    assert cache.Cache(str(generated)).read_statements() == ({} if content != "signed-odd-entries"
                                                              else dict.fromkeys(keys, b"\x80\x05junk"))
    drop_pack_and_run_memos(generated)
    analysed = counting_statements(monkeypatch)
    assert check_json("--jobs", "1") == cold
    assert len(analysed) >= len(keys)  # nothing came from the bad memo
    assert len(cache.Cache(str(generated)).read_statements()) == len(keys)  # and it was written afresh
