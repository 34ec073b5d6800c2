"""Generate a synthetic NestJS/Prisma monorepo for benchmarks and tests.

    .venv/bin/python bench/generate.py DEST [--files N] [--seed S]

``generate(root, files)`` writes about ``files`` source files across twelve
services under ``root`` (``services/<name>/…``) plus ``hos-lint.yaml``:

- NestJS TypeScript: services, controllers, DTOs, modules and utils. About a
  fifth of the files touch Prisma (``this.prisma.<model>.<op>(…)`` with
  ``include``/``select``, some ``$queryRaw``); the rest look like ordinary
  application code and are meant to be skipped by the prefilter or parsed to
  nothing.
- one ``prisma/schema.prisma`` per service with ``@@schema`` models; every
  third service also maps a model onto another service's table, so the run
  has real findings (HOS105/HOS201 on the schema, HOS102/HOS101 at the uses);
- SQL migrations and a few Python modules (SQLAlchemy ``text()``, asyncpg).

File sizes vary around ``AVERAGE_BYTES`` (padding is more realistic code, not
comments), so 1,000 files are about 5 MB. Output is a pure function of
``(files, seed)``: the same arguments always write the same bytes.
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

AVERAGE_BYTES = 5_000

SERVICES: tuple[str, ...] = (
    "auth", "user", "order", "product", "inventory", "payment",
    "shipping", "notification", "search", "review", "cart", "analytics",
)
# Each service's own models (Prisma model names).
MODELS: dict[str, tuple[str, ...]] = {
    "auth": ("Credential", "RefreshToken", "Session"),
    "user": ("UserProfile", "Address", "Preference"),
    "order": ("Order", "OrderItem", "OrderEvent"),
    "product": ("Product", "ProductImage", "Category"),
    "inventory": ("StockLevel", "Warehouse", "Reservation"),
    "payment": ("Payment", "Refund", "PaymentMethod"),
    "shipping": ("Shipment", "Carrier", "TrackingEvent"),
    "notification": ("Notification", "Template", "DeliveryAttempt"),
    "search": ("SearchIndex", "SearchQuery", "Synonym"),
    "review": ("Review", "ReviewVote", "ReviewFlag"),
    "cart": ("Cart", "CartItem", "SavedItem"),
    "analytics": ("PageView", "Conversion", "Funnel"),
}
# Every third service maps one model onto another service's table: the
# planted cross-service findings.
FOREIGN: dict[str, tuple[str, str]] = {
    "order": ("product", "Product"),
    "search": ("product", "Category"),
    "cart": ("inventory", "StockLevel"),
    "analytics": ("order", "Order"),
}

PRISMA_SHARE = 0.20
SQL_SHARE = 0.05
PYTHON_SHARE = 0.04


@dataclass(frozen=True, slots=True)
class Generated:
    """What ``generate`` wrote: the root, every source file (relative POSIX
    paths, sorted) and their total size in bytes."""

    root: Path
    files: tuple[str, ...]
    total_bytes: int


def schema_of(service: str) -> str:
    return f"{service}_service"


def table_of(model: str) -> str:
    """snake_case plural table name of a Prisma model (``OrderItem`` → ``order_items``)."""
    out = "".join("_" + c.lower() if c.isupper() else c for c in model).lstrip("_")
    if out.endswith("y"):
        return out[:-1] + "ies"
    return out + ("es" if out.endswith(("s", "x")) else "s")


def delegate_of(model: str) -> str:
    return model[0].lower() + model[1:]


def kebab(model: str) -> str:
    return table_of(model).replace("_", "-")


# --- padding: ordinary application code ---------------------------------------------------

_TS_HELPERS = (
    """
  /** Normalises a page request so every list endpoint pages the same way. */
  private page{n}(page?: number, size?: number): {{ skip: number; take: number }} {{
    const safeSize = Math.min(Math.max(size ?? 20, 1), 100);
    const safePage = Math.max(page ?? 1, 1);
    return {{ skip: (safePage - 1) * safeSize, take: safeSize }};
  }}
""",
    """
  /** Builds the audit line written for every state change. */
  private auditLine{n}(actor: string, action: string, subject: string): string {{
    const stamp = new Date().toISOString();
    const parts = [stamp, actor.trim(), action.toUpperCase(), subject];
    if (parts.some((p) => p.length === 0)) {{
      throw new Error(`incomplete audit line for ${{subject}}`);
    }}
    return parts.join(' | ');
  }}
