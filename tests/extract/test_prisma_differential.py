"""hos-lint's Prisma parser against Prisma's own (differential test).

The oracle is ``@prisma/prisma-schema-wasm`` (the engine the Prisma CLI runs),
pinned in ``tests/oracle/prisma/package-lock.json`` and driven by
``tests/oracle/prisma/prisma_view.js``. Every schema goes to both; they must
agree:

- a schema Prisma accepts: hos-lint reports no HOS901 and exactly Prisma's
  tables (model/view name, ``@@map`` name, ``@@schema``), columns (scalar and
  enum fields with their ``@map`` names), foreign keys (``@relation`` fields and
  references) and datasources (provider, url / env variable, ``schemas``);
- a schema Prisma rejects for its grammar (``SYNTAX_ERRORS``) or for an
  argument of an attribute the facts come from (``@@map``, ``@map``,
  ``@@schema``, ``@relation``, the datasource's ``url`` / ``schemas``): hos-lint
  reports HOS901 and leaves the block out;
- a schema Prisma rejects for anything else (unknown types, a missing ``@id``,
  relation consistency, a model without ``@@schema`` while the datasource lists
  schemas): hos-lint is not Prisma's validator and reads it as written; such
  schemas in the repository are listed in ``REJECTED_AS_INTENDED`` with the
  exact errors Prisma reports, so nothing else hides behind them.

The schemas: every ``.prisma`` file in the repository (a ``prisma/schema/``
folder is one multi-file schema), hand-written edge cases, schemas from a
seeded generator (``@@map``, ``@map``, ``@@schema``, relations in every
spelling, views, enums, comments, multi-schema datasources, Unicode names,
escapes, line endings, several files) and mutations of those (one character
inserted, deleted or a line duplicated).

Without node or the installed oracle the tests skip, except under CI (``CI``
set), where they fail: ``.ci/run`` installs the oracle with ``npm ci``.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hos_lint.extract import prisma
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "tests/oracle/prisma"
SCRIPT = ORACLE / "prisma_view.js"
PACKAGE = ORACLE / "node_modules/@prisma/prisma-schema-wasm/package.json"

Files = list[tuple[str, str]]  # one schema: (file name, text) pairs


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


@pytest.fixture(scope="module")
def oracle():
    """Prisma's view of a list of schemas (one node process per call)."""
    node = shutil.which("node")
    if node is None or not PACKAGE.is_file():
        reason = ("node is not installed" if node is None else
                  f"the oracle is not installed (npm ci --prefix {ORACLE.relative_to(ROOT)})")
        if _in_ci():
            pytest.fail(f"Prisma differential test cannot run under CI: {reason}")
        pytest.skip(reason)

    def run(schemas: list[Files]) -> list[dict]:
        payload = json.dumps([[list(f) for f in files] for files in schemas])
        done = subprocess.run([node, str(SCRIPT)], input=payload, capture_output=True,
                              text=True, encoding="utf-8", timeout=600, cwd=ORACLE)
        assert done.returncode == 0, done.stderr
        views = json.loads(done.stdout)
        assert len(views) == len(schemas)
        return views

    return run


# --- the two views, reduced to the facts hos-lint extracts ------------------------


def prisma_facts(view: dict) -> dict:
    models = view["models"]
    return {
        "tables": sorted((m["name"], m["dbName"] or m["name"], m["schema"]) for m in models),
        "columns": sorted((m["name"], f["name"], f["dbName"] or f["name"])
                          for m in models for f in m["fields"] if f["kind"] in ("scalar", "enum")),
        "foreign_keys": sorted((m["name"], f["name"], tuple(f["relationFromFields"]),
                                tuple(f["relationToFields"]))
                               for m in models for f in m["fields"] if f["relationFromFields"]),
        # Prisma's configuration lists the schemas sorted.
        "datasources": sorted((d["name"], d["provider"], d["urlEnv"], d["url"], tuple(sorted(d["schemas"])))
                              for d in view["datasources"]),
    }


