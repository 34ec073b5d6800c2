"""Same input, same output, byte for byte, whatever ``--jobs`` and whatever the cache holds (SPEC §7).

Runs the real CLI in-process on a generated 150-file monorepo (big enough
for the process pool) and, when it exists, on ``fixtures/hos-marketplace``.
"""
from __future__ import annotations

import enum
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hos_lint import app
from hos_lint.app import extraction
from hos_lint.cli import cli

REPO = Path(__file__).resolve().parent.parent
MARKETPLACE = REPO / "fixtures" / "hos-marketplace"
GENERATED_FILES = 150


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


generate = _generator()


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path, monkeypatch):
    """The cache signing key lives under XDG_CACHE_HOME: keep it out of the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


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
