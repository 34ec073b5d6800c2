"""``hos-lint server`` driven over stdio as an editor drives it: a real subprocess,
JSON-RPC framing, ``initialize``, buffers opened and edited without saving, code
actions applied as an editor applies them, and a buffer broken mid-typing."""
from __future__ import annotations

import json
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import tomllib

from tests.lsp_client import LspClient

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "hos-marketplace"
RECONCILE = "services/order/scripts/reconcile-payments.ts"  # one planted HOS101, line 25
SCORING = "services/recommendation/app/services/scoring.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "hos-marketplace"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".hos-lint-cache"))
    return root


BIN = Path(sys.executable).parent / "hos-lint"
# what README's editor configurations start: the console script (else the module, when not installed)
SERVER = [str(BIN), "server"] if BIN.exists() else [sys.executable, "-m", "hos_lint", "server"]


@pytest.fixture
def client(project: Path):
    lsp = LspClient(SERVER, cwd=project)
    result = lsp.initialize(project, {"debounceMs": 50})
    caps = result["capabilities"]
    assert caps["codeActionProvider"] and caps["hoverProvider"]
    assert caps["executeCommandProvider"]["commands"] == ["hos-lint.why"]
    yield lsp
    assert lsp.shutdown() == 0


def open_doc(lsp: LspClient, path: Path, text: str, language: str = "typescript") -> dict[str, Any]:
    uri = path.as_uri()
    lsp.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1,
                                                         "text": text}})
    return lsp.wait_for("textDocument/publishDiagnostics", uri)["params"]


def change(lsp: LspClient, path: Path, text: str, version: int) -> dict[str, Any]:
    uri = path.as_uri()
    lsp.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                          "contentChanges": [{"text": text}]})
    return lsp.wait_for("textDocument/publishDiagnostics", uri)["params"]


def codes(params: dict[str, Any]) -> list[tuple[str, int]]:
    return [(d["code"], d["range"]["start"]["line"]) for d in params["diagnostics"]]


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply TextEdits (ASCII text: UTF-16 columns are characters) from the last to the first."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    spans = sorted(((starts[e["range"]["start"]["line"]] + e["range"]["start"]["character"],
                     starts[e["range"]["end"]["line"]] + e["range"]["end"]["character"], e["newText"])
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def test_a_planted_violation_is_published_removed_and_suppressed_without_saving(client: LspClient, project: Path):
    path = project / RECONCILE
    on_disk = path.read_bytes()
    text = on_disk.decode()
    published = open_doc(client, path, text)
    assert published["diagnostics"] == [{
        "range": {"start": {"line": 24, "character": 35}, "end": {"line": 24, "character": 42}},
        "severity": 1,
        "code": "HOS101",
        "codeDescription": {"href": published["diagnostics"][0]["codeDescription"]["href"]},
        "source": "hos-lint",
        "message": "order writes payment_service.payments (owned by payment) with updateMany; "
                   "publish an event or call the payment API instead of writing its tables",
    }]
    href = published["diagnostics"][0]["codeDescription"]["href"]
    assert href.startswith("file://") and href.endswith("/hos101_cross_service_write.py")
    assert Path(href[len("file://"):]).read_text().count("cross-service-write") >= 1

    # edited, not saved: the buffer is what is checked, the file on disk is untouched
    fixed = text.replace("await prisma.payment.updateMany(", "await prisma.order.updateMany(")
    assert fixed != text
    assert change(client, path, fixed, 2)["diagnostics"] == []
    assert path.read_bytes() == on_disk

    # back to the violation, then the suppression the code action offers
    again = change(client, path, text, 3)
    assert codes(again) == [("HOS101", 24)]
    diagnostic = again["diagnostics"][0]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": path.as_uri()}, "range": diagnostic["range"],
        "context": {"diagnostics": [diagnostic]}})
    titles = [a["title"] for a in actions]
    assert titles == ["Suppress HOS101 with a reason (hos-lint: ignore[HOS101])",
                      "Show why HOS101 is reported here (hos-lint why)"]
    edits = actions[0]["edit"]["changes"][path.as_uri()]
    assert edits == [{"range": {"start": {"line": 24, "character": 0}, "end": {"line": 24, "character": 0}},
                      "newText": "    // hos-lint: ignore[HOS101] <why this is acceptable>\n"}]
    suppressed = apply_edits(text, edits)
    assert change(client, path, suppressed, 4)["diagnostics"] == []  # suppressed, and no HOS902
    assert path.read_bytes() == on_disk

    # the suppression without its finding is unused: HOS902 on the comment's line
    unused = suppressed.replace("await prisma.payment.updateMany(", "await prisma.order.updateMany(")
    assert codes(change(client, path, unused, 5)) == [("HOS902", 24)]

    why = client.request("workspace/executeCommand", {"command": "hos-lint.why",
                                                      "arguments": [path.as_uri(), 26]})
    assert why.splitlines()[0] == f"{RECONCILE}:26:36: order writes order_service.orders via prisma-client (updateMany)"
    assert "  rule: no finding — this access stays inside its owner's boundary or is allowed" in why.splitlines()
    assert client.wait_for("window/showMessage")["params"]["message"] == why
    change(client, path, text, 6)
    why = client.request("workspace/executeCommand", actions[1]["command"])
    assert why.splitlines()[0] == f"{RECONCILE}:25:36: order writes payment_service.payments via prisma-client (updateMany)"
    assert "  owner: payment (schema payment_service declared at hos-lint.yaml:21)" in why.splitlines()
    shown = client.wait_for("window/showMessage")
    assert shown["params"]["message"] == why


