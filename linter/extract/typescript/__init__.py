"""TypeScript / JavaScript extraction on tree-sitter (SPEC §4.2).

What the file *says*, unresolved: Prisma Client calls on recognised clients
(``<client>.<model>.<op>(...)``) with their ``include``/``select`` traversals
and nested writes, raw SQL handed to Prisma, pg, knex or TypeORM (passed on to
``extract_sql`` with an origin map back to this file), the query builders'
and tagged-template clients' tables and SQL (Drizzle, Knex, Kysely,
postgres.js, @vercel/postgres, slonik, pg-promise), table declarations as ORM
models, ``class X extends Y`` facts for client resolution, HOS205 for SQL
built at run time and HOS901 for syntax errors.

One concern per module:

- ``tree``: the tree-sitter boundary (parsing, positions, syntax errors, comments);
- ``literals``: string/template literals to text with origin, object literals;
- ``scopes``, ``bindings``: the lexical scope model and the declarations that fill it;
- ``prisma_clients``: which names, types and expressions are Prisma clients;
- ``walker``: the traversal, handing every call to the recognisers below;
- ``sites``: what a recogniser receives and declares (``Knowledge``);
- ``prisma_queries``, ``raw_sql``, ``drizzle``, ``knex``, ``kysely``,
  ``postgres_js``, ``vercel_postgres``, ``slonik``, ``pg_promise``: the
  libraries' call-site knowledge (``chains`` and ``sql_text``: what the
  builder and driver modules share).

``LIBRARIES`` lists that knowledge; the prefilter's tokens are the union of
its triggers, so a pattern is never added without what lets its file through.
"""
from __future__ import annotations

import re

from hos_lint.embedded import looks_like_sql
from hos_lint.extract.base import ExtractConfig, HostText
from hos_lint.extract.typescript import (
    drizzle,
    knex,
    kysely,
    mikroorm,
    pg_promise,
    postgres_js,
    prisma_queries,
    raw_sql,
    sequelize,
    slonik,
    typeorm,
    vercel_postgres,
)
from hos_lint.extract.typescript.literals import decode_escape, sql_literal
from hos_lint.extract.typescript.prisma_clients import Clients
from hos_lint.extract.typescript.prisma_queries import READ_OPS, WRITE_OPS
from hos_lint.extract.typescript.sites import ClassRecogniser, FileFacts, Knowledge, Recogniser
from hos_lint.extract.typescript.tree import (
    DECLARATION_SUFFIXES,
    TS_SUFFIXES,
    TSX_SUFFIXES,
    comments,
    parse_tree,
    syntax_problem,
)
from hos_lint.extract.typescript.walker import Marks, Walker
from hos_lint.model import ExtractResult, Language, SourceFile

__all__ = [
    "LANGUAGE", "LIBRARIES", "NAME", "PREFILTER_TOKENS", "READ_OPS", "WRITE_OPS", "HostText",
    "decode_escape", "extract", "handles", "looks_like_sql", "might_access_db", "parse_tree", "sql_literal",
]

NAME = "typescript"
LANGUAGE = Language.TYPESCRIPT

# Every library's call-site knowledge, in the order its facts are reported.
LIBRARIES: tuple[Knowledge, ...] = (
    prisma_queries.KNOWLEDGE, raw_sql.KNOWLEDGE, typeorm.KNOWLEDGE, mikroorm.KNOWLEDGE, sequelize.KNOWLEDGE,
    drizzle.KNOWLEDGE, knex.KNOWLEDGE, kysely.KNOWLEDGE,
    postgres_js.KNOWLEDGE, vercel_postgres.KNOWLEDGE, slonik.KNOWLEDGE, pg_promise.KNOWLEDGE,
)
PREFILTER_TOKENS: tuple[bytes, ...] = tuple(sorted(frozenset().union(*(k.triggers for k in LIBRARIES))))
_Parts = tuple[tuple[Recogniser, ...], tuple[ClassRecogniser, ...], tuple[Recogniser, ...]]
_WALKERS: dict[tuple[Knowledge, ...], _Parts] = {}
_CALL_NAMES: dict[tuple[Knowledge, ...], tuple[tuple[bytes, int], ...] | None] = {}
_IDENTIFIER_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


_CALLED = re.compile(rb"\.([\w$]+[(<])")
# each library's triggers split into the ``name(``/``name<`` of ``.name(``/``.name<`` calls and the others
_TRIGGERS = tuple(
    (k, (frozenset(t[1:] for t in k.triggers if _CALLED.fullmatch(t)),
         tuple(t for t in k.triggers if not _CALLED.fullmatch(t))))
    for k in LIBRARIES
)
_CALL_TOKENS = frozenset().union(*(methods for _, (methods, _) in _TRIGGERS))
_OTHER_TOKENS = tuple(sorted({token for _, (_, others) in _TRIGGERS for token in others}))


