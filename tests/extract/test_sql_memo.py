"""The statement memo (linter.extract.sql.memo): a statement replayed from the memo
yields exactly the records of one analysed afresh (the whole SQL corpus, its broken
variants, the fixtures' migrations, placeholders, rejected and unparsable statements,
DDL), at whatever position it sits; token-read forms are analysed every time; an
entry of any other shape is a miss; a file whose SQL is all memoised is extracted
without importing sqlglot."""
from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap

import pytest
from trees import counting_statements

from hos_lint.embedded import Origin
from hos_lint.extract import sql as sql_pkg
from hos_lint.extract.sql import extract_sql, split_statements
from hos_lint.extract.sql.lexer import first_word
from hos_lint.extract.sql.memo import MAX_ENTRIES, Settled, StatementMemo, decode, encode, statement_key, using
from hos_lint.extract.sql.statement import _TOKEN_HANDLERS, _Fallback, settle

from .test_sql import VALID_OUTSIDE_SQLGLOT
from .test_sql_corpus import ACCEPTED, CORPUS, FIXTURES, _broken

P12 = frozenset({"$1", "$2"})

# (text, placeholders): every kind of outcome a statement can settle to, and the forms
# that are read by tokens (not memoised), one per line so positions differ.
CASES: list[tuple[str, frozenset[str]]] = [
    ("SELECT * FROM a;\nSELECT FROM WHERE ((;\nINSERT INTO b VALUES (1);\n", frozenset()),  # unparsable
    ("SELEC x FROM t;", frozenset()),  # not a statement
    ("VACUUM a;\nCREATE RECURSIVE VIEW v (n) AS SELECT 1;\nANALYZE b;\nLISTEN ch;\nSELECT 1 FROM c;", frozenset()),
    ("BEGIN; CREATE SCHEMA s; CREATE EXTENSION pgcrypto; CREATE TYPE s.t AS ENUM ('a');\n"
     "DO $$ BEGIN DELETE FROM auth_service.users; END $$; COMMIT;", frozenset()),  # ignored forms
    ("EXPLAIN;\nCREATE SCHEMA (;\nVACUUM ,", frozenset()),  # ignored forms PostgreSQL rejects
    ("CREATE TABLE s.t (a int,);\nSELECT a,, b FROM s.t;\nCREATE TABLE s.u (, a int)", frozenset()),  # shape
    ("SELECT 1;\nALTER TABLE order_service.orders\n  OWNER TO;\nSELECT * FROM b;", frozenset()),  # fallback
    ("SET search_path TO billing;\nSELECT * FROM invoices;\nRESET search_path;\nSELECT * FROM invoices",
     frozenset()),  # the search path is applied when replaying
    ("GRANT SELECT ON s.t TO bob;\nREVOKE ALL ON s.t FROM bob;\nLOCK TABLE s.t;\nREFRESH MATERIALIZED VIEW s.v",
     frozenset()),
    ("CREATE VIEW s.v AS SELECT * FROM s.a JOIN s.b ON true;\nCREATE MATERIALIZED VIEW s.m AS SELECT 1 FROM s.c "
     "WITH NO DATA;\nCREATE TABLE s.t (id int REFERENCES s.p (id));\nDROP TABLE s.x, s.y;\n"
     "COMMENT ON TABLE s.t IS 'x';\nCREATE SEQUENCE s.q;\nCREATE INDEX i ON s.t (a);\nTRUNCATE s.t;\n"
     "COPY s.t FROM STDIN;\nWITH d AS (DELETE FROM s.t RETURNING *) INSERT INTO s.u SELECT * FROM d",
     frozenset()),  # DDL and DML
    ("SELECT * FROM $1 JOIN b ON b.id = $2\nJOIN c ON true", P12),  # placeholders: HOS205
    ("SELECT * FROM $1 JOIN b ON b.id = $2\nJOIN c ON true", frozenset({"$2"})),  # same text, other markers
    ("SELECT * FROM t WHERE a = $1 AND b = ANY($2) LIMIT $3", frozenset({"$1", "$2", "$3"})),
    ('INSERT INTO $1.orders (a) VALUES ($2);\nSELECT * FROM "$1".x, orders_$1, s.y', P12),
    ("SELECT * FROM $1.$2 JOIN t ON true", P12),  # a placeholder that breaks parsing: HOS205
    ("SELECT * FROM t WHERE ((( $1", frozenset({"$1"})),  # unparsable with placeholders: HOS901
    ("LOCK TABLE $1, b;\nALTER TABLE $2 OWNER TO r", P12),
    ("CREATE TABLE $1 (a int);\nCREATE VIEW s.v AS SELECT * FROM $2", P12),
    ("SELECT " + "(" * 400 + "1" + ")" * 400, frozenset()),  # deeper than sqlglot likes
]


