"""The statement memo: what sqlglot made of a statement, kept so that the same
statement met again needs neither sqlglot nor its import.

Most of one statement's analysis depends on its text alone (plus the bind
markers the host substituted): parsing, the shape verdict, the classification
of its relation references. Only the last step, ``records.record``, maps the
statement-relative offsets to host positions and builds the model records.
``statement.settle`` computes that first part as a ``Settled``: the HOS901
reasons found at the statement's start, in order, then the facts (hits and
definitions, relative offsets), or none when the statement could not be read.
``replay`` turns a ``Settled`` into records exactly as the analysis does, so a
memoised statement gives the same records, byte for byte, as one analysed
afresh.

Not memoised (they are analysed every time, which imports sqlglot): the forms
read by the token readers (``SET``/``RESET``, ``LOCK``, ``REFRESH``, ``GRANT``,
``REVOKE``, and the ``Command`` fallbacks such as ``ALTER … OWNER TO``), whose
readers write grants and the search path straight into the call's state; and
any statement whose analysis ran out of stack (``RecursionError``) or memory,
since that outcome depends on where it was called from, not on its text.

The memo is a transparent cache: ``StatementMemo`` holds encoded outcomes
keyed by ``statement_key`` (a digest of the text and the sorted placeholders)
and knows nothing of files. The app layer makes one per run, loads it from
(and saves it to) the cache folder, and hands it to this package with
``using``; with none, every statement is analysed as before. Values are
compact pickles of plain tuples, decoded only when used and checked field by
field: an entry of any other shape is a miss, never an exception.

A saved memo holds at most ``MAX_ENTRIES`` (50,000) statements: those the run
used or added, then the newest of the others. A generated 20,000-file tree has
about 48,000 distinct statements; loading 50,000 entries (a 5 MB signed file,
~9 ms) costs a tenth of the sqlglot import a hit avoids.
"""
from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hos_lint.extract.sql.facts import Ctx, Definition, Hit, Name, Sink, StmtFacts
from hos_lint.extract.sql.lexer import Statement
from hos_lint.extract.sql.records import record, unparsed
from hos_lint.model import AccessKind, RelationKind

MAX_ENTRIES = 50_000  # kept on save: this run's entries and those it used last, then the newest others


@dataclass(frozen=True, slots=True)
class Settled:
    """What one statement's text settles, before positions: the HOS901 reasons
    at its start (in order), then its facts (None: nothing more was read).
    ``memoisable`` is False when the outcome depends on more than the text."""

    reasons: tuple[str, ...]
    facts: StmtFacts | None
    memoisable: bool = True


def replay(stmt: Statement, settled: Settled, ctx: Ctx, sink: Sink) -> None:
    """The records of a settled statement, into ``sink``: what the analysis writes."""
    for why in settled.reasons:
        unparsed(ctx, sink, stmt, why)
    if settled.facts is not None:
        record(stmt, settled.facts, ctx, sink)


def statement_key(text: str, placeholders: frozenset[str]) -> bytes:
    """The memo key of a statement: its text and the bind markers the host put in it."""
    h = hashlib.blake2b(digest_size=16)
    h.update(text.encode("utf-8", "surrogatepass"))
    for marker in sorted(placeholders):
        h.update(b"\0")
        h.update(marker.encode("utf-8", "surrogatepass"))
    return h.digest()


