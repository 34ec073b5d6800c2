"""Value types that cross pipeline stages.

Everything here is a frozen, slotted dataclass or an enum: hashable, picklable
for the process pool, and cheap to cache. This module imports nothing from the
project; it is the lowest layer.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


def _restore(cls: type[_Value], values: tuple[object, ...]) -> object:
    obj = object.__new__(cls)
    names: tuple[str, ...] = cls.__slots__
    for name, value in zip(names, values):
        object.__setattr__(obj, name, value)
    return obj


class _Value:
    """Base of every record here: pickles as (class, field values).

    The setstate that dataclasses generate looks up ``fields()`` for every
    object, which made unpickling cached results the largest cost of a warm
    run. A slotted dataclass's ``__slots__`` is its fields in order.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Callable[[type[_Value], tuple[object, ...]], object],
                                  tuple[type[_Value], tuple[object, ...]]]:
        names: tuple[str, ...] = self.__slots__
        return _restore, (type(self), tuple(getattr(self, name) for name in names))


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: error 3, warning 2, info 1."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class AccessKind(enum.Enum):
    READ = "read"
    WRITE = "write"
    DDL = "ddl"
    REFERENCE = "reference"

    @property
    def verb(self) -> str:
        """What a service does to a relation, in messages: ``order reads auth_service.users``."""
        return _VERBS[self.value]


_VERBS = {"read": "reads", "write": "writes", "ddl": "changes the schema of", "reference": "references"}


class Via(str, enum.Enum):
    """How an access reaches the database: the library or form of SQL an extractor
    recognised. A ``str`` enum, so its value is what every output shows."""

    SQL = "sql"
    SQLALCHEMY = "sqlalchemy"
    DBAPI = "dbapi"
    ASYNCPG = "asyncpg"
    PANDAS = "pandas"
    PRISMA_CLIENT = "prisma-client"
    PRISMA_CLIENT_PYTHON = "prisma-client-python"
    PRISMA_RAW = "prisma-raw"
    PG = "pg"
    PG_PROMISE = "pg-promise"
    VERCEL_POSTGRES = "vercel-postgres"
    POSTGRES_JS = "postgres.js"
    SLONIK = "slonik"
    KNEX = "knex"
    KYSELY = "kysely"
    DRIZZLE = "drizzle"
    TYPEORM = "typeorm"
    MIKRO_ORM = "mikro-orm"
    SEQUELIZE = "sequelize"

    def __str__(self) -> str:
        return self.value


class RelationKind(enum.Enum):
    TABLE = "table"
    VIEW = "view"
    MATVIEW = "matview"
    SEQUENCE = "sequence"
    FUNCTION = "function"
    INDEX = "index"
    TRIGGER = "trigger"


class GrantObjectType(enum.Enum):
    """What a ``GRANT``/``REVOKE`` is on: ``ON SCHEMA s`` is ``SCHEMA``, ``ON ALL
    TABLES IN SCHEMA s`` is ``ALL_TABLES`` (procedures and routines count as
    functions), a bare ``ON t`` is ``TABLE``; ``ROLE`` is a membership grant
    (``GRANT r TO u``)."""

    TABLE = "table"
    SEQUENCE = "sequence"
    FUNCTION = "function"
    SCHEMA = "schema"
    ALL_TABLES = "all_tables"
    ALL_SEQUENCES = "all_sequences"
    ALL_FUNCTIONS = "all_functions"
    DATABASE = "database"
    ROLE = "role"
    FOREIGN_DATA_WRAPPER = "foreign data wrapper"
    FOREIGN_SERVER = "foreign server"
    LARGE_OBJECT = "large object"
    TYPE = "type"
    DOMAIN = "domain"
    LANGUAGE = "language"
    TABLESPACE = "tablespace"
    PARAMETER = "parameter"

    @property
    def schema_wide(self) -> bool:
        """A grant on a whole schema (its objects name schemas, not relations)."""
        return self in _SCHEMA_WIDE


_SCHEMA_WIDE = frozenset({GrantObjectType.SCHEMA, GrantObjectType.ALL_TABLES,
                          GrantObjectType.ALL_SEQUENCES, GrantObjectType.ALL_FUNCTIONS})