def _texts() -> list[tuple[str, str, frozenset[str]]]:
    out = [(f"case {i:02d}", text, markers) for i, (text, markers) in enumerate(CASES)]
    out += [(f"corpus {CORPUS.index(e):03d}", e["sql"], frozenset()) for e in CORPUS]
    out += [(f"broken {ACCEPTED.index(e):03d}.{j}", text, frozenset())
            for e in ACCEPTED for j, text in enumerate(_broken(e["sql"]))]
    out += [(f"valid {i:02d}", text, frozenset()) for i, text in enumerate(VALID_OUTSIDE_SQLGLOT)]
    out += [(str(path.relative_to(FIXTURES)), path.read_text(encoding="utf-8"), frozenset())
            for path in sorted(FIXTURES.rglob("*.sql"))]
    return out


TEXTS = _texts()


def run(text: str, placeholders: frozenset[str] = frozenset(), memo: StatementMemo | None = None,
        prefix: str = "") -> sql_pkg.SqlResult:
    whole = prefix + text
    with using(memo):
        return extract_sql(whole, Origin.identity(whole), path="db/m.sql", service="order",
                           placeholders=placeholders)


def read_by_tokens(text: str, placeholders: frozenset[str]) -> bool:
    """Whether a statement is one of the forms the token readers read (never memoised)."""
    stmt = split_statements(text)[0]
    first = first_word(stmt)
    return first in _TOKEN_HANDLERS or isinstance(settle(stmt, first, placeholders), _Fallback)


def stored(memo: StatementMemo) -> StatementMemo:
    """A new memo holding what ``memo`` would store, as the next run loads it."""
    entries = memo.to_save() or {}
    return StatementMemo(lambda: dict(entries))


def test_the_inputs_cover_every_outcome():
    assert len(TEXTS) > 900
    memo = StatementMemo()
    for _, text, markers in TEXTS:
        run(text, markers, memo)
    outcomes = [decode(raw) for raw in memo.added.values()]
    assert any(s.reasons and s.facts is None for s in outcomes)  # HOS901 without facts
    assert any(s.reasons and s.facts is not None and s.facts.hits for s in outcomes)  # rejected, read anyway
    assert any(not s.reasons and s.facts is None for s in outcomes)  # ignored forms
    assert any(s.facts is not None and s.facts.defs for s in outcomes)  # definitions
    assert any(s.facts is not None and any(h.name.dynamic is not None for h in s.facts.hits) for s in outcomes)
    assert any(h.referrer is not None for s in outcomes if s.facts is not None for h in s.facts.hits)


@pytest.mark.parametrize("where,text,markers", TEXTS, ids=[w for w, _, _ in TEXTS])
def test_replayed_from_the_memo_equals_analysed_afresh(where, text, markers, monkeypatch):
    prefix = "\n\n   "  # at another position too (an edit above the SQL moved it): the positions follow
    plain, moved = run(text, markers), run(text, markers, None, prefix)
    assert plain != moved or not (plain.accesses or plain.problems or plain.relation_defs)
    filling = StatementMemo()
    assert run(text, markers, filling) == plain
    memo = stored(filling)
    seen = counting_statements(monkeypatch)
    assert run(text, markers, memo) == plain
    assert run(text, markers, memo, prefix) == moved
    statements = split_statements(text)
    assert all(read_by_tokens(s, markers) for s in seen)  # only the token-read forms were analysed again
    assert len(filling.added) == len({s.text for s in statements if not read_by_tokens(s.text, markers)}
                                     - {s.text for s in statements if _ran_out(s.text, markers)})


