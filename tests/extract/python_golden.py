"""Inputs and recorded results of the Python extractor, for
``test_python_golden.py``: every snippet the test suite hands the extractor,
the bundled fixture's Python files and the Python files of the generated
1,000-file tree (``bench/generate.py``), each with the ``repr`` of its
``ExtractResult`` as recorded before the extractor's walk and positions were
reworked for speed.

    .venv/bin/python tests/extract/python_golden.py --record   # rewrite the results

Record only from a revision whose results are known good.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from hos_lint.extract import python as py
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("data") / "python_golden.json"
GENERATED_FILES = 1000


def extract(path: str, service: str, text: str, config: ExtractConfig) -> str:
    return repr(py.extract(SourceFile(path, service, Language.PYTHON), text, config))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fixture_files() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "fixtures").rglob("*.py"))
    }


def generated_files() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return {rel: text for rel, text in sorted(generate.plan(GENERATED_FILES, 0).items()) if rel.endswith(".py")}


def config_of(case: dict) -> ExtractConfig:
    return ExtractConfig(
        prisma_clients=tuple(case["prisma_clients"]), postgres=case["postgres"], comments=case["comments"],
    )


def record(snippets: list[dict]) -> dict:
    """Results of today's extractor for ``snippets`` and the two file sets."""
    for case in snippets:
        case["result"] = extract(case["path"], case["service"], case["text"], config_of(case))
    files = {}
    for name, texts in (("fixture", fixture_files()), ("generated", generated_files())):
        for comments in (False, True):
            for rel, text in texts.items():
                files[f"{name} {comments} {rel}"] = {
                    "text_sha256": digest(text),
                    "result": extract(rel, "svc", text, ExtractConfig(comments=comments)),
                }
    return {"snippets": snippets, "files": files}


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    current = json.loads(GOLDEN.read_text(encoding="utf-8"))["snippets"] if GOLDEN.exists() else []
    GOLDEN.write_text(json.dumps(record(current), indent=1, sort_keys=True) + "\n", encoding="utf-8")
