"""The language server's handlers in process (``hos_lint.lsp.session``): what each
buffer's diagnostics are as it is edited, when project facts are rebuilt, the
suppression code action on every planted finding, positions in UTF-16, and 1,000
random edits without an exception."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from trees import write_tree

from hos_lint.app import Options, check_all
from hos_lint.cli import cli
from hos_lint.lsp.session import Session
from hos_lint.lsp.text import Lines, suppression_inserts
from hos_lint.model import Language

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "hos-marketplace"
RECONCILE = "services/order/scripts/reconcile-payments.ts"
ORDER_SCHEMA = "services/order/prisma/schema.prisma"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "hos-marketplace"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".hos-lint-cache"))
    return root


@pytest.fixture
def session(project: Path) -> Session:
    return Session(project, Options(paths=(str(project),), cache=False))


def found(diagnostics: list[types.Diagnostic]) -> list[tuple[str | int | None, int]]:
    return [(d.code, d.range.start.line + 1) for d in diagnostics]


def edit(text: str, e: types.TextEdit) -> str:
    lines = Lines(text)
    offset = sum(len(lines.line(i)) + 1 for i in range(e.range.start.line)) + e.range.start.character
    return text[:offset] + e.new_text + text[offset:]


def test_every_finding_of_an_open_file_is_what_check_reports_for_it(session: Session, project: Path):
    _, findings = check_all(Options(paths=(str(project),), cache=False))
    by_path: dict[str, list[tuple[str, int]]] = {}
    for f in findings:
        by_path.setdefault(f.location.path, []).append((f.code, f.location.line))
    assert len(by_path) > 40
    for rel, expected in sorted(by_path.items()):
        path = project / rel
        [(uri, diagnostics)] = session.open(path.as_uri(), path.read_text())
        assert uri == path.as_uri()
        assert sorted(found(diagnostics)) == sorted(expected), rel


def test_the_suppress_action_of_every_finding_clears_it_without_a_hos902(session: Session, project: Path):
    offered = 0
    for rel in sorted({f.location.path for f in check_all(Options(paths=(str(project),), cache=False))[1]}):
        path = project / rel
        uri, text = path.as_uri(), path.read_text()
        [(_, diagnostics)] = session.open(uri, text)
        for d in diagnostics:
            actions = [a for a in session.code_actions(uri, d.range) if a.edit and a.diagnostics == [d]]
            if d.code in ("HOS901", "HOS902") or rel == "hos-lint.yaml":
                assert actions == []  # a parse error is fixed, a manifest is edited, neither suppressed
                continue
            [action] = actions
            assert action.edit is not None and action.edit.changes is not None
            [e] = action.edit.changes[uri]
            assert f"hos-lint: ignore[{d.code}] <why this is acceptable>" in e.new_text
            session.change(uri, edit(text, e))
            after = Counter(x.code for x in session.diagnostics(uri))
            before = Counter(x.code for x in diagnostics)
            assert after[d.code] < before[d.code], (rel, d)
            assert all(after[c] <= before[c] for c in after), (rel, d, after)  # nothing new: no HOS902
            session.change(uri, text)
            offered += 1
    assert offered == 73  # every planted finding but the HOS901 and the manifest's HOS204


def test_a_heredoc_takes_the_suppression_in_sql_comment_syntax(session: Session, project: Path):
    path = project / "services/order/scripts/backfill.sh"
    uri = path.as_uri()
    [(_, diagnostics)] = session.open(uri, path.read_text())
    first = next(d for d in diagnostics if d.code == "HOS101")
    [action] = [a for a in session.code_actions(uri, first.range) if a.edit]
    assert action.edit and action.edit.changes
    [e] = action.edit.changes[uri]
    # the line above is inside the psql heredoc: `#` there would be SQL, not a comment
    assert e.new_text == "-- hos-lint: ignore[HOS101] <why this is acceptable>\n"
    assert e.range.start == types.Position(line=23, character=0)


def test_an_unsaved_schema_edit_reaches_the_other_open_buffers(session: Session, project: Path):
    code, schema = project / RECONCILE, project / ORDER_SCHEMA
    [(_, diagnostics)] = session.open(code.as_uri(), code.read_text())
    assert found(diagnostics) == [("HOS101", 25)]
    before = session.open(schema.as_uri(), schema.read_text())
    assert [uri for uri, _ in before] == [schema.as_uri()]  # nothing it holds changed
    generation = session.live.generation if session.live else None
    moved = schema.read_text().replace('@@map("payments")\n  @@schema("payment_service")',
                                       '@@map("payments")\n  @@schema("order_service")')
    assert moved != schema.read_text()
    session.change(schema.as_uri(), moved)
    published = dict(session.refresh(schema.as_uri()))
    assert published[code.as_uri()] == []  # Payment is order's own model now
    assert ("HOS105", 115) not in found(published[schema.as_uri()])
    assert session.live and session.live.generation == (generation or 0) + 1
    assert schema.read_text() != moved  # nothing was saved


def test_an_edit_holding_no_shared_facts_keeps_the_project_facts(session: Session, project: Path):
    code = project / RECONCILE
    session.open(code.as_uri(), code.read_text())
    assert session.live is not None
    context, generation = session.live.context, session.live.generation
    session.change(code.as_uri(), code.read_text().replace("const BATCH", "// a comment\nconst BATCH"))
    assert [uri for uri, _ in session.refresh(code.as_uri())] == [code.as_uri()]
    assert session.live.context is context and session.live.generation == generation


def test_saving_the_manifest_loads_the_project_again(project: Path, tmp_path: Path):
    root = tmp_path / "p"
    shutil.copytree(project, root)
    session = Session(root, Options(paths=(str(root),), cache=False))
    code, manifest = root / RECONCILE, root / "hos-lint.yaml"
    [(_, diagnostics)] = session.open(code.as_uri(), code.read_text())
    assert [d.severity for d in diagnostics] == [types.DiagnosticSeverity.Error]
    text = manifest.read_text() + "rules:\n  severity: {HOS101: warning}\n"
    session.open(manifest.as_uri(), manifest.read_text())
    session.change(manifest.as_uri(), text)
    session.refresh(manifest.as_uri())
    assert [d.severity for d in session.diagnostics(code.as_uri())] == [types.DiagnosticSeverity.Error]  # unsaved
    manifest.write_text(text)
    published = dict(session.save(manifest.as_uri(), text))
    assert [d.severity for d in published[code.as_uri()]] == [types.DiagnosticSeverity.Warning]
    # a manifest that does not load keeps the facts loaded before, and says why
    manifest.write_text(text + "services: [\n")
    session.save(manifest.as_uri(), text + "services: [\n")
    assert session.load_error and "hos-lint.yaml" in session.load_error
    assert [d.severity for d in session.diagnostics(code.as_uri())] == [types.DiagnosticSeverity.Warning]


def test_files_hos_lint_does_not_check_get_no_diagnostics(session: Session, project: Path):
    readme = project / "VIOLATIONS.md"
    assert session.open(readme.as_uri(), readme.read_text()) == [(readme.as_uri(), [])]
    assert session.open("untitled:Untitled-1", "await prisma.payment.update({})") == [("untitled:Untitled-1", [])]
    outside = project.parent / "elsewhere.ts"
    assert session.open(outside.as_uri(), "await prisma.payment.update({})") == [(outside.as_uri(), [])]
    # and the same text inside the order service is a HOS101
    inside = project / "services/order/src/new-file.ts"  # not on disk: an unsaved new file
    text = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n" \
           "export const f = () => prisma.payment.update({ where: { id: 1 }, data: {} });\n"
    [(_, diagnostics)] = session.open(inside.as_uri(), text)
    assert found(diagnostics) == [("HOS101", 3)]
    assert (diagnostics[0].range.start.character, diagnostics[0].range.end.character) == (30, 37)


def test_positions_are_utf16_unless_the_client_agreed_otherwise(project: Path):
    text = "const note = '🐘 é'; await prisma.payment.update({ where: { id: 1 }, data: {} });\n"
    prefix = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"
    uri = (project / "services/order/src/emoji.ts").as_uri()
    start = text.index("payment")  # code points
    for encoding, shift in (("utf-16", 1), ("utf-32", 0), ("utf-8", 3 + 1)):
        session = Session(project, Options(paths=(str(project),), cache=False), encoding=encoding)
        [(_, [d])] = session.open(uri, prefix + text)
        assert d.range.start == types.Position(line=2, character=start + shift), encoding
        assert d.range.end.character - d.range.start.character == len("payment")
        hover = session.hover(uri, types.Position(line=2, character=start + shift + 2))
        assert hover is not None and "payment_service.payments" in str(hover.contents)


def test_the_span_of_a_reference_and_its_look_alikes():
    lines = Lines('  UPDATE "user_service"."customers"("id") x\n  tx.payment.create(\n  model Order {\n')
    span = lines.reference_span(1, 10)
    assert (span.col, span.end_col) == (9, 35)  # the quoted, qualified name
    delegate = lines.reference_span(2, 6, "payment")
    assert (delegate.col, delegate.end_col) == (5, 12)  # the delegate, not `.create`
    # a name that is only the start of what is written there: what is written, dots and all
    other = lines.reference_span(2, 6, "pay")
    assert (other.col, other.end_col) == (5, 19)
    blank = lines.reference_span(3, 15)  # at `{`: the rest of the line
    assert (blank.col, blank.end_col) == (14, 15)


@pytest.mark.parametrize(("language", "mark"), [
    (Language.TYPESCRIPT, "//"), (Language.PRISMA, "//"), (Language.SQL, "--"),
    (Language.PYTHON, "#"), (Language.SHELL, "#"), (Language.CONFIG, "#"),
])
def test_suppressions_use_the_file_comment_syntax_indented_like_the_statement(language: Language, mark: str):
    lines = Lines("a\r\n    stmt(\r\n      x)\r\n")
    first = suppression_inserts(lines, language, "HOS102", 2, 3)[0]
    assert (first.line, first.col) == (1, 0)
    assert first.text == f"    {mark} hos-lint: ignore[HOS102] <why this is acceptable>\r\n"


# --- 1,000 random edits --------------------------------------------------------------

FILES = (RECONCILE, ORDER_SCHEMA, "services/order/scripts/backfill.sh",
         "services/recommendation/app/services/signals.py",
         "services/order/prisma/migrations/20240402110000_init_order_schema/migration.sql",
         "docker-compose.yml")
FRAGMENTS = st.sampled_from([
    "(", ")", "{", "}", "`", "'", '"', "/*", "*/", "--", "//", "#", "\n", "\r\n", "\r", "$", "${", "<<SQL\n",
    "prisma.payment.update(", "tx.", "SELECT * FROM payment_service.payments", "UPDATE ", "@@schema(\"x\")",
    "model X {", "// hos-lint: ignore[HOS101] r", "-- hos-lint: ignore[", "hos-lint:", "\x00", "🐘", "é", "\t",
    "  schema: ", "?schema=a,b", "text(\"DELETE FROM user_service.customers\")",
])
EDITS = st.lists(st.tuples(st.integers(0, len(FILES) - 1), st.floats(0, 1), st.integers(0, 40),
                           st.one_of(FRAGMENTS, st.text(max_size=12))), min_size=20, max_size=20)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(edits=EDITS)
def test_the_server_survives_random_edits(session: Session, project: Path, edits) -> None:
    """50 examples of 20 edits: 1,000 edits, each checked, with a code action and a hover."""
    texts = {rel: (project / rel).read_text() for rel in FILES}
    for rel in FILES:
        session.open((project / rel).as_uri(), texts[rel])
    for index, where, cut, fragment in edits:
        rel = FILES[index]
        uri = (project / rel).as_uri()
        text = texts[rel]
        at = int(where * len(text))
        texts[rel] = text = text[:at] + fragment + text[at + cut:]
        session.change(uri, text)
        for published_uri, diagnostics in session.refresh(uri):
            published = texts[next(r for r in FILES if (project / r).as_uri() == published_uri)]
            lines = Lines(published)
            for d in diagnostics:
                assert isinstance(d.code, str) and d.code.startswith("HOS") and len(d.code) == 6
                assert 0 <= d.range.start.line < len(lines.lines)
                assert d.range.start.line <= d.range.end.line
                assert 0 <= d.range.start.character <= d.range.end.character or d.range.end.line > d.range.start.line
            assert sum(d.code == "HOS901" and d.range.start.line == 0 and d.range.start.character == 0
                       for d in diagnostics) <= 1
        line = min(len(Lines(text).lines) - 1, cut)
        session.code_actions(uri, types.Range(start=types.Position(line=0, character=0),
                                              end=types.Position(line=line, character=0)))
        session.hover(uri, types.Position(line=line, character=cut))
        session.why(uri, line + 1)
    for rel in FILES:
        session.close((project / rel).as_uri())


def test_without_pygls_the_server_command_says_what_to_install():
    probe = ("import sys\n"
             "sys.modules['pygls'] = sys.modules['pygls.lsp'] = sys.modules['pygls.lsp.server'] = None\n"
             "sys.modules['lsprotocol'] = sys.modules['lsprotocol.types'] = None\n"
             "from hos_lint.cli import main\nsys.argv = ['hos-lint', 'server']\nmain()\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("hos-lint server needs pygls, which is not installed: "
                                        "pip install 'hos-lint[lsp]'")
    assert done.stdout == ""


def test_a_hover_keeps_hostile_names_inert(session: Session, project: Path):
    path = project / "services/order/db/hostile.sql"  # unsaved new file
    text = 'SELECT 1 FROM product_service."[x](https://evil.example)<b>";\n'
    session.open(path.as_uri(), text)
    hover = session.hover(path.as_uri(), types.Position(line=0, character=text.index("product_service") + 2))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    first = hover.contents.value.splitlines()[0]
    assert first == "**product_service.\\[x\\](https://evil.example)&lt;b>** (table)"  # no link, no HTML


def test_a_file_changed_on_disk_is_read_again_but_never_through_a_link_out_of_the_project(
        project: Path, tmp_path: Path):
    root = tmp_path / "p"
    shutil.copytree(project, root)
    session = Session(root, Options(paths=(str(root),), cache=False))
    code = root / RECONCILE
    [(_, diagnostics)] = session.open(code.as_uri(), code.read_text())
    assert found(diagnostics) == [("HOS101", 25)]
    # another file, not open, now declares Payment in order's schema: the open buffer is checked again
    schema = root / ORDER_SCHEMA
    moved = schema.read_text().replace('@@map("payments")\n  @@schema("payment_service")',
                                       '@@map("payments")\n  @@schema("order_service")')
    schema.write_text(moved)
    assert dict(session.disk_changed([schema.as_uri()]))[code.as_uri()] == []
    # a link to a schema outside the project is not read: had it been, its Payment in
    # payment_service would be a HOS101 again; unread, order has no Payment model at all
    outside = tmp_path / "outside.prisma"
    outside.write_text((project / ORDER_SCHEMA).read_text())
    schema.unlink()
    schema.symlink_to(outside)
    published = dict(session.disk_changed([schema.as_uri()]))
    assert published.get(code.as_uri(), []) == []
    assert session.live is not None and ORDER_SCHEMA not in session.live.disk
    # the same content back inside the project is read
    schema.unlink()
    schema.write_text(outside.read_text())
    published = dict(session.disk_changed([schema.as_uri()]))
    assert found(published[code.as_uri()]) == [("HOS101", 25)]


def test_baselined_findings_stay_quiet_and_new_ones_show(project: Path, tmp_path: Path):
    from hos_lint.app import write_baseline

    root = tmp_path / "p"
    shutil.copytree(project, root)
    write_baseline(Options(paths=(str(root),), cache=False))
    assert (root / "hos-lint-baseline.json").is_file()
    session = Session(root, Options(paths=(str(root),), cache=False))
    code = root / RECONCILE
    text = code.read_text()
    assert session.open(code.as_uri(), text) == [(code.as_uri(), [])]  # accepted in the baseline
    added = text.replace("    total += count;\n",
                         "    total += count;\n    await prisma.payment.deleteMany({ where: { id: 'x' } });\n")
    assert added != text
    session.change(code.as_uri(), added)
    assert found(session.diagnostics(code.as_uri())) == [("HOS101", 30)]


def test_a_project_whose_manifest_did_not_load_is_checked_once_the_manifest_is_saved_fixed(
        project: Path, tmp_path: Path):
    root = tmp_path / "p"
    shutil.copytree(project, root)
    manifest = root / "hos-lint.yaml"
    good = manifest.read_text()
    manifest.write_text(good + "services: [\n")
    session = Session(root, Options(paths=(str(root),), cache=False))
    assert session.live is None and session.load_error and "hos-lint.yaml" in session.load_error
    code = root / RECONCILE
    assert session.open(code.as_uri(), code.read_text()) == [(code.as_uri(), [])]
    session.open(manifest.as_uri(), manifest.read_text())
    manifest.write_text(good)
    published = dict(session.save(manifest.as_uri(), good))
    assert session.load_error is None
    assert found(published[code.as_uri()]) == [("HOS101", 25)]


def test_a_hover_says_what_the_file_does_to_the_relation_as_why_does(session: Session, project: Path):
    path = project / "services/order/db/hover_kinds.sql"  # unsaved new file
    text = "ALTER TABLE auth_service.users ADD COLUMN x int;\nSELECT 1 FROM auth_service.users;\n"
    session.open(path.as_uri(), text)
    said = []
    for line in (0, 1):
        hover = session.hover(path.as_uri(), types.Position(line=line, character=text.splitlines()[line]
                                                            .index("auth_service") + 2))
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        said += [s for s in hover.contents.value.splitlines() if s.startswith("- this file:")]
    assert said == ["- this file: order changes the schema of it via sql (ALTER TABLE)",
                    "- this file: order reads it via sql (SELECT)"]


@pytest.mark.parametrize("bad", ["malformed", "folder"])
def test_a_baseline_the_check_refuses_is_said_as_check_says_it(project: Path, tmp_path: Path, bad: str):
    """The server reads the baseline as ``check`` does: a malformed baseline, or a folder
    where the file should be, is the load error check reports (exit 2), never a session
    that does not start or a baseline silently left out."""
    root = tmp_path / "p"
    shutil.copytree(project, root)
    baseline = root / "hos-lint-baseline.json"
    if bad == "malformed":
        baseline.write_text("{not json\n")
    else:
        baseline.mkdir()
    session = Session(root, Options(paths=(str(root),), cache=False))
    assert session.live is None and session.load_error and "hos-lint-baseline.json" in session.load_error
    result = CliRunner().invoke(cli, ["check", str(root)], catch_exceptions=False)
    assert result.exit_code == 2 and session.load_error in result.output


def test_an_unsaved_sql_file_of_a_service_on_another_database_is_not_parsed(tmp_path: Path):
    """As ``check`` does (``app.extraction.not_postgres_skip``), the server leaves the SQL of a
    service whose Prisma datasource is not PostgreSQL unparsed; the same text in a
    PostgreSQL service is a finding."""
    datasource = 'datasource db {{\n  provider = "{}"\n  url = env("DATABASE_URL")\n}}\n'
    root = write_tree(tmp_path / "p", {
        "hos-lint.yaml": "version: 1\nservices:\n  a: {schema: a_service}\n  b: {schema: b_service}\n"
                         "  m: {schema: m_service}\n",
        "services/a/prisma/schema.prisma": datasource.format("postgresql"),
        "services/b/prisma/schema.prisma": datasource.format("postgresql"),
        "services/m/prisma/schema.prisma": datasource.format("mysql"),
    })
    session = Session(root, Options(paths=(str(root),), cache=False))
    write = "UPDATE b_service.accounts SET x = 1;\n"
    seen = {}
    for service in ("a", "m"):
        path = root / f"services/{service}/db/fix.sql"
        [(_, diagnostics)] = session.open(path.as_uri(), write)
        seen[service] = found(diagnostics)
    assert seen == {"a": [("HOS101", 1)], "m": []}
