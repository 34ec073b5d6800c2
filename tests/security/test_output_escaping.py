"""Hostile text never escapes its place in any output.

File names, relation names, service names and messages come from the
checked repository. One test per trick: a ``javascript:`` link in the HTML
report, Markdown that breaks a table or makes a link, Mermaid and DOT labels
that end their string, control characters (ESC, BEL, C1, bidirectional
overrides) that act on the terminal, and GitHub workflow commands smuggled
into an annotation.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from hos_lint import report
from hos_lint.app import RunResult
from hos_lint.cli import cli
from hos_lint.model import AccessKind, Finding, Location, Severity
from hos_lint.output import (
    DiffOptions,
    RenderOptions,
    ReportOptions,
    github,
    markdown,
    report_diff,
    report_graph,
    report_html,
    report_md,
    sarif,
    text,
)
from hos_lint.registry import load_catalog
from hos_lint.safe import is_printable, printable

CATALOG = load_catalog()


def finding(path: str = "services/order/db/a.sql", message: str = "order writes auth_service.users",
            relation: str = "auth_service.users", service: str = "order") -> Finding:
    return Finding(code="HOS101", name="cross-service-write", severity=Severity.ERROR, location=Location(path, 3, 1),
                   service=service, message=message, relation=relation, owner="auth", access=AccessKind.WRITE,
                   operation="DELETE")


def touch(service: str, relation: str, owner: str | None, path: str, route: str = report.DIRECT) -> report.Touch:
    return report.Touch(service=service, relation=relation, owner=owner, kind="write", route=route, count=1,
                        channels=("sql",), first=Location(path, 3, 1), worst=Severity.ERROR, findings=("HOS101",))


def one_report(service: str = "order", owner: str = "auth", relation: str = "auth_service.users",
               path: str = "services/order/db/a.sql") -> report.Report:
    """``service`` writes ``owner``'s ``relation`` at ``path``:3, with a HOS101 there."""
    cell = report.Cell(service=service, owner=owner, writes=1, worst=Severity.ERROR, worst_code="HOS101", findings=1)
    services = tuple(sorted({service, owner}))
    return report.Report(services=services, owners=services, cells=(cell,),
                         touches=(touch(service, relation, owner, path),),
                         findings=(finding(path, f"{service} writes {relation}", relation, service),))


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href"]


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# --- HTML report ---------------------------------------------------------------------------------

def test_html_a_javascript_file_name_is_a_relative_link():
    html = report_html.render(one_report(path="javascript:alert(1)//.sql"), ReportOptions())
    assert hrefs(html) == ["javascript%3Aalert%281%29//.sql#L3"] * 2
    assert all(urlsplit(h).scheme == "" for h in hrefs(html))
    assert ">javascript:alert(1)//.sql:3</a>" in html


def test_html_a_path_starting_with_two_slashes_does_not_link_to_another_host():
    html = report_html.render(one_report(path="//evil.example/x.sql"), ReportOptions())
    assert hrefs(html) == [".///evil.example/x.sql#L3"] * 2
    assert all(urlsplit(h).netloc == "" for h in hrefs(html))


def test_html_link_base_prefixes_the_encoded_path():
    html = report_html.render(one_report(path='a b/"q"#?&.sql'),
                              ReportOptions(link_base="https://github.com/o/r/blob/main/"))
    assert hrefs(html) == ["https://github.com/o/r/blob/main/a%20b/%22q%22%23%3F%26.sql#L3"] * 2


def test_html_text_shows_control_and_bidi_characters_escaped_and_markup_inert():
    html = report_html.render(one_report(service="ord\u202eer", relation="x.<script>alert(1)</script>\x1b[2J"),
                              ReportOptions())
    assert "<script>alert" not in html and "\x1b" not in html and "\u202e" not in html
    assert "<td>x.&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J<td>" in html
    assert ">ord\\u202eer</th>" in html


# --- Markdown --------------------------------------------------------------------------------------

def test_report_md_escapes_relation_names_and_paths_like_check_markdown():
    relation, path = "s.x|y`z<img src=x onerror=alert(1)>", "services/a|b/[c](https://evil.example).sql"
    md = report_md.render(one_report(relation=relation, path=path), ReportOptions())
    row = next(line for line in md.splitlines() if line.startswith("| ``s.x"))
    assert row == ("| ``s.x\\|y`z<img src=x onerror=alert(1)>`` | auth | write ×1 | SQL | "
                   "`services/a\\|b/[c](https://evil.example).sql:3` | ❌ HOS101 |")
    # the same escaping as `check --format markdown`, from the same functions
    assert row.split(" | ")[0] == "| " + markdown.code(relation)
    assert markdown.code(f"{path}:3") in row