class SkipReason(enum.Enum):
    """Why extraction did not analyse a file (or not all of it): the reason the summary's
    "N files not analysed" gives, except ``PREFILTER`` (the file holds no database token,
    nothing to report) and ``NOT_POSTGRES`` (said once per service instead)."""

    PREFILTER = "prefilter"
    NO_EXTRACTOR = "no extractor"
    NOT_POSTGRES = "not postgresql"  # an SQL file of a service whose database is not PostgreSQL
    UNREADABLE = "unreadable"
    NOT_UTF8 = "not UTF-8"
    TOO_LARGE = "too large"
    BINARY = "binary"
    NESTED_TOO_DEEPLY = "nested too deeply"
    INTERNAL_ERROR = "internal error"
    NOT_CONFIGURATION = "not a configuration file"
    YAML_LIMIT = "YAML over the alias or nesting limit"
    HELM_TEMPLATE = "Helm template that is not plain YAML"


class Language(enum.Enum):
    PRISMA = "prisma"
    TYPESCRIPT = "typescript"
    SQL = "sql"
    SHELL = "shell"
    PYTHON = "python"
    CONFIG = "config"


@dataclass(frozen=True, slots=True)
class Location(_Value):
    """A position in a project file: project-relative POSIX path, 1-based line and column."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Anchor(_Value):
    """The statement a fact belongs to: its first and last host line and its
    normalised text.

    Suppression comments attach to any line of the anchor (or the line above
    it); the baseline fingerprints the normalised text instead of line numbers.
    """

    start_line: int
    end_line: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class SourceFile(_Value):
    """One file to extract: project-relative path, owning service (None outside
    any service) and language."""

    path: str
    service: str | None
    language: Language


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationRef(_Value):
    """What the source *says* about a relation, before resolution.

    Exactly one of three forms:
    - a SQL name: ``name`` (folded unless ``quoted``), optional ``schema``, and the
      ``search_path`` in effect where it appeared (empty: the service default);
    - a Prisma delegate: ``delegate`` (``order`` in ``prisma.order.findMany``),
      plus ``field_path`` for relation traversal (``include: {items: …}`` gives
      ``("items",)``) and ``client_type`` when the client was recognised only
      by a declared type that resolution must confirm extends ``PrismaClient``;
    - an ORM class: ``orm_class`` (a SQLAlchemy model class name).
    """

    name: str = ""
    schema: str | None = None
    quoted: bool = False
    search_path: tuple[str, ...] = ()
    delegate: str | None = None
    field_path: tuple[str, ...] = ()
    client_type: str | None = None
    orm_class: str | None = None

    def display(self) -> str:
        if self.delegate is not None:
            return ".".join((self.delegate, *self.field_path))
        if self.orm_class is not None:
            return self.orm_class
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class Relation(_Value):
    """A resolved relation: ``str()`` gives ``schema.name``."""

    schema: str
    name: str
    kind: RelationKind = RelationKind.TABLE

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Access(_Value):
    """One place where a service touches a relation.

    ``location`` points at the relation reference itself. ``relation`` is None
    until resolution. ``referrer_ref`` names the relation whose *definition*
    contains this reference: the table holding a foreign key (REFERENCE), or
    the view whose body reads it (READ with operation ``CREATE VIEW``);
    ``referrer`` is its resolved form.
    """

    service: str | None
    location: Location
    ref: RelationRef
    kind: AccessKind
    via: Via
    operation: str
    anchor: Anchor
    relation: Relation | None = None
    referrer_ref: RelationRef | None = None
    referrer: Relation | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem(_Value):
    """Something an extractor could not analyse (HOS901) or cannot know
    statically (HOS205). Becomes a finding through the rule with that code."""

    code: str
    location: Location
    message: str
    service: str | None = None
    anchor: Anchor | None = None
    # The file as a whole could not be analysed (unreadable, not decodable, over
    # a size or nesting limit): HOS901 reports it at error severity by default.
    whole_file: bool = False


# --- facts learned from files ------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PrismaField(_Value):
    name: str
    type: str
    location: Location
    is_list: bool = False
    optional: bool = False
    db_name: str | None = None  # @map("...")
    relation_name: str | None = None
    relation_fields: tuple[str, ...] = ()  # @relation(fields: [...])
    relation_references: tuple[str, ...] = ()  # @relation(references: [...])
    attributes: tuple[str, ...] = ()  # attribute names without '@', e.g. ("id", "default")


@dataclass(frozen=True, slots=True, kw_only=True)
class PrismaModel(_Value):
    """A Prisma ``model`` or ``view`` block of one service's schema."""

    service: str | None
    name: str
    location: Location  # the `model Name {` line
    db_name: str  # @@map("...") or the model name
    schema: str | None  # @@schema("...")
    is_view: bool = False
    fields: tuple[PrismaField, ...] = ()
    schema_location: Location | None = None  # the @@schema line

    @property
    def delegate(self) -> str:
        return self.name[:1].lower() + self.name[1:]


