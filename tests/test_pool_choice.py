"""When the process pool runs: --jobs given runs it for POOL_THRESHOLD files or more;
the default (--jobs unset) also needs POOL_MIN_BYTES of files to parse."""
from __future__ import annotations

import pytest

from hos_lint import pool
from hos_lint.app import extraction
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile

BODY = b"import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"


def jobs(count: int, size: int) -> list:
    pad = b"// " + b"x" * max(0, size - len(BODY) - 4) + b"\n"
    return [(SourceFile(f"src/f{i}.ts", "svc", Language.TYPESCRIPT),
             BODY + f"export const f{i} = () => prisma.user.findMany();\n".encode() + pad, ExtractConfig())
            for i in range(count)]


@pytest.fixture
def pooled(monkeypatch) -> list[int]:
    runs: list[int] = []

    def run_chunks(function, chunks, workers):
        runs.append(workers)
        return [result for chunk in chunks for result in function(chunk)]

    monkeypatch.setattr(pool, "run_chunks", run_chunks)
    return runs


@pytest.mark.parametrize(("count", "size", "auto", "expected"), [
    (30, 100, False, [2]),  # --jobs 2 given: enough files
    (30, 100, True, []),  # the default: 3 kB to parse is no work for a pool
    (extraction.POOL_THRESHOLD - 1, 200_000, False, []),  # too few files either way
    (30, extraction.POOL_MIN_BYTES // 30 + 1, True, [2]),  # the default with enough bytes
])
def test_the_pool_runs_only_when_it_pays(pooled, count, size, auto, expected):
    results = extraction._run_jobs(jobs(count, size), 2, auto)
    assert pooled == expected
    assert len(results) == count and all(len(r.accesses) == 1 for r in results)


def test_an_unset_jobs_option_is_the_automatic_choice():
    from click.testing import CliRunner

    from hos_lint import cli

    seen = []
    original = cli._options

    def spy(params):
        options = original(params)
        seen.append((options.jobs > 0, options.auto_jobs))
        raise SystemExit(0)

    cli._options, saved = spy, cli._options
    try:
        CliRunner().invoke(cli.cli, ["check", "."])
        CliRunner().invoke(cli.cli, ["check", "--jobs", "3", "."])
    finally:
        cli._options = saved
    assert seen == [(True, True), (True, False)]