""",
    """
  /** Retries a flaky downstream call with capped exponential back-off. */
  private async withRetry{n}<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {{
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt += 1) {{
      try {{
        return await fn();
      }} catch (error) {{
        lastError = error;
        const delay = Math.min(2 ** attempt * 50, 1000);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }}
    }}
    throw lastError;
  }}
""",
    """
  /** Maps a raw record to the public shape, dropping internal columns. */
  private toView{n}(record: Record<string, unknown>): Record<string, unknown> {{
    const view: Record<string, unknown> = {{}};
    for (const [key, value] of Object.entries(record)) {{
      if (key.startsWith('internal') || key === 'deletedAt') {{
        continue;
      }}
      view[key] = value instanceof Date ? value.toISOString() : value;
    }}
    return view;
  }}
""",
    """
  /** Validates an identifier received from a client before it is used. */
  private assertId{n}(id: string): void {{
    if (!/^[0-9a-f-]{{36}}$/i.test(id)) {{
      throw new BadRequestException(`invalid identifier: ${{id}}`);
    }}
  }}
""",
)


def _pad_ts(parts: list[str], target: int, rng: random.Random, closing: str = "") -> None:
    """Append helper methods until the parts reach ``target`` characters."""
    n = 0
    while sum(map(len, parts)) + len(closing) < target:
        parts.append(rng.choice(_TS_HELPERS).format(n=n))
        n += 1


def _target(rng: random.Random) -> int:
    return int(rng.triangular(2_000, 10_000, 5_000))


# --- TypeScript files ----------------------------------------------------------------------

_READ_CALLS = (
    """
  async list{n}(page?: number) {{
    return this.prisma.{d}.findMany({{
      where: {{ deletedAt: null }},
      include: {{ {rel}: true }},
      orderBy: {{ createdAt: 'desc' }},
      ...this.page0(page, 20),
    }});
  }}
""",
    """
  async get{n}(id: string) {{
    const row = await this.prisma.{d}.findUnique({{
      where: {{ id }},
      select: {{ id: true, createdAt: true, {rel}: {{ select: {{ id: true }} }} }},
    }});
    if (!row) {{
      throw new NotFoundException(`{d} ${{id}} not found`);
    }}
    return row;
  }}
""",
    """
  async count{n}() {{
    return this.prisma.{d}.count({{ where: {{ deletedAt: null }} }});
  }}
""",
)
_WRITE_CALLS = (
    """
  async create{n}(dto: Record<string, unknown>) {{
    return this.prisma.{d}.create({{ data: {{ ...dto, createdAt: new Date() }} }});
  }}
""",
    """
  async archive{n}(id: string) {{
    return this.prisma.{d}.update({{ where: {{ id }}, data: {{ deletedAt: new Date() }} }});
  }}
""",
)
_RAW_CALL = """
  async stats{n}(since: Date) {{
    return this.prisma.$queryRaw`
      SELECT date_trunc('day', created_at) AS day, count(*) AS total
      FROM {schema}.{table}
      WHERE created_at >= ${{since}}
      GROUP BY 1 ORDER BY 1`;
  }}
