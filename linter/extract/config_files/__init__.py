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
  ``target`` is the compose service's name and the folder its ``build``
  points at, if any (``linter.service_match`` matches it to a service).
- ``.env`` / ``.env.*`` (not ``.envrc``): ``KEY=value`` lines, ``export``,
  single quotes (literal), double quotes (escapes), ``#`` comments; unquoted
  and double-quoted values interpolate variables defined earlier in the file.
  ``target`` is None.
- Kubernetes (see ``handles``): ``env[].value`` of the containers and init
  containers of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and
  CronJob pod templates (``$(VAR)`` expands earlier entries of the same
  container; ``valueFrom`` is a secret or field reference and cannot be
  known), ``ConfigMap.data``, ``Secret.stringData``; ``List`` items are
  followed. ``target.name`` is ``metadata.name``. Helm ``{{ ... }}`` actions are
  blanked before parsing and count as unresolved parts of a value; a Helm
  values file (``values*.yaml``, no ``kind``) is searched for ``KEY: url``
  entries and ``{name, value}`` items, ``target.name`` being its folder (the chart).

The location of a connection is the first character of the value as written
(the URL, or the ``${VAR:-...}`` that yields it), past any quote or
``KEY=`` prefix.

The modules, one per input kind: ``compose``, ``env``, ``k8s`` (manifests
and Helm values), over ``yaml_docs`` (bounded YAML, Helm templates, node
helpers); ``urls`` (connection variables and the schemas a URL selects),
``values`` (interpolation with unresolved parts) and ``settings`` (what
every reader yields).
"""
from __future__ import annotations

from hos_lint.embedded import LineIndex
from hos_lint.extract import config_kinds
from hos_lint.extract.base import ExtractConfig, comment_at
from hos_lint.extract.config_files.compose import build_dir, compose_settings
from hos_lint.extract.config_files.env import env_settings
from hos_lint.extract.config_files.k8s import is_values_file, k8s_settings, values_settings
from hos_lint.extract.config_files.settings import Read, Setting
from hos_lint.extract.config_files.urls import is_connection_variable, schema_entries, url_schemas
from hos_lint.extract.config_files.values import UNKNOWN, Value, expand_k8s, interpolate
from hos_lint.extract.config_files.yaml_docs import YAML_LIMIT, blank_templates, yaml_settings
from hos_lint.extract.config_kinds import K8S_FOLDERS, FileKind, file_kind
from hos_lint.model import Connection, ConnectionTarget, ExtractResult, Language, Location, SkipReason, SourceFile

__all__ = [
    "K8S_FOLDERS", "LANGUAGE", "NAME", "UNKNOWN", "YAML_LIMIT", "FileKind", "Read", "Setting", "Value",
    "blank_templates", "build_dir", "compose_settings", "env_settings", "expand_k8s", "extract", "file_kind",
    "handles", "interpolate", "is_connection_variable", "is_values_file", "k8s_settings",
    "might_access_db", "to_connection", "url_schemas", "values_settings",
]

NAME = "config"
LANGUAGE = Language.CONFIG

# lower-cased: variable names and URL schemes are read in any case (``database_url=POSTGRESQL://…``)
_PREFILTER_TOKENS = (b"_url", b"postgres")


def handles(path: str) -> bool:
    return config_kinds.handles(path)


def might_access_db(data: bytes) -> bool:
    """Cheap byte scan: could this file configure a database connection?"""
    lowered = data.lower()
    return any(token in lowered for token in _PREFILTER_TOKENS)


def to_connection(src: SourceFile, setting: Setting, kind: FileKind) -> Connection | None:
    """The Connection a setting configures, or None when it is no PostgreSQL connection."""
    if not is_connection_variable(setting.variable):
        return None
    schemas = url_schemas(setting.value.probe)
    if schemas is None:
        return None
    entries = schema_entries(setting.value.probe) or []
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
        read = yaml_settings(src, text, compose_settings, templated=False)
    elif kind is FileKind.K8S:
        read = yaml_settings(src, text, k8s_settings, templated=True)
    else:
        return ExtractResult(path=src.path, service=src.service, skipped=SkipReason.NOT_CONFIGURATION)
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


def _connection_order(conn: Connection) -> tuple[int, int, str, str, str]:
    """Position first; one shared (anchored) value can serve several targets."""
    target = conn.target or ConnectionTarget("")
    return (conn.location.line, conn.location.col, conn.variable, target.name, target.build or "")