def hos_lint(files: Files) -> tuple[dict, list]:
    """hos-lint's facts for one schema (its files extracted one by one, as the
    linter does) and its HOS901 problems."""
    results = [prisma.extract(SourceFile(name, None, Language.PRISMA), text, ExtractConfig())
               for name, text in files]
    models = [m for r in results for m in r.models]
    names = {m.name for m in models}
    # A field whose type is a model is a relation, not a column; Prisma's
    # datamodel leaves Unsupported(...) fields out altogether.
    columns = sorted((m.name, f.name, f.db_name or f.name) for m in models for f in m.fields
                     if f.type not in names and f.type != "Unsupported")
    facts = {
        "tables": sorted((m.name, m.db_name, m.schema) for m in models),
        "columns": columns,
        "foreign_keys": sorted((m.name, f.name, f.relation_fields, f.relation_references)
                               for m in models for f in m.fields if f.relation_fields),
        "datasources": sorted((d.name, d.provider, d.url_env, None if d.url_env is not None else d.url,
                               tuple(sorted(d.schemas)))
                              for r in results for d in r.datasources),
    }
    problems = [(p.location.path, p.location.line, p.message) for r in results for p in r.problems]
    assert all(p.code == "HOS901" for r in results for p in r.problems)
    return facts, problems


# Prisma errors that come from its grammar or its string decoder: hos-lint's
# parser must reject these schemas too.
SYNTAX_ERRORS = re.compile("|".join(re.escape(m) for m in (
    "This line is invalid. It does not start with any known Prisma schema keyword.",
    "This line is not a valid field or attribute definition.",
    "This line is not a valid definition within a datasource.",
    "This line is not a valid definition within a generator.",
    "This line is not an enum value definition.",
    "This block is invalid. It does not start with any known Prisma schema keyword.",
    "This field declaration is invalid. It is either missing a name or a type.",
    "Invalid unicode escape sequence.",
    "Unknown escape sequence.",
    "Trailing commas are not valid in attribute arguments",
    "must not start with a number.",
    "is not allowed in Model names.",
    "is not allowed in View names.",
    "is not allowed in Field names.",
)))

# Prisma errors about arguments; they concern hos-lint when Prisma points into
# an attribute the facts come from, or at a datasource setting hos-lint reads.
ARGUMENT_ERRORS = re.compile("|".join(re.escape(m) for m in (
    "is missing.",
    "No such argument.",
    "Expected a string value",
    "Expected a constant value",
    "can only be defined once.",
    "is already specified",
    "You provided multiple unnamed arguments.",
    "missing a value.",
    "parameter must be passed to the env function",
    "Expected a String value",
    "must be a string literal",
    "schemas array can not be empty",
    "Duplicated schema names are not allowed",
)))
FACT_ATTRIBUTES = {"map", "schema", "relation"}
FACT_SETTING = re.compile(r"^\s*(url|schemas|provider)\s*=")
ATTRIBUTE_AT_END = re.compile(r"@@?([\w.]+)\s*$")


def enclosing_attribute(line: str, column: int, span: str) -> str | None:
    """The attribute whose name or arguments Prisma's span points into."""
    own = re.match(r"@@?([\w.]+)", span)
    if own:
        return own.group(1)
    head, depth = line[:column - 1], 0
    for i in range(len(head) - 1, -1, -1):
        if head[i] == ")":
            depth += 1
        elif head[i] == "(":
            if depth:
                depth -= 1
                continue
            name = ATTRIBUTE_AT_END.search(head[:i])
            if name:
                return name.group(1)
    return None


def must_be_rejected(files: Files, view: dict) -> bool:
    """Does Prisma reject this schema for a reason hos-lint must report?"""
    if view["panic"]:
        return False
    texts = dict(files)
    for error in view["errors"]:
        if SYNTAX_ERRORS.search(error["message"]):
            return True
        if not (ARGUMENT_ERRORS.search(error["message"]) and error["file"] in texts and error["column"]):
            continue
        line = re.split(r"\r\n|\r|\n", texts[error["file"]])[error["line"] - 1]
        if (enclosing_attribute(line, error["column"], error["span"]) in FACT_ATTRIBUTES
                or FACT_SETTING.match(line)):
            return True
    return False


