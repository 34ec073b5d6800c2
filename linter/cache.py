"""Content-hash cache of per-file extraction results under ``.hos-lint-cache/``.

Because extraction records what a file *says* and resolution happens later
(STYLE L.1), a cached result stays valid whatever changes elsewhere: editing a
Prisma schema changes how a TypeScript file's cached accesses *resolve*, not
the accesses themselves. The key is (tool version, path, service, language,
extraction config, content hash); files the prefilter skipped are cached too.

Layout: one pack file per tool version (and per state of hos-lint's own modules,
``code_digest``: an edited checkout never reads what its older code wrote), read
once per run. It maps each key
to two pickles of that result: its project-wide facts (models, views,
grants, connections...) and its per-file details (accesses, problems,
suppressions). A 5-file pre-commit run unpickles the details of 5 files and
only the facts of the rest. The pack is signed with an HMAC whose key lives in the
user's cache directory, outside the project: a cache committed to a repository
(or written by anyone without that key) is ignored, never unpickled. It is
written to a temporary file and renamed into place, so concurrent runs never
read half a pack (the last writer wins). It keeps at most ``MAX_ENTRIES``
results, dropping those not used for the longest.

The cache folder sits in a checkout anyone can commit to, so nothing in it is
trusted, not even its shape: a ``.hos-lint-cache`` that is a symbolic link, or
holds one (say a dangling ``.hos-lint-cache/.gitignore`` pointing outside the
project), is never followed. The run says so once and goes on without a cache
(same findings). Every read and write goes through a descriptor of the real
folder opened with ``O_NOFOLLOW``; files are opened ``O_NOFOLLOW`` (new ones
``O_EXCL``) relative to it and renamed within it.

Warm runs neither read nor hash an unchanged file: the pack also holds a stat
index, as git's index does, mapping each path to the (size, mtime_ns, ctime_ns,
inode) its content key was computed from, with the identity (service, language,
extraction config) that key covers. A file whose stat matches is looked up by
its stored key. The "racily clean" rule keeps this exact: a file changed again
within the timestamp granularity of its last hashing keeps its size and mtime,
so an entry is trusted only when its mtime is older than the start of the run
that wrote the index by ``RACY_MARGIN_NS`` (more than any file system's
timestamp granularity and clock lag); a newer one is re-read and re-hashed,
and recorded once it has aged.

Beside the pack, small signed memo files keep the judged result of the last
few runs, one file per run keyed by every input of it (``hos_lint.app.memo``),
under the same racy rule: a warm run on an unchanged tree reads that, not the
pack.

A run that reports on a few files (pre-commit) needs only the project-wide facts
of every other file, and most files have none. The facts index (``facts-….index``)
maps each path to its stat, identity, content key and its facts (a pickle, or
nothing for a file without project-wide facts), so such a run reads one file a
fraction of the pack's size and unpickles only the facts that exist. Runs that
report on a few files add what they learnt to a small journal beside it
(``facts-….journal``) rather than rewrite the index; the journal is folded into
the index once it holds ``FACTS_JOURNAL_MAX`` paths, and a whole-project run
rewrites the index from what it saw. A path whose stat differs is read and
hashed: the same content key still gives its facts (a file touched, or edited
back), so only a changed file falls back to the pack.

One more signed file, named like the pack, holds the statement memo
(``hos_lint.extract.sql.memo``): what sqlglot made of each SQL statement seen,
so that an edited file whose SQL did not change is extracted without sqlglot.
"""
from __future__ import annotations

import enum
import errno
import functools
import hashlib
import hmac
import importlib.util
import os
import pickle
import stat
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from hos_lint import __version__
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import ExtractResult, SkipReason, SourceFile
from hos_lint.outfile import shown

CACHE_DIR = ".hos-lint-cache"
MAX_ENTRIES = 50_000
_DIGEST = 32
# An index entry whose mtime is not this much older than the run that wrote it is re-hashed.
RACY_MARGIN_NS = 3_000_000_000
# When False, every file is read and hashed (the content-hash cache alone); output is the same.
USE_STAT_INDEX = True
SCOPED_CHANGES = 16  # see ``Cache.save``
MEMO_ENTRIES = 16  # run results kept, one file each (see ``Cache.recall``)
KEPT_STATES = 2  # states of hos-lint whose packs and indexes are kept (see ``Cache._prune_states``)
# the kinds of file one state of hos-lint writes once each: "<kind>-v<version>-<state>.<suffix>"
_STATE_KINDS = ("extract", "facts", "walk", "statements")

