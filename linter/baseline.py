"""Stable finding fingerprints (and, later, the baseline file).

A fingerprint hashes rule, service, path, relation, operation and the
normalised statement text — never line numbers, so edits above a finding do
not change it.
"""
from __future__ import annotations

import hashlib

from linter.model import Finding


def fingerprint(finding: Finding) -> str:
    statement = finding.anchor.text if finding.anchor else finding.message
    parts = (finding.code, finding.service or "", finding.location.path, finding.relation or "",
             finding.operation or "", statement)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