def test_hover_on_a_table_reference_names_owner_schema_and_where_it_is_declared(client: LspClient, project: Path):
    path = project / RECONCILE
    open_doc(client, path, path.read_text())
    hover = client.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()},
                                                  "position": {"line": 24, "character": 38}})
    value = hover["contents"]["value"].splitlines()
    assert value[0] == "**payment_service.payments** (table)"
    assert "- owner: **payment** — schema `payment_service` is declared at `hos-lint.yaml:21`" in value
    assert "- schema: `payment_service`" in value
    assert hover["range"] == {"start": {"line": 24, "character": 35}, "end": {"line": 24, "character": 42}}
    # next to the reference (on `prisma`, on `updateMany`), no hover
    for character in (30, 44):
        assert client.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()},
                                                     "position": {"line": 24, "character": character}}) is None


def test_a_buffer_broken_mid_typing_gives_at_most_one_hos901_and_the_server_keeps_serving(
        client: LspClient, project: Path):
    path = project / SCORING
    text = path.read_text()
    first = open_doc(client, path, text, "python")
    assert codes(first) == [("HOS102", 11), ("HOS101", 23)]
    broken = text.replace("def ", "def (", 1)
    diagnostics = change(client, path, broken, 2)["diagnostics"]
    assert [d["code"] for d in diagnostics] == ["HOS901"]
    assert diagnostics[0]["range"]["start"] == {"line": 9, "character": 10}
    assert diagnostics[0]["message"] == ("Python syntax error: invalid syntax; "
                                         "fix the syntax or report the construct as unsupported")
    assert diagnostics[0]["severity"] == 2  # HOS901's default: warning
    # typing on: every half-typed prefix of a line, then the file whole again
    line = "    rows = session.execute(text('UPDATE user_service.customers SET x = 1'))\n"
    version = 3
    for cut in range(0, len(line), 7):
        version += 1
        params = change(client, path, text + line[:cut], version)
        assert sum(d["code"] == "HOS901" for d in params["diagnostics"]) <= 1
    assert codes(change(client, path, text, version + 1)) == [("HOS102", 11), ("HOS101", 23)]
    assert client.proc.poll() is None


