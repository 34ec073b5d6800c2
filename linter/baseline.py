"""Stable finding fingerprints and the baseline file (SPEC §5).

A fingerprint hashes rule, service, path, relation, operation and the
normalised statement text — never line numbers — so edits above a finding do
not change it. The baseline file holds one entry per line of JSON, sorted, so
merges are easy; matching is a multiset match on fingerprints (the same
statement twice in a file is two entries).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from linter.model import Finding

BASELINE_NAME = "hos-lint-baseline.json"
VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read (exit code 2)."""


def fingerprint(finding: Finding) -> str:
    statement = finding.anchor.text if finding.anchor else finding.message
    parts = (finding.code, finding.service or "", finding.location.path, finding.relation or "",
             finding.operation or "", statement)
    # surrogatepass: a path that is not UTF-8 (os.fsdecode) still hashes, to the same
    # digest as before for every other text
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    fingerprint: str
    code: str
    path: str
    service: str | None = None
    relation: str | None = None
    message: str = ""

    def sort_key(self) -> tuple:
        return (self.path, self.code, self.relation or "", self.fingerprint)


@dataclass(frozen=True, slots=True)
class Matched:
    new: tuple[Finding, ...]
    baselined: tuple[Finding, ...]
    stale: tuple[Entry, ...]


def entry_of(f: Finding) -> Entry:
    return Entry(fingerprint=fingerprint(f), code=f.code, path=f.location.path, service=f.service,
                 relation=f.relation, message=f.message)


def render(findings: Iterable[Finding]) -> str:
    """The baseline file text: sorted, one entry per line. A path that is not UTF-8
    is written backslash-escaped (entries match by fingerprint, not by path)."""
    from linter.output.filenames import json_safe  # here: linter.output imports this module

    entries = sorted((entry_of(f) for f in findings), key=Entry.sort_key)
    lines = [json.dumps(json_safe({"fingerprint": e.fingerprint, "code": e.code, "path": e.path,
                                   "service": e.service, "relation": e.relation, "message": e.message}),
                        ensure_ascii=False) for e in entries]
    body = ",\n".join(lines)
    return f'{{"version": {VERSION}, "entries": [\n{body}\n]}}\n' if lines else \
        f'{{"version": {VERSION}, "entries": []}}\n'


def parse(text: str, name: str = BASELINE_NAME) -> tuple[Entry, ...]:
    try:
        doc = json.loads(text)
        if doc.get("version") != VERSION:
            raise BaselineError(f"{name}: unsupported baseline version {doc.get('version')!r}")
        return tuple(Entry(fingerprint=e["fingerprint"], code=e["code"], path=e["path"], service=e.get("service"),
                           relation=e.get("relation"), message=e.get("message", "")) for e in doc["entries"])
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise BaselineError(f"{name}: not a hos-lint baseline ({type(err).__name__}: {err}); "
                            "regenerate it with `hos-lint baseline`") from None


def match(findings: Iterable[Finding], entries: Iterable[Entry], *, in_scope, ran_codes: set[str]) -> Matched:
    """Split findings into new and baselined; entries left over and in scope are stale.

    ``in_scope(path)`` says whether this run looked at a path: a pre-commit run
    on five files must not call the other files' entries stale, nor may a
    ``--select`` run judge entries of rules it did not run.
    """
    budget = Counter(e.fingerprint for e in entries)
    new, old = [], []
    for f in findings:
        fp = fingerprint(f)
        if budget[fp] > 0:
            budget[fp] -= 1
            old.append(f)
        else:
            new.append(f)
    stale = []
    for e in sorted(entries, key=Entry.sort_key):
        if budget[e.fingerprint] > 0 and in_scope(e.path) and e.code in ran_codes:
            budget[e.fingerprint] -= 1
            stale.append(e)
    return Matched(tuple(new), tuple(old), tuple(stale))
