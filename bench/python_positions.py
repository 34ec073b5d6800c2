"""Time the Python extractor's node positions: libcst's public providers
against ``linter.extract.python.positions.node_offsets``.

    .venv/bin/python bench/python_positions.py [--files 5000] [--runs 3]

CPU time (best of ``--runs``) over the Python files of
``fixtures/hos-marketplace`` and of a monorepo ``bench/generate.py`` writes
with ``--files`` files: positions of every node of already parsed modules,
then whole extractions with positions per statement (as shipped) and with
either way to the whole module's positions. The numbers go in the
docstring of ``linter/extract/python/positions.py``.
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper, PositionProvider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from hos_lint.extract import python as py  # noqa: E402
from hos_lint.extract.base import ExtractConfig  # noqa: E402
from hos_lint.extract.python import positions  # noqa: E402
from hos_lint.model import Language, SourceFile  # noqa: E402


def cpu_ms(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best * 1000


def position_rows(texts: Sequence[str], runs: int) -> list[tuple[str, float]]:
    start = time.process_time()
    modules = [cst.parse_module(text) for text in texts]
    parse = (time.process_time() - start) * 1000
    pairs = list(zip(modules, texts))

    def public(provider: type[PositionProvider | ByteSpanPositionProvider]) -> Callable[[], object]:
        return lambda: [MetadataWrapper(m, unsafe_skip_copy=True).resolve(provider) for m, _ in pairs]

    return [
        ("parse_module (one run, reference)", parse),
        ("module.code (code generation alone)", cpu_ms(lambda: [m.code for m, _ in pairs], runs)),
        ("PositionProvider", cpu_ms(public(PositionProvider), runs)),
        ("ByteSpanPositionProvider", cpu_ms(public(ByteSpanPositionProvider), runs)),
        ("node_offsets", cpu_ms(lambda: [positions.node_offsets(m, t) for m, t in pairs], runs)),
    ]


def extract_rows(texts: Sequence[str], runs: int) -> list[tuple[str, float]]:
    src = SourceFile("a.py", "bench", Language.PYTHON)
    workaround, in_pieces = positions.node_offsets, positions._regenerated_in_pieces  # noqa: SLF001

    def extract_all() -> None:
        for text in texts:
            py.extract(src, text, ExtractConfig())

    rows = [("extract, per statement (as shipped)", cpu_ms(extract_all, runs))]
    positions._regenerated_in_pieces = lambda text: False  # noqa: SLF001 - always the whole module
    try:
        rows.append(("extract, whole module, node_offsets", cpu_ms(extract_all, runs)))
        positions.node_offsets = positions._provider_offsets  # noqa: SLF001 - the public provider's answer
        rows.append(("extract, whole module, PositionProvider", cpu_ms(extract_all, runs)))
    finally:
        positions.node_offsets, positions._regenerated_in_pieces = workaround, in_pieces
    return rows


def report(name: str, texts: Sequence[str], runs: int) -> None:
    print(f"{name}: {len(texts)} files, {sum(map(len, texts)) / 1000:.0f} kB")
    for label, ms in position_rows(texts, runs) + extract_rows(texts, runs):
        print(f"  {label:42s} {ms:9.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    fixture = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures/hos-marketplace").rglob("*.py"))]
    report("fixtures/hos-marketplace", fixture, args.runs * 5)
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.files)
        generated = [p.read_text(encoding="utf-8") for p in sorted(Path(tmp).rglob("*.py"))]
    report(f"generated ({args.files} files)", generated, args.runs)


if __name__ == "__main__":
    main()
