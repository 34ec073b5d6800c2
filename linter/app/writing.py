"""``hos-lint init``: the manifest a project's layout suggests, written for review."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hos_lint import infer, outfile
from hos_lint.app.loading import zero_config_manifest
from hos_lint.app.options import Options, UsageError
from hos_lint.app.project import analyse_manifest
from hos_lint.filenames import escape
from hos_lint.manifest import MANIFEST_NAMES, Manifest, default_root, find_manifest, repository_wall


def write_init(options: Options, folder: str | None, force: bool) -> tuple[Path, Manifest]:
    """Infer the manifest from the layout of the project root holding ``folder`` (default:
    the cwd) and write it there as hos-lint.yaml.

    The project root is found as for ``check``: the folder of an existing manifest
    (overwritten only with ``force``), else the repository root.
    """
    start = Path(folder) if folder else Path.cwd()
    if folder and not start.is_dir():
        raise UsageError(f"{folder}: no such folder")
    found = find_manifest(start, stop=repository_wall(start))
    target = found if found is not None else default_root(start) / MANIFEST_NAMES[0]
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    project = analyse_manifest(zero_config_manifest(target.parent), replace(options, paths=()))
    # a folder name need not be UTF-8: the draft's comments show it escaped
    outfile.write_text(target, escape(infer.render_manifest(project.manifest)), what="manifest")
    return target, project.manifest
