"""Writing small project trees for tests: one helper instead of a copy per module."""
from __future__ import annotations

import textwrap
from pathlib import Path


def write_tree(root: Path, files: dict[str, str], *, dedent: bool = False) -> Path:
    """Write each ``{relative path: text}`` under ``root`` (UTF-8, folders made); returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
    return root
