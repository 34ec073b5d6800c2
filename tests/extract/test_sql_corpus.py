"""Table-driven SQL corpus (sql_corpus.yaml) for the SQL extractor, with
pglast (PostgreSQL's own parser) as a differential oracle.

Every entry asserts the exact set of (schema, name, kind) the extractor
yields. Then, for every entry pglast parses, the set of (schema, name) pglast
sees as relations must equal ours; entries marked ``pglast_differs`` carry
the reason and must still differ (so a mark cannot go stale).

pglast is also the judge of what PostgreSQL accepts: every statement of the
corpus and of the fixtures' ``.sql`` files that it rejects must be HOS901,
every one it accepts must not be, and so must each corpus statement with its
brackets or commas broken. There is no exception to list.
"""
from __future__ import annotations

from pathlib import Path

import pglast
import pytest
import yaml
from pglast import ast
from pglast.enums import ObjectType

from hos_lint.embedded import Origin
from hos_lint.extract.sql import extract_sql, split_statements

CORPUS = yaml.safe_load((Path(__file__).parent / "sql_corpus.yaml").read_text())
ACCEPTED = [e for e in CORPUS if "rejected" not in e]
FIXTURES = Path(__file__).parents[2] / "fixtures"


def _ids(entries: list[dict] = CORPUS) -> list[str]:
    return [f"{CORPUS.index(entry):03d}-{entry['sql'].split()[0].lower()}" for entry in entries]


def _extract(sql: str):
    return extract_sql(sql, Origin.identity(sql), path="c.sql", service="svc")


def _ours(sql: str) -> set[tuple[str | None, str, str]]:
    return {(a.ref.schema, a.ref.name, a.kind.value) for a in _extract(sql).accesses}


def _expected(entry: dict) -> set[tuple[str | None, str, str]]:
    return {(schema, str(name), kind) for schema, name, kind in entry["expect"]}


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 200


@pytest.mark.parametrize("entry", CORPUS, ids=_ids())
def test_corpus_entry(entry):
    result = _extract(entry["sql"])
    expected_problems = [("HOS901", 1, 1)] if "rejected" in entry else []
    assert [(p.code, p.location.line, p.location.col) for p in result.problems] == expected_problems
    assert _ours(entry["sql"]) == _expected(entry)


# --- the pglast oracle -------------------------------------------------------

# DROP/COMMENT name relations as lists of strings, not RangeVars.
_RELATION_OBJECTS = {
    ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW,
    ObjectType.OBJECT_INDEX, ObjectType.OBJECT_SEQUENCE, ObjectType.OBJECT_FOREIGN_TABLE,
}
# RangeVars under these nodes are not accesses: GRANT objects become Grant
# facts; FOR UPDATE OF names a FROM item already counted.
_NOT_ACCESSES = (ast.GrantStmt, ast.LockingClause)


def _names(parts) -> tuple[str | None, str]:
    strings = [p.sval for p in parts]
    return (strings[-2] if len(strings) > 1 else None, strings[-1])


def _walk(node, out: set, ctes: set) -> None:
    """Collect what pglast sees as relations (see the module docstring)."""
    if isinstance(node, (tuple, list)):
        for item in node:
            _walk(item, out, ctes)
        return
    if not isinstance(node, ast.Node) or isinstance(node, _NOT_ACCESSES):
        return
    _visit(node, out, ctes)
    for slot in node.__slots__:
        _walk(getattr(node, slot, None), out, ctes)