def _ran_out(text: str, markers: frozenset[str]) -> bool:
    stmt = split_statements(text)[0]
    settled = settle(stmt, first_word(stmt), markers)
    return isinstance(settled, Settled) and not settled.memoisable


def test_the_same_text_with_other_placeholders_is_another_entry(monkeypatch):
    text = "SELECT * FROM $1.$2 JOIN b ON true"
    memo = StatementMemo()
    run(text, P12, memo)
    without = run(text, frozenset())
    assert [p.code for p in without.problems] == ["HOS901"]  # not a name the host put there: unparsable
    seen = counting_statements(monkeypatch)
    assert run(text, frozenset(), memo) == without
    assert seen == [text]
    assert [p.code for p in run(text, P12, memo).problems] == ["HOS205"]
    assert seen == [text]
    assert statement_key(text, frozenset({"$1"})) != statement_key(text, frozenset())
    assert statement_key("a", frozenset({"$1", "$2"})) == statement_key("a", frozenset({"$2", "$1"}))


def test_a_statement_that_ran_out_of_stack_is_not_memoised(monkeypatch):
    from hos_lint.extract.sql import statement

    def deep(*_):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(statement, "classify", deep)
    memo = StatementMemo()
    result = run("SELECT * FROM t", memo=memo)
    assert [p.message for p in result.problems] == [
        "could not parse SQL statement (SELECT * FROM): maximum recursion depth exceeded"]
    assert memo.added == {}


def test_an_error_after_a_complaint_keeps_both_reasons_in_order(monkeypatch):
    from hos_lint.extract.sql import statement

    def broken(*_):
        raise KeyError("odd tree")

    monkeypatch.setattr(statement, "classify", broken)
    memo = StatementMemo()
    text = "CREATE TABLE s.t (a int,)"
    first = run(text, memo=memo)
    reasons = [p.message.split("): ", 1)[1] for p in first.problems]
    assert reasons == ["',' before ')'; what it names is still checked", "'odd tree'"]
    monkeypatch.undo()
    assert run(text, memo=stored(memo)) == first  # replayed: the same two problems, no access


def _entry(hits: tuple, defs: tuple = ()) -> bytes:
    return pickle.dumps(((), (hits, defs)))


NAME = ("t", None, False, 0, None)


@pytest.mark.parametrize("raw", [
    b"", b"junk", pickle.dumps(None), pickle.dumps(("x", None)), pickle.dumps(((1,), None)),
    _entry(((("t", None, False, "0", None), "read", "SELECT", None),)),  # offset not an int
    _entry(((NAME, "peek", "SELECT", None),)),  # no such access kind
    _entry(((("t", None, 0, 0, None), "read", "SELECT", None),)),  # quoted not a bool
    _entry((), ((NAME, "table", 3),)),  # `what` not a string
    _entry(((NAME, "read", "SELECT"),)),  # a field short
    pickle.dumps(((), ("not", "tuples"))), pickle.dumps({"a": 1}), 12, None, ["list"],
])
def test_an_entry_of_another_shape_is_a_miss(raw, monkeypatch):
    text = "SELECT * FROM s.t;\nCREATE TABLE s.u (a int)"
    keys = [statement_key(s.text, frozenset()) for s in split_statements(text)]
    memo = StatementMemo(lambda: dict.fromkeys(keys, raw))
    plain = run(text)
    seen = counting_statements(monkeypatch)
    assert run(text, memo=memo) == plain
    assert seen == ["SELECT * FROM s.t", "CREATE TABLE s.u (a int)"]
    assert decode(raw) is None


def test_a_well_formed_entry_round_trips():
    text = "CREATE VIEW s.v AS SELECT * FROM s.a"
    stmt = split_statements(text)[0]
    settled = settle(stmt, "CREATE", frozenset())
    assert isinstance(settled, Settled)
    back = decode(encode(settled))
    assert (back.reasons, back.facts.hits, back.facts.defs) == (settled.reasons, settled.facts.hits,
                                                                 settled.facts.defs)


