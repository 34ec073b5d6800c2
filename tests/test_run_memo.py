"""A whole run remembered (``hos_lint.app.memo``): a warm run whose inputs did not change
recalls its judged result without reading the pack or running a rule; any change to a
file, the file set, the manifest, the options or the baseline is a fresh run, and the
output is byte-identical to a cold run either way.

Runs the real CLI in-process on a copy of ``fixtures/hos-marketplace``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from trees import age, check_json

from hos_lint import cache
from hos_lint.app import checking
from hos_lint.cache import CACHE_DIR
from hos_lint.cli import cli

pytestmark = pytest.mark.usefixtures("private_cache_key")  # conftest: a signing key of its own


@pytest.fixture
def project(marketplace) -> Path:
    return marketplace


@pytest.fixture
def judged(monkeypatch) -> list[int]:
    """Counts the runs that judged the project (the ones not recalled)."""
    runs: list[int] = []
    real = checking._judge_plan

    def judge_plan(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(checking, "_judge_plan", judge_plan)
    return runs



def test_an_unchanged_project_is_recalled_and_equals_the_cold_run(project, judged):
    cold = check_json("--no-cache")
    assert json.loads(cold)["findings"]
    first = check_json()
    assert list((project / CACHE_DIR).glob("run-v*.memo"))
    warm = check_json()
    assert judged == [1, 1]  # the cold run and the first cached run judged; the warm one recalled
    assert first == cold and warm == cold


def test_a_recalled_run_reads_no_source_file_and_no_pack(project, monkeypatch):
    check_json()
    opened: list[str] = []
    real_read = cache.Cache._read

    def read(self, name):
        opened.append(name)
        return real_read(self, name)

    monkeypatch.setattr(cache.Cache, "_read", read)
    check_json()
    assert [name.split("-")[0] for name in opened] == ["walk", "run"]  # the walk and the memo, not the pack


def test_an_edited_file_is_judged_again(project, judged):
    check_json()
    target = project / "services/order/src/orders/order.repository.ts"
    assert target.is_file()
    target.write_text(target.read_text() + "\n// reviewed\n")
    age(target, 60)
    warm = check_json()
    assert judged == [1, 1]
    assert warm == check_json("--no-cache")


def test_a_new_file_with_a_violation_is_found(project, judged):
    before = check_json()
    new = project / "services/order/db/late.sql"
    new.parent.mkdir(parents=True, exist_ok=True)
    new.write_text("UPDATE payment_service.payments SET amount = 0;\n")
    age(new, 60)
    after = check_json()
    assert judged == [1, 1]
    assert [(f["code"], f["line"]) for f in json.loads(after)["findings"] if f["path"] == "services/order/db/late.sql"] \
        == [("HOS101", 1)]
    assert after != before and after == check_json("--no-cache")


def test_a_deleted_file_drops_its_findings(project, judged):
    before = check_json()
    paths = sorted({f["path"] for f in json.loads(before)["findings"] if f["path"].endswith(".ts")})
    (project / paths[0]).unlink()
    after = check_json()
    assert judged == [1, 1]
    assert paths[0] not in {f["path"] for f in json.loads(after)["findings"]}
    assert after == check_json("--no-cache")


def test_other_options_and_another_manifest_are_judged_again(project, judged):
    check_json()
    selected = check_json("--select", "HOS101")
    assert {f["code"] for f in json.loads(selected)["findings"]} == {"HOS101"}
    assert judged == [1, 1]
    manifest = project / "hos-lint.yaml"
    manifest.write_text(manifest.read_text() + "\n# reviewed\n")
    age(manifest, 60)
    check_json()
    assert judged == [1, 1]  # a comment changes no setting: the plan, and so the key, is the same
    text = manifest.read_text()
    assert "fail_on" not in text
    manifest.write_text(text + "rules:\n  ignore: [HOS105]\n")
    age(manifest, 60)
    after = check_json()
    assert judged == [1, 1, 1]
    assert "HOS105" not in {f["code"] for f in json.loads(after)["findings"]}


def test_the_baseline_is_applied_to_a_recalled_run(project, judged, monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # under CI the baseline is written only on request
    check_json()
    result = CliRunner().invoke(cli, ["baseline"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    judged.clear()
    assert json.loads(check_json())["findings"] == []
    assert judged == []  # recalled, then matched against the baseline written since
    assert json.loads(check_json("--no-baseline"))["findings"]


def test_a_file_written_within_the_racy_margin_of_the_run_is_never_recalled(project, judged):
    target = project / "services/order/src/orders/order.repository.ts"
    os.utime(target)  # written just now: the same stat could hide a second write in this tick
    check_json()
    check_json()
    assert judged == [1, 1]
    age(target, 10)
    check_json()  # judged, remembered
    check_json()  # recalled
    assert judged == [1, 1, 1]


def test_a_memo_written_without_this_users_key_is_ignored(project, judged, tmp_path, monkeypatch):
    check_json()
    memo = next((project / CACHE_DIR).glob("run-v*.memo"))
    data = bytearray(memo.read_bytes())
    data[40] ^= 0xFF  # tampered payload: the signature no longer matches
    memo.write_bytes(bytes(data))
    assert check_json() == check_json("--no-cache")
    assert judged == [1, 1, 1]


def test_without_the_stat_index_nothing_is_recalled(project, judged, monkeypatch):
    check_json()
    monkeypatch.setattr(cache, "USE_STAT_INDEX", False)
    check_json()
    assert judged == [1, 1]


RECALL_PROBE = """
import json, sys
from hos_lint.cli import cli
try:
    cli(["check", "--format", "json", "--output", "/dev/null", "--fail-on", "never", "--jobs", "1"])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in ("hos_lint.app.project", "hos_lint.resolve", "hos_lint.infer", "tree_sitter",
                                    "sqlglot", "libcst", "hos_lint.extract.typescript") if m in sys.modules)))