@dataclass(frozen=True, slots=True, kw_only=True)
class PrismaDatasource(_Value):
    service: str | None
    name: str
    location: Location  # the `datasource db {` line
    provider: str | None = None
    url: str | None = None  # literal URL, or env("VAR") as written
    url_env: str | None = None  # VAR from env("VAR")
    schemas: tuple[str, ...] = ()
    schemas_location: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrismaGenerator(_Value):
    service: str | None
    name: str
    location: Location
    provider: str | None = None
    preview_features: tuple[str, ...] = ()
    output: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationDef(_Value):
    """A relation created in SQL (``CREATE TABLE/VIEW/...``) or declared by an ORM.

    ``reads`` lists what a view reads (empty for tables).
    """

    service: str | None
    ref: RelationRef
    kind: RelationKind
    location: Location
    reads: tuple[RelationRef, ...] = ()
    what: str = "CREATE TABLE"


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant(_Value):
    """A ``GRANT``/``REVOKE`` statement (one fact per statement).

    ``objects`` holds schema (or database) names for schema-wide grants and
    ``DATABASE``, the granted roles for ``ROLE``, relation refs otherwise.
    """

    service: str | None
    location: Location
    privileges: tuple[str, ...]
    object_type: GrantObjectType
    objects: tuple[RelationRef, ...]
    grantees: tuple[str, ...]
    revoke: bool = False
    anchor: Anchor | None = None


@dataclass(frozen=True, slots=True)
class ConnectionTarget(_Value):
    """What a connection value was configured for, in a file that belongs to no
    service: a compose service (``name``, and ``build``, the project-relative
    folder its ``build`` points at, when it has one), a Kubernetes workload
    (``metadata.name``) or a Helm chart (its folder's name)."""

    name: str
    build: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection(_Value):
    """A service's database connection as configured (DATABASE_URL and co)."""

    service: str | None
    location: Location
    variable: str  # DATABASE_URL
    url: str
    schemas: tuple[str, ...]  # from ?schema= (comma-separated lists allowed)
    source: str  # "docker-compose", "env", "k8s", "prisma"
    target: ConnectionTarget | None = None  # None in a .env file
    schema_dynamic: bool = False  # a ?schema= / search_path is set from a variable unknown statically


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientClass(_Value):
    """A class that ``extends PrismaClient`` (or extends such a class)."""

    service: str | None
    name: str
    base: str
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class OrmModel(_Value):
    """An ORM model bound to a relation: a SQLAlchemy declarative model or Core
    ``Table``, a Drizzle table object …"""

    service: str | None
    class_name: str  # class name, or the variable name a Table(...) is bound to
    ref: RelationRef
    location: Location  # the class line / the Table(...) call


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment(_Value):
    """A comment as the file's own lexer saw it: its text as written
    (delimiters included), where it starts (1-based line and column), the
    line it ends on, and whether it stands alone (nothing but blanks before it
    on its first line nor after it on its last)."""

    line: int
    col: int
    end_line: int
    text: str
    own_line: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression(_Value):
    """An inline ``hos-lint: ignore[CODES] reason`` comment."""

    location: Location
    codes: tuple[str, ...]
    reason: str
    # the lines it reaches: from the comment's first line to its last, or to
    # the line below it when it stands alone; any statement touching them is covered
    lines: tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractResult(_Value):
    """Everything one file yields. The unit that is cached and returned from workers."""

    path: str
    service: str | None
    accesses: tuple[Access, ...] = ()
    models: tuple[PrismaModel, ...] = ()
    datasources: tuple[PrismaDatasource, ...] = ()
    generators: tuple[PrismaGenerator, ...] = ()
    relation_defs: tuple[RelationDef, ...] = ()
    grants: tuple[Grant, ...] = ()
    connections: tuple[Connection, ...] = ()
    client_classes: tuple[ClientClass, ...] = ()
    orm_models: tuple[OrmModel, ...] = ()
    # the comments the extractor's lexer saw; turned into `suppressions` right
    # after extraction (linter.suppressions) and not kept beyond that
    comments: tuple[Comment, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: SkipReason | None = None  # why the file was not analysed (no database token, size, ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance(_Value):
    location: Location | None
    what: str  # "@@schema", "CREATE VIEW", "manifest"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding(_Value):
    """What a rule reports. ``message`` states the facts (who, what, whose);
    ``hint`` is the way out, kept apart so a format can show it apart (SARIF);
    ``full_message`` joins them for the formats that print one line."""

    code: str
    severity: Severity
    location: Location
    service: str | None
    message: str
    hint: str = ""
    relation: str | None = None
    owner: str | None = None
    access: AccessKind | None = None  # how the finding's access touched the relation
    operation: str | None = None
    anchor: Anchor | None = None
    name: str = ""  # rule name, filled by the engine

    @property
    def full_message(self) -> str:
        """``message; hint`` (the message alone when there is no hint)."""
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code, self.full_message)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileNotice(_Value):
    """A file that was not analysed, and why (one line in the summary)."""

    path: str
    reason: str