def disagreement(files: Files, view: dict) -> str | None:
    """Why hos-lint and Prisma disagree on one schema, or None."""
    facts, problems = hos_lint(files)
    if view["valid"]:
        if problems:
            return f"Prisma accepts it, hos-lint reports {problems}"
        expected = prisma_facts(view)
        if facts != expected:
            diff = {k: (facts[k], expected[k]) for k in facts if facts[k] != expected[k]}
            return f"facts differ (hos-lint, Prisma): {diff}"
        return None
    if must_be_rejected(files, view) and not problems:
        return f"Prisma rejects it ({[e['message'] for e in view['errors']]}), hos-lint reports nothing"
    return None


def assert_agree(schemas: list[Files], views: list[dict]) -> None:
    failures = []
    for files, view in zip(schemas, views):
        why = disagreement(files, view)
        if why:
            failures.append(f"{why}\n--- schema ---\n" + "\n--- next file ---\n".join(t for _, t in files))
    assert not failures, f"{len(failures)} of {len(schemas)} schemas disagree; first:\n" + "\n\n".join(failures[:3])


# --- the repository's schemas ------------------------------------------------------


# Schemas in the repository that Prisma rejects on purpose, with Prisma's exact
# errors (file, line, message): each is a semantic error hos-lint reports its
# own way (here HOS202 missing-schema), never a grammar disagreement.
REJECTED_AS_INTENDED = {
    "fixtures/hos-marketplace/services/inventory/prisma/schema.prisma": [
        ("fixtures/hos-marketplace/services/inventory/prisma/schema.prisma", 66,
         'Error validating model "ShippingZone": This model is missing an `@@schema` attribute.'),
    ],
}

_SKIP_DIRS = {".git", ".venv", "node_modules", ".hypothesis", ".pytest_cache", "build", "dist"}


def repository_schemas() -> dict[str, Files]:
    """Every .prisma file, a ``prisma/schema/`` folder being one schema."""
    found: dict[str, Files] = {}
    for path in sorted(ROOT.rglob("*.prisma")):
        rel = path.relative_to(ROOT)
        if _SKIP_DIRS & set(rel.parts):
            continue
        key = rel.parent.as_posix() if rel.parent.name == "schema" else rel.as_posix()
        found.setdefault(key, []).append((rel.as_posix(), path.read_text(encoding="utf-8")))
    return found


def test_the_repository_has_schemas_of_both_layouts():
    schemas = repository_schemas()
    assert len(schemas) >= 14
    assert any(len(files) > 1 for files in schemas.values())
    assert "fixtures/prisma-large/prisma/schema.prisma" in schemas


def test_every_schema_in_the_repository(oracle):
    schemas = repository_schemas()
    views = dict(zip(schemas, oracle(list(schemas.values()))))
    rejected = {key: [(e["file"], e["line"], e["message"]) for e in view["errors"]]
                for key, view in views.items() if not view["valid"]}
    assert rejected == REJECTED_AS_INTENDED
    for key, files in schemas.items():
        if key not in rejected:
            assert disagreement(files, views[key]) is None, key
    # The large fixture is compared in full: 104 tables in 10 schemas.
    large = prisma_facts(views["fixtures/prisma-large/prisma/schema.prisma"])
    assert (len(large["tables"]), len({t[2] for t in large["tables"]})) == (104, 10)


# --- hand-written edge cases -------------------------------------------------------

HEAD = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
MULTI = ('datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n'
         '  schemas  = ["a", "b"]\n}\n')


def one(text: str, head: str = HEAD) -> Files:
    return [("schema.prisma", head + text)]


