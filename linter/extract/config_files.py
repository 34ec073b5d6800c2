"""Connection configuration (SPEC 4.5): docker-compose files, ``.env`` files and
Kubernetes manifests.

``extract(src, text, config)`` yields one ``Connection`` per environment
variable that configures a PostgreSQL connection, and HOS901 problems for
files that cannot be parsed. No accesses: the rules read the connections.

What counts as a connection: a variable called ``DATABASE_URL`` or ending in
``DATABASE_URL`` / ``DB_URL`` (any case; ``ORDER_DATABASE_URL``,
``SHADOW_DATABASE_URL``) whose value, after interpolation, is a ``postgres://``,
``postgresql://`` or ``postgresql+<driver>://`` URL. ``schemas`` comes from
``?schema=a,b`` (Prisma; URL-encoded commas too), then from libpq
``options=-c search_path=a,b`` (entries not already listed). A schema that
depends on an unresolved variable is left out: it cannot be known.

Where the variables come from:
- compose (``docker-compose*.yml``, ``compose*.yaml``): ``services.<name>.environment``
  as a mapping or a list of ``KEY=value``; ``<<`` merge keys are followed.
  Compose interpolation (``${V}``, ``${V:-d}``, ``${V-d}``, ``$V``, ``$$``)
  uses the default when one is given and otherwise leaves the reference
  unresolved (the shell environment is not known to a pure extractor).
  ``target`` is the compose service name, or ``"<name>@<build-dir>"`` when
  the service has a ``build`` (see ``split_target`` and ``match_service``).
- ``.env`` / ``.env.*`` (not ``.envrc``): ``KEY=value`` lines, ``export``,
  single quotes (literal), double quotes (escapes), ``#`` comments; unquoted
  and double-quoted values interpolate variables defined earlier in the file.
  ``target`` is empty.
- Kubernetes (see ``handles``): ``env[].value`` of the containers and init
  containers of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and
  CronJob pod templates (``$(VAR)`` expands earlier entries of the same
  container; ``valueFrom`` is a secret or field reference and cannot be
  known), ``ConfigMap.data``, ``Secret.stringData``; ``List`` items are
  followed. ``target`` is ``metadata.name``. Helm ``{{ ... }}`` actions are
  blanked before parsing and count as unresolved parts of a value; a Helm
  values file (``values*.yaml``, no ``kind``) is searched for ``KEY: url``
  entries and ``{name, value}`` items, ``target`` being its folder (the chart).

The location of a connection is the first character of the value as written
(the URL, or the ``${VAR:-...}`` that yields it), past any quote or
``KEY=`` prefix.
"""
from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import yaml

from linter import yamlload
from linter.globs import GlobError, anchored, matches
from linter.extract.base import ExtractConfig, comment_at, parse_error
from linter.embedded import LINE_BREAK, LineIndex
from linter.model import Connection, ExtractResult, Language, Location, Problem, SourceFile

NAME = "config"
LANGUAGE = Language.CONFIG

# Folder names whose YAML files are treated as Kubernetes manifests (or Helm
# charts). A YAML file elsewhere is not read: an arbitrary YAML file holding a
# DATABASE_URL key (CI config, OpenAPI examples) is not a deployment.
K8S_FOLDERS = frozenset({"k8s", "kubernetes", "deploy", "manifests", "helm", "charts"})

_PREFILTER_TOKENS = (b"DATABASE_URL", b"postgres", b"DB_URL", b"_URL")


class FileKind(enum.Enum):
    COMPOSE = "docker-compose"
    ENV = "env"
    K8S = "k8s"


# `docker-compose.yml`, `docker-compose.prod.yaml`, `compose-dev.yml`,
# `compose.override.yaml`; not `composer.yml` (something after "compose" must
# be a separator).
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.\-_][^/]*)?\.ya?ml")


def file_kind(path: str) -> FileKind | None:
    """What kind of configuration file a project-relative POSIX path is, if any.

    Compose names win over the Kubernetes folder rule, so a compose file under
    ``deploy/`` is read as compose. A Kubernetes manifest is any ``.yaml`` /
    ``.yml`` file with a folder in ``K8S_FOLDERS`` (any case) among its parent
    folders.
    """
    folders, _, base = path.rpartition("/")
    lower = base.lower()
    if _COMPOSE_NAME.fullmatch(lower):
        return FileKind.COMPOSE
    if lower == ".env" or lower.startswith(".env."):
        return FileKind.ENV
    if lower.endswith((".yaml", ".yml")) and any(f.lower() in K8S_FOLDERS for f in folders.split("/")):
        return FileKind.K8S
    return None