def libraries_in(data: bytes, config: ExtractConfig) -> tuple[Knowledge, ...]:
    """The libraries whose recognisers can find anything in a file holding ``data``.

    A library's ``triggers`` are in every file holding a call it reads (the
    contract the prefilter rests on, checked by the examples test), so a
    library none of whose triggers occurs is not asked about the file's
    calls: most files use one or two libraries, and a call is handed to those
    only. A configured client name keeps every library (its calls need no
    trigger of their own).
    """
    if any(name.encode() in data for name in config.prisma_clients):
        return LIBRARIES
    called = frozenset(_CALLED.findall(data))  # ``.name(``/``.name<`` triggers: one scan, not one per trigger
    return tuple(k for k, (methods, others) in _TRIGGERS if not methods.isdisjoint(called)
                 or any(token in data for token in others))


def _walker_parts(libraries: tuple[Knowledge, ...]) -> _Parts:
    parts = _WALKERS.get(libraries)
    if parts is None:
        parts = _WALKERS[libraries] = (
            tuple(k.recognise for k in libraries),
            tuple(k.recognise_class for k in libraries if k.recognise_class is not None),
            tuple(k.recognise_new for k in libraries if k.recognise_new is not None),
        )
    return parts


def _call_names(libraries: tuple[Knowledge, ...]) -> tuple[tuple[bytes, int], ...] | None:
    """Each name in the libraries' ``calls`` with the bit set of the libraries
    naming it (bit ``i``: ``libraries[i]``); None when one declares no ``calls``."""
    names = _CALL_NAMES.get(libraries, ())
    if names == ():
        gated = all(k.calls is not None and k.recognise_new is None for k in libraries)
        bits: dict[bytes, int] = {}
        for i, k in enumerate(libraries):
            for name in k.calls or ():
                bits[name.encode()] = bits.get(name.encode(), 0) | 1 << i
        names = _CALL_NAMES[libraries] = tuple(sorted(bits.items())) if gated else None
    return names


def call_marks(data: bytes, libraries: tuple[Knowledge, ...]) -> Marks | None:
    """Where in ``data`` a walk over a file must not skip (``walker``): every
    occurrence of a name in the libraries' ``calls`` (as a whole word; the
    bytes of a member named so are exactly the name), with the libraries that
    name it, and of ``class``. None when a library may read any call (no
    ``calls``, or one of its ``calls_unless`` in the file): then the whole
    file is walked and every call handed to every library."""
    names = _call_names(libraries)
    if names is None or any(token in data for k in libraries for token in k.calls_unless):
        return None
    found: list[tuple[int, int]] = []
    end = len(data)
    for name, bits in (*names, (b"class", 0)):
        width = len(name)
        at = data.find(name)
        while at >= 0:
            after = at + width
            # a longer word is not the name; a non-ASCII neighbour is kept (it may not be part of an identifier)
            if (at == 0 or data[at - 1] not in _IDENTIFIER_BYTES) and (
                    after == end or data[after] not in _IDENTIFIER_BYTES):
                found.append((at, bits))
            at = data.find(name, after)
    found.sort()
    return Marks([at for at, _ in found], [bits for _, bits in found])


def handles(path: str) -> bool:
    """True for TS/JS sources (``.ts .tsx .js .jsx .mjs .cjs .mts .cts``), not declaration files."""
    lower = path.lower()
    if lower.endswith(DECLARATION_SUFFIXES):
        return False
    return lower.endswith(TS_SUFFIXES + TSX_SUFFIXES)


def might_access_db(data: bytes, config: ExtractConfig | None = None) -> bool:
    """Cheap, conservative byte scan: False only when the file cannot touch a database.

    Accepts any trigger of ``LIBRARIES`` (every ``.<prisma op>(`` call, raw-SQL
    method, Prisma name) and any configured client name.
    """
    # the same answer as ``any(token in data for token in PREFILTER_TOKENS)`` in one regex scan
    # for the ``.name(`` triggers instead of a scan per token (a fifth of the tokens are not calls)
    if any(token in data for token in _OTHER_TOKENS) or not _CALL_TOKENS.isdisjoint(_CALLED.findall(data)):
        return True
    names = config.prisma_clients if config else ()
    return any(name.encode() in data for name in names)


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Every access, client class fact and problem in one TS/JS file. Never raises for bad input."""
    host = HostText(text)
    root = parse_tree(host.data, src.path)
    facts = FileFacts(src, host, Clients(host, config.prisma_clients), parse_sql=config.postgres)
    problem = syntax_problem(src, host, root) if root.has_error else None
    if problem is not None:
        facts.problems.append(problem)
    libraries = libraries_in(host.data, config)
    Walker(facts, *_walker_parts(libraries), marks=call_marks(host.data, libraries)).visit_program(root)
    return facts.result(comments(host, root) if config.comments else ())