FACTS_JOURNAL_MAX = 512  # paths the facts journal holds before it is folded into the index

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
IndexEntry = tuple[Stat, str, str]  # the stat, the identity the key covers, the content key
# the facts index: path -> (trusted stat or None, identity number, content key, facts pickle or
# None for a file without project-wide facts)
FactsEntry = tuple[Stat | None, int, str, bytes | None]
Facts = tuple[ExtractResult | None]  # a file's project-wide facts (None: it has none), when known
_NO_FACTS: Facts = (None,)
# ExtractResult fields that are not project-wide facts (the rest are: models, views, grants ...)
_NOT_FACTS = frozenset({"path", "service", "accesses", "comments", "suppressions", "problems", "skipped"})


def stat_of(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@functools.cache
def code_digest() -> str:
    """A digest of hos-lint's own modules as installed (each ``.py`` file's path, size
    and mtime): a checkout whose code is edited without a new version (an editable
    install) never reads results the old code computed. An installed release never
    changes, so its digest does not either."""
    rules = importlib.util.find_spec("hos_lint.rules")  # found, not imported: it may live apart (package-dir)
    packages = [Path(__file__).resolve().parent, *(Path(p) for p in (rules and rules.submodule_search_locations) or ())]
    h = hashlib.sha256()
    for package in packages:
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    st = os.stat(path)
                    h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:12]


def _shape() -> str:
    """A digest of every record type's fields with their declared types, and of
    every enum's values: records pickle as (class, field values), so a pack
    written before a field was added, moved or given another type (a string
    that became an enum) must never be read back."""
    from hos_lint import model

    parts = sorted(_type_shape(name, cls) for name, cls in vars(model).items()
                   if isinstance(cls, type) and (issubclass(cls, enum.Enum) or issubclass(cls, model._Value))
                   and cls not in (enum.Enum, model._Value))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def _type_shape(name: str, cls: type) -> str:
    if issubclass(cls, enum.Enum):
        return f"{name}:" + ",".join(str(member.value) for member in cls)
    annotations = cls.__dict__.get("__annotations__", {})
    fields: tuple[str, ...] = cls.__dict__.get("__slots__", ())
    return f"{name}:" + ",".join(f"{field}={annotations.get(field)}" for field in fields)


def _secret() -> bytes:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hos-lint"
    key_file = base / "cache-key"
    try:
        return key_file.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        import tempfile  # once per user: the key is made the first time

        fd, tmp = tempfile.mkstemp(dir=base)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32))  # what secrets.token_bytes returns
        os.replace(tmp, key_file)
        return key_file.read_bytes()
    except OSError:
        return b""  # no writable home: caching is disabled (see Cache.enabled)