def position(text: str, offset: int) -> dict[str, int]:
    """LSP position of a character offset (ASCII and BMP text, LF line breaks)."""
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def test_random_incremental_edits_over_stdio_end_where_the_handlers_do(client: LspClient, project: Path):
    """200 incremental edits sent as fast as an editor sends keystrokes (the debounce coalesces
    them), over three files; the server stays up, and each file's last diagnostics are what the
    handlers give for its final text."""
    from hos_lint.app import Options
    from hos_lint.lsp.session import Session

    rng = random.Random(16)
    files = [RECONCILE, SCORING, "services/order/prisma/migrations/20240402110000_init_order_schema/migration.sql"]
    texts = {rel: (project / rel).read_text() for rel in files}
    for rel in files:
        open_doc(client, project / rel, texts[rel], "plaintext")
    fragments = ["(", ")", "{", "}", "`", "'", '"', "/*", "*/", "--", "//", "#", "\n", "$", "${", "é",
                 "prisma.payment.update(", "SELECT * FROM payment_service.payments;", "hos-lint: ignore[HOS101] r",
                 "UPDATE ", "tx.", ""]
    versions = dict.fromkeys(files, 1)
    for _ in range(200):
        rel = rng.choice(files)
        text = texts[rel]
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.choice((0, 0, 1, 5, 30)))
        new = rng.choice(fragments)
        versions[rel] += 1
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": (project / rel).as_uri(), "version": versions[rel]},
            "contentChanges": [{"range": {"start": position(text, start), "end": position(text, end)},
                                "text": new}]})
        texts[rel] = text[:start] + new + text[end:]
    notes = client.drain(1.0)
    assert client.proc.poll() is None
    assert not [n for n in notes if n.get("method") == "window/logMessage" and n["params"]["type"] == 1]
    oracle = Session(project, Options(paths=(str(project),), cache=False))
    for rel in files:
        oracle.open((project / rel).as_uri(), texts[rel])
    for rel in files:
        uri = (project / rel).as_uri()
        last = [n["params"]["diagnostics"] for n in notes
                if n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri][-1]
        expected = [(d.code, d.range.start.line, d.range.start.character, d.range.end.character)
                    for d in oracle.diagnostics(uri)]
        got = [(d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"],
                d["range"]["end"]["character"]) for d in last]
        assert got == expected, rel


def test_the_readme_editor_configurations_start_this_server():
    readme = (ROOT / "README.md").read_text()
    vscode = json.loads(re.search(r"```json\n(\{\n  \"glspc.*?)```", readme, re.DOTALL).group(1))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["hos-lint", "server"]
    assert {"typescript", "sql", "python", "prisma"} <= set(vscode["glspc.server.languageId"])
    helix = tomllib.loads(re.search(r"```toml\n(\[language-server\.hos-lint\].*?)```", readme, re.DOTALL).group(1))
    assert helix["language-server"]["hos-lint"] == {"command": "hos-lint", "args": ["server"]}
    assert all("hos-lint" in lang["language-servers"] for lang in helix["language"])
    neovim = re.search(r"```lua\n(.*?)```", readme, re.DOTALL).group(1)
    assert 'cmd = { "hos-lint", "server" }' in neovim and "vim.lsp.start(" in neovim


def test_a_schema_changed_on_disk_reaches_the_open_buffers_through_watched_files(project: Path):
    lsp = LspClient(SERVER, cwd=project)
    try:
        lsp.initialize(project, {"debounceMs": 50},
                       {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}})
        code = project / RECONCILE
        assert codes(open_doc(lsp, code, code.read_text())) == [("HOS101", 24)]
        [registration] = [r for r in lsp.server_requests if r["method"] == "client/registerCapability"]
        [watch] = registration["params"]["registrations"]
        assert watch["method"] == "workspace/didChangeWatchedFiles"
        globs = [w["globPattern"] for w in watch["registerOptions"]["watchers"]]
        assert "prisma" in globs[0] and "**/.env.*" in globs  # .env.local has no suffix of its own
        schema = project / "services/order/prisma/schema.prisma"
        schema.write_text(schema.read_text().replace('@@map("payments")\n  @@schema("payment_service")',
                                                     '@@map("payments")\n  @@schema("order_service")'))
        lsp.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": schema.as_uri(), "type": 2}]})
        assert lsp.wait_for("textDocument/publishDiagnostics", code.as_uri())["params"]["diagnostics"] == []
    finally:
        assert lsp.shutdown() == 0
