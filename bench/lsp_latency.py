"""Latency of ``hos-lint server``: diagnostics for an edited 1,000-line file, after the debounce.

    .venv/bin/pip install -e '.[lsp]'   # or '.[test]'
    .venv/bin/python bench/lsp_latency.py [--edits 40] [--lines 1000] [--debounce-ms 150]
                                          [--write bench/RESULTS.md]

The bundled fixture (``fixtures/hos-marketplace``) is copied to a temp folder and a
generated TypeScript file of ``--lines`` lines is added to the order service (a
NestJS service with Prisma calls, one of which writes payment's table: HOS101).
Then, side by side:

- over stdio: ``hos-lint server`` as a subprocess, driven by the JSON-RPC client of
  the tests (``tests/lsp_client.py``); each edit is one ``didChange`` that plants or
  removes the violation in the middle of the file. Wall: from sending the change to
  receiving its ``publishDiagnostics``, minus the debounce. CPU: the server process's
  user + sys over the same span (``/proc/PID/stat``, counted in clock ticks of 10 ms),
  which includes the debounce's idle wait.
- in process: the same edits through the handlers (``Session.change`` + ``refresh``),
  wall and CPU (``time.process_time``): the check itself, without transport or timer.

Every edit's diagnostics are checked (HOS101 at the planted line, or none), so a
fast wrong answer cannot pass. The target is 100 ms (the median and the 90th
percentile are reported). ``--write`` replaces only the section between the
``lsp-latency`` markers of that file (appending it when missing): the rest of
bench/RESULTS.md is bench/bench.py's. Not part of the test suite: the numbers
depend on the machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from lsp_client import LspClient  # noqa: E402

FIXTURE = ROOT / "fixtures" / "hos-marketplace"
TARGET_MS = 100.0
START, END = "<!-- lsp-latency:start -->", "<!-- lsp-latency:end -->"
REL = "services/order/src/generated/bulk-orders.service.ts"

HEADER = """import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class BulkOrdersService {
  constructor(private readonly prisma: PrismaService) {}
"""
METHOD = """
  async listOrders{n}(customerId: string, take = 50) {{
    const orders = await this.prisma.order.findMany({{
      where: {{ customerId, status: 'PAID' }},
      include: {{ items: true }},
      orderBy: {{ createdAt: 'desc' }},
      take,
    }});
    return orders.map((o) => ({{ id: o.id, number: o.orderNumber, total: o.totalCents ?? 0 }}));
  }}
"""
CLEAN = "    const marker = await this.prisma.order.count({ where: { id: orderId } });\n"
DIRTY = "    const marker = await this.prisma.payment.update({ where: { id: orderId }, data: {} });\n"


def generated(lines: int) -> tuple[str, int]:
    """A TypeScript service of about ``lines`` lines, and the 0-based line to edit."""
    body = [HEADER]
    n = 0
    while sum(part.count("\n") for part in body) < lines // 2:
        body.append(METHOD.format(n=n))
        n += 1
    body.append("\n  async touch(orderId: string) {\n")
    edit_line = sum(part.count("\n") for part in body)
    body.append(CLEAN + "    return marker;\n  }\n")
    while sum(part.count("\n") for part in body) < lines - 1:
        body.append(METHOD.format(n=n))
        n += 1
    body.append("}\n")
    return "".join(body), edit_line


def cpu_of(pid: int) -> float:
    """User + sys CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def expect(diagnostics: list[dict], dirty: bool, line: int) -> None:
    found = [(d["code"], d["range"]["start"]["line"]) for d in diagnostics]
    if found != ([("HOS101", line)] if dirty else []):
        raise SystemExit(f"wrong diagnostics after an edit: {found}")


def over_stdio(root: Path, text: str, line: int, edits: int, debounce_ms: int) -> tuple[list[float], list[float]]:
    client = LspClient([sys.executable, "-m", "hos_lint", "server"], cwd=root)
    walls: list[float] = []
    cpus: list[float] = []
    try:
        client.initialize(root, {"debounceMs": debounce_ms})
        uri = (root / REL).as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "typescript",
                                                                "version": 1, "text": text}})
        client.wait_for("textDocument/publishDiagnostics", uri, timeout=120)
        for i in range(edits):
            dirty = i % 2 == 0
            new = DIRTY if dirty else CLEAN
            cpu0 = cpu_of(client.proc.pid)
            sent = time.perf_counter()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": i + 2},
                "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                              "end": {"line": line + 1, "character": 0}}, "text": new}]})
            note = client.wait_for("textDocument/publishDiagnostics", uri)
            walls.append((note["_arrived"] - sent) * 1000 - debounce_ms)
            cpus.append((cpu_of(client.proc.pid) - cpu0) * 1000)
            expect(note["params"]["diagnostics"], dirty, line)
    finally:
        client.shutdown()
    return walls, cpus


