"""SARIF 2.1.0 for code scanning (SPEC §6): rule metadata from the catalog,
one result per finding with a line-independent partial fingerprint.

A result's ``message`` is the finding's facts (who, what, whose); its way out
is the result property ``hint``, and the rule's ``help`` is its full
documentation. SARIF's own remediation slot, ``fixes``, must carry artifact
changes (edits), which a hint is not.

The document is deterministic: no timestamps, no absolute paths. Artifact
URIs are relative to the repository root and point at the ``%SRCROOT%`` base,
which is described but given no absolute ``uri`` (the schema allows that, and
an absolute ``file://`` root would make the output depend on the machine); code
scanning resolves ``%SRCROOT%`` to the checkout, so results land on the files
whatever folder holds the manifest.
"""
from __future__ import annotations

from typing import Any

import hos_lint
from hos_lint.analysis import RunResult
from hos_lint.baseline import Entry, fingerprint
from hos_lint.filenames import json_safe, uri
from hos_lint.model import FileNotice, Finding, Severity
from hos_lint.output.json_format import dumps_indented
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_repo
from hos_lint.rule import Catalog, Rule
from hos_lint.safe import json_escaped

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/hos-lint/"
SRCROOT = "%SRCROOT%"
SRCROOT_DESCRIPTION = "The repository root."
FINGERPRINT_KEY = "hosLint/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

# Rule families by the first digit of the code; the tag lets code scanning filter them.
_FAMILIES = {"1": "cross-service-access", "2": "ownership-configuration", "3": "grants", "9": "analysis"}


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    """The SARIF log as indented JSON text with a trailing newline."""
    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [_run(result, catalog)],
    }
    return json_escaped(dumps_indented(json_safe(doc), ensure_ascii=False)) + "\n"


def _run(result: RunResult, catalog: Catalog) -> dict[str, Any]:
    index = {rule.code: i for i, rule in enumerate(catalog.rules)}
    return {
        "tool": {"driver": _driver(catalog)},
        "invocations": [_invocation(result)],
        "originalUriBaseIds": {SRCROOT: {"description": {"text": SRCROOT_DESCRIPTION}}},
        # Our columns count characters, not the SARIF default of UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index, from_repo(result, f.location.path)) for f in result.findings],
        "properties": _run_properties(result),
    }


def _driver(catalog: Catalog) -> dict[str, Any]:
    return {
        "name": "hos-lint",
        "informationUri": INFORMATION_URI,
        "version": hos_lint.__version__,
        "rules": [rule_descriptor(rule) for rule in catalog.rules],
    }


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """``reportingDescriptor`` for one rule: summary, "What it does", the full doc as help."""
    doc = rule.doc.strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.sections().get("What it does", rule.summary)},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["data-ownership", _FAMILIES.get(rule.code[3:4], "other")]},
    }


def _result(f: Finding, index: dict[str, int], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": f.code}
    if f.code in index:
        out["ruleIndex"] = index[f.code]
    out["level"] = LEVELS[f.severity]
    out["message"] = {"text": f.message}
    out["locations"] = [{"physicalLocation": {
        "artifactLocation": artifact(path),
        "region": {"startLine": f.location.line, "startColumn": f.location.col},
    }}]
    out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(f)}
    out["properties"] = _finding_properties(f)
    return out


def artifact(path: str) -> dict[str, str]:
    """A repository-relative POSIX path as a percent-encoded URI reference under ``%SRCROOT%``
    (the bytes of a name that is not UTF-8 are percent-encoded as they are)."""
    return {"uri": uri(path), "uriBaseId": SRCROOT}


def _finding_properties(f: Finding) -> dict[str, str]:
    """The facts of the finding and its way out (``hint``); absent ones are left out rather than null."""
    facts = {"service": f.service, "relation": f.relation, "owner": f.owner,
             "access": f.access.value if f.access else None, "operation": f.operation, "hint": f.hint or None}
    return {k: v for k, v in facts.items() if v is not None}


def _invocation(result: RunResult) -> dict[str, Any]:
    notes = [_notice(n, from_repo(result, n.path)) for n in result.notices]
    notes += [_stale(e, from_repo(result, e.path)) for e in result.stale]
    out: dict[str, Any] = {"executionSuccessful": True}
    if notes:
        out["toolExecutionNotifications"] = notes
    return out


def _notice(n: FileNotice, path: str) -> dict[str, Any]:
    """A file that was not analysed: a warning, so it is never mistaken for clean."""
    return {
        "level": "warning",
        "message": {"text": f"{path}: not analysed: {n.reason}"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact(path)}}],
    }


def _stale(e: Entry, path: str) -> dict[str, Any]:
    """A baseline entry that matched no finding: a note (it does not fail the run)."""
    what = f"{e.code} {e.relation}" if e.relation else e.code
    return {
        "level": "note",
        "message": {"text": f"{path}: stale baseline entry {what} no longer occurs; "
                            "run `hos-lint baseline` to drop it"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact(path)}}],
    }


def _run_properties(result: RunResult) -> dict[str, Any]:
    return {
        "filesScanned": result.files_scanned,
        "services": list(result.services),
        "suppressed": result.suppressed,
        "baselined": result.baselined,
        "failOn": result.fail_on,
        "failed": result.failed,
    }