AB = ('model A {{\n  id Int @id\n  bs B[]\n}}\n'
      'model B {{\n  id Int @id\n  aId Int\n  a A @relation({})\n}}\n')

# Schemas Prisma accepts whose facts hos-lint must read exactly as Prisma does.
ACCEPTED = {
    "schema named map": one('model A {\n  id Int @id\n  @@schema(map: "b")\n}\n', MULTI),
    "relation without brackets": one(AB.format("fields: aId, references: id")),
    "relation half bracketed": one(AB.format("fields: [aId], references: id")),
    "env with a named argument": [("schema.prisma",
                                   'datasource db {\n  provider = "postgresql"\n  url = env(named: "X")\n}\n'
                                   'model A {\n  id Int @id\n}\n')],
    "surrogate pair": one('model A {\n  id Int @id @map("\\uD83D\\uDE00")\n  @@map("t\\uD83D\\uDE00")\n}\n'),
    "unicode identifiers": one('model Ürün {\n  id Int @id\n  größe String @map("g")\n  bs Заказ[]\n}\n'
                               'model Заказ {\n  id Int @id\n  üId Int\n  ü Ürün @relation(fields: [üId], '
                               'references: [id])\n}\nmodel 注文x {\n  id Int @id\n}\n'),
    "letters of every kind after the first": one('model Aǅʰ文 {\n  id Int @id\n}\n'),
    "text after the brace is ignored": one('model A { @@map("ghost")\n  id Int @id\n}\n'),
    "glued keyword": one('modelA {\n  id Int @id\n}\nmodels {\n  id Int @id\n}\n'),
    "block comments where Prisma takes them": one(
        '/* a */ model A {\n  /* b */ /* c */ id Int @id /* d */\n  /* e\n  f */ @@map("x")\n'
        '  name String /**/\n  /* g */ }\n/* h */\n'),
    "space separators": one('model\u00a0A\u3000{\n\u2003id Int @id\n  @@map (\t"x" )\n}\n'),
    "blanks inside attributes": one('model A {\n  id Int @ id\n  x Int ? @map( name : "y" )\n  @@ map("x")\n}\n'),
    "line endings": [("schema.prisma", HEAD.replace("\n", "\r\n") + 'model A {\r\n  id Int @id\r\n}\r\n'),
                     ("other.prisma", 'model B {\r  id Int @id\r  @@map("b")\r}\r')],
    "closing brace after a comment": one('model A {\n  id Int @id\n} // x\nmodel B {\n  id Int @id\n} /* y */\n'),
    "escapes": one('model A {\n  id Int @id @map("a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9")\n}\n'),
    "schemas as one string": one('model A {\n  id Int @id\n  @@schema("a")\n}\n',
                                 MULTI.replace('["a", "b"]', '"a"')),
}