def test_report_md_service_names_cannot_make_links_html_or_headings():
    md = report_md.render(one_report(service="[click](https://evil.example)", owner="<img src=x>"),
                          ReportOptions())
    assert "#### \\[click\\](https://evil.example)" in md.splitlines()
    assert "| **\\[click\\](https://evil.example)** | ❌ 1 write (HOS101) |" in md.splitlines()
    assert "<img" not in md and "[click](" not in md


def test_report_diff_md_escapes_names_and_paths():
    new = one_report(service="a`b", relation="s.t`\n## injected", path="x|y.sql")
    diff = report.diff_reports(report.Report(services=(), owners=(), cells=(), touches=(), findings=()), new)
    md = report_diff.render(diff, DiffOptions(ref="main`; rm -rf /"))
    assert md.splitlines()[0] == "## hos-lint: data boundaries compared with ``main`; rm -rf /``"
    assert "## injected" not in md.splitlines()
    assert ("- ❌ a`b now writes ``s.t` ## injected`` (owned by auth) directly — SQL, `x\\|y.sql:3` (HOS101)"
            in md.splitlines())


def test_check_markdown_cannot_make_a_link_an_entity_or_html():
    result = RunResult(findings=(finding(message="[x](https://evil.example) &#x202E; <b>bold</b> \\ |"),),
                       files_scanned=1, services=("order",))
    md = markdown.render(result, CATALOG, RenderOptions())
    assert md.splitlines()[-1] == ("| `services/order/db/a.sql:3` | HOS101 | \\[x\\](https://evil.example) "
                                   "&amp;#x202E; &lt;b>bold&lt;/b> \\\\ \\| |")


# --- Mermaid and DOT -----------------------------------------------------------------------------

def test_mermaid_labels_cannot_end_their_string_or_add_a_directive():
    name = 'x"]\n  click n0 "javascript:alert(1)"\n  %%[(`|#'
    lines = report_graph.render_mermaid(one_report(service=name, owner="auth"), ReportOptions()).splitlines()
    assert lines == [
        "graph LR",
        '  n0["auth"]',
        '  n1["x#34;#93;#92;x0a  click n0 #34;javascript:alert#40;1#41;#34;#92;x0a  #37;#37;#91;#40;#96;#124;#35;"]',
        '  n1 -->|"1 write"| n0',
        "  linkStyle 0 stroke:#cf222e,stroke-width:2px",
    ]


def test_dot_labels_cannot_end_their_string_or_use_label_escapes():
    name = 'x"];\n evil [label="\\N &#10;'
    lines = report_graph.render_dot(one_report(service=name, owner="auth"), ReportOptions()).splitlines()
    assert lines[4:7] == [
        '  "auth";',
        '  "x\\"];\\\\x0a evil [label=\\"\\\\N &amp;#10;";',
        '  "x\\"];\\\\x0a evil [label=\\"\\\\N &amp;#10;" -> "auth" [label="1 write", color="#cf222e"];',
    ]


# --- control characters in text output -----------------------------------------------------------

@pytest.mark.parametrize(("char", "shown"), [
    ("\x1b", "\\x1b"),  # ESC: starts every terminal escape sequence
    ("\x07", "\\x07"),  # BEL
    ("\x9b", "\\x9b"),  # CSI, the C1 form of ESC [
    ("\x85", "\\x85"),  # NEL, a C1 line break
    ("\x7f", "\\x7f"),  # DEL
    ("\r", "\\x0d"),  # returns to the start of the line, to overwrite it
    ("\u202e", "\\u202e"),  # RIGHT-TO-LEFT OVERRIDE
    ("\u2067", "\\u2067"),  # RIGHT-TO-LEFT ISOLATE
    ("\u2028", "\\u2028"),  # LINE SEPARATOR
])
def test_text_output_shows_control_characters_escaped(char, shown):
    result = RunResult(findings=(finding(path=f"services/order/db/a{char}b.sql", message=f"m{char}n"),),
                       files_scanned=1, services=("order",))
    out = text.render(result, CATALOG, RenderOptions(color=True))
    assert out.splitlines()[0] == (f"\x1b[1mservices/order/db/a{shown}b.sql:3:1:\x1b[0m \x1b[31mHOS101\x1b[0m "
                                   f"m{shown}n")


def test_the_source_line_shown_under_a_finding_is_escaped():
    result = RunResult(findings=(finding(),), files_scanned=1, services=("order",))
    sources = {("services/order/db/a.sql", 3): "\tDELETE FROM auth_service.users; -- \x1b]0;owned\x07"}
    out = text.render(result, CATALOG, RenderOptions(show_source=True, sources=sources))
    assert out.splitlines()[1:3] == ["     DELETE FROM auth_service.users; -- \\x1b]0;owned\\x07", "    ^"]