def handles(path: str) -> bool:
    return file_kind(path) is not None


def might_access_db(data: bytes) -> bool:
    """Cheap byte scan: could this file configure a database connection?"""
    return any(token in data for token in _PREFILTER_TOKENS)


# --- connection URLs -------------------------------------------------------------------

_CONNECTION_SUFFIXES = ("DATABASE_URL", "DB_URL")
_POSTGRES_SCHEME = re.compile(r"postgres(?:ql)?(?:\+[a-z0-9_]+)?", re.IGNORECASE)

# Stands in for an unresolved part of a value while it is parsed; it cannot
# occur in a YAML or .env value, so anything containing it is unknown.
UNKNOWN = "\x00"


def is_connection_variable(name: str) -> bool:
    """``DATABASE_URL`` or a name ending in ``DATABASE_URL`` / ``DB_URL`` (any case)."""
    return name.upper().endswith(_CONNECTION_SUFFIXES)


def url_schemas(url: str) -> tuple[str, ...] | None:
    """The schemas a PostgreSQL URL selects; None when ``url`` is not a PostgreSQL URL.

    Parts of ``url`` equal to ``UNKNOWN`` are unresolved; a schema containing
    one is dropped. Order: ``?schema=`` entries, then ``search_path`` entries
    from ``options``, without repeats.
    """
    entries = _schema_entries(url)
    if entries is None:
        return None
    return tuple(dict.fromkeys(s for s in entries if s and UNKNOWN not in s))


def _schema_entries(url: str) -> list[str] | None:
    """Every schema a PostgreSQL URL names, unresolved ones included; None for other URLs."""
    scheme, sep, _ = url.partition("://")
    if not sep or not _POSTGRES_SCHEME.fullmatch(scheme):
        return None
    found: list[str] = []
    for key, value in _query_params(url):
        if key == "schema":
            found += [s.strip() for s in value.split(",")]
        elif key == "options":
            found += _search_path_of_options(value)
    return found


def _query_params(url: str) -> list[tuple[str, str]]:
    """Decoded query parameters; a URL urllib rejects (bad IPv6 host) still has its query read."""
    try:
        query = urlsplit(url).query
    except ValueError:
        query = url.partition("?")[2].partition("#")[0]
    return parse_qsl(query, keep_blank_values=True)


def _search_path_of_options(options: str) -> list[str]:
    """search_path entries from a libpq ``options`` value (``-c search_path=a,b``,
    ``-csearch_path=a``, ``--search_path=a``); the last setting wins, as in the server."""
    tokens = re.split(r"(?<!\\)\s+", options.strip())
    settings: list[str] = []
    for i, token in enumerate(tokens):
        if token == "-c" and i + 1 < len(tokens):
            settings.append(tokens[i + 1])
        elif token.startswith("-c") and token != "-c":
            settings.append(token[2:])
        elif token.startswith("--"):
            settings.append(token[2:])
    paths = [value for name, _, value in (s.partition("=") for s in settings)
             if name.replace("-", "_").lower() == "search_path"]
    return _split_search_path(paths[-1].replace("\\ ", " ")) if paths else []


def _split_search_path(value: str) -> list[str]:
    """Identifiers of a search_path value: unquoted ones fold to lower case,
    ``"Quoted"`` ones keep theirs; ``$user`` names no fixed schema and is dropped."""
    out = []
    for part in re.findall(r'"(?:[^"]|"")*"|[^,]+', value):
        part = part.strip()
        name = part[1:-1].replace('""', '"') if part.startswith('"') else part.lower()
        if name and name != "$user":
            out.append(name)
    return out


