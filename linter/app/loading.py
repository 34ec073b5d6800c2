"""Stage 1: find and load the manifest (or start zero-config), and check the rule
names it and the command line give."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hos_lint import baseline
from hos_lint.app.options import Options, UsageError
from hos_lint.manifest import (
    DEFAULT_EXCLUDE,
    Manifest,
    ManifestError,
    default_root,
    find_manifest,
    load_manifest,
    repository_wall,
)
from hos_lint.registry import load_catalog
from hos_lint.rule import Catalog


def load_project_manifest(options: Options) -> Manifest:
    """Stage 1: ``--config``, else the nearest manifest walking up from the first PATH
    (or the cwd) to the repository root, else zero-config at that root.

    Nothing above the repository root is ever read. Outside a repository the
    search stops at the cwd (for a PATH inside it) or at the PATH, and the
    zero-config root is the PATH (or the cwd). ``--config`` names the manifest,
    never the root (unless the manifest says ``root:``).
    """
    start = Path(options.paths[0]) if options.paths else Path.cwd()
    wall = repository_wall(start)
    if options.config:
        path = Path(options.config)
        if not path.is_file():
            raise UsageError(f"--config {options.config}: no such file")
        return load_manifest(path, wall=wall, default_root=default_root(start))
    found = find_manifest(start, stop=wall)
    if found is not None:
        return load_manifest(found, wall=wall)
    return zero_config_manifest(default_root(start))


def zero_config_manifest(root: Path) -> Manifest:
    """No manifest: the project root is ``root`` (the repository root); services are
    inferred from its layout once it has been walked (SPEC §2, zero-config)."""
    return Manifest(root=str(root), path=None, services=(), exclude=DEFAULT_EXCLUDE, inferred=True)


def check_rule_names(manifest: Manifest, options: Options, catalog: Catalog | None = None) -> Manifest:
    """Every rule named by ``--select``/``--ignore`` or the manifest's ``rules:`` exists (else a
    usage or manifest error with a did-you-mean, never a gate silently switched off); the
    manifest's severity overrides are keyed by code afterwards, whichever way they named a rule."""
    if not (options.select or options.ignore or manifest.rules.entries):
        return manifest
    catalog = catalog or load_catalog()
    for flag, selectors in (("--select", options.select), ("--ignore", options.ignore)):
        for selector in selectors:
            problem = catalog.unknown(selector)
            if problem:
                raise UsageError(f"{flag} {selector}: {problem}")
    errors = [e.error(problem) for e in manifest.rules.entries
              if (problem := catalog.unknown(e.value, prefixes=not e.key.startswith("rules.severity.")))]
    if errors:
        raise ManifestError(errors)
    severity = tuple((catalog.get(code).code, level) for code, level in manifest.rules.severity)  # type: ignore[union-attr]
    return replace(manifest, rules=replace(manifest.rules, severity=severity))


def baseline_path(options: Options, manifest: Manifest) -> Path:
    """``--baseline``, else hos-lint-baseline.json at the project root."""
    return Path(options.baseline) if options.baseline else Path(manifest.root) / baseline.BASELINE_NAME
