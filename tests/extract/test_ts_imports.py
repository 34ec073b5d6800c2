"""Origins of TypeScript names and expressions (linter.extract.typescript.imports):
which module a value comes from and what was applied to it, through the
lexical scopes (a local declaration named like an import is not the import)."""
from __future__ import annotations

import textwrap

import pytest

from hos_lint.extract.typescript.origin import Origin
from hos_lint.extract.typescript.prisma_clients import Clients
from hos_lint.extract.typescript.sites import CallSite, FileFacts
from hos_lint.extract.typescript.tree import HostText, first_argument, parse_tree
from hos_lint.extract.typescript.walker import Walker
from hos_lint.model import Language, SourceFile


def probes(code: str, path: str = "services/x/src/a.ts") -> list[tuple[int, tuple | None]]:
    """(line, (module, export, steps)) of the first argument of every ``probe(…)`` call."""
    host = HostText(textwrap.dedent(code))
    facts = FileFacts(SourceFile(path, "x", Language.TYPESCRIPT), host, Clients(host, ()), parse_sql=False)
    seen: list[tuple[int, tuple | None]] = []

    def recognise(site: CallSite, facts: FileFacts) -> None:
        if site.function.type == "identifier" and host.node_text(site.function) == "probe":
            origin = facts.origins.of(first_argument(site.arguments), site.scope)
            row = None if origin is None else (origin.module, origin.export, origin.steps)
            seen.append((host.position(site.call.start_byte)[0], row))

    Walker(facts, (recognise,)).visit_program(parse_tree(host.data, path))
    return seen


def only(code: str) -> tuple | None:
    found = probes(code)
    assert len(found) == 1
    return found[0][1]


# --- import forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imports", "expr", "expected"),
    [
        ("import postgres from 'postgres'", "postgres", ("postgres", "default", ())),
        ("import { DataSource } from 'typeorm'", "DataSource", ("typeorm", "DataSource", ())),
        ("import { Repository as Repo } from 'typeorm'", "Repo", ("typeorm", "Repository", ())),
        ("import * as orm from 'typeorm'", "orm", ("typeorm", "*", ())),
        ("import * as orm from 'typeorm'", "orm.DataSource", ("typeorm", "DataSource", ())),
        ("import knex, { Knex } from 'knex'", "knex", ("knex", "default", ())),
        ("import knex, { Knex } from 'knex'", "Knex", ("knex", "Knex", ())),
        ("import type { Sql } from 'postgres'", "Sql", ("postgres", "Sql", ())),
        ("import db = require('pg-promise')", "db", ("pg-promise", "*", ())),
        ("import { 'weird name' as w } from 'm'", "w", ("m", "weird name", ())),
        ("const knex = require('knex')", "knex", ("knex", "*", ())),
        ("const { Pool } = require('pg')", "Pool", ("pg", "Pool", ())),
        ("const { Pool: P } = require('pg')", "P", ("pg", "Pool", ())),
        ("const P = require('pg').Pool", "P", ("pg", "Pool", ())),
        ("import pg from 'pg'; const { Pool } = pg", "Pool", ("pg", "Pool", ())),
        ("import pg from 'pg'", "pg.Pool", ("pg", "Pool", ())),
    ],
)
def test_import_forms(imports, expr, expected):
    assert only(f"{imports}\nprobe({expr})\n") == expected


def test_unrelated_and_undeclared_names_have_no_origin():
    assert only("import x from 'm'\nprobe(y)\n") is None
    assert only("probe(require)\n") is None
    assert only("probe(require(name))\n") is None  # a module not known statically


# --- factory results ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import postgres from 'postgres'\nconst sql = postgres(url)", ("postgres", "default", ("()",))),
        ("import { drizzle } from 'drizzle-orm/node-postgres'\nconst sql = drizzle(pool)",
         ("drizzle-orm/node-postgres", "drizzle", ("()",))),
        ("import knex from 'knex'\nconst sql = knex({ client: 'pg' })", ("knex", "default", ("()",))),
        ("import { Knex } from 'knex'\nconst sql = Knex({})", ("knex", "Knex", ("()",))),
        ("import { Kysely } from 'kysely'\nconst sql = new Kysely<DB>({ dialect })", ("kysely", "Kysely", ("new",))),
        ("import { Sequelize } from 'sequelize'\nconst sql = new Sequelize(url)", ("sequelize", "Sequelize", ("new",))),
        ("import { DataSource } from 'typeorm'\nexport const sql = new DataSource({})", ("typeorm", "DataSource", ("new",))),
        ("import pgPromise from 'pg-promise'\nconst sql = pgPromise({})(url)", ("pg-promise", "default", ("()", "()"))),
        ("import pgPromise from 'pg-promise'\nconst pgp = pgPromise()\nconst sql = pgp(url)",
         ("pg-promise", "default", ("()", "()"))),
        ("import { createPool } from 'slonik'\nconst sql = await createPool(url)", ("slonik", "createPool", ("()",))),
        ("const sql = require('knex')({ client: 'pg' })", ("knex", "*", ("()",))),
        ("import { DataSource } from 'typeorm'\nconst ds = new DataSource({})\nconst sql = ds.getRepository(User)",
         ("typeorm", "DataSource", ("new", ".getRepository", "()"))),
        ("import { sql as s } from 'slonik'\nconst sql = s.unsafe", ("slonik", "sql", (".unsafe",))),
        ("import postgres from 'postgres'\nconst sql = (postgres(url)!) as Sql", ("postgres", "default", ("()",))),
        ("import postgres from 'postgres'\nconst sql = cached ?? postgres(url)", ("postgres", "default", ("()",))),
        ("import { sql as tag } from 'slonik'\nconst sql = tag`SELECT 1`", ("slonik", "sql", ("``",))),
    ],
)
def test_factory_results(code, expected):
    assert only(f"{code}\nprobe(sql)\n") == expected


