"""Parsers are imported only when a file needs them: the pool's parent imports the
extractors of its jobs only, and a shell script feeding psql no SQL never imports sqlglot."""
import json
import subprocess
import sys

from hos_lint.extract import shell
from hos_lint.model import Language, SourceFile

PROBE = """
import json, sys
from hos_lint.app.extraction import _run_jobs
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile
{body}
print(json.dumps({{m: m in sys.modules for m in ("libcst", "sqlglot", "hos_lint.extract.typescript")}}))
"""

TS_JOBS = """
jobs = [(SourceFile(f"src/f{i}.ts", "svc", Language.TYPESCRIPT),
         (b"import { PrismaClient } from '@prisma/client';\\nconst prisma = new PrismaClient();\\n"
          + f"export const f{i} = () => prisma.user.findMany();\\n".encode()), ExtractConfig())
        for i in range(30)]
results = _run_jobs(jobs, 2)
assert len(results) == 30 and all(r.accesses for r in results), results
"""

SHELL_NO_SQL = """
from hos_lint.extract import shell
r = shell.extract(SourceFile("db.sh", "svc", Language.SHELL), "psql -f migrate.sql\\n", ExtractConfig())
assert r.accesses == () and r.problems == (), r
"""


def probe(body: str) -> dict[str, bool]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True, check=True)
    loaded: dict[str, bool] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_pool_parent_imports_only_the_extractors_of_its_jobs():
    assert probe(TS_JOBS) == {"libcst": False, "sqlglot": False, "hos_lint.extract.typescript": True}


def test_shell_script_without_sql_never_imports_sqlglot():
    assert probe(SHELL_NO_SQL) == {"libcst": False, "sqlglot": False, "hos_lint.extract.typescript": False}


def test_shell_script_with_sql_still_extracts_it():
    src = SourceFile("db.sh", "svc", Language.SHELL)
    result = shell.extract(src, "psql <<'SQL'\nDELETE FROM billing.invoices;\nSQL\n",
                           shell.ExtractConfig())
    assert [(a.ref.schema, a.ref.name, a.operation, a.location.line)
            for a in result.accesses] == [("billing", "invoices", "DELETE", 2)]


def test_whole_expansion_still_reported_as_dynamic_sql():
    src = SourceFile("db.sh", "svc", Language.SHELL)
    result = shell.extract(src, 'psql -c "$SQL"\n', shell.ExtractConfig())
    assert [(p.code, p.location.line) for p in result.problems] == [("HOS205", 1)]
