"""Run rule examples through the real pipeline on a tiny in-memory project.

The default example manifest (used when an example gives none)::

    services: auth, order, product, search — each owning ``<name>_service``
    (files under ``services/<name>/`` belong to that service)

Pure: files are extracted from strings, nothing touches the disk.
"""
from __future__ import annotations

from collections.abc import Mapping

from hos_lint.app import Project, config_for, extract_bytes, judge, resolve_all
from hos_lint.discovery import ServiceMatcher
from hos_lint.extract import extractor_for
from hos_lint.manifest import parse_manifest
from hos_lint.model import Finding, SourceFile
from hos_lint.rule import Invalid, Rule, Valid

DEFAULT_EXAMPLE_MANIFEST = """\
version: 1
services:
  auth: {schema: auth_service}
  order: {schema: order_service}
  product: {schema: product_service}
  search: {schema: search_service}
"""


def run_files(files: Mapping[str, str], manifest_text: str | None = None,
              rules: tuple[Rule, ...] | None = None) -> list[Finding]:
    """Findings of ``rules`` (default: every rule) over in-memory files."""
    from hos_lint.registry import load_catalog

    project = analyse_files(files, manifest_text)
    catalog = load_catalog()
    return list(judge(project, rules if rules is not None else catalog.rules, catalog)[0])


def analyse_files(files: Mapping[str, str], manifest_text: str | None = None) -> Project:
    """Stages 1–6 over in-memory files: extracted, then resolved."""
    manifest = parse_manifest(manifest_text or DEFAULT_EXAMPLE_MANIFEST, root="/example")
    matcher = ServiceMatcher.of(manifest.services)
    results = []
    for path in sorted(files):
        ext = extractor_for(path)
        if ext is None:
            continue
        service = matcher.service_of(path)
        src = SourceFile(path, service, ext.LANGUAGE)
        results.append(extract_bytes(src, files[path].encode("utf-8"), config_for(manifest, service)))
    context, accesses = resolve_all(manifest, results)
    return Project(manifest=manifest, results=tuple(results), context=context, accesses=accesses,
                   notices=(), scope=("",), files_only=False)


def describe(f: Finding, with_path: bool) -> str:
    where = f"{f.location.path}:" if with_path else ""
    rel = f" {f.relation}" if f.relation else ""
    return f"{f.code} {where}{f.location.line}:{f.location.col}{rel}"


def example_result(rule: Rule, example: Valid | Invalid) -> set[str]:
    """The rule's findings on an example, in the compact ``expect`` form.

    Every rule runs (as in a real run), so HOS902 sees what the others found.
    """
    findings = [f for f in run_files(example.files, example.manifest) if f.code == rule.code]
    with_path = not _single_target(example)
    return {describe(f, with_path) for f in findings}


def _single_target(example: Valid | Invalid) -> bool:
    if isinstance(example, Invalid):
        return all(len(e.split()[1].split(":")) == 2 for e in example.expect)
    return True
