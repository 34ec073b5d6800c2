"""The facts index (``hos_lint.cache``): a run on a few files (pre-commit) takes every
other file's project-wide facts from a small signed index and its journal instead of
the pack, and its findings are those of a run without any cache, whatever changed
outside the files it reports on.

Runs the real CLI in-process on a copy of ``fixtures/hos-marketplace``.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from trees import age, check_json

from hos_lint import cache
from hos_lint.cache import CACHE_DIR, Cache

CHECKOUT = "services/order/src/checkout/checkout.service.ts"  # writes through a view a migration defines
VIEWS = "infrastructure/database/schema-decomposition.sql"  # defines order_service.customer_emails


pytestmark = pytest.mark.usefixtures("private_cache_key")  # conftest: a signing key of its own


@pytest.fixture
def project(marketplace) -> Path:
    return marketplace


def codes(output: str) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(output)["findings"]]


def edit(root: Path, rel: str, text: str) -> None:
    """A staged-looking edit: ``text`` appended, the file written a minute ago."""
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    age(path, 60)


def journal_paths(root: Path) -> set[str]:
    reader = Cache(str(root))
    reader._facts_entries()
    return reader._journal


@pytest.fixture
def no_pack(monkeypatch) -> list[str]:
    """Records every read of the extraction pack."""
    reads: list[str] = []
    real = Cache._load

    def load(self):
        reads.append(self.pack.name)
        return real(self)

    monkeypatch.setattr(Cache, "_load", load)
    return reads


def test_a_whole_run_writes_the_index_with_facts_only_for_files_that_have_some(project):
    check_json()
    (index,) = (project / CACHE_DIR).glob("facts-v*.index")
    loaded = Cache(str(project))._facts_entries()
    with_facts = {path for path, entry in loaded.items() if entry[3] is not None}
    assert VIEWS in with_facts and "services/order/prisma/schema.prisma" in with_facts
    assert CHECKOUT in loaded and CHECKOUT not in with_facts  # accesses are not project-wide facts
    assert index.stat().st_size < next((project / CACHE_DIR).glob("extract-v*.pack")).stat().st_size / 2


def test_a_pre_commit_run_reads_the_index_not_the_pack_and_finds_what_a_run_without_cache_finds(
        project, no_pack):
    check_json()
    no_pack.clear()
    edit(project, CHECKOUT, "\n// staged edit\n")
    scoped = check_json(CHECKOUT)
    assert no_pack == []
    assert ("HOS104", CHECKOUT, 43) in codes(scoped)
    assert scoped == check_json("--no-cache", CHECKOUT)


@pytest.mark.parametrize("change", ["drop the view", "touch", "same size", "rename", "delete", "new migration",
                                    "client class"])
def test_a_change_outside_the_files_checked_is_seen(project, change):
    """Whatever happens to another file after the index was written (its facts changed,
    its stat alone, deleted, a new file), the run on a few files finds what a run without
    any cache finds."""
    check_json()
    edit(project, CHECKOUT, "\n// staged edit\n")
    check_json(CHECKOUT)  # the journal now holds the edited file
    views = project / VIEWS
    if change == "drop the view":
        views.write_text(views.read_text().replace("CREATE OR REPLACE VIEW order_service.customer_emails",
                                                   "CREATE OR REPLACE VIEW order_service.customer_emails_old"))
    elif change == "touch":
        os.utime(views)
    elif change == "same size":  # the view renamed in place, same length, the old mtime kept
        before = views.stat()
        views.write_text(views.read_text().replace("VIEW order_service.customer_emails ",
                                                   "VIEW order_service.customer_email2 "))
        os.utime(views, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert views.stat().st_size == before.st_size
    elif change == "rename":
        views.rename(views.with_name("views-renamed.sql"))
    elif change == "delete":
        views.unlink()
    elif change == "new migration":
        migration = project / "services/order/prisma/migrations/20250101000000_more/migration.sql"
        migration.parent.mkdir()
        migration.write_text("CREATE VIEW order_service.more_emails AS SELECT email FROM user_service.customers;\n")
    else:
        (project / "services/order/src/extra.ts").write_text(
            "import { PrismaClient } from '@prisma/client';\nexport class Db extends PrismaClient {}\n")
    scoped = check_json(CHECKOUT)
    assert scoped == check_json("--no-cache", CHECKOUT)
    found = ("HOS104", CHECKOUT, 43) in codes(scoped)
    assert found is (change not in ("drop the view", "same size", "delete"))


def test_a_touched_file_is_known_by_its_content_without_the_pack(project, no_pack):
    check_json()
    no_pack.clear()
    os.utime(project / VIEWS)  # new stat, same bytes
    edit(project, CHECKOUT, "\n// staged edit\n")
    assert check_json(CHECKOUT) == check_json("--no-cache", CHECKOUT)
    assert no_pack == []


def test_the_journal_is_folded_into_the_index_once_it_is_large(project, monkeypatch):
    monkeypatch.setattr(cache, "FACTS_JOURNAL_MAX", 2)
    check_json()
    folder = project / CACHE_DIR
    (index,) = folder.glob("facts-v*.index")
    before = index.read_bytes()
    edit(project, CHECKOUT, "\n// one\n")
    check_json(CHECKOUT)
    assert index.read_bytes() == before  # one changed path: the journal takes it
    (journal,) = folder.glob("facts-v*.journal")
    assert journal_paths(project) == {CHECKOUT}
    others = ["services/order/src/orders/orders.service.ts", "services/order/scripts/reconcile-payments.ts"]
    for rel in others:
        edit(project, rel, "\n// two\n")
    scoped = check_json(CHECKOUT, *others)
    assert index.read_bytes() != before  # three paths: folded into the index, the journal emptied
    assert journal_paths(project) == set()
    assert scoped == check_json("--no-cache", CHECKOUT, *others)


@pytest.mark.parametrize("damage", ["garbage", "unsigned", "wrong shape"])
def test_a_damaged_or_foreign_index_is_no_index(project, damage, no_pack):
    check_json()
    folder = project / CACHE_DIR
    (index,) = folder.glob("facts-v*.index")
    if damage == "garbage":
        index.write_bytes(b"\x00" * 64)
    elif damage == "unsigned":
        index.write_bytes(index.read_bytes()[:32][::-1] + index.read_bytes()[32:])
    else:
        writer = Cache(str(project))
        writer._write_signed(index.name, ("not", "an", "index"))
    no_pack.clear()
    edit(project, CHECKOUT, "\n// staged edit\n")
    assert check_json(CHECKOUT) == check_json("--no-cache", CHECKOUT)
    assert no_pack  # without an index the run reads the pack, as before


def test_without_the_stat_index_there_is_no_facts_index(project, monkeypatch):
    monkeypatch.setattr(cache, "USE_STAT_INDEX", False)
    check_json()
    assert not list((project / CACHE_DIR).glob("facts-v*"))
    edit(project, CHECKOUT, "\n// staged edit\n")
    assert check_json(CHECKOUT) == check_json("--no-cache", CHECKOUT)


def test_the_files_of_older_states_of_hos_lint_are_removed_but_the_newest_two(project):
    """An upgrade (or an edited checkout) writes a new pack and new indexes: the files of
    all but the two newest states are removed when a pack is written, whatever their kind,
    and nothing else in the folder is touched."""
    folder = project / CACHE_DIR
    folder.mkdir()
    names = {state: [f"extract-v0.0.{state}-old-s1.pack", f"facts-v0.0.{state}-old.index",
                     f"facts-v0.0.{state}-old.journal", f"walk-v0.0.{state}-old.index",
                     f"statements-v0.0.{state}-old.sqlmemo"] for state in (1, 2)}
    for state, files in names.items():
        for name in files:
            (folder / name).write_bytes(b"old")
            then = time.time_ns() - (10 - state) * 3_600_000_000_000  # state 2 is the newer
            os.utime(folder / name, ns=(then, then))
    (folder / "extract-notes.txt").write_text("not a pack")
    check_json()
    left = {p.name for p in folder.iterdir()}
    assert not left & set(names[1])  # the oldest state is gone
    assert set(names[2]) <= left  # the newer of the old states is kept beside this one
    assert "extract-notes.txt" in left and ".gitignore" in left
    assert len([n for n in left if n.startswith("extract-v")]) == 2