"""


def test_a_recalled_run_imports_no_parser_and_no_resolution(project):
    import subprocess
    import sys

    def modules() -> list[str]:
        env = {**os.environ, "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
        out = subprocess.run([sys.executable, "-c", RECALL_PROBE], capture_output=True, text=True, check=True,
                             cwd=project, env=env)
        loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
        return loaded

    assert "hos_lint.app.project" in modules()  # the first run judges: it needs all of them
    assert modules() == []


def test_each_run_keeps_its_own_memo_file_and_only_the_newest_are_kept(project, monkeypatch):
    monkeypatch.setattr(cache, "MEMO_ENTRIES", 3)
    for code in ("HOS101", "HOS102", "HOS103", "HOS104", "HOS105"):
        check_json("--select", code)
    assert len(list((project / CACHE_DIR).glob("run-v*.memo"))) == 3


def test_a_pre_commit_run_of_a_few_edited_files_leaves_the_pack_as_it_is(project, judged):
    check_json()
    pack = next((project / CACHE_DIR).glob("extract-v*.pack"))
    before = pack.stat().st_mtime_ns, pack.read_bytes()
    target = project / "services/order/src/orders/order.repository.ts"
    target.write_text(target.read_text() + "\n// staged edit\n")
    age(target, 60)
    scoped = check_json(str(target.relative_to(project)))
    assert (pack.stat().st_mtime_ns, pack.read_bytes()) == before  # five files' results cost less than a rewrite
    assert scoped == check_json("--no-cache", str(target.relative_to(project)))
    whole = check_json()  # the next whole run extracts the edited file again and records it
    assert whole == check_json("--no-cache")
    assert pack.read_bytes() != before[1]


def test_hos_lints_own_code_is_part_of_every_key(project, judged, monkeypatch):
    """An edited checkout (an editable install, the version unchanged) never recalls
    what the old code judged, nor reads the extraction pack the old code wrote."""
    check_json()
    monkeypatch.setattr(cache, "code_digest", lambda: "0123456789ab")
    extracted_before = len(list((project / CACHE_DIR).glob("extract-v*.pack")))
    check_json()
    assert judged == [1, 1]
    assert len(list((project / CACHE_DIR).glob("extract-v*.pack"))) == extracted_before + 1


def test_the_code_digest_follows_the_rule_modules_and_the_rest():
    import hos_lint.model as model_module
    import hos_lint.rules.hos101_cross_service_write as rule_module

    for module in (rule_module, model_module):
        path = Path(module.__file__)
        before = path.stat()
        try:
            first = cache.code_digest.__wrapped__()
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
            assert cache.code_digest.__wrapped__() != first, path
        finally:
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert cache.code_digest.__wrapped__() == first
