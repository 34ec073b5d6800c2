"""The static checks CI runs: ``mypy --strict``, ``lint-imports`` and ``ruff check``.

mypy and import-linter (grimp) find modules by their import names and cannot
follow setuptools' ``package-dir`` mapping (``linter/`` installs as
``hos_lint``, ``rules/`` as ``hos_lint.rules``), so ``installed`` copies the
two folders into a temp folder in the installed layout and both run there,
with the repository's ``pyproject.toml``. Paths in a failure message are
mapped back to the repository's (``hos_lint/rules/x.py`` is ``rules/x.py``).
The tools come with the ``test`` extra; a missing one fails, never skips.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"
BIN = Path(sys.executable).parent
RULE_CONTRACT = "Rules import only the rule API and the model"


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not installed: pip install -e '.[test]' installs it")
    return found


def materialise(target: Path) -> Path:
    """``linter/`` as ``target/hos_lint``, ``rules/`` as ``target/hos_lint/rules``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "linter", target / "hos_lint", ignore=ignore)
    shutil.copytree(ROOT / "rules", target / "hos_lint" / "rules", ignore=ignore)
    return target


def in_repository(text: str) -> str:
    """Paths of the installed layout named as the repository's files."""
    text = re.sub(r"\bhos_lint/rules/", "rules/", text)
    return re.sub(r"\bhos_lint/", "linter/", text)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    return subprocess.CompletedProcess(done.args, done.returncode, in_repository(done.stdout),
                                       in_repository(done.stderr))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield materialise(tmp_path_factory.mktemp("installed"))


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts; ``hos_lint`` is the copy in ``cwd``
    (import-linter puts the working folder first on the path)."""
    return run([tool("lint-imports"), "--no-cache", str(CONFIG)], cwd)


def test_the_layout_helpers_map_paths_back():
    assert in_repository("hos_lint/rules/hos101_x.py:3: error") == "rules/hos101_x.py:3: error"
    assert in_repository("hos_lint/extract/sql/lexer.py:9 and hos_lint/cli.py") == \
        "linter/extract/sql/lexer.py:9 and linter/cli.py"


def test_mypy_strict_passes(installed: Path):
    done = run([tool("mypy"), "--strict", "--config-file", str(CONFIG), "--cache-dir", str(installed / ".mypy"),
                "hos_lint"], installed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found in ")


def test_import_contracts_are_kept(installed: Path):
    done = lint_imports(installed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 4 kept, 0 broken." in done.stdout
    # it analysed the copy, every module of it, rules included
    files = sum(1 for _ in (installed / "hos_lint").rglob("*.py"))
    assert f"Analyzed {files} files" in done.stdout


def test_a_rule_importing_an_extractor_breaks_the_rules_contract(tmp_path: Path):
    copy = materialise(tmp_path)
    (copy / "hos_lint/rules/hos999_leaky.py").write_text("from hos_lint.extract import sql\n\nSQL = sql\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert f"{RULE_CONTRACT} BROKEN" in done.stdout
    assert "Contracts: 3 kept, 1 broken." in done.stdout
    assert "hos_lint.rules.hos999_leaky -> hos_lint.extract.sql (l.1)" in done.stdout


def test_an_extractor_importing_another_breaks_their_independence(tmp_path: Path):
    copy = materialise(tmp_path)
    target = copy / "hos_lint/extract/prisma/__init__.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nfrom hos_lint.extract import shell as _shell\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "Contracts: 2 kept, 2 broken." in done.stdout, done.stdout  # the extractors' layers too
    assert "hos_lint.extract.prisma is not allowed to import hos_lint.extract.shell" in done.stdout, done.stdout


def test_a_model_importing_upward_breaks_the_layers(tmp_path: Path):
    copy = materialise(tmp_path)
    target = copy / "hos_lint/model.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nfrom hos_lint import context as _context\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "Contracts: 3 kept, 1 broken." in done.stdout, done.stdout
    assert "hos_lint.model -> hos_lint.context" in done.stdout, done.stdout


def test_the_rules_contract_forbids_every_other_top_level_module():
    """A new module of hos_lint is forbidden to rules unless it is the rule API or the model."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: mypy's own dependency
        import tomli as tomllib

    contracts = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"] == RULE_CONTRACT]
    tops = {p.stem if p.is_file() else p.name for p in (ROOT / "linter").iterdir()
            if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.name != "__init__.py"}
    assert contract["source_modules"] == ["hos_lint.rules"]
    assert set(contract["forbidden_modules"]) == {f"hos_lint.{m}" for m in tops - {"rule", "model"}}


def test_ruff_check_passes():
    done = run([tool("ruff"), "check", "--no-cache", "linter", "rules", "tests", "bench"], ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_static_checks_cover_every_python_folder():
    """``ruff check`` runs over linter, rules, tests and bench: no tracked Python file
    lives elsewhere (fixtures are inputs, not the project's code)."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    found = {Path(line).parts[0] for line in listed.stdout.splitlines()} - {"fixtures"}
    assert found == {"linter", "rules", "tests", "bench"}, found
