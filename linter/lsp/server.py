"""``hos-lint server``: the Language Server Protocol over stdio (pygls), wired to ``Session``.

Edits are debounced: a ``didChange`` only takes the new text, and the buffer is checked
once no further change came for ``debounce`` seconds (``initializationOptions``:
``{"debounceMs": 150}``). Opening and saving check at once. Every handler runs inside
one exception boundary: whatever a buffer holds, the server logs what went wrong
(``window/logMessage``) and keeps serving.
"""
from __future__ import annotations

import asyncio
import functools
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from hos_lint import __version__
from hos_lint.lsp.session import SOURCE, WHY_COMMAND, Publish, Session, arguments_of, path_of

DEFAULT_DEBOUNCE_S = 0.15
# What may hold facts other files depend on; Session.disk_changed keeps what hos-lint reads.
# `.env.local` and friends have no suffix of their own, and suffixes are matched in any case.
WATCHED = ("**/*.{prisma,sql,ts,tsx,mts,cts,js,jsx,mjs,cjs,py,sh,bash,yaml,yml,json,env}", "**/.env.*",
           "**/*.{PRISMA,SQL,TS,JS,PY,SH,YAML,YML}")

F = TypeVar("F", bound=Callable[..., Any])


class HosLintServer(LanguageServer):
    """The pygls server holding one ``Session`` and the pending (debounced) checks."""

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.session: Session | None = None
        self.debounce = DEFAULT_DEBOUNCE_S
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.root: Path | None = None

    def send(self, publishes: list[Publish]) -> None:
        seen: dict[str, list[types.Diagnostic]] = {}
        for uri, diagnostics in publishes:
            seen[uri] = diagnostics  # the last check of a buffer wins
        for uri, diagnostics in seen.items():
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def cancel(self, uri: str) -> bool:
        """Drop the buffer's pending (debounced) check; whether there was one."""
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        return pending is not None

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def ensure_session(self, uri: str) -> Session | None:
        """The session, started at the workspace root, else at the first file opened."""
        if self.session is None:
            root = self.root
            if root is None:
                path = path_of(uri)
                root = path.parent if path else None
            if root is None:
                return None
            encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
            self.session = Session(root, encoding=getattr(encoding, "value", str(encoding)))
            if self.session.load_error:
                self.show_error(self.session.load_error)
        return self.session

    def show_error(self, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"hos-lint: {message}"))


def guarded(default: object) -> Callable[[F], F]:
    """The exception boundary of every handler: a bug is logged, never the end of the server;
    the handler answers ``default``."""

    def wrap(handler: F) -> F:
        @functools.wraps(handler)
        def run(ls: HosLintServer, *args: Any) -> Any:
            try:
                return handler(ls, *args)
            except Exception as err:  # noqa: BLE001 - the server boundary: keep serving
                ls.log(f"internal error in {handler.__name__}: {type(err).__name__}: {err}\n"
                       f"{traceback.format_exc()}", types.MessageType.Error)
                return default
        return cast(F, run)

    return wrap


def build() -> HosLintServer:
    server = HosLintServer()

    @server.feature(types.INITIALIZE)
    @guarded(None)
    def initialize(ls: HosLintServer, params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        uri = folders[0].uri if folders else params.root_uri
        path = path_of(uri) if uri else (Path(params.root_path) if params.root_path else None)
        ls.root = path
        options = params.initialization_options
        if isinstance(options, dict):
            ms = options.get("debounceMs")
            if isinstance(ms, (int, float)) and not isinstance(ms, bool) and 0 <= ms <= 10_000:
                ls.debounce = ms / 1000
        if path is not None:
            ls.ensure_session(path.as_uri())

    @server.feature(types.INITIALIZED)
    @guarded(None)
    def initialized(ls: HosLintServer, params: types.InitializedParams) -> None:
        dynamic = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if dynamic and dynamic.dynamic_registration:
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="hos-lint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]))]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded(None)
    def did_open(ls: HosLintServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        session = ls.ensure_session(doc.uri)
        if session is not None:
            ls.send(session.open(doc.uri, doc.text, doc.version))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(None)
    def did_change(ls: HosLintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        session = ls.ensure_session(uri)
        if session is None:
            return
        session.change(uri, ls.text_of(uri), params.text_document.version)
        ls.cancel(uri)
        ls.pending[uri] = asyncio.get_running_loop().call_later(ls.debounce, settled, ls, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded(None)
    def did_save(ls: HosLintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.session is not None:
            ls.cancel(uri)
            ls.send(ls.session.save(uri, ls.text_of(uri)))
            if ls.session.load_error:
                ls.show_error(ls.session.load_error)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(None)
    def did_close(ls: HosLintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.cancel(uri)
        if ls.session is not None:
            ls.send(ls.session.close(uri))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(None)
    def did_change_watched(ls: HosLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if ls.session is not None:
            ls.send(ls.session.disk_changed([c.uri for c in params.changes]))
            if ls.session.load_error:
                ls.show_error(ls.session.load_error)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @guarded([])
    def code_action(ls: HosLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        if ls.session is None:
            return []
        flush(ls, params.text_document.uri)
        return ls.session.code_actions(params.text_document.uri, params.range)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(None)
    def hover(ls: HosLintServer, params: types.HoverParams) -> types.Hover | None:
        if ls.session is None:
            return None
        flush(ls, params.text_document.uri)
        return ls.session.hover(params.text_document.uri, params.position)

    @server.command(WHY_COMMAND)
    @guarded(None)
    def why(ls: HosLintServer, *args: Any) -> str | None:
        given = arguments_of(args[0] if len(args) == 1 and isinstance(args[0], list) else list(args))
        if ls.session is None or given is None:
            return None
        uri, line = given
        flush(ls, uri)
        text = ls.session.why(uri, line)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
        return text

    return server


def flush(ls: HosLintServer, uri: str) -> None:
    """Check a buffer whose debounced check is still pending (a code action or hover asks now)."""
    if ls.cancel(uri):
        settled(ls, uri)


def settled(ls: HosLintServer, uri: str) -> None:
    """The debounce ran out: check the buffer and publish."""
    ls.pending.pop(uri, None)
    if ls.session is None:
        return
    try:
        ls.send(ls.session.refresh(uri))
    except Exception as err:  # noqa: BLE001 - the server boundary: keep serving
        ls.log(f"internal error while checking {uri}: {type(err).__name__}: {err}\n{traceback.format_exc()}",
               types.MessageType.Error)


def main() -> None:
    build().start_io()