def in_process(root: Path, text: str, line: int, edits: int) -> tuple[list[float], list[float]]:
    from hos_lint.app import Options
    from hos_lint.lsp.session import Session

    session = Session(root, Options(paths=(str(root),)))
    uri = (root / REL).as_uri()
    session.open(uri, text)
    lines = text.split("\n")
    walls: list[float] = []
    cpus: list[float] = []
    for i in range(edits):
        dirty = i % 2 == 0
        lines[line] = (DIRTY if dirty else CLEAN).rstrip("\n")
        edited = "\n".join(lines)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        session.change(uri, edited)
        [(_, diagnostics)] = session.refresh(uri)
        walls.append((time.perf_counter() - wall0) * 1000)
        cpus.append((time.process_time() - cpu0) * 1000)
        expect([{"code": d.code, "range": {"start": {"line": d.range.start.line}}} for d in diagnostics], dirty, line)
    return walls, cpus


def summary(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.9) - 1)], ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--debounce-ms", type=int, default=150)
    parser.add_argument("--write", metavar="FILE", help="replace the lsp-latency section of this file")
    args = parser.parse_args()
    text, line = generated(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "hos-marketplace"
        shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".hos-lint-cache"))
        (root / REL).parent.mkdir(parents=True, exist_ok=True)
        (root / REL).write_text(text)
        stdio = over_stdio(root, text, line, args.edits, args.debounce_ms)
        local = in_process(root, text, line, args.edits)
    rows = [("over stdio, wall after the debounce", stdio[0]), ("over stdio, server CPU", stdio[1]),
            ("in process, wall", local[0]), ("in process, CPU", local[1])]
    table = ["| measured | median | p90 | max | target | holds |", "|---|---:|---:|---:|---:|---|"]
    for name, values in rows:
        med, p90, top = summary(values)
        table.append(f"| {name} | {med:.1f} ms | {p90:.1f} ms | {top:.1f} ms | ≤ {TARGET_MS:.0f} ms | "
                     f"{'yes' if p90 <= TARGET_MS else '**no**'} |")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    section = "\n".join([
        START,
        "## Language server latency",
        "",
        f"Produced by `python bench/lsp_latency.py --edits {args.edits} --lines {args.lines} "
        f"--debounce-ms {args.debounce_ms} --write bench/RESULTS.md` on {dt.date.today().isoformat()} "
        f"({platform.machine()}, {os.cpu_count()} cores, load {load}). Diagnostics for an edited "
        f"{text.count(chr(10))}-line TypeScript file in the bundled fixture, each of {args.edits} edits "
        "planting or removing a HOS101; every answer checked.",
        "",
        *table,
        END,
    ])
    print(section)
    if args.write:
        target = Path(args.write)
        current = target.read_text() if target.exists() else ""
        if START in current and END in current:
            head, rest = current.split(START, 1)
            current = head + section + rest.split(END, 1)[1]
        else:
            current = current.rstrip("\n") + "\n\n" + section + "\n"
        target.write_text(current)


if __name__ == "__main__":
    main()