@pytest.fixture
def hostile_project(tmp_path, monkeypatch):
    """A file whose name sets the terminal title and rings the bell, writing a table
    whose name holds a right-to-left override, and a view defined with such a name."""
    (tmp_path / "hos-lint.yaml").write_text("version: 1\nservices:\n  order: {schema: order_service}\n"
                                            "  auth: {schema: auth_service}\n")
    db = tmp_path / "services/order/db"
    db.mkdir(parents=True)
    (db / "x\x1b]0;owned\x07.sql").write_text('DELETE FROM auth_service."users\u202etxt.exe";\n'
                                               'CREATE VIEW order_service."v\x1b[2J" AS SELECT 1;\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


FILE = "services/order/db/x\\x1b]0;owned\\x07.sql"
TABLE = "auth_service.users\\u202etxt.exe"


@pytest.mark.parametrize(("command", "shown"), [
    (["check"], [f"{FILE}:1:13: HOS101 order writes {TABLE} (owned by auth)"]),
    (["check", "--format", "github"], [f"file={FILE},line=1,col=13,", f"::order writes {TABLE} (owned by auth)"]),
    (["check", "--format", "markdown"], [f"`{FILE}:1`", "order writes auth_service.users\\\\u202etxt.exe"]),
    (["accesses"], [f"{FILE}:1:13: order write {TABLE} (owned by auth) via sql DELETE",
                    f"{FILE}:2:13: order ddl order_service.v\\x1b[2J (owned by order) via sql CREATE VIEW"]),
    (["ownership"], ["order_service.v\\x1b[2J", f"<- {FILE}:2 (CREATE VIEW)"]),
    (["report", "--format", "md"], [f"| `{TABLE}` |", f"| `{FILE}:1` |"]),
    (["why", "services/order/db/x\x1b]0;owned\x07.sql:1"], [f"{FILE}:1:13: order writes auth_service.users\\u202etxt.exe via sql (DELETE)"]),
])
def test_no_command_prints_a_control_character_from_a_file_or_relation_name(hostile_project, command, shown):
    code, out, err = run(command[0], "--no-cache", *command[1:])
    assert code in (0, 1), err
    assert is_printable(out.replace("\n", "")) and is_printable(err.replace("\n", ""))
    for fragment in shown:
        assert fragment in out


def test_error_lines_on_stderr_show_control_characters_escaped(tmp_path, monkeypatch):
    (tmp_path / "hos-lint.yaml").write_text('version: 1\nservices:\n  "a\\e[2J\\a": {schema: a_service, color: 1}\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run("check", "--no-cache")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["hos-lint: hos-lint.yaml:3: services.a\\x1b[2J\\x07.color: unknown key; expected one "
                                "of legacy, paths, prisma_clients, role, schema, tables"]


# --- GitHub workflow commands --------------------------------------------------------------------

def test_github_annotation_cannot_start_a_command_or_end_its_properties():
    f = finding(path="services/a,b::c%d\r\n::error::x.sql", message="100%\r\n::error file=x::forged\x1b[31m")
    assert github.annotation(f) == (
        "::error file=services/a%2Cb%3A%3Ac%25d%0D%0A%3A%3Aerror%3A%3Ax.sql,line=3,col=1,"
        "title=HOS101 cross-service-write::100%25%0D%0A::error file=x::forged\\x1b[31m")


# --- SARIF ---------------------------------------------------------------------------------------

def test_sarif_keeps_its_values_but_writes_no_control_character_raw():
    message = "m\x1b[2J\x9b\x85\x7f\u202e\u2028n"
    result = RunResult(findings=(finding(path="services/order/db/\x9bx\u202e.sql", message=message),),
                       files_scanned=1, services=("order",))
    out = sarif.render(result, CATALOG, RenderOptions())
    assert is_printable(out.replace("\n", ""))
    (res,) = json.loads(out)["runs"][0]["results"]
    assert res["message"]["text"] == message
    assert '"text": "m\\u001b[2J\\u009b\\u0085\\u007f\\u202e\\u2028n"' in out


# --- the shared helper ----------------------------------------------------------------------------

def test_printable_escapes_only_what_acts_on_a_reader():
    assert printable("plain/path.sql é 日本 🦀 \\ % ` \" '") == "plain/path.sql é 日本 🦀 \\ % ` \" '"
    assert printable("\x00\t\n\x1f\x7f\x80\x9f\u061c\u200e\u200f\u202a\u2069\u2028\u2029") == (
        "\\x00\\x09\\x0a\\x1f\\x7f\\x80\\x9f\\u061c\\u200e\\u200f\\u202a\\u2069\\u2028\\u2029")
    # a byte that was not UTF-8, kept by surrogateescape, is shown as that byte; a lone surrogate as itself
    assert printable("caf\udce9.sql \ud800") == "caf\\xe9.sql \\ud800"
    assert re.fullmatch(r"[ -~]*", printable("".join(map(chr, range(0x20)))))