class StatementMemo:
    """Encoded ``Settled`` outcomes by ``statement_key``. ``load`` gives the stored
    entries; it is called on the first lookup only (a run that meets no SQL never
    reads them). ``added`` holds what this process settled since it was last taken."""

    def __init__(self, load: Callable[[], dict[bytes, bytes]] | None = None) -> None:
        self._load = load
        self._stored: dict[bytes, bytes] | None = None if load is not None else {}
        self.used: dict[bytes, bytes] = {}  # looked up (or added, then taken) by this run
        self.added: dict[bytes, bytes] = {}

    def stored(self) -> dict[bytes, bytes]:
        """The stored entries, loaded on first need."""
        if self._stored is None:
            loaded = self._load() if self._load is not None else {}
            self._stored = loaded if isinstance(loaded, dict) else {}
        return self._stored

    def get(self, key: bytes) -> Settled | None:
        raw = self.added.get(key) or self.used.get(key) or self.stored().get(key)
        if raw is None:
            return None
        settled = decode(raw)
        if settled is not None:
            self.used[key] = raw
        return settled

    def put(self, key: bytes, settled: Settled) -> None:
        if settled.memoisable:
            self.added[key] = encode(settled)

    def take_added(self) -> dict[bytes, bytes]:
        """What was added since the last call (a pool worker sends it back to the run);
        it stays known here."""
        taken, self.added = self.added, {}
        self.used.update(taken)
        return taken

    def merge(self, added: dict[bytes, bytes]) -> None:
        """Entries another process added (a pool worker's ``take_added``)."""
        self.added.update(added)

    def to_save(self) -> dict[bytes, bytes] | None:
        """The entries to store when this run added any (None: nothing to write): the
        stored ones first, then those this run used or added, at most ``MAX_ENTRIES``."""
        if not self.added:
            return None
        newest = {**self.used, **self.added}
        merged = {k: v for k, v in self.stored().items() if k not in newest}
        merged.update(newest)
        if len(merged) > MAX_ENTRIES:
            merged = dict(list(merged.items())[-MAX_ENTRIES:])
        return merged


# --- the slot the app layer fills for a run ---------------------------------------

_active: StatementMemo | None = None


def active() -> StatementMemo | None:
    """The memo handed in for the extraction under way, if any."""
    return _active


@contextmanager
def using(memo: StatementMemo | None) -> Iterator[None]:
    """Extract with ``memo`` (None: without one) inside the block. A pool forked
    inside it inherits the memo, loaded or not."""
    global _active  # noqa: PLW0603 - the one slot, set by the app layer around extraction
    previous, _active = _active, memo
    try:
        yield
    finally:
        _active = previous


# --- encoding: plain tuples, checked field by field on the way back ---------------

NameT = tuple[str, "str | None", bool, int, "int | None"]


def encode(settled: Settled) -> bytes:
    facts = settled.facts
    body = None if facts is None else (
        tuple((_name(h.name), h.kind.value, h.operation, None if h.referrer is None else _name(h.referrer))
              for h in facts.hits),
        tuple((_name(d.name), d.kind.value, d.what) for d in facts.defs),
    )
    return pickle.dumps((settled.reasons, body), protocol=pickle.HIGHEST_PROTOCOL)


def _name(name: Name) -> NameT:
    return (name.name, name.schema, name.quoted, name.offset, name.dynamic)


def decode(raw: object) -> Settled | None:
    """The ``Settled`` an entry holds, or None when it is not one ``encode`` wrote."""
    try:
        value: Any = pickle.loads(raw) if isinstance(raw, bytes) else None
        reasons, body = value
        if not (isinstance(reasons, tuple) and all(type(r) is str for r in reasons)):
            return None
        if body is None:
            return Settled(reasons, None)
        hits, defs = body
        facts = StmtFacts()
        facts.hits = [_hit(h) for h in hits]
        facts.defs = [Definition(_unname(n), RelationKind(k), _str(w)) for n, k, w in defs]
        return Settled(reasons, facts)
    except Exception:  # noqa: BLE001 - any other shape is a miss: the statement is analysed again
        return None


def _hit(value: Any) -> Hit:
    name, kind, operation, referrer = value
    return Hit(_unname(name), AccessKind(kind), _str(operation), None if referrer is None else _unname(referrer))


def _unname(value: Any) -> Name:
    name, schema, quoted, offset, dynamic = value  # checked below: anything else is a miss
    if not (type(name) is str and (schema is None or type(schema) is str) and type(quoted) is bool
            and type(offset) is int and (dynamic is None or type(dynamic) is int)):
        raise ValueError("not a name")
    return Name(name, schema, quoted, offset, dynamic)


def _str(value: object) -> str:
    if type(value) is not str:
        raise ValueError("not a string")
    return value