"""


def prisma_service_ts(svc: str, model: str, rng: random.Random) -> str:
    """A NestJS service that reads and writes its models through Prisma."""
    models = MODELS[svc] + ((FOREIGN[svc][1],) if svc in FOREIGN else ())
    parts = [
        "import { Injectable, NotFoundException, BadRequestException } from '@nestjs/common';\n",
        "import { PrismaService } from '../prisma/prisma.service';\n\n",
        "@Injectable()\n",
        f"export class {model}RepositoryService {{\n",
        "  constructor(private readonly prisma: PrismaService) {}\n",
        _TS_HELPERS[0].format(n=0),
    ]
    target, n = _target(rng), 1
    while sum(map(len, parts)) < target:
        used = rng.choice(models)
        if svc in FOREIGN and used == FOREIGN[svc][1] and rng.random() < 0.5:
            used = model  # keep foreign uses a minority
        template = rng.choice(_READ_CALLS * 3 + _WRITE_CALLS + (_RAW_CALL,))
        parts.append(template.format(n=n, d=delegate_of(used), rel="items", schema=schema_of(svc),
                                     table=table_of(model)))
        n += 1
    parts.append("}\n")
    return "".join(parts)


def prisma_client_ts() -> str:
    return (
        "import { Injectable, OnModuleInit, OnModuleDestroy } from '@nestjs/common';\n"
        "import { PrismaClient } from '@prisma/client';\n\n"
        "@Injectable()\n"
        "export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {\n"
        "  async onModuleInit(): Promise<void> {\n    await this.$connect();\n  }\n\n"
        "  async onModuleDestroy(): Promise<void> {\n    await this.$disconnect();\n  }\n}\n"
    )


def plain_service_ts(model: str, rng: random.Random) -> str:
    """A service without database access: calls other services over HTTP."""
    parts = [
        "import { Injectable, BadRequestException } from '@nestjs/common';\n",
        "import { HttpService } from '@nestjs/axios';\n",
        "import { firstValueFrom } from 'rxjs';\n\n",
        "@Injectable()\n",
        f"export class {model}GatewayService {{\n",
        "  constructor(private readonly http: HttpService) {}\n",
        f"""
  async fetchRemote(id: string): Promise<unknown> {{
    if (id.length === 0) {{
      throw new BadRequestException('empty identifier');
    }}
    const response = await firstValueFrom(this.http.get(`/internal/{kebab(model)}/${{id}}`));
    return response.data;
  }}
