"""A whole run remembered (stage 2½): when nothing a check reads has changed,
its judged result is the last one's.

The key covers every input of the result: the hos-lint version and the shape
of the result record, the plan (the manifest as loaded and inferred, every file
to analyse with its service and language, the scope, the walk's notices), the
options that change findings, and the stat (size, mtime_ns, ctime_ns, inode)
of every planned file, as the stat index keys a single file. The files are
stat'ed, never read. A remembered result is used only when every file's mtime
is older than the run that stored it by the racy margin (``cache.recall``), so
a file rewritten within the timestamp granularity is never missed. The
baseline is applied after, from the baseline file as it is now.

A hit skips reading the cache pack, resolution and the rules: on a warm
1,000-file tree that is most of the run (``bench/RESULTS.md``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from dataclasses import dataclass

from hos_lint import __version__
from hos_lint.app.options import Options
from hos_lint.app.planning import Plan
from hos_lint.cache import Cache, Stat, stat_of
from hos_lint.model import FileNotice, Finding


@dataclass(frozen=True, kw_only=True)
class Judged:
    """What a check computes from the project, before the baseline."""

    findings: tuple[Finding, ...]
    suppressed: int
    ran: frozenset[str]  # the codes of the rules that ran (the baseline's stale entries need them)
    files_scanned: int
    services: tuple[str, ...]
    services_with_schema: int
    notices: tuple[FileNotice, ...]
    inferred: bool
    legacy: tuple[str, ...]
    databases: tuple[FileNotice, ...]
    repo_root: str


_ENCODING = ("utf-8", "surrogatepass")  # a file name need not be UTF-8
_SHAPE = repr([(f.name, str(f.type)) for f in dataclasses.fields(Judged)])


@dataclass(frozen=True, slots=True)
class RunKey:
    """The key of a run's inputs, the newest mtime among its files, and their stats
    (which a miss hands to the stat index rather than stat every file again)."""

    key: str
    newest_mtime_ns: int
    stats: dict[str, Stat]


def run_key(planned: Plan, options: Options) -> RunKey | None:
    """This run's ``RunKey``; None when a planned file cannot be stat'ed (the run reports it)."""
    root = planned.manifest.root
    asked = (options.paths, options.config, options.select, options.ignore, options.fail_on, options.paths_from_git)
    digest = hashlib.sha256(repr((__version__, _SHAPE, planned.manifest, planned.scope, planned.files_only,
                                  planned.skipped, planned.walk_notices, asked, len(planned.sources)))
                            .encode(*_ENCODING))
    stats: dict[str, Stat] = {}
    records = []
    base = os.path.join(root, "")
    for src in planned.sources:
        path = src.path
        try:
            st = stats[path] = stat_of(os.stat(base + path))
        except OSError:
            return None
        # one record a file, each part length-prefixed (a file name may hold any character)
        service = src.service if src.service is not None else "\0"
        records.append(f"{len(path)}:{path}{len(service)}:{service}{src.language.value}"
                       f"{st[0]},{st[1]},{st[2]},{st[3]}")
    digest.update("\n".join(records).encode(*_ENCODING))
    return RunKey(digest.hexdigest(), max((st[1] for st in stats.values()), default=0), stats)


def recall(cache: Cache, key: RunKey | None) -> Judged | None:
    """The remembered result for ``key``, when there is one that can be trusted."""
    if key is None:
        return None
    blob = cache.recall(key.key, key.newest_mtime_ns)
    if blob is None:
        return None
    try:
        judged = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - a memo that does not load is no memo
        return None
    return judged if isinstance(judged, Judged) else None


def remember(cache: Cache, key: RunKey | None, judged: Judged) -> None:
    if key is not None:
        cache.memorise(key.key, pickle.dumps(judged, protocol=pickle.HIGHEST_PROTOCOL))
