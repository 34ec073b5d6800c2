"""Content-hash cache of per-file extraction results under ``.hos-lint-cache/``.

Because extraction records what a file *says* and resolution happens later
(STYLE L.1), a cached result stays valid whatever changes elsewhere: editing a
Prisma schema changes how a TypeScript file's cached accesses *resolve*, not
the accesses themselves. The key is (tool version, path, service, language,
extraction config, content hash); files the prefilter skipped are cached too.

Layout: one pack file per tool version, read once per run. It maps each key
to two pickles of that result: its project-wide facts (models, views,
grants, connections...) and its per-file details (accesses, problems,
suppressions). A 5-file pre-commit run unpickles the details of 5 files and
only the facts of the rest. The pack is signed with an HMAC whose key lives in the
user's cache directory, outside the project: a cache committed to a repository
(or written by anyone without that key) is ignored, never unpickled. It is
written to a temporary file and renamed into place, so concurrent runs never
read half a pack (the last writer wins). It keeps at most ``MAX_ENTRIES``
results, dropping those not used for the longest.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from dataclasses import replace
from pathlib import Path

from linter import __version__
from linter.extract.base import ExtractConfig
from linter.model import ExtractResult, SourceFile

CACHE_DIR = ".hos-lint-cache"
MAX_ENTRIES = 50_000
_DIGEST = 32


def _shape() -> str:
    """A digest of every record type's fields: records pickle as (class, field values),
    so a pack written before a field was added or moved must never be read back."""
    from linter import model

    parts = sorted(f"{name}:{','.join(cls.__slots__)}" for name, cls in vars(model).items()
                   if isinstance(cls, type) and issubclass(cls, model._Value) and cls is not model._Value)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def _secret() -> bytes:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hos-lint"
    key_file = base / "cache-key"
    try:
        return key_file.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=base)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        os.replace(tmp, key_file)
        return key_file.read_bytes()
    except OSError:
        return b""  # no writable home: caching is disabled (see Cache.enabled)


class Cache:
    """Read and write signed extraction results for one project root."""

    def __init__(self, root: str, enabled: bool = True) -> None:
        self.dir = Path(root) / CACHE_DIR
        self.pack = self.dir / f"extract-v{__version__}-{_shape()}.pack"
        self.key = _secret() if enabled else b""
        self.enabled = enabled and bool(self.key)
        self._old: dict[str, tuple[bytes, bytes]] | None = None
        self._used: dict[str, tuple[bytes, bytes]] = {}
        self._changed = False

    @staticmethod
    def key_for(src: SourceFile, config: ExtractConfig, data: bytes) -> str:
        h = hashlib.sha256()
        for part in (__version__, src.path, src.service or "", src.language.value, repr(config)):
            h.update(part.encode("utf-8", "surrogatepass"))  # a file name need not be UTF-8
            h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def _entries(self) -> dict[str, tuple[bytes, bytes]]:
        if self._old is None:
            self._old = self._load() if self.enabled else {}
        return self._old

    def _load(self) -> dict[str, tuple[bytes, bytes]]:
        try:
            blob = self.pack.read_bytes()
        except OSError:
            return {}
        digest, payload = blob[:_DIGEST], blob[_DIGEST:]
        if not hmac.compare_digest(digest, hmac.new(self.key, payload, hashlib.sha256).digest()):
            return {}  # not written by this user's hos-lint: never unpickle it
        try:
            entries = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a corrupt pack is an empty cache, nothing more
            return {}
        return entries if isinstance(entries, dict) else {}

    def get(self, key: str, details: bool = True) -> ExtractResult | None:
        """The cached result; without ``details`` its accesses, problems and suppressions are empty."""
        raw = self._entries().get(key)
        if raw is None:
            return None
        try:
            result = pickle.loads(raw[0])
            if details:
                accesses, problems, suppressions = pickle.loads(raw[1])
                result = replace(result, accesses=accesses, problems=problems, suppressions=suppressions)
        except Exception:  # noqa: BLE001 - a corrupt entry is a miss
            return None
        if not isinstance(result, ExtractResult):
            return None
        self._used[key] = raw
        return result

    def put(self, key: str, result: ExtractResult) -> None:
        if self.enabled:
            facts = replace(result, accesses=(), problems=(), suppressions=())
            detail = (result.accesses, result.problems, result.suppressions)
            self._used[key] = (pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL),
                               pickle.dumps(detail, protocol=pickle.HIGHEST_PROTOCOL))
            self._changed = True

    def save(self) -> None:
        """Write the pack when this run added anything: this run's entries last, the oldest dropped."""
        if not self.enabled or not self._changed:
            return
        merged = {k: v for k, v in self._entries().items() if k not in self._used}
        merged.update(self._used)
        if len(merged) > MAX_ENTRIES:
            merged = dict(list(merged.items())[-MAX_ENTRIES:])
        payload = pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL)
        blob = hmac.new(self.key, payload, hashlib.sha256).digest() + payload
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.dir)
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, self.pack)
        except OSError:
            self.enabled = False  # read-only checkout: carry on without a cache


def _ensure_gitignore(cache_root: Path) -> None:
    marker = cache_root / ".gitignore"
    if not marker.exists():
        marker.write_text("# written by hos-lint: never commit the cache\n*\n", encoding="utf-8")