# --- resolved records --------------------------------------------------------
#
# Built once by ``linter.resolve`` from the facts above and the manifest; rules
# and outputs only read them. They are never cached (no ``_Value`` base), so
# they take no part in the cache's record digest.


class ModelSource(enum.Enum):
    """Where a model that maps a class onto a relation was declared."""

    PRISMA = "Prisma"
    ORM = "ORM"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedModel:
    """A Prisma model or view, or an ORM model, with the relation it maps onto."""

    service: str | None
    name: str  # the Prisma model name, or the ORM class (or Table variable) name
    source: ModelSource
    location: Location  # the `model Name {` line / the class line
    relation: Relation
    owner: str | None  # the relation's owner
    schema_given: bool  # the schema is written out (@@schema, the ORM's schema=)

    def describe(self) -> str:
        """``Prisma model Order``, ``ORM model Product``."""
        return f"{self.source.value} model {self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedForeignKey:
    """A Prisma relation field with ``@relation(fields: …)``: the table of the model
    holding it (``source``) refers to the table of the model it names (``target``)."""

    service: str | None
    location: Location  # the relation field
    source: Relation
    target: Relation
    source_owner: str | None
    target_owner: str | None


@dataclass(frozen=True, slots=True)
class OwnedSchema:
    """A schema that a connection or a grant names, and the service owning it
    (None when no service does)."""

    schema: str
    owner: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedConnection:
    """A Prisma datasource's ``schemas`` or a connection URL's ``?schema=`` list, with
    the service it belongs to (a root compose or Kubernetes entry matched to one)."""

    service: str | None
    location: Location  # the line naming the schemas (datasource) / the value (URL)
    variable: str | None  # DATABASE_URL and co; None for a Prisma datasource
    schemas: tuple[OwnedSchema, ...]
    schema_dynamic: bool = False  # a ?schema= / search_path is set from a variable unknown statically


@dataclass(frozen=True, slots=True)
class Grantee:
    """A role a GRANT names, and the service connecting as it (None: no service's role)."""

    role: str
    service: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantTarget:
    """One object of a GRANT: ``name`` as the finding shows it (the schema of a
    schema-wide grant, else the object as written) and the schema it lies in."""

    name: str
    schema: OwnedSchema


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedGrant:
    """A ``GRANT``/``REVOKE`` with its grantees' services and its objects' schemas."""

    grant: Grant
    grantees: tuple[Grantee, ...]
    targets: tuple[GrantTarget, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewRead:
    """A relation that a SQL view (or materialized view) definition reads."""

    view: Relation
    view_owner: str | None
    base: Relation
    base_owner: str | None
    kind: RelationKind  # VIEW or MATVIEW
    location: Location  # the CREATE VIEW
