"""Content-hash cache of per-file extraction results under ``.hos-lint-cache/``.

Because extraction records what a file *says* and resolution happens later
(STYLE L.1), a cached result stays valid whatever changes elsewhere: editing a
Prisma schema changes how a TypeScript file's cached accesses *resolve*, not
the accesses themselves. The key is (tool version, path, service, extraction
config, content hash).

Safety: entries are pickles, so each is signed with an HMAC whose key lives in
the user's cache directory, outside the project. A cache directory committed
to a repository (or written by anyone without that key) is ignored, never
unpickled. Writes go to a temporary file and are renamed into place, so
concurrent runs never see half an entry. The directory is pruned to
``MAX_ENTRIES`` by age.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path

from linter import __version__
from linter.extract.base import ExtractConfig
from linter.model import ExtractResult, SourceFile

CACHE_DIR = ".hos-lint-cache"
MAX_ENTRIES = 50_000
_DIGEST = 32


def _secret() -> bytes:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hos-lint"
    key_file = base / "cache-key"
    try:
        return key_file.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd, tmp = tempfile.mkstemp(dir=base)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.replace(tmp, key_file)
        return key_file.read_bytes()
    except OSError:
        return b""  # no writable home: caching is disabled (see Cache.enabled)


class Cache:
    """Read and write signed extraction results for one project root."""

    def __init__(self, root: str, enabled: bool = True) -> None:
        self.dir = Path(root) / CACHE_DIR / f"v{__version__}"
        self.key = _secret() if enabled else b""
        self.enabled = enabled and bool(self.key)
        self.writes = 0

    @staticmethod
    def key_for(src: SourceFile, config: ExtractConfig, data: bytes) -> str:
        h = hashlib.sha256()
        for part in (__version__, src.path, src.service or "", src.language.value, repr(config)):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.dir / key[:2] / key

    def get(self, key: str) -> ExtractResult | None:
        if not self.enabled:
            return None
        try:
            blob = self._file(key).read_bytes()
        except OSError:
            return None
        digest, payload = blob[:_DIGEST], blob[_DIGEST:]
        if not hmac.compare_digest(digest, hmac.new(self.key, payload, hashlib.sha256).digest()):
            return None  # not written by this user's hos-lint: never unpickle it
        try:
            result = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a corrupt entry is a miss, nothing more
            return None
        return result if isinstance(result, ExtractResult) else None

    def put(self, key: str, result: ExtractResult) -> None:
        if not self.enabled:
            return
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        blob = hmac.new(self.key, payload, hashlib.sha256).digest() + payload
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, target)
            self.writes += 1
        except OSError:
            self.enabled = False  # read-only checkout: carry on without a cache

    def prune(self) -> None:
        """Keep the newest MAX_ENTRIES entries (only checked when this run wrote any)."""
        if not self.enabled or not self.writes:
            return
        _ensure_gitignore(self.dir.parent)
        entries = [p for p in self.dir.glob("*/*") if not p.name.startswith(".tmp-")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for p in entries[: len(entries) - MAX_ENTRIES]:
            p.unlink(missing_ok=True)


def _ensure_gitignore(cache_root: Path) -> None:
    marker = cache_root / ".gitignore"
    if not marker.exists():
        try:
            marker.write_text("# written by hos-lint: never commit the cache\n*\n", encoding="utf-8")
        except OSError:
            pass
