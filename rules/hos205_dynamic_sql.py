"""SQL built at run time whose relations cannot be known statically.

## What it does
Flags `$queryRawUnsafe(sql)` / `.query(sql)` / `execute(sql)` calls whose SQL
is not a literal, and literals whose relation name is an interpolation
(`` `SELECT * FROM ${table}` ``, `f"SELECT * FROM {table}"`), at the call or
string that builds the SQL. Interpolations in value positions are bind
parameters and are fine.

## Why it matters
hos-lint cannot tell which table dynamic SQL touches, so it cannot prove the
boundary holds. Reporting it keeps "not analysed" from passing for "clean".

## Example
```ts services/order/src/report.ts
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export const rows = (table: string) => prisma.$queryRawUnsafe(`SELECT * FROM ${table}`);
```

## Instead
```ts services/order/src/report.ts
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export const rows = (id: number) => prisma.$queryRaw`SELECT * FROM order_service.orders WHERE id = ${id}`;
```
Write the relation name literally and bind only values; once reviewed, a
suppression comment with a reason records why a dynamic query is safe.
"""
from collections.abc import Iterator

from hos_lint.model import Finding, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid
from hos_lint.rules._problems import problem_findings


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from problem_findings(ctx, "use literal relation names and bind only values")


RULE = Rule(
    code="HOS205", name="dynamic-sql", severity=Severity.WARNING, doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/src/q.ts": (
            "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"
            "await prisma.$queryRaw`SELECT * FROM orders WHERE id = ${id}`;\n")}),
        Invalid({"services/order/src/q.ts": (
            "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"
            "await prisma.$executeRawUnsafe(sql);\n")},
            expect=("HOS205 3:7",)),
        # Drizzle: sql.raw(...) built at run time, and tables named at run time
        Valid({"services/order/src/q.ts": (
            "import { drizzle } from 'drizzle-orm/node-postgres';\nimport { sql } from 'drizzle-orm';\n"
            "const db = drizzle(process.env.DATABASE_URL!);\n"
            "await db.execute(sql`SELECT * FROM order_service.orders WHERE id = ${id}`);\n")}),
        Invalid({"services/order/src/q.ts": (
            "import { drizzle } from 'drizzle-orm/node-postgres';\nimport { sql } from 'drizzle-orm';\n"
            "const db = drizzle(process.env.DATABASE_URL!);\n"
            "await db.execute(sql.raw(query));\n")},
            expect=("HOS205 4:7",)),
        # a query method is SQL by where its receiver comes from: Apollo Client's is not
        Valid({"services/order/pages/orders.tsx": (
            "import { gql } from '@apollo/client';\nimport client from '../lib/apollo-client';\n"
            "const { data } = await client.query({ query: gql`query { orders { id } }` });\n")}),
        Invalid({"services/order/src/q.ts": (
            "import { Pool } from 'pg';\nconst reader = new Pool();\n"
            "await reader.query(buildQuery());\n")},
            expect=("HOS205 3:7",)),
        # postgres.js sql.unsafe, pg-promise name variables
        Invalid({"services/order/src/q.ts": (
            "import postgres from 'postgres';\nconst sql = postgres(process.env.DATABASE_URL!);\n"
            "await sql.unsafe(query);\n")},
            expect=("HOS205 3:7",)),
        Invalid({"services/order/src/q.ts": (
            "import pgPromise from 'pg-promise';\nconst db = pgPromise()(process.env.DATABASE_URL!);\n"
            "await db.any('SELECT * FROM ${table:name}', { table });\n")},
            expect=("HOS205 3:29",)),
    ),
)