# Schemas Prisma rejects (checked) for reasons hos-lint must report with HOS901.
REJECTED = {
    "schema argument named name": one('model A {\n  id Int @id\n  @@schema(name: "b")\n}\n', MULTI),
    "map argument named map": one('model A {\n  id Int @id\n  @@map(map: "x")\n}\n'),
    "field map with two arguments": one('model A {\n  id Int @id @map("a", "b")\n}\n'),
    "map not a string": one('model A {\n  id Int @id\n  @@map(x)\n}\n'),
    "map twice": one('model A {\n  id Int @id\n  @@map("x")\n  @@map("y")\n}\n'),
    "relation fields as strings": one(AB.format('fields: ["aId"], references: ["id"]')),
    "relation unknown argument": one(AB.format("fieldz: [aId], references: [id]")),
    "relation two unnamed arguments": one(AB.format('"r", [aId], [id]')),
    "lone surrogate": one('model A {\n  id Int @id\n  @@map("\\uD83D")\n}\n'),
    "reversed surrogates": one('model A {\n  id Int @id\n  @@map("\\uDE00\\uD83D")\n}\n'),
    "unknown escape": one('model A {\n  id Int @id\n  @@map("a\\qb")\n}\n'),
    "raw tab in a string": one('model A {\n  id Int @id\n  @@map("a\tb")\n}\n'),
    "identifier starting with a non-letter": one('model A {\n  id Int @id\n  x² Int\n}\n'),
    "digit of another script": one('model A٣ {\n  id Int @id\n}\n'),
    "combining mark": one('model Ab\u0308 {\n  id Int @id\n}\n'),
    "model name with a dash": one('model A-B {\n  id Int @id\n}\n'),
    "field name starting with a digit": one('model A {\n  id Int @id\n  1x Int\n}\n'),
    "arguments across lines": one('model A {\n  id Int @id\n  x Int\n  @@index([id,\n  x])\n}\n'),
    "schemas across lines": one('model A {\n  id Int @id\n  @@schema("a")\n}\n',
                                MULTI.replace('["a", "b"]', '[\n    "a",\n    "b"\n  ]')),
    "trailing comma in a list": one('model A {\n  id Int @id\n  @@schema("a")\n}\n',
                                    MULTI.replace('["a", "b"]', '["a", "b",]')),
    "trailing comma in attribute arguments": one('model A {\n  id Int @id\n  @@map("x",)\n}\n'),
    "single-line block": one('model A { id Int @id }\n'),
    "closing brace after a member": one('model A {\n  id Int @id }\n'),
    "two members on a line": one('model A {\n  id Int @id  x Int\n}\n'),
    "block comment between tokens": one('model A {\n  id /* c */ Int @id\n}\n'),
    "two trailing comments": one('model A {\n  id Int @id /* a */ // b\n}\n'),
    "nested block comment": one('model A {\n  id Int @id\n  /* a /* b */ c */\n}\n'),
    "unterminated block comment": one('model A {\n  id Int @id\n  /* a\n}\n'),
    "vertical tab as a blank": one('model A {\n  id\x0bInt @id\n}\n'),
    "line separator as a blank": one('model A {\n  id\u2028Int @id\n}\n'),
    "unsupported with a blank": one('model A {\n  id Int @id\n  g Unsupported ("geometry")?\n}\n'),
    "list type with a blank inside": one('model A {\n  id Int @id\n  g Int[ ]\n}\n'),
    "env with two arguments": [("schema.prisma", 'datasource db {\n  provider = "postgresql"\n'
                                                 '  url = env("A", "B")\n}\nmodel A {\n  id Int @id\n}\n')],
    "url from another function": [("schema.prisma", 'datasource db {\n  provider = "postgresql"\n'
                                                    '  url = vault("A")\n}\nmodel A {\n  id Int @id\n}\n')],
    "empty schemas": one('model A {\n  id Int @id\n}\n', MULTI.replace('["a", "b"]', "[]")),
    "schema listed twice": one('model A {\n  id Int @id\n  @@schema("a")\n}\n',
                               MULTI.replace('["a", "b"]', '["a", "a"]')),
    "open brace on the next line": one('model A\n{\n  id Int @id\n}\n'),
}


def test_edge_cases_prisma_accepts(oracle):
    views = oracle(list(ACCEPTED.values()))
    assert [name for name, view in zip(ACCEPTED, views) if not view["valid"]] == []
    assert {name: disagreement(files, view) for (name, files), view in zip(ACCEPTED.items(), views)
            if disagreement(files, view)} == {}


def test_edge_cases_prisma_rejects(oracle):
    views = oracle(list(REJECTED.values()))
    assert [name for name, view in zip(REJECTED, views) if view["valid"]] == []
    assert [name for name, view in zip(REJECTED, views) if not must_be_rejected(REJECTED[name], view)] == []
    assert [name for name, files in REJECTED.items() if not hos_lint(files)[1]] == []


# --- generated schemas --------------------------------------------------------------


WORDS = ["Order", "Item", "User", "Product", "Review", "Ürün", "Заказ", "注文", "Straße", "Città",
         "Account", "Ledger", "Σχήμα", "Kunde", "Payment", "Shipment", "Tag", "Note"]
