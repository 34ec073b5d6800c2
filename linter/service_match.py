"""Which linter service a connection found outside every service belongs to.

A root ``docker-compose.yml``, Kubernetes manifest or Helm chart configures
connections for several services at once; each value carries the
``ConnectionTarget`` it was configured for (compose service and build folder,
workload name, chart folder), and ``owned_connections`` matches that target to
a service of the manifest. Pure.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from hos_lint.globs import GlobError, anchored, matches
from hos_lint.manifest import Manifest
from hos_lint.model import Connection

# Words that decorate a service's name in compose and deployments without
# changing which service it is: `order-service`, `order-svc`.
_NAME_SUFFIXES = frozenset({"service", "svc", "srv"})


def owned_connections(manifest: Manifest, connections: Iterable[Connection]) -> tuple[Connection, ...]:
    """Connections with their linter service: a root docker-compose or Kubernetes file
    belongs to no service, so its entries are matched by build folder or name."""
    names = tuple(s.name for s in manifest.services)
    paths = {s.name: s.paths for s in manifest.services}
    out = []
    for conn in connections:
        if conn.service is None and conn.target is not None:
            service = match_service(conn.target.name, conn.target.build, names, paths)
            conn = replace(conn, service=service) if service else conn
        out.append(conn)
    return tuple(out)


def match_service(
    target: str,
    build_context: str | None,
    services: tuple[str, ...],
    service_paths: Mapping[str, tuple[str, ...]],
) -> str | None:
    """The linter service a compose service (or deployment) named ``target`` belongs to.

    First by ``build_context`` (the project-relative folder its ``build`` points at):
    the service whose ``paths`` (globs allowed; default ``services/<name>``)
    contain it, the longest path winning. Else by name, in tiers: equal after
    normalising case and ``-``/``.`` to ``_`` (``order_service`` for a service
    called ``order_service``); then with a trailing ``service``/``svc``/``srv``
    word removed (``order-service`` -> ``order``); then also without one leading
    word, a project prefix (``hos-order-service`` -> ``order``). A tier with
    two candidates is ambiguous and gives None, as does no match.
    """
    if build_context is not None:
        by_path = _service_by_path(build_context, services, service_paths)
        if by_path is not None:
            return by_path
    return _service_by_name(target, services)


def _service_by_path(folder: str, services: tuple[str, ...],
                     service_paths: Mapping[str, tuple[str, ...]]) -> str | None:
    folder = posixpath.normpath(folder)
    best: tuple[int, str] | None = None
    for service in sorted(services):
        for path in service_paths.get(service) or (f"services/{service}",):
            path = path.strip().removeprefix("./").strip("/")
            if path and _contains(path, folder) and (best is None or len(path) > best[0]):
                best = (len(path), service)
    return best[1] if best else None


def _contains(path_glob: str, folder: str) -> bool:
    try:
        return matches(anchored(path_glob), folder + "/")
    except GlobError:  # refused when the manifest was loaded
        return False


def _service_by_name(target: str, services: tuple[str, ...]) -> str | None:
    words = _words(target)
    by_words = {tuple(_words(s)): s for s in services}
    for candidate in _name_tiers(words):
        found = {by_words[c] for c in candidate if c in by_words}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[-_.]+", name.lower()) if w]


def _name_tiers(words: list[str]) -> Iterator[tuple[tuple[str, ...], ...]]:
    """Word sequences a name may stand for, most literal first (one tuple per tier)."""
    yield (tuple(words),)
    bare = words[:-1] if len(words) > 1 and words[-1] in _NAME_SUFFIXES else words
    yield (tuple(bare),)
    if len(bare) > 1:
        yield (tuple(bare[1:]),)
