"""The walk remembered (``hos_lint.app.walk_index``): a run whose folders and ignore files
did not change reuses the last walk; any added, removed or renamed entry, any edited
ignore file and any other manifest walks again, and the findings are those of a run
without any cache.

Runs the real CLI in-process on a copy of ``fixtures/hos-marketplace`` in a git repository.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from trees import check_json, copy_marketplace

from hos_lint.app import walk_index
from hos_lint.cache import CACHE_DIR

MARGIN_NS = 50_000_000


@pytest.fixture(autouse=True)
def short_margin(private_cache_key, monkeypatch):
    # a folder is trusted once it is this much older than the walk (the tests wait that long)
    monkeypatch.setattr(walk_index, "RACY_MARGIN_NS", MARGIN_NS)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = copy_marketplace(tmp_path / "repo")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / CACHE_DIR).mkdir()  # made by the first run otherwise, changing the root's mtime
    monkeypatch.chdir(root)
    settle()
    return root


def settle() -> None:
    time.sleep(2 * MARGIN_NS / 1e9)


@pytest.fixture
def walks(monkeypatch) -> list[int]:
    """Counts the real walks of the project."""
    count: list[int] = []
    real = walk_index.walk_project

    def walk_project(manifest):
        count.append(1)
        return real(manifest)

    monkeypatch.setattr(walk_index, "walk_project", walk_project)
    return count


def paths(output: str) -> set[str]:
    return {f["path"] for f in json.loads(output)["findings"]}


def test_an_unchanged_tree_is_not_walked_again(project, walks):
    first = check_json()
    check_json("--select", "HOS101")  # another run (not recalled whole) on the same tree
    assert len(walks) == 1
    assert check_json() == first == check_json("--no-cache")


VIOLATION = "UPDATE payment_service.payments SET status = 'x';\n"


@pytest.mark.parametrize("change", ["new file", "new folder", "delete", "rename", "gitignore", "info exclude"])
def test_a_changed_tree_is_walked_again(project, walks, change):
    check_json()
    settle()
    target = project / "services/order/prisma/migrations/20240520083000_gift_cards/migration.sql"
    if change == "new file":
        (project / "services/order/extra.sql").write_text(VIOLATION)
    elif change == "new folder":
        (project / "services/order/deep/er").mkdir(parents=True)
        (project / "services/order/deep/er/extra.sql").write_text(VIOLATION)
    elif change == "delete":
        target.unlink()
    elif change == "rename":
        target.rename(target.with_name("renamed.sql"))
    elif change == "gitignore":
        ignore = project / ".gitignore"
        ignore.write_text((ignore.read_text() if ignore.exists() else "") + "services/order/prisma/migrations/\n")
    else:
        (project / ".git/info/exclude").write_text("services/order/prisma/migrations/\n")
    output = check_json()
    assert len(walks) == 2
    assert output == check_json("--no-cache")
    found = paths(output)
    if change.startswith("new"):
        assert any(p.startswith("services/order/") and p.endswith("extra.sql") for p in found)
    else:
        assert str(target.relative_to(project)) not in found


def test_an_ignore_file_edited_in_place_deeper_down_walks_again(project, walks):
    """Editing a .gitignore changes no folder's mtime: its own stat tells."""
    ignore = project / "services/order/.gitignore"
    ignore.write_text("# nothing ignored yet\n")
    settle()
    first = check_json()
    assert check_json("--select", "HOS101") and len(walks) == 1
    settle()
    ignore.write_text("# scripts are generated\nscripts/\n")
    output = check_json()
    assert len(walks) == 2
    assert output == check_json("--no-cache") != first
    assert not any(p.startswith("services/order/scripts/") for p in paths(output))


def test_another_manifest_walks_again(project, walks):
    check_json()
    manifest = project / "hos-lint.yaml"
    text = manifest.read_text()
    assert 'extend-exclude: ["**/*.spec.ts"]' in text
    manifest.write_text(text.replace('extend-exclude: ["**/*.spec.ts"]',
                                     'extend-exclude: ["**/*.spec.ts", "services/order/scripts/"]'))
    output = check_json()
    assert len(walks) == 2
    assert not any(p.startswith("services/order/scripts/") for p in paths(output))


def test_a_walk_of_folders_changed_within_the_margin_is_not_kept(project, walks, monkeypatch):
    monkeypatch.setattr(walk_index, "RACY_MARGIN_NS", 3_600 * 10**9)  # every folder is "fresh"
    (project / "services/order/fresh").mkdir()
    check_json()
    check_json("--select", "HOS101")
    assert len(walks) == 2  # a fresh folder could change again within its mtime tick
    monkeypatch.setattr(walk_index, "RACY_MARGIN_NS", MARGIN_NS)
    check_json()
    check_json("--select", "HOS102")
    assert len(walks) == 3


def test_a_damaged_walk_index_is_no_index(project, walks):
    first = check_json()
    (index,) = (project / CACHE_DIR).glob("walk-v*.index")
    index.write_bytes(index.read_bytes()[:40] + b"tampered" + index.read_bytes()[48:])
    assert check_json("--select", "HOS101") and len(walks) == 2
    assert check_json() == first
