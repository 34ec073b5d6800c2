"""Connection URLs: which variables configure a connection, and the schemas
a PostgreSQL URL selects (``?schema=a,b``, libpq ``options=-c search_path=…``)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from hos_lint.extract.config_files.values import UNKNOWN

_CONNECTION_SUFFIXES = ("DATABASE_URL", "DB_URL")
_POSTGRES_SCHEME = re.compile(r"postgres(?:ql)?(?:\+[a-z0-9_]+)?", re.IGNORECASE)


def is_connection_variable(name: str) -> bool:
    """``DATABASE_URL`` or a name ending in ``DATABASE_URL`` / ``DB_URL`` (any case)."""
    return name.upper().endswith(_CONNECTION_SUFFIXES)


def url_schemas(url: str) -> tuple[str, ...] | None:
    """The schemas a PostgreSQL URL selects; None when ``url`` is not a PostgreSQL URL.

    Parts of ``url`` equal to ``UNKNOWN`` are unresolved; a schema containing
    one is dropped. Order: ``?schema=`` entries, then ``search_path`` entries
    from ``options``, without repeats.
    """
    entries = schema_entries(url)
    if entries is None:
        return None
    return tuple(dict.fromkeys(s for s in entries if s and UNKNOWN not in s))


def schema_entries(url: str) -> list[str] | None:
    """Every schema a PostgreSQL URL names, unresolved ones included; None for other URLs."""
    scheme, sep, _ = url.partition("://")
    if not sep or not _POSTGRES_SCHEME.fullmatch(scheme):
        return None
    found: list[str] = []
    for key, value in _query_params(url):
        if key == "schema":
            found += [s.strip() for s in value.split(",")]
        elif key == "options":
            found += _search_path_of_options(value)
    return found


def _query_params(url: str) -> list[tuple[str, str]]:
    """Decoded query parameters; a URL urllib rejects (bad IPv6 host) still has its query read."""
    try:
        query = urlsplit(url).query
    except ValueError:
        query = url.partition("?")[2].partition("#")[0]
    return parse_qsl(query, keep_blank_values=True)


def _search_path_of_options(options: str) -> list[str]:
    """search_path entries from a libpq ``options`` value (``-c search_path=a,b``,
    ``-csearch_path=a``, ``--search_path=a``); the last setting wins, as in the server."""
    tokens = re.split(r"(?<!\\)\s+", options.strip())
    settings: list[str] = []
    for i, token in enumerate(tokens):
        if token == "-c" and i + 1 < len(tokens):
            settings.append(tokens[i + 1])
        elif token.startswith("-c") and token != "-c":
            settings.append(token[2:])
        elif token.startswith("--"):
            settings.append(token[2:])
    paths = [value for name, _, value in (s.partition("=") for s in settings)
             if name.replace("-", "_").lower() == "search_path"]
    return _split_search_path(paths[-1].replace("\\ ", " ")) if paths else []


def _split_search_path(value: str) -> list[str]:
    """Identifiers of a search_path value: unquoted ones fold to lower case,
    ``"Quoted"`` ones keep theirs; ``$user`` names no fixed schema and is dropped."""
    out = []
    for part in re.findall(r'"(?:[^"]|"")*"|[^,]+', value):
        part = part.strip()
        name = part[1:-1].replace('""', '"') if part.startswith('"') else part.lower()
        if name and name != "$user":
            out.append(name)
    return out
