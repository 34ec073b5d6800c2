"""``hos-lint report``: the model, every format, the diff against a git ref, and
the golden markdown of the hos-marketplace fixture.

Regenerate the golden file after a reviewed fixture change with
``HOS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_report.py``.
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import textwrap
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import pytest
from trees import write_tree

from hos_lint import app, gitref, report
from hos_lint.model import Severity
from hos_lint.output import REPORT_FORMATTERS, DiffOptions, ReportOptions, report_diff, report_graph
from hos_lint.output.report_labels import edge_severity

write = partial(write_tree, dedent=True)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "hos-marketplace"
GOLDEN = ROOT / "tests" / "golden" / "report-hos-marketplace.md"


def render(r: report.Report, fmt: str, link_base: str = "") -> str:
    return REPORT_FORMATTERS[fmt](r, ReportOptions(link_base=link_base))

FILES = {
    "hos-lint.yaml": """\
        version: 1
        services:
          auth: {schema: auth_service}
          order: {schema: order_service}
          search: {schema: search_service}
          idle: {schema: idle_service}
        allow:
          - service: search
            read: [order_service.orders]
            reason: indexing reads until order events carry full payloads
        """,
    "services/order/prisma/schema.prisma": """\
        datasource db {
          provider = "postgresql"
          url      = env("DATABASE_URL")
          schemas  = ["order_service"]
        }
        model Order {
          id Int @id
          @@map("orders")
          @@schema("order_service")
        }
        """,
    "services/order/src/repo.ts": """\
        import { PrismaClient } from '@prisma/client';
        const prisma = new PrismaClient();
        export async function list() {
          await prisma.order.findMany();
          await prisma.order.create({ data: {} });
          return prisma.$queryRaw`SELECT id FROM auth_service.users`;
        }
        """,
    "services/auth/db/001.sql": "CREATE TABLE auth_service.users (id int primary key);\n",
    "services/search/db/index.sql": """\
        SELECT * FROM search_service.order_summaries;
        SELECT * FROM order_service.orders;
        UPDATE auth_service.users SET id = 1;
        SELECT * FROM legacy.things;
        """,
    "infrastructure/database/views.sql":
        "CREATE VIEW search_service.order_summaries AS SELECT o.id FROM order_service.orders o;\n",
}




def build(root: Path) -> report.Report:
    project, findings = app.check_all(app.Options(paths=(str(root),), cache=False))
    return report.build_report(project.manifest, project.context, project.accesses, findings)


@pytest.fixture
def small(tmp_path) -> report.Report:
    return build(write(tmp_path, FILES))


# --- the model -------------------------------------------------------------------------------


def test_touches_are_exact_with_routes_channels_and_findings(small):
    got = [(t.service, t.relation, t.owner, t.kind, t.route, t.channels, t.count, str(t.first), t.findings)
           for t in small.touches]
    assert got == [
        ("auth", "auth_service.users", "auth", "ddl", "direct", ("sql",), 1, "services/auth/db/001.sql:1:14", ()),
        ("order", "auth_service.users", "auth", "read", "direct", ("prisma-raw",), 1,
         "services/order/src/repo.ts:6:42", ("HOS102",)),
        ("order", "order_service.orders", "order", "read", "direct", ("prisma-client",), 1,
         "services/order/src/repo.ts:4:16", ()),
        ("order", "order_service.orders", "order", "write", "direct", ("prisma-client",), 1,
         "services/order/src/repo.ts:5:16", ()),
        ("search", "auth_service.users", "auth", "write", "direct", ("sql",), 1,
         "services/search/db/index.sql:3:8", ("HOS101",)),
        ("search", "legacy.things", None, "read", "direct", ("sql",), 1, "services/search/db/index.sql:4:15",
         ("HOS203",)),
        # the allowed read has no finding, and the view read is its own route
        ("search", "order_service.orders", "order", "read", "direct", ("sql",), 1,
         "services/search/db/index.sql:2:15", ()),
        ("search", "order_service.orders", "order", "read", "view search_service.order_summaries", ("view",), 1,
         "infrastructure/database/views.sql:1:13", ()),
        ("search", "search_service.order_summaries", "search", "read", "direct", ("sql",), 1,
         "services/search/db/index.sql:1:15", ()),
    ]


def test_cells_count_per_kind_and_keep_the_worst_finding(small):
    got = [(c.service, c.owner, c.reads, c.writes, c.ddl, c.references, c.views, c.worst, c.worst_code, c.findings)
           for c in small.cells]
    assert got == [
        ("auth", "auth", 0, 0, 1, 0, 0, None, None, 0),
        ("order", "auth", 1, 0, 0, 0, 0, Severity.ERROR, "HOS102", 1),
        ("order", "order", 1, 1, 0, 0, 0, None, None, 0),
        ("search", "auth", 0, 1, 0, 0, 0, Severity.ERROR, "HOS101", 1),
        ("search", "order", 1, 0, 0, 0, 1, None, None, 0),
        ("search", "search", 1, 0, 0, 0, 0, None, None, 0),
        ("search", None, 1, 0, 0, 0, 0, Severity.WARNING, "HOS203", 1),
    ]
    assert small.owners == ("auth", "idle", "order", "search", None)
    assert (small.rows, small.columns, small.idle) == (("auth", "order", "search"),
                                                       ("auth", "order", "search", None), ("idle",))
    assert [(e.service, e.owner, edge_severity(e)) for e in small.edges] == [
        ("order", "auth", "error"), ("search", "auth", "error"), ("search", "order", "ok")]


def test_a_service_reading_only_through_a_view_is_a_view_edge(tmp_path):
    files = {k: v for k, v in FILES.items() if k != "services/search/db/index.sql"}
    files["services/search/db/index.sql"] = "SELECT * FROM search_service.order_summaries;\n"
    r = build(write(tmp_path, files))
    assert [(e.service, e.owner, e.views, edge_severity(e)) for e in r.edges] == [
        ("order", "auth", 0, "error"), ("search", "order", 1, "view")]


def test_accesses_outside_services_are_not_rows(small):
    # infrastructure/database/views.sql reads order_service.orders in the view body (service None)
    assert {t.service for t in small.touches} == {"auth", "order", "search"}


# --- renderers -------------------------------------------------------------------------------------


def test_mermaid_is_exact(small):
    assert render(small, "mermaid") == textwrap.dedent("""\
        graph LR
          n0["auth"]
          n1["idle"]
          n2["order"]
          n3["search"]
          n2 -->|"1 read"| n0
          n3 -->|"1 write"| n0
          n3 -->|"1 read, 1 via view"| n2
          linkStyle 0 stroke:#cf222e,stroke-width:2px
          linkStyle 1 stroke:#cf222e,stroke-width:2px
          linkStyle 2 stroke:#6e7781,stroke-width:2px
        """)


def test_dot_is_exact_and_quotes_names(small):
    assert render(small, "dot") == textwrap.dedent("""\
        digraph "hos-lint" {
          rankdir=LR;
          node [shape=box, style=rounded, fontname="sans-serif"];
          edge [fontname="sans-serif", fontsize=10];
          "auth";
          "idle";
          "order";
          "search";
          "order" -> "auth" [label="1 read", color="#cf222e"];
          "search" -> "auth" [label="1 write", color="#cf222e"];
          "search" -> "order" [label="1 read, 1 via view", color="#6e7781"];
        }
        """)
    assert report_graph.dot_id('a"b\\c') == '"a\\"b\\\\c"'


def test_json_shape(small):
    doc = json.loads(render(small, "json"))
    assert list(doc) == ["version", "services", "owners", "matrix", "touches", "edges", "unplaced"]
    assert doc["version"] == 1 and doc["owners"] == ["auth", "idle", "order", "search", None]
    assert doc["edges"] == [
        {"from": "order", "to": "auth", "label": "1 read", "severity": "error"},
        {"from": "search", "to": "auth", "label": "1 write", "severity": "error"},
        {"from": "search", "to": "order", "label": "1 read, 1 via view", "severity": "ok"},
    ]
    assert doc["matrix"][1] == {"service": "order", "owner": "auth", "reads": 1, "writes": 0, "ddl": 0,
                                "references": 0, "views": 0, "findings": 1, "worst": "error",
                                "worst_code": "HOS102"}


def test_markdown_is_exact(small):
    md = render(small, "md")
    assert md.split("### Dependency graph")[0] == textwrap.dedent("""\
        ## hos-lint report

        4 services · 3 cross-service dependencies · 5 foreign relation touches (1 through views) · 3 findings (2 errors, 1 warning)

        ### Who touches whose data

        Rows are the services whose code touches the data; columns are the services that own it.

        | service ↓ · owner → | auth | order | search | (unowned) |
        |---|---|---|---|---|
        | **auth** | 1 ddl | · | · | · |
        | **order** | ❌ 1 read (HOS102) | 1 read, 1 write | · | · |
        | **search** | ❌ 1 write (HOS101) | 1 read, 1 via view | 1 read | ⚠️ 1 read (HOS203) |

        No accesses found for: idle.

        ❌ error · ⚠️ warning · ℹ️ info (the worst finding in the cell)

        ### Foreign relations by service

        #### order

        | relation | owner | access | through | first seen | finding |
        |---|---|---|---|---|---|
        | `auth_service.users` | auth | read ×1 | Prisma raw SQL | `services/order/src/repo.ts:6` | ❌ HOS102 |

        #### search

        | relation | owner | access | through | first seen | finding |
        |---|---|---|---|---|---|
        | `auth_service.users` | auth | write ×1 | SQL | `services/search/db/index.sql:3` | ❌ HOS101 |
        | `legacy.things` | (unowned) | read ×1 | SQL | `services/search/db/index.sql:4` | ⚠️ HOS203 |
        | `order_service.orders` | order | read ×1 | SQL | `services/search/db/index.sql:2` |  |
        | `order_service.orders` | order | read ×1 | view search_service.order_summaries | `infrastructure/database/views.sql:1` |  |

        Touch no other service's data: auth, idle.

        """)
    assert md.endswith("```mermaid\n" + render(small, "mermaid") + "```\n")


class _Outline(HTMLParser):
    """Tags, external references and the matrix cells' classes and texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.external: list[str] = []
        self.cells: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._cell: str | None = None
        self._in_matrix = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href"):
            if attrs.get(key, "").startswith(("http:", "https:", "//")):
                self.external.append(attrs[key])
        if tag == "a":
            self.links.append(attrs["href"])
        if tag == "table" and attrs.get("class") == "matrix":
            self._in_matrix = True
        if tag == "td" and self._in_matrix:
            self._cell = attrs.get("class", "")
            self.cells.append((self._cell, ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_matrix = False
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            cls, text = self.cells[-1]
            self.cells[-1] = (cls, text + data)


def test_html_is_one_offline_file_with_matrix_graph_and_linked_findings(small):
    page = render(small, "html", link_base="https://example.test/blob/main/")
    outline = _Outline()
    outline.feed(page)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "@import" not in page
    assert "link" not in outline.tags and "img" not in outline.tags  # no external stylesheet or picture
    assert outline.tags.count("style") == 1 and outline.tags.count("svg") == 1
    assert outline.cells == [
        ("own", "1 ddl"), ("none", "·"), ("none", "·"), ("none", "·"),
        ("error", "1 readHOS102\xa0×1"), ("own", "1 read, 1 write"), ("none", "·"), ("none", "·"),
        ("error", "1 writeHOS101\xa0×1"), ("ok", "1 read, 1 via view"), ("own", "1 read"),
        ("warning", "1 readHOS203\xa0×1"),
    ]
    # three arrows in the graph, one box per service
    assert page.count('<g class="edge ') == 3 and page.count('<g class="node">') == 4
    assert 'class="edge error"' in page and 'class="edge ok"' in page
    # every finding links to its file and line; links only go where link_base says
    assert "https://example.test/blob/main/services/order/src/repo.ts#L6" in outline.links
    assert set(outline.external) == set(outline.links)


def test_html_escapes_names(tmp_path):
    files = dict(FILES)
    files["services/search/db/index.sql"] = 'SELECT * FROM "<b>x</b>".things;\n'
    page = render(build(write(tmp_path, files)), "html")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_output_is_deterministic(tmp_path):
    a = build(write(tmp_path / "a", FILES))
    b = build(write(tmp_path / "b", dict(reversed(list(FILES.items())))))
    for fmt in REPORT_FORMATTERS:
        assert render(a, fmt) == render(b, fmt)


# --- diff ---------------------------------------------------------------------------------------------


def test_diff_names_new_and_removed_edges(tmp_path):
    old = build(write(tmp_path / "old", FILES))
    changed = dict(FILES)
    changed["services/search/db/index.sql"] = "SELECT * FROM search_service.order_summaries;\n"
    changed["services/order/src/more.sql"] = "SELECT email FROM auth_service.sessions;\n"
    new = build(write(tmp_path / "new", changed))
    text = report_diff.render(report.diff_reports(old, new), DiffOptions(ref="main"))
    assert text == textwrap.dedent("""\
        ## hos-lint: data boundaries compared with `main`

        **Dropped dependencies:** search → auth

        ### New

        - ❌ order now reads `auth_service.sessions` (owned by auth) directly — SQL, `services/order/src/more.sql:1` (HOS102)

        ### Removed

        - search no longer writes `auth_service.users` (owned by auth) directly
        - search no longer reads `legacy.things` (owned by no service) directly
        - search no longer reads `order_service.orders` (owned by order) directly
        """)


def test_diff_of_dependencies_and_of_nothing(tmp_path):
    base = {k: v for k, v in FILES.items() if k != "services/search/db/index.sql"}
    old = build(write(tmp_path / "old", base))
    new = build(write(tmp_path / "new", {**base, "services/search/db/x.sql": "DELETE FROM auth_service.users;\n"}))
    diff = report.diff_reports(old, new)
    assert [(c.service, c.owner) for c in diff.new_dependencies] == [("search", "auth")]
    assert report_diff.render(diff, DiffOptions(ref="HEAD~1")).splitlines()[2] == \
        "**New dependencies:** search → auth"
    assert report_diff.render(report.diff_reports(old, old), DiffOptions(ref="main")) == (
        "## hos-lint: data boundaries compared with `main`\n\nNo change to who touches whose data.\n")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


def test_checkout_materialises_the_project_at_a_ref(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "sub", FILES)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    (repo / "sub/services/order/src/more.sql").write_text("SELECT 1 FROM auth_service.sessions;\n")
    with gitref.checkout("HEAD", repo / "sub") as old_root:
        assert (old_root / "hos-lint.yaml").is_file()
        assert not (old_root / "services/order/src/more.sql").exists()
        old = build(old_root)
        kept = old_root
    assert not kept.exists()
    diff = report.diff_reports(old, build(repo / "sub"))
    assert [(t.service, t.relation) for t in diff.added] == [("order", "auth_service.sessions")]
    with pytest.raises(gitref.GitRefError, match="unknown git ref 'nope'"):
        with gitref.checkout("nope", repo / "sub"):
            pass


# --- the fixture ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not (FIXTURE / "hos-lint.yaml").is_file(), reason="fixtures/hos-marketplace is not there yet")
def test_fixture_markdown_matches_the_golden_file():
    text = render(build(FIXTURE), "md")
    if os.environ.get("HOS_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.skipif(not (FIXTURE / "hos-lint.yaml").is_file(), reason="fixtures/hos-marketplace is not there yet")
def test_fixture_html_shows_every_dependency():
    r = build(FIXTURE)
    page = render(r, "html")
    assert page.count('<g class="edge ') == len(r.edges) > 0
    assert page.count('<g class="node">') == len(r.services)
    assert re.search(r'<table class="matrix">', page)


@pytest.mark.skipif(not (FIXTURE / "hos-lint.yaml").is_file(), reason="fixtures/hos-marketplace is not there yet")
def test_fixture_html_stays_small():
    """The page grows with the findings and touches, so each row carries its own text and
    little markup: the path once per file, classes on the row, no closing cell tags."""
    r = build(FIXTURE)
    page = render(r, "html")
    assert len(page.encode("utf-8")) < 70_000  # 68.4 KB for 75 findings and 46 foreign touches (was 74.5 KB)
    rows = [line for line in page.splitlines() if line.startswith(('<tr class="error">', '<tr class="warning">',
                                                                  '<tr class="info">'))]
    assert len(rows) == len(r.findings)
    shown = sorted(r.findings, key=lambda f: f.service in r.legacy)  # the legacy monolith's come last
    for f, row in zip(shown, rows):
        assert f">{f.location.line}</a><td>{f.code}<td>" in row
        text = len(html.escape(f.full_message, quote=False)) + len(f.location.path) + len(f.service or "")
        assert len(row) - text <= 80, row  # markup, code, severity and line: about 75 bytes
