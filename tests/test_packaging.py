"""The wheel installs one distinctive import package, ``hos_lint``: the repository's
``linter/`` and ``rules/`` folders never land in site-packages as top-level
``linter`` or ``rules`` (a popular PyPI package is called ``rules``)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> tuple[list[str], dict[str, str]]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return setuptools["packages"], setuptools["package-dir"]


def test_every_package_folder_is_declared_and_nothing_else():
    packages, package_dir = _declared()
    found = set()
    for folder, name in (("linter", "hos_lint"), ("rules", "hos_lint.rules")):
        assert package_dir[name] == folder
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *rel)))
    assert sorted(packages) == sorted(found)


def test_importing_the_folders_by_their_repository_names_fails_loudly(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    for name in ("linter", "rules"):
        sys.modules.pop(name, None)
        with pytest.raises(ImportError, match="hos_lint"):
            __import__(name)
        sys.modules.pop(name, None)


@pytest.mark.slow
def test_the_wheel_holds_only_hos_lint_at_the_top(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("hos_lint-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        tops = {name.split("/")[0] for name in zf.namelist() if not name.split("/")[0].endswith(".dist-info")}
        names = zf.namelist()
    assert tops == {"hos_lint"}
    assert "hos_lint/rules/hos101_cross_service_write.py" in names
    assert "hos_lint/extract/typescript/walker.py" in names
    assert "hos_lint/hos-lint.schema.json" in names  # `hos-lint schema` reads it from the package
    assert f"hos_lint-{_version()}.dist-info/licenses/LICENSE" in names
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"hos_lint-{_version()}.dist-info/METADATA").decode("utf-8").split("\n\n")[0]
    fields = [tuple(line.split(": ", 1)) for line in metadata.splitlines() if ": " in line]
    assert ("License-Expression", "MIT") in fields and ("License-File", "LICENSE") in fields
    assert ("Project-URL", "Homepage, https://pypi.org/project/hos-lint/") in fields
    classifiers = [v for k, v in fields if k == "Classifier"]
    assert "Topic :: Database" in classifiers and not [c for c in classifiers if c.startswith("License ::")]
    assert "postgresql" in dict(fields)["Keywords"].split(",")


def _version() -> str:
    import hos_lint

    return hos_lint.__version__


def test_license_is_the_mit_text_the_metadata_names():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "WITHOUT WARRANTY OF ANY KIND" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert (project["license"], project["license-files"]) == ("MIT", ["LICENSE"])
