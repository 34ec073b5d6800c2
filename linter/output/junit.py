"""JUnit XML for CI test reports: one test case per finding.

Errors and warnings are ``<failure>``s, info findings are ``<skipped>`` (visible
but not red). With no findings there is one passing case, so a CI system shows
that the check ran. Files that were not analysed go to the suite's
``<system-err>``, one line each. Attribute order is fixed by insertion order,
and characters XML 1.0 cannot hold are replaced, so the report always parses.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hos_lint.analysis import RunResult
from hos_lint.filenames import escape
from hos_lint.model import Finding, Severity
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_repo
from hos_lint.rule import Catalog

SUITE = "hos-lint"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters outside the XML 1.0 Char production (controls other than TAB/LF/CR, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    """The report: ``<testsuites>`` holding the one ``hos-lint`` ``<testsuite>``."""
    cases = [testcase(f, from_repo(result, f.location.path)) for f in result.findings] or [_passing()]
    counts = _counts(result.findings, len(cases))
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    suite.extend(cases)
    if result.notices:
        err = ET.SubElement(suite, "system-err")
        err.text = _clean("".join(f"{from_repo(result, n.path)}: not analysed: {n.reason}\n" for n in result.notices))
    ET.indent(root)
    return DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def testcase(f: Finding, path: str | None = None) -> ET.Element:
    """``<testcase classname=PATH name="CODE PATH:LINE:COL">`` with a failure or skip;
    ``path`` is the file as the repository names it (default: the finding's)."""
    path = f.location.path if path is None else path
    loc = f"{path}:{f.location.line}:{f.location.col}"
    case = ET.Element("testcase", {"classname": _clean(path), "name": _clean(f"{f.code} {loc}")})
    if f.severity is Severity.INFO:
        ET.SubElement(case, "skipped", {"message": _clean(f.full_message)})
    else:
        failure = ET.SubElement(case, "failure", {"type": f.code, "message": _clean(f.full_message)})
        failure.text = _clean(f"{loc}: {f.code} {f.full_message}")
    return case


def _passing() -> ET.Element:
    return ET.Element("testcase", {"classname": SUITE, "name": SUITE})


def _counts(findings: tuple[Finding, ...], tests: int) -> dict[str, str]:
    skipped = sum(1 for f in findings if f.severity is Severity.INFO)
    return {"tests": str(tests), "failures": str(len(findings) - skipped), "errors": "0", "skipped": str(skipped)}


def _clean(text: str) -> str:
    """Undecodable bytes of file names backslash-escaped; then what XML 1.0
    cannot represent replaced with U+FFFD."""
    return _NOT_XML.sub("\ufffd", escape(text))