FIELD_WORDS = ["name", "status", "total", "createdAt", "größe", "цена", "note", "code", "qty", "label"]
SCALARS = ["String", "Int", "Boolean", "DateTime", "Float", "Decimal", "Json", "BigInt", "Bytes"]
MAP_NAMES = ["orders", "order_items", "t\\u00e9st", "emoji\\uD83D\\uDE00", "with\\\"quote", "back\\\\slash",
             "sl\\/ash", "UPPER", "spaced name", "naïve", "数据"]


class SchemaGenerator:
    """Valid Prisma schemas from a seed: each call draws one."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.taken: set[str] = set()  # database names in use (tables, or columns of one model)

    def fresh(self, candidates: list[str]) -> str:
        """A name not taken yet (Prisma refuses two tables or columns of one name)."""
        name = self.pick(candidates)
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def pick(self, items):
        return self.rng.choice(items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def blank(self) -> str:
        return self.pick([" ", " ", " ", "  ", "\t", " \u00a0", "   "])

    def string(self, value: str) -> str:
        return f'"{value}"'

    def comment_line(self, indent: str) -> str:
        return self.pick([f"{indent}// a comment", f"{indent}/// doc comment",
                          f"{indent}/* block */", f"{indent}/* across\n{indent}   lines */", ""])

    def trailing(self) -> str:
        return self.pick(["", "", "", " // trailing", " /* trailing */", " /// doc"])

    def leading(self) -> str:
        return self.pick(["", "", "", "", "/* lead */ "])

    def schema(self) -> Files:
        rng = self.rng
        self.taken = set()
        multi = self.chance(0.5)
        schemas = [self.pick(["a", "s\\u00e9", "sales", "auth_service"]) + str(i)
                   for i in range(rng.randint(1, 3))] if multi else []
        views = self.chance(0.3)
        used: set[str] = set()

        def new_name(words, suffix_ok=True) -> str:
            while True:
                name = self.pick(words) + (str(rng.randint(1, 99)) if suffix_ok and self.chance(0.5) else "")
                if name not in used:
                    used.add(name)
                    return name

        blocks = [self.datasource(schemas), self.generator(views)]
        enums = [new_name(WORDS) + "Kind" for _ in range(rng.randint(0, 2))]
        for name in enums:
            blocks.append(self.enum(name, schemas))
        models: list[dict] = []
        for _ in range(rng.randint(1, 5)):
            models.append(self.model(new_name(WORDS), enums, schemas))
        self.relate(models)
        blocks += [self.render(m, "model", schemas) for m in models]
        if views:
            for _ in range(rng.randint(1, 2)):
                view = {"name": new_name(WORDS), "fields": [("id", "Int", "@unique")], "attrs": []}
                view["fields"] += self.scalars()
                blocks.append(self.render(view, "view", schemas))
        for _ in range(rng.randint(0, 2)):
            blocks.insert(rng.randint(0, len(blocks)), self.comment_line("").strip() or "// between")
        newline = self.pick(["\n"] * 8 + ["\r\n", "\r"])
        texts = [newline.join(b.split("\n")) for b in blocks]
        if self.chance(0.3) and len(texts) > 3:
            cut = rng.randint(2, len(texts) - 1)
            return [("schema.prisma", (newline * 2).join(texts[:cut]) + newline),
                    ("more.prisma", (newline * 2).join(texts[cut:]) + newline)]
        return [("schema.prisma", (newline * 2).join(texts) + newline)]

    def datasource(self, schemas: list[str]) -> str:
        url = self.pick(['env("DATABASE_URL")', 'env(name: "DB_URL")', 'env(named: "X")',
                         '"postgresql://u:p@localhost:5432/app?schema=public"'])
        lines = ["datasource db {" + self.pick(["", " // main database"]),
                 f"  provider{self.blank()}={self.blank()}\"postgresql\"{self.trailing()}",
                 f"  url{self.blank()}={self.blank()}{url}{self.trailing()}"]
        if self.chance(0.3):
            lines.append('  directUrl = env("DIRECT_URL")')
        if schemas:
            listed = ", ".join(self.string(s) for s in schemas)
            value = self.string(schemas[0]) if len(schemas) == 1 and self.chance(0.3) else f"[{listed}]"
            lines.append(f"  schemas{self.blank()}={self.blank()}{value}{self.trailing()}")
        return "\n".join(lines + ["}"])

    def generator(self, views: bool) -> str:
        lines = ["generator client {", '  provider = "prisma-client-js"']
        if views:
            lines.append('  previewFeatures = ["views"]')
        return "\n".join(lines + ["}"])

    def enum(self, name: str, schemas: list[str]) -> str:
        lines = [f"enum {name} {{"]
        for i in range(self.rng.randint(1, 3)):
            value = self.pick(["ACTIVE", "ARCHIVED", "Ünique", "draft"]) + str(i)
            lines.append(f"  {value}" + (f' @map("{value.lower()}")' if self.chance(0.3) else "") + self.trailing())
        if self.chance(0.3):
            lines.append(f'  @@map("{name.lower()}_enum")')
        if schemas:
            lines.append(f'  @@schema("{self.pick(schemas)}")')
        return "\n".join(lines + ["}"])

    def scalars(self) -> list[tuple[str, str, str]]:
        fields = []
        columns = self.taken
        self.taken = set()
        for i in range(self.rng.randint(0, 4)):
            name = self.pick(FIELD_WORDS) + str(i)
            kind = self.pick(SCALARS)
            type_ = kind + self.pick(["", "", "?", "[]"] if kind not in ("Json", "Bytes") else ["", "?"])
            attrs = []
            if self.chance(0.5):
                column = self.fresh(MAP_NAMES + [name.lower() + "_col"])
                attrs.append(self.pick([f'@map("{column}")', f'@map(name: "{column}")']))
            if kind == "String" and type_ == "String" and self.chance(0.3):
                attrs.append(self.pick(["@db.VarChar(255)", "@unique", '@default("x")']))
            if kind == "Int" and type_ == "Int" and self.chance(0.3):
                attrs.append("@default(0)")
            fields.append((name, type_, " ".join(attrs)))
        if self.chance(0.15):
            fields.append(("geom", 'Unsupported("geometry(Point, 4326)")?', ""))
        self.taken = columns
        return fields

    def model(self, name: str, enums: list[str], schemas: list[str]) -> dict:
        id_type = self.pick(["Int", "String"])
        id_attrs = "@id" + (" @default(autoincrement())" if id_type == "Int" else " @default(uuid())")
        if self.chance(0.3):
            id_attrs += self.pick([' @map("id_col")', ' @map(name: "pk")'])
        fields = [("id", id_type, id_attrs)] + self.scalars()
        for enum_name in enums:
            if self.chance(0.4):
                fields.append((enum_name[0].lower() + enum_name[1:] + "Value", enum_name + self.pick(["", "?"]), ""))
        attrs = []
        if self.chance(0.6):
            table = self.fresh(MAP_NAMES + [name.lower() + "s"])
            attrs.append(self.pick([f'@@map("{table}")', f'@@map(name: "{table}")']))
        if len(fields) > 2 and self.chance(0.3):
            attrs.append(f"@@index([{fields[1][0]}])")
        return {"name": name, "id_type": id_type, "fields": fields, "attrs": attrs}

    def relate(self, models: list[dict]) -> None:
        """Foreign keys in every spelling, with the back relation Prisma requires."""
        count = 0
        for j, child in enumerate(models):
            for parent in models[:j + 1]:
                if not self.chance(0.35):
                    continue
                count += 1
                rel = f"R{count}"
                self_rel = parent is child
                fk = f"{parent['name'][0].lower()}{count}Id"
                optional = "?" if self_rel or self.chance(0.4) else ""
                fields = self.pick([f"[{fk}]", fk])
                refs = self.pick(["[id]", "id"])
                named = self.pick([f'"{rel}", ', f'name: "{rel}", '])
                extra = self.pick(["", ", onDelete: Cascade", f', map: "fk_{count}"'])
                if self.chance(0.5):
                    args = f"{named}fields: {fields}, references: {refs}{extra}"
                else:
                    args = f"fields: {fields}, references: {refs}{extra}, {named.rstrip(', ')}"
                child["fields"].append((fk, parent["id_type"] + optional,
                                        self.pick(["", f'@map("{fk.lower()}_col")'])))
                child["fields"].append((f"parent{count}", parent["name"] + optional, f"@relation({args})"))
                parent["fields"].append((f"children{count}", child["name"] + "[]", f'@relation("{rel}")'))

    def render(self, block: dict, keyword: str, schemas: list[str]) -> str:
        indent = self.pick(["  ", "    ", "\t"])
        head = f"{keyword} {block['name']} {{" + self.pick(["", "", " // after the brace", " @@map(\"ignored\")"])
        lines = [head]
        for name, type_, attrs in block["fields"]:
            if self.chance(0.15):
                lines.append(self.comment_line(indent))
            gap = self.blank()
            lines.append(f"{indent}{self.leading()}{name}{gap}{type_}" + (f"{gap}{attrs}" if attrs else "")
                         + self.trailing())
        attrs = list(block["attrs"])
        if schemas:
            schema = self.pick(schemas)
            attrs.append(self.pick([f'@@schema("{schema}")', f'@@schema(map: "{schema}")']))
        if keyword == "view" and self.chance(0.5):
            attrs.append(f'@@map("{self.fresh([block["name"].lower() + "_view"])}")')
        if attrs and self.chance(0.5):
            lines.append("")
        for attr in attrs:
            lines.append(f"{indent}{self.leading()}{attr}{self.trailing()}")
        lines.append(self.pick(["}", "}", " }", "/* end */ }"]))
        return "\n".join(line for line in lines if line is not None)


def generated(seed: int, count: int) -> list[Files]:
    gen = SchemaGenerator(seed)
    return [gen.schema() for _ in range(count)]


def test_generated_schemas_are_valid_and_agree(oracle):
    schemas = generated(seed=11, count=300)
    views = oracle(schemas)
    invalid = [(files, view["errors"]) for files, view in zip(schemas, views) if not view["valid"]]
    assert invalid == [], "the generator must draw valid schemas"
    assert_agree(schemas, views)


MUTATION_CHARS = list('{}()[],:="@/*\\\n\t -_.?') + ["\u00a0", "\u2028", "\x0b", "é", "²", "\u0308",
                                                     "1", "x", "//", "/*", "*/", "\\u", "\\uD83D", "\r"]


def mutate(files: Files, rng: random.Random) -> Files:
    """One small edit in one file: insert, delete or duplicate."""
    index = rng.randrange(len(files))
    name, text = files[index]
    at = rng.randrange(len(text) + 1)
    how = rng.random()
    if how < 0.5:
        text = text[:at] + rng.choice(MUTATION_CHARS) + text[at:]
    elif how < 0.85:
        text = text[:at] + text[at + rng.randint(1, 3):]
    else:
        lines = text.split("\n")
        k = rng.randrange(len(lines))
        lines.insert(k, lines[k])
        text = "\n".join(lines)
    return files[:index] + [(name, text)] + files[index + 1:]


def test_mutated_schemas_agree(oracle):
    rng = random.Random(1101)
    schemas = [mutate(files, rng) for files in generated(seed=12, count=600)]
    views = oracle(schemas)
    assert_agree(schemas, views)
    # The mutations reach all three outcomes, each often.
    outcomes = [("valid" if v["valid"] else "reported" if must_be_rejected(f, v) else "other")
                for f, v in zip(schemas, views)]
    assert min(outcomes.count(k) for k in ("valid", "reported", "other")) >= 60
