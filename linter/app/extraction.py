"""Stages 3–4: read every file, look it up in the cache, prefilter it, and extract
the misses (in a process pool when there are enough of them). One file's failure
is that file's HOS901, never the run's.

The misses are extracted with the run's statement memo (``hos_lint.extract.sql.memo``,
stored beside the cache pack): SQL statements seen by an earlier run are replayed
from it without sqlglot. Pool workers inherit it and send back what they add."""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from hos_lint import policy, suppressions
from hos_lint.app.options import Options
from hos_lint.cache import Cache, Stat, stat_of
from hos_lint.extract import extractor_for
from hos_lint.extract.base import ExtractConfig
from hos_lint.manifest import Manifest
from hos_lint.model import ExtractResult, Language, Location, Problem, SkipReason, SourceFile
from hos_lint.providers import non_postgres

MAX_FILE_BYTES = 8 * 1024 * 1024
# Below this many files to extract, a process pool costs more than it saves.
POOL_THRESHOLD = 24
# Nor below this many bytes to parse, unless --jobs was given: forking the workers and
# sending results back costs more than half the parsing of a smaller tree (the bundled
# 0.2 MB fixture ran 1.28x slower in wall time with the pool on two cores).
POOL_MIN_BYTES = 2 * 1024 * 1024

if TYPE_CHECKING:
    from hos_lint.extract.sql.memo import StatementMemo

Job = tuple[SourceFile, bytes, ExtractConfig]  # one file to extract: what, its bytes, its config
Added = dict[bytes, bytes]  # statement memo entries a pool worker added