def _visit(node, out: set, ctes: set) -> None:
    if isinstance(node, ast.RangeVar):
        out.add((node.schemaname, node.relname))
    elif isinstance(node, ast.CommonTableExpr):
        ctes.add(node.ctename)
    elif isinstance(node, ast.DropStmt) and node.removeType in _RELATION_OBJECTS:
        out.update(_names(obj) for obj in node.objects)
    elif isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TRIGGER:
        out.update(_names(obj[:-1]) for obj in node.objects)  # drop the trigger name
    elif isinstance(node, ast.CommentStmt) and node.objtype in _RELATION_OBJECTS:
        out.add(_names(node.object))
    elif isinstance(node, ast.CommentStmt) and node.objtype == ObjectType.OBJECT_COLUMN:
        out.add(_names(node.object[:-1]))  # drop the column name
    elif isinstance(node, ast.CreateFunctionStmt):
        out.add(_names(node.funcname))
    elif isinstance(node, ast.ObjectWithArgs):
        out.add(_names(node.objname))
    elif isinstance(node, ast.AlterObjectSchemaStmt) and node.relation is not None:
        out.add((node.newschema, node.relation.relname))


def _pglast_relations(sql: str) -> set[tuple[str | None, str]] | None:
    try:
        tree = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    found: set = set()
    ctes: set = set()
    _walk(tree, found, ctes)
    return {(schema, name) for schema, name in found if schema is not None or name not in ctes}


def test_pglast_rejects_exactly_the_entries_marked_rejected():
    rejected = [e["sql"] for e in CORPUS if _pglast_relations(e["sql"]) is None]
    assert rejected == [e["sql"] for e in CORPUS if "rejected" in e]


@pytest.mark.parametrize("entry", ACCEPTED, ids=_ids(ACCEPTED))
def test_pglast_agrees(entry):
    theirs = _pglast_relations(entry["sql"])
    assert theirs is not None, "pglast rejects this entry: mark it `rejected`"
    ours = {(schema, name) for schema, name, _ in _ours(entry["sql"])}
    if entry.get("pglast_differs"):
        assert ours != theirs, "marked pglast_differs but they now agree: remove the mark"
    else:
        assert ours == theirs


# --- pglast as the judge of what PostgreSQL accepts -------------------------------


def _postgres_accepts(sql: str) -> bool:
    try:
        pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return False
    return True


def _reports_hos901(sql: str) -> bool:
    return any(p.code == "HOS901" for p in _extract(sql).problems)


def _statements() -> list[tuple[str, str]]:
    """(where, text) of every statement of the corpus and of the fixtures' .sql files."""
    out = [(f"corpus {i:03d}", s.text) for i, e in enumerate(CORPUS) for s in split_statements(e["sql"])]
    for path in sorted(FIXTURES.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        out += [(f"{path.relative_to(FIXTURES)}:{text.count(chr(10), 0, s.start) + 1}", s.text)
                for s in split_statements(text)]
    return out


STATEMENTS = _statements()


def test_the_fixtures_hold_sql_statements():
    assert sum(1 for where, _ in STATEMENTS if not where.startswith("corpus")) >= 20


@pytest.mark.parametrize("where,sql", STATEMENTS, ids=[w for w, _ in STATEMENTS])
def test_hos901_exactly_where_postgresql_rejects_the_statement(where, sql):
    assert _reports_hos901(sql) is not _postgres_accepts(sql)


def _broken(sql: str) -> list[str]:
    """The statement with its last ``)`` dropped, a ``,`` put before it, its
    first ``(`` dropped, a trailing ``,``: mistakes a migration really has."""
    out = [sql + ","]
    close, open_ = sql.rfind(")"), sql.find("(")
    if close >= 0:
        out += [sql[:close] + sql[close + 1:], sql[:close] + "," + sql[close:]]
    if open_ >= 0:
        out.append(sql[:open_] + sql[open_ + 1:])
    return out


@pytest.mark.parametrize("entry", ACCEPTED, ids=_ids(ACCEPTED))
def test_broken_brackets_and_commas_are_hos901_when_postgresql_rejects_them(entry):
    verdicts = {broken: (_reports_hos901(broken), _postgres_accepts(broken)) for broken in _broken(entry["sql"])}
    assert {b: v for b, v in verdicts.items() if v[0] is v[1]} == {}
