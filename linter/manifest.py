"""Find, load and validate the ownership manifest ``hos-lint.yaml``.

``load_manifest`` returns a frozen ``Manifest`` or raises ``ManifestError``
listing every problem as ``hos-lint.yaml:12: services.auth.schema: expected a
string, got a list``. The text is composed once by ``linter.yamlload`` (safe
tags only, alias expansion and nesting bounded, so an alias bomb is an error
at its line); line numbers come from that node tree, the values from
constructing it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hos_lint import yamlload
from hos_lint.globs import anchored, glob_error
from hos_lint.model import Location, Severity

MANIFEST_NAMES = ("hos-lint.yaml", ".hos-lint.yaml")

# gitignore syntax: a name without `/` matches at any depth; a trailing `/` only folders.
# `exclude:` replaces these, `extend-exclude:` adds to them (as in ruff).
DEFAULT_EXCLUDE = (
    "node_modules/",
    "dist/",
    "build/",
    ".next/",
    ".git",
    ".hg/",
    ".svn/",
    "__pycache__/",
    ".venv/",
    "venv/",
    ".tox/",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".hos-lint-cache/",
    "coverage/",
)
# Skipped whatever `exclude:` says: version control internals and hos-lint's own cache.
ALWAYS_EXCLUDE = (".git", ".hos-lint-cache/")

# Framework bookkeeping relations no service "owns" (SPEC §2).
BOOKKEEPING_RELATIONS = frozenset(
    {"_prisma_migrations", "alembic_version", "schema_migrations", "knex_migrations", "knex_migrations_lock"}
)

FAIL_ON = ("error", "warning", "info", "never")
# GitHub shows the first 10 annotations of each level per step (`--format github`)
MAX_ANNOTATIONS = 10


# A key's path in the YAML document: mapping keys and sequence indexes.
KeyPath = tuple[str | int, ...]


class ManifestError(Exception):
    """Every problem found in a manifest, one ``file:line: key: message`` per entry."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Entry:
    """One value as written in the manifest, with its dotted key and place, so that a check
    made after loading (a glob matching nothing, an unknown rule) names its line."""

    value: str
    key: str  # e.g. "services.auth.paths.0", "rules.severity.HOS102"
    location: Location | None = None

    def error(self, message: str) -> str:
        where = f"{self.location.path}:{self.location.line}" if self.location else "hos-lint.yaml"
        return f"{where}: {self.key}: {message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceConfig:
    name: str
    schema: str | None
    paths: tuple[str, ...]
    tables: tuple[str, ...] = ()
    legacy: bool = False
    prisma_clients: tuple[str, ...] = ()
    role: str | None = None
    location: Location | None = None
    schema_location: Location | None = None
    schema_source: str = "manifest"  # where an inferred value came from (zero-config)
    paths_source: str = ""  # zero-config: what marks the folder as a service
    tables_source: tuple[str, ...] = ()  # zero-config: where each of `tables` came from
    legacy_source: str = ""  # zero-config: why `legacy` was inferred
    path_entries: tuple[Entry, ...] = ()  # the `paths:` entries as written (none when defaulted)

    @property
    def role_name(self) -> str:
        """The database role this service connects as (Phase 5): ``role`` or its schema name."""
        return self.role or self.schema or self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowEntry:
    service: str
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    reason: str = ""
    location: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One service claiming a schema or a public table, for HOS204."""

    kind: str  # "schema" | "table"
    value: str
    service: str
    location: Location | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: str = "error"
    entries: tuple[Entry, ...] = ()  # every rule named in select, ignore and severity, as written


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    root: str  # absolute project root
    path: str | None  # manifest file relative to root, None when inferred
    services: tuple[ServiceConfig, ...]
    allow: tuple[AllowEntry, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE  # in effect: the defaults, replaced or extended
    exclude_entries: tuple[Entry, ...] = ()  # the `exclude:` / `extend-exclude:` entries as written
    respect_gitignore: bool = True
    rules: RulesConfig = field(default_factory=RulesConfig)
    prisma_clients: tuple[str, ...] = ()
    max_annotations: int = MAX_ANNOTATIONS  # --format github: annotations of each level (0: no cap)
    claims: tuple[Claim, ...] = ()
    inferred: bool = False
    declared_root: str | None = None  # the manifest's `root:`, relative to the manifest's folder
    declared_root_line: int | None = None

    def service(self, name: str | None) -> ServiceConfig | None:
        for svc in self.services:
            if svc.name == name:
                return svc
        return None


def find_repo_root(start: Path) -> Path | None:
    """The repository holding ``start``: the first folder, walking up, that holds
    ``.git`` (a folder, or a file in a worktree or submodule). Only ``.git`` is
    looked at on the way up; nothing else above ``start`` is read."""
    here = _folder_of(start)
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def repository_wall(start: Path, cwd: Path | None = None) -> Path:
    """Where the manifest search stops: the repository root holding ``start``.
    Outside a repository: the cwd when ``start`` lies inside it (``hos-lint
    services/`` still finds ./hos-lint.yaml), else ``start`` (a file's folder)."""
    repo = find_repo_root(start)
    if repo is not None:
        return repo
    here = _folder_of(start)
    cwd = (cwd or Path.cwd()).resolve()
    return cwd if here == cwd or cwd in here.parents else here


def default_root(start: Path) -> Path:
    """The project root when no manifest names one: the repository root holding
    ``start``; outside a repository, ``start`` itself (a file's folder), so that
    nothing beside what was pointed at is ever walked."""
    return find_repo_root(start) or _folder_of(start)


def find_manifest(start: Path, stop: Path) -> Path | None:
    """The first hos-lint.yaml walking up from ``start`` (a file or directory),
    never above ``stop`` (the repository root, or ``start`` itself outside a
    repository). ``start`` outside ``stop`` finds nothing."""
    here, stop = _folder_of(start), stop.resolve()
    if here != stop and stop not in here.parents:
        return None
    for folder in (here, *here.parents):
        for name in MANIFEST_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        if folder == stop:
            break
    return None


def _folder_of(start: Path) -> Path:
    """The folder a PATH stands for: itself, or the folder holding a file. A symbolic
    link is a name in its folder, never followed here: a committed link to a file
    outside the repository must not move the search (or the root) out of it."""
    start = Path(os.path.abspath(start))
    if start.is_symlink():
        return start.parent.resolve()
    here = start.resolve()
    return here.parent if here.is_file() or not here.exists() else here


def load_manifest(path: Path, *, wall: Path | None = None, default_root: Path | None = None) -> Manifest:
    """Read and validate a manifest file; raise ManifestError with every problem.

    The project root is the manifest's ``root:`` (relative to the manifest's
    folder), else ``default_root``, else the manifest's folder. ``wall`` is the
    repository root: a ``root:`` that leads outside it is an error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError([f"{path.name}: cannot read manifest: {err}"]) from None
    path = path.resolve()
    root = (default_root or path.parent).resolve()
    loaded = _load_yaml(text, _display(path, root))
    manifest = _validate(loaded, root=str(root), filename=_display(path, root))
    if manifest.declared_root is not None:
        root = _declared_root(manifest, path, wall)
    if str(root) != manifest.root or manifest.path != _display(path, root):
        manifest = _validate(loaded, root=str(root), filename=_display(path, root))
    return manifest


def _declared_root(manifest: Manifest, path: Path, wall: Path | None) -> Path:
    """The folder ``root:`` names, checked: it exists and stays inside the repository."""
    value, line = manifest.declared_root or "", manifest.declared_root_line
    where = f"{manifest.path}{f':{line}' if line else ''}: root"
    root = (path.parent / value).resolve()
    if not root.is_dir():
        raise ManifestError([f"{where}: {value!r} is not a folder (it is read relative to {path.name})"])
    if wall is not None:
        wall = wall.resolve()
        if root != wall and wall not in root.parents:
            raise ManifestError([f"{where}: {value!r} leads outside the repository root {wall}; "
                                 "name a folder inside it"])
    return root


def _display(path: Path, root: Path) -> str:
    """The manifest's path as findings name it: relative to the project root."""
    return os.path.relpath(path, root).replace(os.sep, "/")


SCHEMA_FILE = "hos-lint.schema.json"


def json_schema() -> str:
    """The manifest's JSON Schema (draft-07), shipped in the package for editors
    (``hos-lint schema``). It describes the shape; this module's validator checks
    that and what a schema cannot say (an ``allow:`` service is declared, globs are
    usable, no key is written twice); a test keeps the two in agreement."""
    from importlib import resources  # only `hos-lint schema` reads it

    return (resources.files("hos_lint") / SCHEMA_FILE).read_text(encoding="utf-8")


def parse_manifest(text: str, *, root: str, filename: str = "hos-lint.yaml") -> Manifest:
    """Validate manifest text (pure). ``filename`` is used in messages and locations."""
    return _validate(_load_yaml(text, filename), root=root, filename=filename)


_Loaded = tuple[Any, dict[KeyPath, int], list[tuple[KeyPath, int, int]]]


def _load_yaml(text: str, filename: str) -> _Loaded:
    """The manifest's data, the line of every key path and the duplicated keys; the text
    is composed once, whichever root the manifest is then validated against."""
    duplicates: list[tuple[KeyPath, int, int]] = []
    try:
        node = yamlload.compose(text)
        lines = _key_lines(node, duplicates=duplicates)  # before construction flattens merge keys
        data = yamlload.construct(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        what = "YAML refused" if isinstance(err, yamlload.YamlLimitError) else "invalid YAML"
        raise ManifestError([f"{filename}{line}: {what}: {problem}"]) from None
    return data, lines, duplicates


def _validate(loaded: _Loaded, *, root: str, filename: str) -> Manifest:
    data, lines, duplicates = loaded
    validator = _Validator(filename, lines, root)
    for key, first, again in sorted(set(duplicates), key=lambda d: (d[2], d[1])):
        validator.errors.append(f"{filename}:{again}: {_dotted(key)}: duplicate key, first defined at line "
                                f"{first} (YAML would silently keep only the last one)")
    return validator.manifest(data if data is not None else {})


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _key_lines(node: yaml.Node | None, prefix: KeyPath = (),
               duplicates: list[tuple[KeyPath, int, int]] | None = None) -> dict[KeyPath, int]:
    """Map every key path (tuple of keys / list indexes) to its 1-based line.

    A key written twice in one mapping (which loading would silently collapse to
    the last) is added to ``duplicates`` as ``(key path, first line, repeated line)``.
    """
    out: dict[KeyPath, int] = {}
    if node is None:
        return out
    out[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # not a key the manifest can have (construction refuses it)
            key = key_node.value
            line = key_node.start_mark.line + 1
            if duplicates is not None and key_node.tag != _MERGE_TAG:
                if (key_node.tag, key) in seen:
                    duplicates.append((prefix + (key,), seen[(key_node.tag, key)], line))
                else:
                    seen[(key_node.tag, key)] = line
            out[prefix + (key,)] = line
            inner = _key_lines(value_node, prefix + (key,), duplicates)
            inner.pop(prefix + (key,), None)
            out.update(inner)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_key_lines(item, prefix + (i,), duplicates))
    return out


def _dotted(key: KeyPath) -> str:
    return ".".join(str(k) for k in key) or "(top level)"


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


class _Validator:
    """Turns loaded YAML into a Manifest, collecting errors with file:line: key."""

    def __init__(self, filename: str, lines: dict[KeyPath, int], root: str) -> None:
        self.filename = filename
        self.lines = lines
        self.root = root
        self.errors: list[str] = []

    def error(self, key: KeyPath, message: str) -> None:
        line = self._line(key)
        self.errors.append(f"{self.filename}{f':{line}' if line else ''}: {_dotted(key)}: {message}")

    def _line(self, key: KeyPath) -> int | None:
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key)

    def location(self, key: KeyPath) -> Location | None:
        line = self._line(key)
        return Location(self.filename, line, 1) if line else None

    def entry(self, key: KeyPath, value: str) -> Entry:
        return Entry(value, _dotted(key), self.location(key))

    def globs(self, key: KeyPath, value: Any, *, folder: bool = False) -> tuple[Entry, ...]:
        """A list of globs (gitignore syntax), each checked and kept with its place; a ``folder``
        glob (service ``paths``) is checked as used: with everything under it."""
        out = []
        for entry in self.string_entries(key, value):
            problem = glob_error(anchored(entry.value) if folder else entry.value)
            if problem:
                self.errors.append(entry.error(f"{problem}: {entry.value!r}"))
            else:
                out.append(entry)
        return tuple(out)

    def expect(self, key: KeyPath, value: Any, kind: type, label: str) -> bool:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return True
        self.error(key, f"expected {label}, got {_type_name(value)}")
        return False

    def string_list(self, key: KeyPath, value: Any) -> tuple[str, ...]:
        return tuple(e.value for e in self.string_entries(key, value))

    def string_entries(self, key: KeyPath, value: Any) -> tuple[Entry, ...]:
        """A string or a list of strings, each kept with its key and place."""
        if value is None:
            return ()
        if isinstance(value, str):
            return (self.entry(key, value),)
        if not self.expect(key, value, list, "a list of strings"):
            return ()
        return tuple(self.entry(key + (i,), item) for i, item in enumerate(value)
                     if self.expect(key + (i,), item, str, "a string"))

    def manifest(self, data: Any) -> Manifest:
        if not self.expect((), data, dict, "a mapping"):
            raise ManifestError(self.errors)
        self.unknown_keys((), data, {"version", "root", "services", "allow", "exclude", "extend-exclude",
                                     "respect-gitignore", "rules", "prisma_clients", "max-annotations"})
        version = data.get("version", 1)
        if version != 1 or isinstance(version, bool):  # `version: true` is not 1
            self.error(("version",), f"unsupported version {version!r}; this hos-lint reads version 1")
        services = self.services(data.get("services"))
        names = {s.name for s in services}
        replaced = self.globs(("exclude",), data.get("exclude")) if "exclude" in data else None
        extended = self.globs(("extend-exclude",), data.get("extend-exclude"))
        base = tuple(e.value for e in replaced) if replaced is not None else DEFAULT_EXCLUDE
        respect_gitignore = data.get("respect-gitignore", True)
        if not self.expect(("respect-gitignore",), respect_gitignore, bool, "true or false"):
            respect_gitignore = True
        manifest = Manifest(
            root=self.root,
            path=self.filename,
            services=services,
            allow=self.allow(data.get("allow"), names),
            exclude=base + tuple(e.value for e in extended),
            exclude_entries=(replaced or ()) + extended,
            respect_gitignore=respect_gitignore,
            rules=self.rules(data.get("rules")),
            prisma_clients=self.string_list(("prisma_clients",), data.get("prisma_clients")),
            max_annotations=self.max_annotations(data.get("max-annotations", MAX_ANNOTATIONS)),
            claims=self.claims(services),
            declared_root=self.declared_root(data.get("root")),
            declared_root_line=self._line(("root",)) if "root" in data else None,
        )
        if self.errors:
            raise ManifestError(self.errors)
        return manifest

    def max_annotations(self, value: Any) -> int:
        """``max-annotations``: a whole number, 0 for no cap (``10.0`` is 10, as JSON Schema reads it)."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not self.expect(("max-annotations",), value, int, "a whole number (0: no cap)"):
            return MAX_ANNOTATIONS
        if value < 0:
            self.error(("max-annotations",), f"expected a whole number (0: no cap), got {value}")
            return MAX_ANNOTATIONS
        return int(value)

    def declared_root(self, value: Any) -> str | None:
        """``root:``: a relative folder path (checked against the disk by ``load_manifest``)."""
        if value is None or not self.expect(("root",), value, str, "a folder path relative to this file"):
            return None
        if not value.strip() or "\0" in value or os.path.isabs(value) or value.startswith("\\") or value[1:2] == ":":
            self.error(("root",), f"expected a folder path relative to this file, got {value!r}")
            return None
        return str(value)

    def unknown_keys(self, key: KeyPath, data: dict[str, Any], known: set[str]) -> None:
        for name in data:
            if name not in known:
                self.error(key + (name,), f"unknown key; expected one of {', '.join(sorted(known))}")

    def services(self, value: Any) -> tuple[ServiceConfig, ...]:
        if value is None:
            self.error(("services",), "required: map each service name to its schema")
            return ()
        if not self.expect(("services",), value, dict, "a mapping of service names"):
            return ()
        out = []
        for name, body in value.items():
            svc = self.service(str(name), body if body is not None else {})
            if svc:
                out.append(svc)
        return tuple(out)

    def service(self, name: str, body: Any) -> ServiceConfig | None:
        key = ("services", name)
        if not self.expect(key, body, dict, "a mapping"):
            return None
        self.unknown_keys(key, body, {"schema", "paths", "tables", "legacy", "prisma_clients", "role"})
        schema = body.get("schema")
        if schema is not None and not self.expect(key + ("schema",), schema, str, "a string"):
            schema = None
        legacy = body.get("legacy", False)
        if not self.expect(key + ("legacy",), legacy, bool, "true or false"):
            legacy = False
        role = body.get("role")
        if role is not None and not self.expect(key + ("role",), role, str, "a string"):
            role = None
        written = self.globs(key + ("paths",), body.get("paths"), folder=True)
        paths = tuple(e.value.rstrip("/") for e in written) or (f"services/{name}",)
        return ServiceConfig(
            name=name,
            schema=schema,
            paths=paths,
            path_entries=written,
            tables=self.string_list(key + ("tables",), body.get("tables")),
            legacy=legacy,
            prisma_clients=self.string_list(key + ("prisma_clients",), body.get("prisma_clients")),
            role=role,
            location=self.location(key),
            schema_location=self.location(key + ("schema",)),
        )

    def allow(self, value: Any, names: set[str]) -> tuple[AllowEntry, ...]:
        if value is None or not self.expect(("allow",), value, list, "a list of entries"):
            return ()
        out = []
        for i, item in enumerate(value):
            key = ("allow", i)
            if not self.expect(key, item, dict, "a mapping with service, read/write and reason"):
                continue
            self.unknown_keys(key, item, {"service", "read", "write", "reason"})
            service = item.get("service")
            if not isinstance(service, str) or service not in names:
                self.error(key + ("service",), f"expected one of the services, got {service!r}")
                continue
            reason = item.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                self.error(key + ("reason",), "required: say why this exception was accepted")
            out.append(AllowEntry(
                service=service,
                read=self.string_list(key + ("read",), item.get("read")),
                write=self.string_list(key + ("write",), item.get("write")),
                reason=reason if isinstance(reason, str) else "",
                location=self.location(key),
            ))
        return tuple(out)

    def rules(self, value: Any) -> RulesConfig:
        if value is None or not self.expect(("rules",), value, dict, "a mapping"):
            return RulesConfig()
        self.unknown_keys(("rules",), value, {"select", "ignore", "severity", "fail_on"})
        severity = []
        entries = []
        raw = value.get("severity")
        raw = {} if raw is None else raw
        if self.expect(("rules", "severity"), raw, dict, "a mapping of rule codes to severities"):
            for code, level in raw.items():
                entries.append(self.entry(("rules", "severity", code), str(code)))
                try:
                    severity.append((str(code), Severity(str(level))))
                except ValueError:
                    self.error(("rules", "severity", code), f"expected error, warning or info, got {level!r}")
        fail_on = value.get("fail_on", "error")
        if fail_on not in FAIL_ON:
            self.error(("rules", "fail_on"), f"expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
            fail_on = "error"
        select = self.string_entries(("rules", "select"), value.get("select"))
        ignore = self.string_entries(("rules", "ignore"), value.get("ignore"))
        entries += [*select, *ignore]
        return RulesConfig(
            select=tuple(e.value for e in select),
            ignore=tuple(e.value for e in ignore),
            severity=tuple(severity),
            fail_on=fail_on,
            entries=tuple(sorted(entries, key=lambda e: e.location.line if e.location else 0)),
        )

    def claims(self, services: tuple[ServiceConfig, ...]) -> tuple[Claim, ...]:
        out = []
        for svc in services:
            if svc.schema:
                out.append(Claim(kind="schema", value=svc.schema, service=svc.name, location=svc.schema_location))
            for i, table in enumerate(svc.tables):
                out.append(Claim(kind="table", value=table, service=svc.name,
                                 location=self.location(("services", svc.name, "tables", i))))
        return tuple(out)