class _Statements:
    """The run's statement memo, made when a file is extracted (a run whose files all
    come from the cache never imports the SQL extractor), read on its first lookup and
    written when the run added to it. None without a cache (``--no-cache``)."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._memo: StatementMemo | None = None

    def memo(self) -> StatementMemo | None:
        if self._memo is None and self._cache.enabled:
            from hos_lint.extract.sql.memo import StatementMemo

            self._memo = StatementMemo(self._cache.read_statements)
        return self._memo

    def save(self) -> None:
        entries = self._memo.to_save() if self._memo is not None and self._cache.enabled else None
        if entries is not None:
            self._cache.write_statements(entries)


def extract_all(manifest: Manifest, sources: list[SourceFile], options: Options,
                scope: tuple[str, ...] = ("",), cache: Cache | None = None) -> list[ExtractResult]:
    """Stages 3–4 for every file: read, cache lookup, prefilter, then extract the misses
    (in a process pool when there are enough of them). Order follows ``sources``.

    Prisma schemas go first: a service whose datasource is not PostgreSQL has its
    SQL files skipped and its embedded SQL left unparsed. A cache hit needs no
    extractor module at all, so warm runs import no parser; for a file outside
    ``scope`` only its project-wide facts are loaded (from the facts index when it
    knows them), and such a file without any is left out of the list.
    """
    if cache is None:
        cache = Cache(manifest.root, enabled=options.cache, notify=options.notify)
    schemas = [i for i, src in enumerate(sources) if src.language is Language.PRISMA]
    others = [i for i, src in enumerate(sources) if src.language is not Language.PRISMA]
    statements = _Statements(cache)
    first = _extract_batch(cache, manifest, [sources[i] for i in schemas], options, scope, statements)
    elsewhere = frozenset(non_postgres(ds for r in first if r is not None for ds in r.datasources))
    rest = _extract_batch(cache, manifest, [sources[i] for i in others], options, scope, statements, elsewhere)
    cache.save(scoped=scope != ("",))
    statements.save()
    by_index = {**dict(zip(schemas, first)), **dict(zip(others, rest))}
    return [r for i in range(len(sources)) if (r := by_index[i]) is not None]


Pending = tuple[str, str, Stat | None, Job]  # content key, identity, stat, the job


def _extract_batch(cache: Cache, manifest: Manifest, sources: list[SourceFile], options: Options,
                   scope: tuple[str, ...], statements: _Statements,
                   not_postgres: frozenset[str] = frozenset()) -> list[ExtractResult | None]:
    """Each file's result, from what is known without extracting it when possible, else
    from extracting it (all such files together, so that they can share a pool). None
    for a file outside ``scope`` known to hold no project-wide fact."""
    results: dict[int, ExtractResult | None] = {}
    pending: list[tuple[int, Pending]] = []
    configs: dict[tuple[str | None, Language, bool], tuple[ExtractConfig, str]] = {}
    # a run on a few files (pre-commit) with a facts index reads the pack only for content the
    # index has seen: a file edited since the last whole run is not in it, and reading a pack
    # of every file's results to learn so costs more than extracting the few files again
    narrow = scope != ("",) and cache.has_facts_index()
    for i, src in enumerate(sources):
        known = _without_extracting(cache, manifest, src, scope, not_postgres, configs, narrow)
        if isinstance(known, tuple):
            pending.append((i, known))
        else:
            results[i] = known
    memo = statements.memo() if pending else None
    jobs = [p[3] for _, p in pending]
    for (i, (key, identity, st, job)), result in zip(pending, _run_jobs(jobs, options.jobs, options.auto_jobs, memo)):
        results[i] = result
        cache.put(key, result)
        cache.note_facts(job[0].path, identity, st, key, result)
    return [results[i] for i in range(len(sources))]


def _without_extracting(cache: Cache, manifest: Manifest, src: SourceFile, scope: tuple[str, ...],
                        not_postgres: frozenset[str],
                        configs: dict[tuple[str | None, Language, bool], tuple[ExtractConfig, str]],
                        narrow: bool) -> ExtractResult | None | Pending:
    """One file's result when it needs no extractor run (skipped, unreadable, unusable,
    cached, or without a database token; None outside ``scope`` without project-wide
    facts), else its cache key, identity, stat and the job to run."""
    elsewhere = not_postgres_skip(src, not_postgres)
    if elsewhere is not None:
        return elsewhere
    postgres = src.service not in not_postgres
    settled = configs.get((src.service, src.language, postgres))
    if settled is None:  # one config and identity per service, language and database kind
        config = config_for(manifest, src.service, postgres=postgres)
        settled = configs[(src.service, src.language, postgres)] = (config, Cache.identity(src, config))
    config, identity = settled
    details = policy.in_scope(src.path, scope)
    st: Stat | None = None
    full_path = os.path.join(manifest.root, src.path)  # a string: a Path per file costs more than its stat
    if cache.enabled:  # the stat index: an unchanged file is neither read nor hashed
        st = cache.stats.get(src.path)  # stat'ed already by this run (the run memo's key)
        if st is None:
            try:
                st = stat_of(os.stat(full_path))  # before reading: a later change shows in the next stat
            except OSError:
                st = None  # reading it reports why
        if st is not None and not details:  # the facts index: a file outside the scope, stat unchanged
            facts = cache.facts_for(src.path, identity, st)
            if facts is not None:
                return facts[0]
        known = None if st is None or narrow else cache.known_key(src.path, identity, st)
        if known is not None:
            cached = cache.get(known, details=details)
            if cached is not None:
                cache.note_facts(src.path, identity, st, known, cached)
                return cached
    data = _read(src, full_path)
    if isinstance(data, ExtractResult):
        return data
    unusable = _unusable(src, data)
    if unusable is not None:
        return unusable
    key = cache.key_for(src, config, data)
    if st is not None:
        cache.remember(src.path, identity, st, key)
        if not details:
            facts = cache.facts_for(src.path, identity, st, key)
            if facts is not None:
                return facts[0]
    cached = cache.get(key, details=details) if not narrow or cache.indexed_key(src.path) == key else None
    if cached is not None:
        cache.note_facts(src.path, identity, st, key, cached)
        return cached
    if not _extractor(src).might_access_db(data):
        skipped = ExtractResult(path=src.path, service=src.service, skipped=SkipReason.PREFILTER)
        cache.put(key, skipped)
        cache.note_facts(src.path, identity, st, key, skipped)
        return skipped
    return key, identity, st, (src, data, config)


def _read(src: SourceFile, full_path: str) -> bytes | ExtractResult:
    try:
        return Path(full_path).read_bytes()
    except OSError as err:
        return _problem(src, f"cannot read file: {err.strerror or err}", skipped=SkipReason.UNREADABLE)


def _run_jobs(jobs: list[Job], workers: int, auto: bool = False,
              memo: StatementMemo | None = None) -> list[ExtractResult]:
    """Each job's result, in order, extracted with ``memo`` (None: without a statement memo)."""
    if not jobs:
        return []
    from hos_lint.extract.sql.memo import using

    small = auto and sum(len(data) for _, data, _ in jobs) < POOL_MIN_BYTES
    with using(memo):
        if workers <= 1 or len(jobs) < POOL_THRESHOLD or small:
            return [_extract_job(job) for job in jobs]
        return _run_pool(jobs, workers, memo)


def _run_pool(jobs: list[Job], workers: int, memo: StatementMemo | None) -> list[ExtractResult]:
    from hos_lint import pool

    # only the parsers these jobs need, imported once in the parent so forked workers inherit
    # them (the prefilter already imported each job's extractor; this says so): a tree without
    # Python files never pays for libcst
    for src, _, _ in jobs:
        _extractor(src)
    if memo is not None:
        memo.stored()  # loaded once here, inherited by every worker
    chunk = max(1, len(jobs) // (workers * 4))
    done = pool.run_chunks(_extract_chunk, [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)], workers)
    results: list[ExtractResult] = []
    for chunk_results, added in done:
        results.extend(chunk_results)
        if memo is not None:
            memo.merge(added)
    return results