class Cache:
    """Read and write signed extraction results for one project root."""

    def __init__(self, root: str, enabled: bool = True, notify: Callable[[str], None] | None = None) -> None:
        self.dir = Path(root) / CACHE_DIR
        shape = f"{_shape()}-{code_digest()}"
        self.pack = self.dir / f"extract-v{__version__}-{shape}-s1.pack"  # s1: with a stat index
        self.memo_prefix = f"run-v{__version__}-{shape}-"  # + the key's first 32 hex digits + ".memo"
        self.statements = f"statements-v{__version__}-{shape}.sqlmemo"
        self.key = _secret() if enabled else b""
        self.enabled = enabled and bool(self.key)
        self._notify = notify
        self._old: dict[str, tuple[bytes, bytes]] | None = None
        self._used: dict[str, tuple[bytes, bytes]] = {}
        self._changed = 0  # results added and index entries changed by this run
        self._start = time.time_ns()  # before any file of this run is looked at
        self._index: dict[str, IndexEntry] = {}  # as loaded
        self._stamp = 0  # the start of the run that wrote the loaded index
        self._seen: dict[str, IndexEntry] = {}  # this run's entries
        self.stats: dict[str, Stat] = {}  # files already stat'ed by this run (before any was read)
        self._shape = shape
        self.facts_index = self.dir / f"facts-v{__version__}-{shape}.index"
        self.facts_journal = self.dir / f"facts-v{__version__}-{shape}.journal"
        self._facts: dict[str, FactsEntry] | None = None  # index with the journal applied, as loaded
        self._idents: list[str] = []  # identity strings, by the number entries hold
        self._ident_no: dict[str, int] = {}
        self._journal: set[str] = set()  # paths whose loaded entry came from the journal
        self._noted: dict[str, tuple[Stat | None, str, str, bytes | None]] = {}  # this run's, identity as text

    @staticmethod
    def identity(src: SourceFile, config: ExtractConfig) -> str:
        """What a content key covers besides the bytes (the pack is per tool version)."""
        return repr((src.service or "", src.language.value, repr(config)))

    def known_key(self, path: str, identity: str, st: Stat) -> str | None:
        """The content key of ``path`` recorded when it had this very stat, when that
        record can be trusted (not racily clean); None when the file must be read."""
        if not (self.enabled and USE_STAT_INDEX):
            return None
        self._entries()
        entry = self._index.get(path)
        if entry is None or entry[0] != st or entry[1] != identity:
            return None
        if st[1] >= self._stamp - RACY_MARGIN_NS:
            return None  # racily clean: it may have changed within the mtime granularity
        return entry[2]

    def remember(self, path: str, identity: str, st: Stat, key: str) -> None:
        """Record that ``path`` with stat ``st`` hashed to ``key`` (its stat taken before
        its bytes were read). Only an entry the next run can trust is recorded."""
        if not (self.enabled and USE_STAT_INDEX) or st[1] >= self._start - RACY_MARGIN_NS:
            return
        entry = (st, identity, key)
        self._seen[path] = entry
        if self._index.get(path) != entry:
            self._changed += 1

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
        loaded = self._read_signed(self.pack.name)  # an unreadable or corrupt pack is an empty cache
        if not (isinstance(loaded, tuple) and len(loaded) == 3):
            return {}
        entries, index, stamp = loaded
        if not (isinstance(entries, dict) and isinstance(index, dict) and isinstance(stamp, int)):
            return {}
        self._index, self._stamp = index, stamp
        return entries

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
            self._changed += 1

    def save(self, scoped: bool = False) -> None:
        """Write the pack when this run added anything: this run's entries last, the oldest dropped.

        A ``scoped`` run (some files named: pre-commit) that changed at most
        ``SCOPED_CHANGES`` entries, or 1% of the pack, leaves the pack as it is:
        rewriting every other file's results for five staged files would cost more
        than extracting those five again (the next run does, and records them)."""
        self._save_facts(whole=not scoped)
        if not self.enabled or not self._changed:
            return
        if scoped and self._changed <= max(SCOPED_CHANGES, len(self._old or {}) // 100):
            return  # (a pack this run did not need is not read to tell its size)
        merged = {k: v for k, v in self._entries().items() if k not in self._used}
        merged.update(self._used)
        if len(merged) > MAX_ENTRIES:
            merged = dict(list(merged.items())[-MAX_ENTRIES:])
        index = {**self._index, **self._seen}
        index = {path: entry for path, entry in index.items() if entry[2] in merged}
        self._write_signed(self.pack.name, (merged, index, self._start))
        self._prune_states()

    # --- the facts index: each file's project-wide facts, for runs that report on a few -----

    def facts_for(self, path: str, identity: str, st: Stat | None, key: str | None = None) -> Facts | None:
        """The project-wide facts of ``path`` when the facts index knows them for this
        identity and this stat (or, when ``key`` is given, this content key); None when
        it does not. ``(None,)`` says the file has none."""
        if not (self.enabled and USE_STAT_INDEX):
            return None
        entry = self._facts_entries().get(path)
        if entry is None or entry[1] != self._ident_no.get(identity):
            return None
        if key is None:
            if entry[0] is None or entry[0] != st:
                return None
        elif entry[2] != key:
            return None
        blob = entry[3]
        if blob is None:
            facts = _NO_FACTS
        else:
            try:
                result = pickle.loads(blob)
            except Exception:  # noqa: BLE001 - a corrupt entry is unknown, nothing more
                return None
            if not isinstance(result, ExtractResult):
                return None
            facts = (result,)
        self._noted[path] = (self._trusted(st), identity, entry[2], blob)
        return facts

    def has_facts_index(self) -> bool:
        """Whether a facts index (or journal) was found, with any entry."""
        return self.enabled and USE_STAT_INDEX and bool(self._facts_entries())

    def indexed_key(self, path: str) -> str | None:
        """The content key the facts index holds for ``path``."""
        entry = self._facts_entries().get(path)
        return None if entry is None else entry[2]

    def note_facts(self, path: str, identity: str, st: Stat | None, key: str, result: ExtractResult) -> None:
        """Record what this run knows of ``path`` for the facts index: its content key and
        the facts of ``result``, the result this run ``put`` or ``get`` under ``key`` (its
        facts pickle is the pack's, not made again), or nothing when it has none. The stat
        is kept only when the next run can trust it (not racily clean)."""
        if not (self.enabled and USE_STAT_INDEX):
            return
        blob = self._used[key][0] if has_facts(result) else None
        self._noted[path] = (self._trusted(st), identity, key, blob)

    def _trusted(self, st: Stat | None) -> Stat | None:
        """``st`` when a later run may trust it (see ``remember``), else None."""
        return st if st is not None and st[1] < self._start - RACY_MARGIN_NS else None

    def _facts_entries(self) -> dict[str, FactsEntry]:
        if self._facts is None:
            facts: dict[str, FactsEntry] = {}
            main = self._read_signed(self.facts_index.name)
            if _facts_shape(main):
                assert isinstance(main, tuple)
                self._idents = list(main[0])
                facts = dict(main[1])
            self._ident_no = {text: no for no, text in enumerate(self._idents)}
            journal = self._read_signed(self.facts_journal.name)
            if _facts_shape(journal):
                assert isinstance(journal, tuple)
                for path, (st, no, key, blob) in journal[1].items():
                    facts[path] = (st, self._ident(journal[0][no]), key, blob)
                    self._journal.add(path)
            self._facts = facts
        return self._facts

    def _ident(self, text: str) -> int:
        no = self._ident_no.get(text)
        if no is None:
            no = self._ident_no[text] = len(self._idents)
            self._idents.append(text)
        return no

    def _save_facts(self, whole: bool) -> None:
        """A whole-project run writes the index from what it saw (an empty journal); a run
        on a few files adds what differs to the journal, folded in once it is large."""
        if not (self.enabled and USE_STAT_INDEX and self._noted):
            return
        loaded = self._facts_entries()
        changed = {path: (st, self._ident(identity), key, blob)
                   for path, (st, identity, key, blob) in self._noted.items()
                   if loaded.get(path) != (st, self._ident_no.get(identity), key, blob)}
        if whole:
            if not changed and len(loaded) == len(self._noted) and not self._journal:
                return
            entries = {path: (st, self._ident(identity), key, blob) for path, (st, identity, key, blob)
                       in self._noted.items()}
        elif not changed:
            return
        elif len(self._journal | changed.keys()) <= FACTS_JOURNAL_MAX:
            journal = {path: loaded[path] for path in self._journal if path not in changed}
            journal.update(changed)
            self._write_facts(self.facts_journal.name, journal)
            return
        else:
            entries = {**loaded, **changed}
        self._write_facts(self.facts_index.name, entries)
        if self._journal or not whole:
            self._write_facts(self.facts_journal.name, {})

    def _write_facts(self, name: str, entries: dict[str, FactsEntry]) -> None:
        used = sorted({entry[1] for entry in entries.values()})
        renumber = {old: new for new, old in enumerate(used)}
        renumbered = {path: (st, renumber[no], key, blob) for path, (st, no, key, blob) in entries.items()}
        self._write_signed(name, (tuple(self._idents[no] for no in used), renumbered))

    # --- other indexes (the walk's): one signed value each ------------------------------

    def read_index(self, kind: str) -> object:
        """What ``write_index`` stored for ``kind``; None when missing, corrupt or foreign."""
        if not (self.enabled and USE_STAT_INDEX):
            return None
        return self._read_signed(f"{kind}-v{__version__}-{self._shape}.index")

    def make_folder(self) -> None:
        """Create the cache folder now (creating it changes its parent folder's mtime)."""
        if self.enabled:
            try:
                folder = self._open_folder(create=True)
            except OSError:
                folder = None
            if folder is None:
                self.enabled = False
            else:
                os.close(folder)

    def write_index(self, kind: str, value: object) -> None:
        if self.enabled and USE_STAT_INDEX:
            self._write_signed(f"{kind}-v{__version__}-{self._shape}.index", value)

    # --- the statement memo: encoded outcomes by statement key (hos_lint.extract.sql.memo) ---

    def read_statements(self) -> dict[bytes, bytes]:
        """The stored statement memo; empty when missing, unsigned, corrupt or not a dict
        (its entries are checked one by one when used)."""
        loaded = self._read_signed(self.statements) if self.enabled else None
        return loaded if isinstance(loaded, dict) else {}

    def write_statements(self, entries: dict[bytes, bytes]) -> None:
        if self.enabled:
            self._write_signed(self.statements, entries)

    # --- the run memo: a whole run's judged result, keyed by every input ----------------

    def recall(self, key: str, newest_mtime_ns: int) -> bytes | None:
        """The stored result of a run whose inputs hashed to ``key``, when every file's
        mtime (the newest is given) is older than that run's start by ``RACY_MARGIN_NS``:
        a file rewritten within the timestamp granularity could keep its stat."""
        if not (self.enabled and USE_STAT_INDEX):
            return None
        entry = self._memo(self._memo_name(key))
        if entry is None or entry[0] != key or newest_mtime_ns >= entry[1] - RACY_MARGIN_NS:
            return None
        return entry[2]

    def memorise(self, key: str, payload: bytes) -> None:
        """Keep ``payload`` as the result of the run with inputs ``key``: one small file
        per run, the newest ``MEMO_ENTRIES`` kept (a few option sets, branches and
        staged sets), so a run writes its own result only."""
        if not (self.enabled and USE_STAT_INDEX):
            return
        self._write_signed(self._memo_name(key), (key, self._start, payload))
        self._prune_memos()

    def _memo_name(self, key: str) -> str:
        return f"{self.memo_prefix}{key[:32]}.memo"

    def _memo(self, name: str) -> tuple[str, int, bytes] | None:
        entry = self._read_signed(name)
        if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str)
                and isinstance(entry[1], int) and isinstance(entry[2], bytes)):
            return None
        return entry

    def _read_signed(self, name: str) -> object:
        """What ``_write_signed`` stored under ``name``; None when missing, corrupt, or
        not signed with this user's key (never unpickled then)."""
        blob = self._read(name)
        if blob is None:
            return None
        digest, payload = blob[:_DIGEST], blob[_DIGEST:]
        if not hmac.compare_digest(digest, hmac.new(self.key, payload, hashlib.sha256).digest()):
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a corrupt file is no entry, nothing more
            return None

    def _write_signed(self, name: str, value: object) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self._write(name, hmac.new(self.key, payload, hashlib.sha256).digest() + payload)

    def _prune_memos(self) -> None:
        """Remove all but the newest ``MEMO_ENTRIES`` memo files, of any version (never
        through a link: names are removed relative to the folder's descriptor)."""
        self._prune(lambda name: name if name.startswith("run-v") and name.endswith(".memo") else None,
                    MEMO_ENTRIES)

    def _prune_states(self) -> None:
        """Keep the files of the newest ``KEPT_STATES`` states of hos-lint (version and code,
        the part of each name after the kind) per kind of file: an upgrade, or an edited
        checkout, writes a new pack and indexes beside the old ones, and nothing else would
        ever remove those (two states kept, so two installs used on one checkout do not
        remove each other's)."""
        state = f"-v{__version__}-{self._shape}"
        self._prune(_state_of, KEPT_STATES, current=lambda key: key.startswith(state, key.index("-")))

    def _prune(self, group: Callable[[str], str | None], keep: int,
               current: Callable[[str], bool] | None = None) -> None:
        """Remove the files of all but the newest ``keep`` groups of each kind; ``group``
        names a file's group (its kind first, before the first "-"), None for other files.
        A ``current`` group counts as the newest, written yet or not."""
        try:
            folder = self._open_folder(create=False)
        except OSError:
            return
        if folder is None:
            return
        try:
            groups: dict[str, list[tuple[int, str]]] = {}
            with os.scandir(folder) as listing:
                for entry in listing:
                    key = group(entry.name)
                    if key is not None and entry.is_file(follow_symlinks=False):
                        mtime = entry.stat(follow_symlinks=False).st_mtime_ns
                        groups.setdefault(key, []).append((mtime, entry.name))
            kinds: dict[str, list[tuple[int, str]]] = {}
            for key, files in groups.items():
                if current is None or not current(key):
                    kinds.setdefault(key.split("-")[0], []).append((max(files)[0], key))
            kept = keep if current is None else keep - 1  # the current state takes one place
            for others in kinds.values():
                for _, key in sorted(others, reverse=True)[kept:]:
                    for _, name in groups[key]:
                        os.unlink(name, dir_fd=folder)
        except OSError:
            pass  # another run pruned it first, or the folder is read-only: nothing lost
        finally:
            os.close(folder)

    def _read(self, name: str) -> bytes | None:
        try:
            folder = self._open_folder(create=False)
        except OSError:
            return None
        if folder is None:
            return None
        try:
            return self._read_file(folder, name)
        except OSError:
            return None
        finally:
            os.close(folder)

    def _write(self, name: str, blob: bytes) -> None:
        try:
            folder = self._open_folder(create=True)
        except OSError:
            folder = None
        if folder is None:
            self.enabled = False  # read-only checkout or refused: carry on without a cache
            return
        try:
            _ensure_gitignore(folder)
            _replace_file(folder, name, blob)
        except OSError:
            self.enabled = False
        finally:
            os.close(folder)

    # --- the folder: never through a symbolic link ------------------------------------

    def _open_folder(self, create: bool) -> int | None:
        """A descriptor of the real cache folder (created when ``create``); None when it
        is missing, or refused because it is, or holds, a symbolic link."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            folder = os.open(self.dir, flags)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(self.dir)
            except FileExistsError:
                pass  # made meanwhile, or a dangling symbolic link: the open below decides
            try:
                folder = os.open(self.dir, flags)
            except OSError as err:
                self._refuse_folder(err)
                return None
        except OSError as err:
            self._refuse_folder(err)
            return None
        try:
            with os.scandir(folder) as entries:
                link = next((e.name for e in entries if e.is_symlink()), None)
        except OSError:
            link = None
        if link is not None:
            os.close(folder)
            self._refuse(f"{CACHE_DIR}/{shown(link)} is a symbolic link")
            return None
        return folder

    def _refuse_folder(self, err: OSError) -> None:
        if os.path.islink(self.dir):
            return self._refuse(f"{CACHE_DIR} is a symbolic link")
        if err.errno in (errno.ENOTDIR, errno.ELOOP) or not os.path.isdir(self.dir):
            return self._refuse(f"{CACHE_DIR} is not a folder")
        raise err

    def _refuse(self, why: str) -> None:
        if self.enabled and self._notify is not None:
            follow = "not following it, " if why.endswith("symbolic link") else ""
            self._notify(f"{why}; {follow}running without the cache")
        self.enabled = False
        return None

    def _read_file(self, folder: int, name: str) -> bytes | None:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError as err:
            if err.errno == errno.ELOOP:
                self._refuse(f"{CACHE_DIR}/{name} is a symbolic link")
            return None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                self._refuse(f"{CACHE_DIR}/{name} is not a regular file")
                return None
            return fh.read()


def _state_of(name: str) -> str | None:
    """The group of a pack or index file: its name without the suffix (a facts index and
    its journal are one group); None for any other file."""
    kind, _, rest = name.partition("-v")
    if kind not in _STATE_KINDS or not rest or name.startswith("."):
        return None
    return name.rsplit(".", 1)[0]


def has_facts(result: ExtractResult) -> bool:
    """Whether a result holds anything a run on other files needs: a project-wide fact
    (model, view, grant, connection ...) or a reason it was skipped other than holding no
    database token (a summary counts those)."""
    if result.skipped is not None and result.skipped is not SkipReason.PREFILTER:
        return True
    return any(getattr(result, name) for name in result.__slots__ if name not in _NOT_FACTS)


def _facts_shape(loaded: object) -> bool:
    """Whether a loaded facts index or journal has the shape ``_write_facts`` gives it. Only
    hos-lint writes a file signed with this user's key, so its entries are not checked one
    by one (that would cost more than the index saves)."""
    return (isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[0], tuple)
            and isinstance(loaded[1], dict))


def _ensure_gitignore(folder: int) -> None:
    """Write ``.gitignore`` in the cache folder unless something of that name is there."""
    text = b"# written by hos-lint: never commit the cache\n*\n"
    try:
        fd = os.open(".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666,
                     dir_fd=folder)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(text)


def _replace_file(folder: int, name: str, data: bytes) -> None:
    """Write ``name`` inside ``folder`` as a new temporary file renamed over it: readers
    (and a run interrupted here) only ever see the old or the new content, whole."""
    tmp = f".tmp-{os.urandom(8).hex()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=folder)
        except OSError:
            pass
        raise