""",
    ]
    _pad_ts(parts, _target(rng), rng, "}\n")
    parts.append("}\n")
    return "".join(parts)


def controller_ts(model: str, rng: random.Random) -> str:
    """A REST controller delegating to its service (``.create(`` etc. on a non-client)."""
    cls = f"{model}Controller"
    parts = [
        "import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';\n",
        f"import {{ {model}Service }} from './{kebab(model)}.service';\n",
        f"import {{ Create{model}Dto }} from './dto/create-{kebab(model)}.dto';\n\n",
        f"@Controller('{kebab(model)}')\n",
        f"export class {cls} {{\n",
        f"  constructor(private readonly service: {model}Service) {{}}\n\n",
        "  @Get()\n  findAll(@Query('page') page?: number) {\n    return this.service.findAll(page);\n  }\n\n",
        "  @Get(':id')\n  findOne(@Param('id') id: string) {\n    return this.service.findOne(id);\n  }\n\n",
        f"  @Post()\n  create(@Body() dto: Create{model}Dto) {{\n    return this.service.create(dto);\n  }}\n\n",
        f"  @Put(':id')\n  update(@Param('id') id: string, @Body() dto: Create{model}Dto) {{\n"
        "    return this.service.update(id, dto);\n  }\n\n",
        "  @Delete(':id')\n  remove(@Param('id') id: string) {\n    return this.service.remove(id);\n  }\n",
    ]
    _pad_ts(parts, _target(rng), rng, "}\n")
    parts.append("}\n")
    return "".join(parts)


def dto_ts(model: str, rng: random.Random) -> str:
    """A class-validator DTO: many decorated fields, no database access."""
    parts = [
        "import { IsOptional, IsString, IsInt, Min, MaxLength, IsDateString } from 'class-validator';\n\n",
        f"export class Create{model}Dto {{\n",
    ]
    target, n = _target(rng), 0
    while sum(map(len, parts)) < target:
        parts.append(
            f"  /** Field {n}: free text shown to operators, trimmed on input. */\n"
            f"  @IsString()\n  @MaxLength({64 + n})\n  label{n}!: string;\n\n"
            f"  @IsOptional()\n  @IsInt()\n  @Min(0)\n  quantity{n}?: number;\n\n"
            f"  @IsOptional()\n  @IsDateString()\n  effectiveFrom{n}?: string;\n\n"
        )
        n += 1
    parts.append("}\n")
    return "".join(parts)


def module_ts(model: str, uses_prisma: bool) -> str:
    imports = "import { PrismaService } from '../prisma/prisma.service';\n" if uses_prisma else ""
    providers = f"{model}Service" + (", PrismaService" if uses_prisma else "")
    return (
        "import { Module } from '@nestjs/common';\n"
        f"import {{ {model}Controller }} from './{kebab(model)}.controller';\n"
        f"import {{ {model}Service }} from './{kebab(model)}.service';\n{imports}\n"
        f"@Module({{\n  controllers: [{model}Controller],\n  providers: [{providers}],\n"
        f"  exports: [{model}Service],\n}})\nexport class {model}Module {{}}\n"
    )


def util_ts(n: int, rng: random.Random) -> str:
    """Plain functions: formatting, money, dates."""
    parts = [
        f"// Shared helpers, batch {n}.\n\n",
        "export const MONEY_SCALE = 100;\n\n",
        "export function toCents(amount: number): number {\n  return Math.round(amount * MONEY_SCALE);\n}\n\n",
        "export function formatMoney(cents: number, currency = 'EUR'): string {\n"
        "  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(cents / MONEY_SCALE);\n}\n\n",
    ]
    target, k = _target(rng), 0
    while sum(map(len, parts)) < target:
        parts.append(
            f"export function chunk{k}<T>(items: readonly T[], size: number): T[][] {{\n"
            "  const out: T[][] = [];\n"
            "  for (let i = 0; i < items.length; i += size) {\n"
            "    out.push(items.slice(i, i + size));\n  }\n  return out;\n}\n\n"
            f"export function daysBetween{k}(a: Date, b: Date): number {{\n"
            "  const ms = Math.abs(b.getTime() - a.getTime());\n"
            "  return Math.floor(ms / 86_400_000);\n}\n\n"
        )
        k += 1
    return "".join(parts)


# --- Prisma, SQL, Python -------------------------------------------------------------------------


def prisma_schema(svc: str) -> str:
    """The service's schema: its own models, plus a foreign mapping for some services."""
    schemas = [schema_of(svc)]
    models = [(m, svc) for m in MODELS[svc]]
    if svc in FOREIGN:
        owner, model = FOREIGN[svc]
        schemas.append(schema_of(owner))
        models.append((model, owner))
    listed = ", ".join(f'"{s}"' for s in schemas)
    out = [
        'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["multiSchema"]\n}\n\n',
        f'datasource db {{\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n'
        f"  schemas  = [{listed}]\n}}\n",
    ]
    for model, owner in models:
        out.append(
            f"\nmodel {model} {{\n"
            "  id        String    @id @default(uuid())\n"
            "  name      String    @db.VarChar(200)\n"
            "  status    String    @default(\"active\")\n"
            "  amount    Decimal?  @db.Decimal(12, 2)\n"
            "  createdAt DateTime  @default(now()) @map(\"created_at\")\n"
            "  deletedAt DateTime? @map(\"deleted_at\")\n\n"
            f"  @@index([createdAt])\n  @@map(\"{table_of(model)}\")\n  @@schema(\"{schema_of(owner)}\")\n}}\n"
        )
    return "".join(out)


def migration_sql(svc: str, n: int, rng: random.Random) -> str:
    """A migration: a table, indexes, comments and seed rows in the service's schema."""
    schema = schema_of(svc)
    table = f"{table_of(rng.choice(MODELS[svc]))}_v{n}"
    parts = [
        f"-- Migration {n} for {svc}\n",
        f"CREATE TABLE IF NOT EXISTS {schema}.{table} (\n"
        "    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n    name varchar(200) NOT NULL,\n"
        "    status text NOT NULL DEFAULT 'active',\n    amount numeric(12, 2),\n"
        "    created_at timestamptz NOT NULL DEFAULT now()\n);\n",
        f"CREATE INDEX IF NOT EXISTS {table}_created_idx ON {schema}.{table} (created_at);\n",
        f"COMMENT ON TABLE {schema}.{table} IS 'generated batch {n}';\n",
    ]
    target, k = _target(rng), 0
    while sum(map(len, parts)) < target:
        parts.append(
            f"INSERT INTO {schema}.{table} (name, status, amount) VALUES "
            f"('seed {k}', 'active', {k}.50), ('seed {k}b', 'archived', {k + 1}.25);\n"
            f"UPDATE {schema}.{table} SET status = 'active' WHERE name = 'seed {k}b' AND amount > {k};\n"
        )
        k += 1
    return "".join(parts)


def python_module(svc: str, n: int, rng: random.Random) -> str:
    """A reporting job: asyncpg and SQLAlchemy ``text()`` queries in the own schema."""
    schema, table = schema_of(svc), table_of(MODELS[svc][0])
    parts = [
        '"""Nightly reporting job."""\n',
        "import asyncpg\nfrom sqlalchemy import text\n\n\n",
        f"async def totals_{n}(conn: asyncpg.Connection, since):\n",
        f'    return await conn.fetch("SELECT status, count(*) FROM {schema}.{table} '
        'WHERE created_at >= $1 GROUP BY status", since)\n\n\n',
        f"def archive_{n}(session, days: int) -> None:\n",
        f'    session.execute(text("UPDATE {schema}.{table} SET status = \'archived\' '
        "WHERE created_at < now() - make_interval(days => :days)\"), {\"days\": days})\n\n\n",
    ]
    target, k = _target(rng), 0
    while sum(map(len, parts)) < target:
        parts.append(
            f"def summarise_{k}(rows: list[dict]) -> dict:\n"
            '    """Totals per status, ignoring rows without an amount."""\n'
            "    out: dict = {}\n    for row in rows:\n"
            "        if row.get('amount') is None:\n            continue\n"
            "        out[row['status']] = out.get(row['status'], 0) + row['amount']\n"
            "    return out\n\n\n"
        )
        k += 1
    return "".join(parts)


def manifest_yaml() -> str:
    lines = ["version: 1", "services:"]
    lines += [f"  {svc}: {{schema: {schema_of(svc)}}}" for svc in SERVICES]
    return "\n".join(lines) + "\n"


# --- the layout ---------------------------------------------------------------------------------


def plan(files: int, seed: int) -> dict[str, str]:
    """Every generated file (relative path → text) for ``files`` source files."""
    rng = random.Random(seed)
    out: dict[str, str] = {"hos-lint.yaml": manifest_yaml()}
    for svc in SERVICES:
        out[f"services/{svc}/prisma/schema.prisma"] = prisma_schema(svc)
        out[f"services/{svc}/src/prisma/prisma.service.ts"] = prisma_client_ts()
    fixed = len(out) - 1
    for i in range(max(files - fixed, 0)):
        svc = SERVICES[i % len(SERVICES)]
        path, text = _one_file(svc, i // len(SERVICES), rng)
        out[path] = text
    return out


def _one_file(svc: str, n: int, rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    model = MODELS[svc][n % len(MODELS[svc])]
    base = f"services/{svc}/src/{kebab(model)}-{n}"
    if roll < PRISMA_SHARE:
        return f"{base}/{kebab(model)}.repository.ts", prisma_service_ts(svc, model, rng)
    roll -= PRISMA_SHARE
    if roll < SQL_SHARE:
        return f"services/{svc}/prisma/migrations/{20240101000000 + n}_step/migration.sql", \
            migration_sql(svc, n, rng)
    roll -= SQL_SHARE
    if roll < PYTHON_SHARE:
        return f"services/{svc}/jobs/report_{n}.py", python_module(svc, n, rng)
    kind = rng.choice(("service", "controller", "dto", "module", "util"))
    if kind == "service":
        return f"{base}/{kebab(model)}.service.ts", plain_service_ts(model, rng)
    if kind == "controller":
        return f"{base}/{kebab(model)}.controller.ts", controller_ts(model, rng)
    if kind == "dto":
        return f"{base}/dto/create-{kebab(model)}.dto.ts", dto_ts(model, rng)
    if kind == "module":
        return f"{base}/{kebab(model)}.module.ts", module_ts(model, rng.random() < 0.3)
    return f"services/{svc}/src/utils/helpers-{n}.ts", util_ts(n, rng)


def generate(root: Path, files: int, seed: int = 0) -> Generated:
    """Write the synthetic monorepo under ``root`` (created if missing)."""
    texts = plan(files, seed)
    total = 0
    for rel, text in texts.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        target.write_bytes(data)
        total += len(data) if rel != "hos-lint.yaml" else 0
    sources = tuple(sorted(r for r in texts if r != "hos-lint.yaml"))
    return Generated(root=root, files=sources, total_bytes=total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    made = generate(args.dest, args.files, args.seed)
    print(f"{len(made.files)} files, {made.total_bytes / 1e6:.1f} MB under {made.root}")


if __name__ == "__main__":
    main()