def _extract_chunk(jobs: list[Job]) -> list[tuple[list[ExtractResult], Added]]:
    """The worker function: top level and picklable (STYLE L.9). One item: the chunk's
    results and the statement memo entries extracting them added (sent back to the run)."""
    from hos_lint.extract.sql.memo import active

    memo = active()
    if memo is not None:
        memo.take_added()  # inherited from the parent, which has them
    results = [_extract_job(job) for job in jobs]
    return [(results, memo.take_added() if memo is not None else {})]


def _extract_job(job: Job) -> ExtractResult:
    """One file's extraction; ``extract_all`` has already done the size, binary and prefilter checks."""
    src, data, config = job
    return _decode_and_extract(_extractor(src), src, data, config)


def _extractor(src: SourceFile) -> ModuleType:
    """The extractor of a file discovery kept (it kept only files some extractor handles)."""
    ext = extractor_for(src.path)
    assert ext is not None, src.path
    return ext


def not_postgres_skip(src: SourceFile, not_postgres: frozenset[str]) -> ExtractResult | None:
    """The result of a SQL or shell file of a service whose database is not PostgreSQL
    (``not_postgres``): not parsed, and said once per service; None for any other file."""
    if src.service in not_postgres and src.language in (Language.SQL, Language.SHELL):
        return ExtractResult(path=src.path, service=src.service, skipped=SkipReason.NOT_POSTGRES)
    return None


def extract_bytes(src: SourceFile, data: bytes, config: ExtractConfig) -> ExtractResult:
    """Check, prefilter, decode and extract one file's bytes; never raises."""
    ext = extractor_for(src.path)
    if ext is None:
        return ExtractResult(path=src.path, service=src.service, skipped=SkipReason.NO_EXTRACTOR)
    unusable = _unusable(src, data)
    if unusable is not None:
        return unusable
    if not ext.might_access_db(data):
        return ExtractResult(path=src.path, service=src.service, skipped=SkipReason.PREFILTER)
    return _decode_and_extract(ext, src, data, config)


def _decode_and_extract(ext: ModuleType, src: SourceFile, data: bytes, config: ExtractConfig) -> ExtractResult:
    """Decode and run the extractor inside the per-file exception boundary (STYLE L.4)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = len(_LINE_BREAKS.findall(data, 0, err.start)) + 1
        return _problem(src, f"file is not valid UTF-8 (byte {err.start}); not analysed", line,
                        skipped=SkipReason.NOT_UTF8)
    try:
        result: ExtractResult = ext.extract(src, text, replace(config, comments=suppressions.MARK in data))
        # the comments become suppressions here; the cached result keeps those, not every comment
        found = suppressions.find_suppressions(src.path, result.comments)
        return replace(result, comments=(), suppressions=found)
    except RecursionError:
        return _problem(src, "nesting too deep to analyse", skipped=SkipReason.NESTED_TOO_DEEPLY)
    except Exception as err:  # noqa: BLE001 - the stage-4 boundary: one file's bug must not lose the run
        return _problem(src, f"internal error while analysing this file ({type(err).__name__}: {err}); "
                             "please report it", skipped=SkipReason.INTERNAL_ERROR)


_LINE_BREAKS = re.compile(rb"\r\n?|\n")  # linter.embedded.LINE_BREAK, on bytes


def _unusable(src: SourceFile, data: bytes) -> ExtractResult | None:
    """A HOS901 result for a file too large or binary to analyse (checked before the prefilter,
    so such a file is reported even when it holds no database token)."""
    if len(data) > MAX_FILE_BYTES:
        return _problem(src, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not analysed",
                        skipped=SkipReason.TOO_LARGE)
    if b"\0" in data[:8192]:
        return _problem(src, "binary file with a source extension; not analysed", skipped=SkipReason.BINARY)
    return None


def _problem(src: SourceFile, message: str, line: int = 1, *, skipped: SkipReason) -> ExtractResult:
    """The result of a file that could not be analysed at all: one HOS901 (error
    severity by default) and ``skipped`` saying why, for the summary."""
    problem = Problem(code="HOS901", location=Location(src.path, line, 1), message=message, service=src.service,
                      whole_file=True)
    return ExtractResult(path=src.path, service=src.service, problems=(problem,), skipped=skipped)


def not_analysed(result: ExtractResult) -> str | None:
    """Why a file was not analysed (one entry of the summary's "N files not
    analysed"), or None when it was, or when it was only skipped for holding
    no database token."""
    reason: SkipReason | None = None if result.skipped is SkipReason.PREFILTER else result.skipped
    if reason is not None:
        return reason.value
    if any(p.whole_file for p in result.problems):
        return "not analysed"
    return None


def config_for(manifest: Manifest, service: str | None, postgres: bool = True) -> ExtractConfig:
    svc = manifest.service(service)
    names = manifest.prisma_clients + (svc.prisma_clients if svc else ())
    return ExtractConfig(prisma_clients=tuple(sorted(set(names))), postgres=postgres)


