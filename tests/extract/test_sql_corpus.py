"""Table-driven SQL corpus (sql_corpus.yaml) for the SQL extractor, with
pglast (PostgreSQL's own parser) as a differential oracle.

Every entry asserts the exact set of (schema, name, kind) the extractor
yields. Then, for every entry pglast parses, the set of (schema, name) pglast
sees as relations must equal ours; entries marked ``pglast_differs`` carry
the reason and must still differ (so a mark cannot go stale).
"""
from __future__ import annotations

from pathlib import Path

import pglast
import pytest
import yaml
from pglast import ast
from pglast.enums import ObjectType

from linter.embedded import Origin
from linter.extract.sql import extract_sql

CORPUS = yaml.safe_load((Path(__file__).parent / "sql_corpus.yaml").read_text())


def _ids() -> list[str]:
    return [f"{i:03d}-{entry['sql'].split()[0].lower()}" for i, entry in enumerate(CORPUS)]


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
    assert result.problems == ()
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


def test_every_corpus_statement_is_valid_postgresql():
    rejected = [e["sql"] for e in CORPUS if _pglast_relations(e["sql"]) is None]
    assert rejected == []


@pytest.mark.parametrize("entry", CORPUS, ids=_ids())
def test_pglast_agrees(entry):
    theirs = _pglast_relations(entry["sql"])
    if theirs is None:
        pytest.skip("pglast cannot parse this statement")  # reported by the test above
    ours = {(schema, name) for schema, name, _ in _ours(entry["sql"])}
    if entry.get("pglast_differs"):
        assert ours != theirs, "marked pglast_differs but they now agree: remove the mark"
    else:
        assert ours == theirs
