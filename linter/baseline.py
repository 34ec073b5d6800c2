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
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from hos_lint.filenames import json_safe
from hos_lint.model import Finding

BASELINE_NAME = "hos-lint-baseline.json"
VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read (exit code 2)."""


def fingerprint(finding: Finding) -> str:
    # the joined text, as when message and hint were one field: existing baselines still match
    statement = finding.anchor.text if finding.anchor else finding.full_message
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

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.path, self.code, self.relation or "", self.fingerprint)


@dataclass(frozen=True, slots=True)
class Matched:
    new: tuple[Finding, ...]
    baselined: tuple[Finding, ...]
    stale: tuple[Entry, ...]


def entry_of(f: Finding) -> Entry:
    return Entry(fingerprint=fingerprint(f), code=f.code, path=f.location.path, service=f.service,
                 relation=f.relation, message=f.full_message)


def render(findings: Iterable[Finding]) -> str:
    """The baseline file text: sorted, one entry per line. A path that is not UTF-8
    is written backslash-escaped (entries match by fingerprint, not by path)."""
    entries = sorted((entry_of(f) for f in findings), key=Entry.sort_key)
    lines = [json.dumps(json_safe({"fingerprint": e.fingerprint, "code": e.code, "path": e.path,
                                   "service": e.service, "relation": e.relation, "message": e.message}),
                        ensure_ascii=False) for e in entries]
    body = ",\n".join(lines)
    return f'{{"version": {VERSION}, "entries": [\n{body}\n]}}\n' if lines else \
        f'{{"version": {VERSION}, "entries": []}}\n'


def parse(text: str | bytes, name: str = BASELINE_NAME) -> tuple[Entry, ...]:
    """The entries of a baseline file; BaselineError (one line naming the file) for
    anything that is not exactly what ``render`` writes: a committed file is hostile."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError as err:
        raise BaselineError(f"{name}: not valid UTF-8 (byte {err.start}); regenerate it with `hos-lint baseline`") \
            from None
    except RecursionError:
        raise BaselineError(f"{name}: not a hos-lint baseline (nested too deeply); "
                            "regenerate it with `hos-lint baseline`") from None
    except ValueError as err:
        raise BaselineError(f"{name}: not a hos-lint baseline ({type(err).__name__}: {err}); "
                            "regenerate it with `hos-lint baseline`") from None
    if not isinstance(doc, dict):
        raise _shape(name, "expected an object with version and entries")
    if doc.get("version") != VERSION:
        version = doc.get("version")
        shown = repr(version) if isinstance(version, (int, str)) and len(repr(version)) <= 20 else _short(version)
        raise BaselineError(f"{name}: unsupported baseline version {shown}")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise _shape(name, "entries: expected a list")
    return tuple(_entry(e, i, name) for i, e in enumerate(entries))


_REQUIRED = ("fingerprint", "code", "path")
_OPTIONAL = ("service", "relation")


def _entry(raw: object, index: int, name: str) -> Entry:
    if not isinstance(raw, dict):
        raise _shape(name, f"entries[{index}]: expected an object")
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str):
            raise _shape(name, f"entries[{index}].{key}: expected a string, got {_short(raw.get(key))}")
    for key in _OPTIONAL:
        if not isinstance(raw.get(key), (str, type(None))):
            raise _shape(name, f"entries[{index}].{key}: expected a string or null, got {_short(raw.get(key))}")
    message = raw.get("message", "")
    if not isinstance(message, str):
        raise _shape(name, f"entries[{index}].message: expected a string, got {_short(message)}")
    return Entry(fingerprint=raw["fingerprint"], code=raw["code"], path=raw["path"], service=raw.get("service"),
                 relation=raw.get("relation"), message=message)


def _shape(name: str, detail: str) -> BaselineError:
    return BaselineError(f"{name}: not a hos-lint baseline ({detail}); regenerate it with `hos-lint baseline`")


def _short(value: object) -> str:
    """A JSON value's type, never its (attacker-chosen, possibly huge) text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def match(findings: Iterable[Finding], entries: Iterable[Entry], *,
          in_scope: Callable[[str], bool], ran_codes: AbstractSet[str]) -> Matched:
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