def test_origin_keeps_the_node_of_its_last_step_out_of_equality():
    host_code = "import { DataSource } from 'typeorm'\nconst ds = new DataSource({})\nprobe(ds.getRepository(User))\n"
    host = HostText(host_code)
    facts = FileFacts(SourceFile("a.ts", "x", Language.TYPESCRIPT), host, Clients(host, ()), parse_sql=False)
    nodes = []

    def recognise(site: CallSite, facts: FileFacts) -> None:
        if host.node_text(site.function) == "probe":
            nodes.append(facts.origins.of(first_argument(site.arguments), site.scope))

    Walker(facts, (recognise,)).visit_program(parse_tree(host.data, "a.ts"))
    (origin,) = nodes
    assert host.node_text(origin.node) == "ds.getRepository(User)"
    assert origin == Origin("typeorm", "DataSource", ("new", ".getRepository", "()"))


def test_package_of_a_module_path():
    assert Origin("drizzle-orm/pg-core", "pgTable").package == "drizzle-orm"
    assert Origin("@nestjs/typeorm", "InjectRepository").package == "@nestjs/typeorm"
    assert Origin("@vercel/postgres/dist/x", "sql").package == "@vercel/postgres"
    assert Origin("node:fs", "*").package == "fs"
    assert Origin("./db", "db").package == "./db"


def test_is_checks_package_export_and_steps():
    origin = Origin("drizzle-orm/node-postgres", "drizzle", ("()",))
    assert origin.is_(("drizzle-orm",), ("drizzle",), ("()",))
    assert not origin.is_(("drizzle-orm",), ("drizzle",))
    assert not origin.is_(("kysely",), ("drizzle",), ("()",))


# --- declared types and classes --------------------------------------------------------------


def test_typed_parameters_fields_and_constructor_properties_are_instances():
    code = """\
    import { DataSource, EntityManager, Repository } from 'typeorm'
    class S {
      manager: EntityManager
      constructor(private readonly ds: DataSource, repo: Repository<User> | null) {
        this.repo = repo
        probe(repo)
      }
      run(m: EntityManager) {
        probe(this.ds)
        probe(this.manager)
        probe(this.repo)
        probe(m)
      }
    }
    """
    assert probes(code) == [
        (6, ("typeorm", "Repository", ("new",))),
        (9, ("typeorm", "DataSource", ("new",))),
        (10, ("typeorm", "EntityManager", ("new",))),
        (11, ("typeorm", "Repository", ("new",))),
        (12, ("typeorm", "EntityManager", ("new",))),
    ]


def test_namespace_qualified_type():
    code = "import * as orm from 'typeorm'\nfunction f(m: orm.EntityManager) { probe(m) }\n"
    assert only(code) == ("typeorm", "EntityManager", ("new",))


def test_this_in_a_class_extending_an_imported_class():
    code = """\
    import { Repository } from 'typeorm'
    class UserRepository extends Repository<User> {
      byName() { probe(this) }
    }
    class Other extends LocalBase {
      byName() { probe(this) }
    }
    """
    assert probes(code) == [(3, ("typeorm", "Repository", ("new",))), (6, None)]


# --- shadowing -------------------------------------------------------------------------------


def test_parameter_named_like_an_import_is_not_the_import():
    code = """\
    import postgres from 'postgres'
    const sql = postgres(url)
    function render(sql: string) { probe(sql) }
    const f = (sql) => probe(sql)
    probe(sql)
    """
    assert probes(code) == [(3, None), (4, None), (5, ("postgres", "default", ("()",)))]


def test_local_variable_named_like_an_import_is_not_the_import():
    code = """\
    import { sql } from '@vercel/postgres'
    function a() {
      const sql = (strings) => strings.join('')
      probe(sql)
    }
    function b() {
      for (const sql of parts) probe(sql)
      try { x() } catch (sql) { probe(sql) }
      probe(sql)
    }
    """
    assert probes(code) == [(4, None), (7, None), (8, None), (9, ("@vercel/postgres", "sql", ()))]


def test_local_function_and_class_named_like_an_import_shadow_it():
    code = """\
    import { sql } from 'slonik'
    function f() {
      function sql() { return 1 }
      probe(sql)
    }
    function g() {
      class sql {}
      probe(sql)
    }
    """
    assert probes(code) == [(4, None), (8, None)]


def test_local_declaration_with_its_own_origin_shadows_the_import():
    code = """\
    import { sql } from '@vercel/postgres'
    import postgres from 'postgres'
    function f() {
      const sql = postgres(url)
      probe(sql)
    }
    """
    assert only(code) == ("postgres", "default", ("()",))


def test_shadowed_require_is_not_a_module():
    code = "function load(require) { const knex = require('knex'); probe(knex) }\n"
    assert only(code) is None


def test_local_class_named_like_a_library_type_is_not_it():
    code = """\
    class Repository<T> { find() { return [] } }
    function f(repo: Repository<User>) { probe(repo) }
    class UserRepository extends Repository<User> { m() { probe(this) } }
    """
    assert probes(code) == [(2, None), (3, None)]


def test_untyped_parameter_and_local_field_without_origin():
    code = """\
    import { DataSource } from 'typeorm'
    class S {
      constructor(ds) { this.ds = ds }
      run() { probe(this.ds) }
    }
    """
    assert only(code) is None


def test_very_long_chains_stop_instead_of_growing():
    chain = "db" + ".a()" * 40
    assert only(f"import db from 'm'\nprobe({chain})\n") is None
