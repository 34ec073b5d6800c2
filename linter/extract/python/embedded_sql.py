"""SQL text handed to a call: decoded and analysed by the SQL extractor when it
is built from literals, HOS205 when it cannot be known on a clearly-database
call (see the package docstring for which calls those are)."""
from __future__ import annotations

import libcst as cst

from hos_lint.embedded import looks_like_sql
from hos_lint.extract import sql as sql_extract
from hos_lint.extract.python.bindings import BindingKind
from hos_lint.extract.python.scan import Scan
from hos_lint.extract.python.strings import is_stringish, sql_literal
from hos_lint.extract.python.syntax import keyword, positional, str_annotated
from hos_lint.model import Via

# Keyword arguments that carry the SQL text when it is not the first positional one.
_SQL_KEYWORDS = ("sql", "query", "statement", "operation", "text")


def sql_argument(scan: Scan, call: cst.Call, shown: str, via: Via, *, report: bool,
                 string_only: bool = False) -> None:
    """Analyse the SQL argument of ``call`` when it is built from literals;
    otherwise, when ``report``, HOS205 unless it is probably not SQL text.

    ``string_only``: the argument can only be SQL text (``text(x)``), so any
    unknown value is reported.
    """
    arg = positional(call, 0)
    if arg is None:
        arg = keyword(call, *_SQL_KEYWORDS)
    if arg is None:
        return
    literal = sql_literal(arg, scan.host, scan.lookup)
    if literal is None:
        why = _dynamic_reason(scan, arg, string_only) if report else None
        if why is not None:
            scan.dynamic(call, shown, why)
        return
    text, origin, placeholders = literal
    if not looks_like_sql(text) or not scan.config.postgres:
        return
    scan.sql_results.append(sql_extract.extract_sql(
        text, origin, path=scan.src.path, service=scan.src.service, via=via,
        anchor=scan.anchor(), placeholders=placeholders,
    ))


def _dynamic_reason(scan: Scan, arg: cst.BaseExpression, string_only: bool) -> str | None:
    """Why a non-literal SQL argument is unknowable, or None when it is
    probably not SQL text at all (``stmt = select(User)``)."""
    if isinstance(arg, cst.Name):
        return _name_reason(scan, arg.value, string_only)
    if is_stringish(arg) or string_only:
        return "built at run time"
    return None


def _name_reason(scan: Scan, name: str, string_only: bool) -> str | None:
    bindings = scan.lookup(name)
    if not bindings:
        return f"`{name}`, which this file does not define" if string_only else None
    if any(b.kind is BindingKind.IMPORT for b in bindings):
        return f"`{name}`, imported from another module"
    if len(bindings) == 1 and bindings[0].kind is BindingKind.PARAM:
        param = bindings[0].value
        if string_only or (isinstance(param, cst.Param) and str_annotated(param)):
            return f"the parameter `{name}`"
        return None
    if not string_only and all(b.kind is BindingKind.ASSIGN and not is_stringish(b.value) for b in bindings):
        return None
    return f"`{name}`, built at run time"