def test_a_memo_loads_on_its_first_lookup_only():
    loads: list[int] = []

    def load():
        loads.append(1)
        return {}

    memo = StatementMemo(load)
    assert loads == []
    run("SELECT 1", memo=memo)
    run("SELECT 2", memo=memo)
    assert loads == [1]


def test_what_is_saved_keeps_the_newest_entries_within_the_bound():
    old = {bytes([i % 256, i // 256]) + b"o" * 14: b"x" for i in range(MAX_ENTRIES)}
    memo = StatementMemo(lambda: dict(old))
    assert memo.to_save() is None  # nothing added: nothing to write
    used = next(iter(old))
    memo.get(used)  # a miss on the shape (b"x"), so not counted as used
    run("SELECT * FROM t", memo=memo)
    saved = memo.to_save()
    assert len(saved) == MAX_ENTRIES
    assert list(saved)[-1] == statement_key("SELECT * FROM t", frozenset())
    assert used not in saved  # the oldest went


def test_workers_hand_back_what_they_added():
    memo = StatementMemo()
    run("SELECT * FROM a", memo=memo)
    taken = memo.take_added()
    assert list(taken) == [statement_key("SELECT * FROM a", frozenset())]
    assert memo.added == {} and memo.get(next(iter(taken))) is not None  # still known here
    parent = StatementMemo()
    parent.merge(taken)
    assert parent.to_save() == taken


# --- no sqlglot when every statement is memoised ---------------------------------------

TS_FILE = textwrap.dedent("""\
    import { PrismaClient } from '@prisma/client';
    const prisma = new PrismaClient();
    export async function totals(id: number) {
      await prisma.$executeRaw`UPDATE billing.invoices SET paid = true WHERE id = ${id}`;
      return prisma.$queryRaw`SELECT i.id, c.name FROM billing.invoices i
        JOIN auth_service.users c ON c.id = i.user_id WHERE i.id = ${id}`;
    }
""")

PROBE = """
import json, pickle, sys
from hos_lint.app.extraction import extract_bytes
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile
from hos_lint.extract.sql.memo import StatementMemo, using
entries = pickle.loads(bytes.fromhex(sys.argv[1]))
memo = StatementMemo(lambda: entries) if entries is not None else None
src = SourceFile("services/billing/src/a.ts", "billing", Language.TYPESCRIPT)
with using(memo):
    result = extract_bytes(src, sys.argv[2].encode(), ExtractConfig())
print(json.dumps({
    "sqlglot": "sqlglot" in sys.modules,
    "accesses": [[a.ref.schema, a.ref.name, a.kind.value, a.location.line, a.location.col] for a in result.accesses],
    "problems": [[p.code, p.location.line, p.location.col] for p in result.problems],
    "added": pickle.dumps(memo.to_save() if memo is not None else None).hex(),
}))
"""


def probe(entries: dict[bytes, bytes] | None, code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, pickle.dumps(entries).hex(), code],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_file_whose_sql_is_all_memoised_is_extracted_without_importing_sqlglot():
    cold = probe(None, TS_FILE)  # no memo: sqlglot does the work
    assert cold["sqlglot"] is True
    assert cold["accesses"] == [["billing", "invoices", "write", 4, 35], ["billing", "invoices", "read", 5, 52],
                                ["auth_service", "users", "read", 6, 10]]
    filled = probe({}, TS_FILE)  # an empty memo: analysed and added
    assert filled["sqlglot"] is True
    entries = pickle.loads(bytes.fromhex(filled["added"]))
    assert len(entries) == 2
    edited = "// edited above the SQL\n" + TS_FILE
    warm = probe(entries, edited)
    assert warm["sqlglot"] is False
    assert warm["accesses"] == [[s, n, k, line + 1, col] for s, n, k, line, col in cold["accesses"]]
    assert warm["problems"] == [[c, line + 1, col] for c, line, col in cold["problems"]]
    assert pickle.loads(bytes.fromhex(warm["added"])) is None  # nothing new: nothing to write
    changed = probe(entries, edited.replace("paid = true", "paid = false"))  # one statement edited
    assert changed["sqlglot"] is True