# --- values with unresolved parts ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """A configured value after interpolation: ``text`` keeps unresolved
    references as written (for the report); ``probe`` has each replaced by
    ``UNKNOWN`` (for parsing)."""

    text: str
    probe: str

    @classmethod
    def literal(cls, text: str) -> "Value":
        return cls(text, text)

    @classmethod
    def unknown(cls, text: str) -> "Value":
        return cls(text, UNKNOWN)

    def __add__(self, other: "Value") -> "Value":
        return Value(self.text + other.text, self.probe + other.probe)


EMPTY = Value("", "")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?")


def interpolate(text: str, env: Mapping[str, Value]) -> Value:
    """Compose / dotenv interpolation of ``text`` against the variables known in ``env``.

    ``${V:-d}`` gives V when known and non-empty, else d; ``${V-d}`` V when
    known, else d; ``${V:?e}`` / ``${V?e}`` and plain ``${V}`` / ``$V`` give V
    when known, else stay unresolved; ``${V:+r}`` / ``${V+r}`` give r when V is
    known (and non-empty for ``:+``), "" when known empty, else unresolved.
    ``$$`` is a literal ``$``. Defaults are interpolated too (they may nest).
    """
    out, i, start = EMPTY, 0, 0
    while (i := text.find("$", i)) != -1:
        piece, end = _dollar(text, i, env)
        if piece is None:
            i += 1
            continue
        out, i = out + Value.literal(text[start:i]) + piece, end
        start = end
    return out + Value.literal(text[start:])


def _dollar(text: str, i: int, env: Mapping[str, Value]) -> tuple[Value | None, int]:
    """The value of the reference starting at ``text[i] == "$"`` and where it ends;
    (None, i) when the ``$`` starts no reference (it stays literal)."""
    if text.startswith("$$", i):
        return Value.literal("$"), i + 2
    plain = _VAR.match(text, i + 1)
    if plain:
        name = plain.group()
        return env.get(name, Value.unknown(text[i:plain.end()])), plain.end()
    braced = _BRACED.match(text, i)
    if not braced:
        return None, i
    close = _closing_brace(text, braced.end())
    if close == -1:
        return None, i
    name, op = braced.group(1), braced.group(2) or ""
    word = text[braced.end():close] if op else ""
    if not op and braced.end() != close:
        return None, i  # `${V junk}` is not a reference compose would accept
    return _apply(name, op, word, env, text[i:close + 1]), close + 1


def _closing_brace(text: str, i: int) -> int:
    """Index of the ``}`` that closes a ``${`` whose body starts at i (nested ``${`` counted)."""
    depth = 1
    while i < len(text):
        if text.startswith("${", i):
            depth, i = depth + 1, i + 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _apply(name: str, op: str, word: str, env: Mapping[str, Value], written: str) -> Value:
    known = env.get(name)
    if op in (":-", "-"):
        use_default = known is None or (op == ":-" and known.text == "")
        return interpolate(word, env) if use_default else known
    if op in (":+", "+"):
        if known is None:
            return Value.unknown(written)
        return interpolate(word, env) if (op == "+" or known.text) else EMPTY
    return known if known is not None else Value.unknown(written)


_K8S_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand_k8s(text: str, env: Mapping[str, Value]) -> Value:
    """Kubernetes dependent-variable expansion: ``$(VAR)`` from earlier entries
    of the same container, ``$$`` escapes; an unknown ``$(VAR)`` is unresolved
    (envFrom or the image may define it)."""
    out, start = EMPTY, 0
    for m in _K8S_REF.finditer(text):
        piece = Value.literal("$") if m.group() == "$$" else env.get(m.group(1), Value.unknown(m.group()))
        out, start = out + Value.literal(text[start:m.start()]) + piece, m.end()
    return out + Value.literal(text[start:])


# --- candidates and connections --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable as configured: name, value, and the 1-based
    line and column of the value's first character."""

    variable: str
    value: Value
    line: int
    col: int
    target: str = ""


def to_connection(src: SourceFile, setting: Setting, kind: FileKind) -> Connection | None:
    """The Connection a setting configures, or None when it is no PostgreSQL connection."""
    if not is_connection_variable(setting.variable):
        return None
    schemas = url_schemas(setting.value.probe)
    if schemas is None:
        return None
    entries = _schema_entries(setting.value.probe) or []
    return Connection(
        service=src.service,
        location=Location(src.path, setting.line, setting.col),
        variable=setting.variable,
        url=setting.value.text,
        schemas=schemas,
        source=kind.value,
        target=setting.target,
        schema_dynamic=any(UNKNOWN in e for e in entries),
    )


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Connections and HOS901 problems of one configuration file; never raises."""
    kind = file_kind(src.path)
    if kind is FileKind.ENV:
        read = env_settings(src, text)
    elif kind is FileKind.COMPOSE:
        read = _yaml_settings(src, text, compose_settings, templated=False)
    elif kind is FileKind.K8S:
        read = _yaml_settings(src, text, k8s_settings, templated=True)
    else:
        return ExtractResult(path=src.path, service=src.service, skipped="not a configuration file")
    connections = (to_connection(src, s, kind) for s in read.settings)
    lines = LineIndex.of(text)
    return ExtractResult(
        path=src.path,
        service=src.service,
        connections=tuple(sorted((c for c in connections if c is not None), key=_connection_order)),
        problems=read.problems,
        skipped=read.skipped,
        comments=tuple(comment_at(text, lines, a, b) for a, b in read.comments) if config.comments else (),
    )


def _connection_order(conn: Connection) -> tuple:
    """Position first; one shared (anchored) value can serve several targets."""
    return (conn.location.line, conn.location.col, conn.variable, conn.target)


# --- .env files ------------------------------------------------------------------------

_ENV_KEY = re.compile(r"\ufeff?[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*(=[ \t]*)?")
_DQ_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'", "$": "$$"}


@dataclass(frozen=True, slots=True)
class EnvValue:
    """A raw value read from a .env line: decoded text, whether it interpolates,
    where it starts and where scanning resumes (both character offsets)."""

    text: str
    interpolates: bool
    start: int
    end: int


def env_settings(src: SourceFile, text: str) -> "Read":
    """Every ``KEY=value`` of a .env file, interpolated against earlier keys.

    A bare ``KEY`` (taken from the environment by compose) is no setting; a
    line that is neither, or a quote that never closes, is HOS901 and parsing
    resumes on the next line.
    """
    reader = _EnvReader(src, text, LineIndex.of(text))
    pos = 0
    while pos < len(text):
        pos = reader.line(pos)
    return Read(tuple(reader.settings), tuple(reader.problems), comments=tuple(reader.comments))


class _EnvReader:
    """Reads a .env file line by line, collecting settings, problems and the
    variables defined so far (for interpolation)."""

    def __init__(self, src: SourceFile, text: str, lines: LineIndex) -> None:
        self.src, self.text, self.lines = src, text, lines
        self.env: dict[str, Value] = {}
        self.settings: list[Setting] = []
        self.problems: list[Problem] = []
        self.comments: list[tuple[int, int]] = []  # (start, end) of each `#` comment

    def line(self, pos: int) -> int:
        """Read the line (or multi-line assignment) at ``pos``; return where the next starts."""
        text = self.text
        line_end = _line_end(text, pos)
        if _only_comment(text[pos:line_end]):
            self.comment_in(pos, line_end)
            return _next_line(text, pos)
        key = _ENV_KEY.match(text, pos, line_end)
        if key is None or (key.group(2) is None and not _only_comment(text[key.end():line_end])):
            self.problem(pos, "not a KEY=value line")
            return _next_line(text, pos)
        if key.group(2) is None:
            self.comment_in(key.end(), line_end)
            return _next_line(text, pos)
        return self.assignment(key.group(1), key.end())

    def assignment(self, name: str, pos: int) -> int:
        """Record ``name=<value at pos>`` (or its HOS901); return where parsing resumes."""
        raw = _env_value(self.text, pos)
        if raw is None:
            self.problem(pos, "unterminated quoted value")
            return _next_line(self.text, pos)
        value = interpolate(raw.text, self.env) if raw.interpolates else Value.literal(raw.text)
        self.env[name] = value
        line, col = self.lines.position(raw.start)
        self.settings.append(Setting(name, value, line, col))
        self.comment_in(raw.end, _line_end(self.text, raw.end))
        return _next_line(self.text, raw.end)

    def comment_in(self, start: int, end: int) -> None:
        """Note the comment filling the rest of a line, if ``text[start:end]`` is one."""
        at = start + len(self.text[start:end]) - len(self.text[start:end].lstrip())
        if at < end and self.text[at] == "#":
            self.comments.append((at, end))

    def problem(self, offset: int, what: str) -> None:
        line, col = self.lines.position(offset)
        self.problems.append(parse_error(self.src, line, col, f".env parse error: {what}"))


def _env_value(text: str, pos: int) -> EnvValue | None:
    """The value starting at ``pos``; None for a quote that never closes."""
    quote = text[pos:pos + 1]
    if quote == "'":
        close = text.find("'", pos + 1)
        return None if close == -1 else EnvValue(text[pos + 1:close], False, pos + 1, close + 1)
    if quote == '"':
        return _double_quoted(text, pos)
    end = _line_end(text, pos)
    comment = re.search(r"[ \t]#", text[pos:end])
    stop = pos + comment.start() if comment else end
    return EnvValue(text[pos:stop].rstrip(), True, pos, stop)


def _double_quoted(text: str, pos: int) -> EnvValue | None:
    """A ``"..."`` value (it may span lines); ``\\$`` becomes ``$$`` so it stays literal."""
    out, i = [], pos + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return EnvValue("".join(out), True, pos + 1, i + 1)
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_DQ_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return None


def _line_end(text: str, pos: int) -> int:
    """Offset of the line break ending the line at ``pos`` (CR, LF or CR LF), or the text's end."""
    m = LINE_BREAK.search(text, pos)
    return m.start() if m else len(text)


def _next_line(text: str, pos: int) -> int:
    """Offset of the line after the one at ``pos`` (the text's end for the last line)."""
    m = LINE_BREAK.search(text, pos)
    return m.end() if m else len(text)


def _only_comment(rest: str) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith("#")



# --- YAML: documents, templates, nodes ---------------------------------------------------

# Why a YAML file past the alias or nesting limits of ``linter.yamlload`` was not analysed.
YAML_LIMIT = "YAML over the alias or nesting limit"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
# A Go-template action (Helm): `{{ .Values.url }}`, `{{- if .x }}`; may span lines.
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class YamlFile:
    """The read-only context of one YAML file: its path and service, original
    text, line index, and the spans of Helm template actions left inline."""

    src: SourceFile
    text: str
    lines: LineIndex
    templates: tuple[tuple[int, int], ...] = ()

    def value(self, node: yaml.Node) -> Value:
        """A scalar's value; inline template actions in it are unresolved parts."""
        start, end = node.start_mark.index, node.end_mark.index
        if not any(s < end and start < e for s, e in self.templates):
            return Value.literal(node.value)
        raw = self.text[start:end]
        if node.style in ("'", '"') and len(raw) >= 2:
            raw = raw[1:-1]
        out, last = EMPTY, 0
        for m in _TEMPLATE.finditer(raw):
            out, last = out + Value.literal(raw[last:m.start()]) + Value.unknown(m.group()), m.end()
        return out + Value.literal(raw[last:])

    def position(self, node: yaml.Node, skip: int = 0) -> tuple[int, int]:
        """1-based (line, col) of a scalar's text, ``skip`` characters in (past any quote)."""
        offset = node.start_mark.index
        if node.style in ("'", '"'):
            offset += 1
        elif node.style in ("|", ">"):  # the text starts on the line after the indicator
            offset = _next_line(self.text, offset)
            offset += len(self.text[offset:]) - len(self.text[offset:].lstrip(" "))
        return self.lines.position(offset + skip)


@dataclass(frozen=True, slots=True)
class Read:
    """What one file yields before filtering: every setting, parse problems,
    and why the file was skipped (if it was)."""

    settings: tuple[Setting, ...]
    problems: tuple[Problem, ...] = ()
    skipped: str | None = None
    comments: tuple[tuple[int, int], ...] = ()  # (start, end) of each comment the lexer saw


def _yaml_settings(src: SourceFile, text: str, reader, templated: bool) -> Read:
    """Parse every document of a YAML file and collect the settings ``reader`` finds.

    Documents before a syntax error are still read; the error is HOS901 at its
    line. With ``templated`` (Kubernetes folders, where Helm charts live) Go
    template actions are blanked first, and a file that is not YAML even then
    is skipped (a notice, not a parse error: it is not meant to be YAML).
    Compose files are never templates: ``{{.Name}}`` there is a literal.
    """
    parse_text, templates = blank_templates(text) if templated else (text, ())
    ctx = YamlFile(src, text, LineIndex.of(text), templates)
    docs, problem, comments = _documents(ctx, parse_text)
    settings = tuple(s for doc in docs for s in reader(ctx, doc))
    if problem is not None and problem.whole_file:
        return Read(settings, (problem,), skipped=YAML_LIMIT)
    if problem is not None and parse_text != text:
        return Read(settings, skipped="Helm template that is not plain YAML")
    return Read(settings, (problem,) if problem else (), comments=comments)


def blank_templates(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` with Go-template actions neutralised, keeping every offset.

    An action alone on its line(s) (``{{- if .x }}``) becomes blanks; one inside
    a value becomes ``x`` characters so the value stays a scalar; the spans of
    the latter are returned so their values count as unresolved.
    """
    if "{{" not in text:
        return text, ()
    out, spans, last = [], [], 0
    for m in _TEMPLATE.finditer(text):
        line_start = max(text.rfind("\n", 0, m.start()), text.rfind("\r", 0, m.start())) + 1
        alone = not text[line_start:m.start()].strip() and _only_blank_after(text, m.end())
        out.append(text[last:m.start()])
        out.append(re.sub(r"[^\n]", " " if alone else "x", m.group()))
        if not alone:
            spans.append((m.start(), m.end()))
        last = m.end()
    out.append(text[last:])
    return "".join(out), tuple(spans)


def _only_blank_after(text: str, pos: int) -> bool:
    return not text[pos:_line_end(text, pos)].strip()


def _documents(ctx: YamlFile, text: str) -> tuple[list[yaml.Node], Problem | None, tuple[tuple[int, int], ...]]:
    """The composed documents (node trees with marks), the first error if
    any, and the (start, end) offsets of the comments scanned up to there.

    Composing is bounded (``linter.yamlload``): past its alias or nesting
    limits the rest of the file is not read, and every walk below stays
    within them.
    """
    docs: list[yaml.Node] = []
    comments: list[tuple[int, int]] = []
    try:
        for doc in yamlload.compose_all(text, comments):
            if doc is not None:
                docs.append(doc)
    except yaml.YAMLError as err:
        return docs, _yaml_problem(ctx, err), tuple(comments)
    return docs, None, tuple(comments)


def _yaml_problem(ctx: YamlFile, err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    offset = mark.index if mark is not None else getattr(err, "position", 0)
    line, col = ctx.lines.position(min(max(offset, 0), len(ctx.text)))
    what = getattr(err, "problem", None) or getattr(err, "reason", None) or str(err)
    if isinstance(err, yamlload.YamlLimitError):
        return parse_error(ctx.src, line, col, f"YAML file not analysed: {what}", whole_file=True)
    context = getattr(err, "context", None)
    return parse_error(ctx.src, line, col, f"YAML parse error: {what}" + (f" ({context})" if context else ""))


def items(node: yaml.Node | None) -> dict[str, yaml.Node]:
    """A mapping node's entries by scalar key, ``<<`` merges applied (explicit
    keys override merged ones; earlier merged mappings win, as in YAML 1.1)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    merged: dict[str, yaml.Node] = {}
    own: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if key.tag == _MERGE_TAG:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                for k, v in items(source).items():
                    merged.setdefault(k, v)
        elif isinstance(key, yaml.ScalarNode):
            own[key.value] = value
    return {**merged, **own}


def scalar(node: yaml.Node | None) -> str | None:
    """A non-null scalar's text, else None."""
    if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG:
        return node.value
    return None


def dig(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        node = items(node).get(key)
    return node


# --- docker-compose ----------------------------------------------------------------------


def compose_settings(ctx: YamlFile, root: yaml.Node) -> Iterator[Setting]:
    """The environment of every ``services.<name>`` of one compose document."""
    for name, body in items(dig(root, "services")).items():
        build = build_dir(ctx.src.path, dig(body, "build"))
        target = f"{name}@{build}" if build else name
        yield from _compose_environment(ctx, dig(body, "environment"), target)


def _compose_environment(ctx: YamlFile, env: yaml.Node | None, target: str) -> Iterator[Setting]:
    """``environment:`` as a mapping (``KEY: value``) or a list (``- KEY=value``);
    a bare ``- KEY`` passes the shell's value through and is no setting."""
    if isinstance(env, yaml.SequenceNode):
        for entry in env.value:
            text = scalar(entry)
            if text is None or "=" not in text:
                continue
            key, _, value = text.partition("=")
            line, col = ctx.position(entry, len(key) + 1)
            yield Setting(key.strip(), interpolate(value, {}), line, col, target)
        return
    for key, node in items(env).items():
        if scalar(node) is not None:
            line, col = ctx.position(node)
            yield Setting(key, interpolate(node.value, {}), line, col, target)


def build_dir(compose_path: str, build: yaml.Node | None) -> str | None:
    """The project-relative folder a compose ``build`` points at, or None.

    ``build: ./services/order`` and ``build: {context: services/order}`` are
    resolved against the compose file's folder. When a ``dockerfile`` lies
    below the context (``{context: ., dockerfile: services/order/Dockerfile}``)
    its folder is more specific and is used instead. Remote contexts (URLs)
    and contexts that depend on an unresolved variable give None.
    """
    spec = items(build)
    if isinstance(build, yaml.ScalarNode):
        context = scalar(build)
    elif isinstance(build, yaml.MappingNode):
        context = scalar(spec.get("context")) or "."  # compose's default context
    else:
        context = None
    if context is None:
        return None
    base = _local_path(posixpath.dirname(compose_path), context)
    dockerfile = scalar(spec.get("dockerfile"))
    if base is None or dockerfile is None:
        return base
    folder = _local_path(base, posixpath.dirname(dockerfile) or ".")
    if base == ".":  # the project root (or compose folder) as context: anything not above it
        inside = folder is not None and folder != ".." and not folder.startswith(("../", "/"))
    else:
        inside = folder is not None and (folder == base or folder.startswith(base + "/"))
    return folder if inside else base


def _local_path(base: str, relative: str) -> str | None:
    """``relative`` joined to ``base`` and normalised; None for URLs and unresolved paths."""
    value = interpolate(relative, {})
    if UNKNOWN in value.probe or "://" in value.text or value.text.startswith("git@"):
        return None
    return posixpath.normpath(posixpath.join(base, value.text))


def split_target(target: str) -> tuple[str, str | None]:
    """``"order-service@services/order"`` -> ``("order-service", "services/order")``.

    Compose service names cannot contain ``@``, so the first one separates the
    name from the build folder.
    """
    name, sep, build = target.partition("@")
    return name, (build if sep else None)


# --- Kubernetes --------------------------------------------------------------------------

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
# Plain string maps whose keys are environment variables (via envFrom).
DATA_MAPS: dict[str, str] = {"ConfigMap": "data", "Secret": "stringData"}


def k8s_settings(ctx: YamlFile, root: yaml.Node) -> Iterator[Setting]:
    """Settings of one manifest: workload container env, ConfigMap data, Secret
    stringData; a ``kind: List`` contributes its items' settings. A Helm values
    file (see ``values_settings``) has no ``kind``."""
    kind = scalar(dig(root, "kind"))
    if kind is None and is_values_file(ctx.src.path):
        yield from values_settings(ctx, root)
        return
    if kind == "List":
        listed = dig(root, "items")
        for item in listed.value if isinstance(listed, yaml.SequenceNode) else ():
            if scalar(dig(item, "kind")) != "List":  # one level: a List of Lists is not a manifest
                yield from k8s_settings(ctx, item)
        return
    name = dig(root, "metadata", "name")
    target = ctx.value(name).text if scalar(name) is not None else ""  # a Helm name as written
    if kind in DATA_MAPS:
        for key, node in items(dig(root, DATA_MAPS[kind])).items():
            if scalar(node) is not None:
                yield Setting(key, ctx.value(node), *ctx.position(node), target)
    elif kind in POD_SPEC_PATHS:
        pod = dig(root, *POD_SPEC_PATHS[kind])
        for group in ("initContainers", "containers"):
            containers = dig(pod, group)
            for container in containers.value if isinstance(containers, yaml.SequenceNode) else ():
                yield from _container_env(ctx, dig(container, "env"), target)


def _container_env(ctx: YamlFile, env: yaml.Node | None, target: str) -> Iterator[Setting]:
    """``env: [{name, value}]`` of one container, ``$(VAR)`` expanded against
    the entries above it; ``valueFrom`` entries are unknown and yield nothing."""
    known: dict[str, Value] = {}
    for entry in env.value if isinstance(env, yaml.SequenceNode) else ():
        name, node = scalar(dig(entry, "name")), dig(entry, "value")
        if name is None or scalar(node) is None:
            continue
        value = ctx.value(node)
        if value.text == value.probe:  # templated values are unknown as a whole anyway
            value = expand_k8s(value.text, known)
        known[name] = value
        yield Setting(name, value, *ctx.position(node), target)


# --- compose service -> linter service ---------------------------------------------------

# Words that decorate a service's name in compose and deployments without
# changing which service it is: `order-service`, `order-svc`.
_NAME_SUFFIXES = frozenset({"service", "svc", "srv"})


def match_service(
    target: str,
    build_context: str | None,
    services: tuple[str, ...],
    service_paths: dict[str, tuple[str, ...]],
) -> str | None:
    """The linter service a compose service (or deployment) ``target`` belongs to.

    First by ``build_context`` (a project-relative folder, see ``split_target``):
    the service whose ``paths`` (globs allowed; default ``services/<name>``)
    contain it, the longest path winning. Else by name, in tiers: equal after
    normalising case and ``-``/``.`` to ``_`` (``order_service`` for a service
    called ``order_service``); then with a trailing ``service``/``svc``/``srv``
    word removed (``order-service`` -> ``order``); then also without one leading
    word, a project prefix (``hos-order-service`` -> ``order``). A tier with
    two candidates is ambiguous and gives None, as does no match.
    """
    if build_context is not None:
        by_path = _service_by_path(build_context, services, service_paths)
        if by_path is not None:
            return by_path
    return _service_by_name(target, services)


def _service_by_path(folder: str, services: tuple[str, ...], service_paths: dict[str, tuple[str, ...]]) -> str | None:
    folder = posixpath.normpath(folder)
    best: tuple[int, str] | None = None
    for service in sorted(services):
        for path in service_paths.get(service) or (f"services/{service}",):
            path = path.strip().removeprefix("./").strip("/")
            if path and _contains(path, folder) and (best is None or len(path) > best[0]):
                best = (len(path), service)
    return best[1] if best else None


def _contains(path_glob: str, folder: str) -> bool:
    try:
        return matches(anchored(path_glob), folder + "/")
    except GlobError:  # refused when the manifest was loaded
        return False


def _service_by_name(target: str, services: tuple[str, ...]) -> str | None:
    words = _words(target)
    by_words = {tuple(_words(s)): s for s in services}
    for candidate in _name_tiers(words):
        found = {by_words[c] for c in candidate if c in by_words}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[-_.]+", name.lower()) if w]


def _name_tiers(words: list[str]) -> Iterator[tuple[tuple[str, ...], ...]]:
    """Word sequences a name may stand for, most literal first (one tuple per tier)."""
    yield (tuple(words),)
    bare = words[:-1] if len(words) > 1 and words[-1] in _NAME_SUFFIXES else words
    yield (tuple(bare),)
    if len(bare) > 1:
        yield (tuple(bare[1:]),)


# --- Helm values files ---------------------------------------------------------------------

# `values.yaml`, `values.prod.yaml`, `values-staging.yml`, `order-values.yaml`.
_VALUES_NAME = re.compile(r"(?:[^/]*[-_.])?values(?:[-_.][^/]*)?\.ya?ml")


def is_values_file(path: str) -> bool:
    """A Helm values file name (the file must also sit in a Kubernetes folder, see ``handles``)."""
    return _VALUES_NAME.fullmatch(path.rpartition("/")[2].lower()) is not None


def values_settings(ctx: YamlFile, root: yaml.Node) -> Iterator[Setting]:
    """Helm values have no fixed shape, so every mapping is searched: each
    ``KEY: value`` entry, and each ``{name: KEY, value: ...}`` item (an env
    list the chart copies into a container). ``target`` is the folder holding
    the file (the chart: ``charts/order/values.yaml`` -> ``order``)."""
    target = posixpath.basename(posixpath.dirname(ctx.src.path))
    for mapping in _mappings(root):
        entries = items(mapping)
        name, value = scalar(entries.get("name")), entries.get("value")
        if name is not None and scalar(value) is not None:
            yield Setting(name, ctx.value(value), *ctx.position(value), target)
        for key, node in entries.items():
            if scalar(node) is not None and is_connection_variable(key):
                yield Setting(key, ctx.value(node), *ctx.position(node), target)


def _mappings(root: yaml.Node) -> Iterator[yaml.MappingNode]:
    """Every mapping node in a document, each once: aliases share nodes, and
    visiting a shared node again could take exponential time (billion laughs)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield node
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
