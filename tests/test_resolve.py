"""The resolve stage: every project-wide fact becomes a record with its relation(s)
and owner(s), built once; look-alikes that must not become records (a list
relation field, a relation to a model of another schema file, a CREATE TABLE
among the views)."""
from __future__ import annotations

from hos_lint.model import (
    Grantee,
    GrantTarget,
    Location,
    ModelSource,
    OwnedSchema,
    Relation,
    RelationKind,
    RelationRef,
    ResolvedConnection,
    ResolvedForeignKey,
    ResolvedModel,
    ViewRead,
)
from hos_lint.resolve.refs import declared_relation, resolve_name
from hos_lint.testing import analyse_files

ORDER_SCHEMA = "services/order/prisma/schema.prisma"
MODELS = {
    ORDER_SCHEMA: (
        "model Order {\n  id Int @id\n  userId Int\n  user User @relation(fields: [userId], references: [id])\n"
        "  accountId Int\n  account Account @relation(fields: [accountId], references: [id])\n"
        "  @@schema(\"order_service\")\n}\n\n"
        "model User {\n  id Int @id\n  orders Order[]\n  @@map(\"users\")\n  @@schema(\"auth_service\")\n}\n\n"
        "model Note {\n  id Int @id\n}\n\n"
        "model Summary {\n  id Int @id\n  @@map(\"summary\")\n  @@schema(\"order_service\")\n}\n\n"
        "view CustomerEmail {\n  id Int @unique\n  @@map(\"customer_emails\")\n  @@schema(\"order_service\")\n}\n"),
    "services/auth/prisma/schema.prisma": "model Account {\n  id Int @id\n  @@schema(\"auth_service\")\n}\n",
    "services/order/db/views.sql": (
        "CREATE VIEW summary AS SELECT o.id FROM orders o JOIN auth_service.users u ON u.id = o.user_id;\n"
        "CREATE TABLE order_service.lines (id int);\n"),
    "services/search/app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\n"
        "class Product(Base):\n    __tablename__ = \"products\"\n    __table_args__ = {\"schema\": \"product_service\"}\n\n\n"
        "class Hit(Base):\n    __tablename__ = \"hits\"\n"),
}

TABLE, VIEW = RelationKind.TABLE, RelationKind.VIEW


def model(service: str, name: str, source: ModelSource, path: str, line: int, relation: Relation, owner: str,
          given: bool = True) -> ResolvedModel:
    return ResolvedModel(service=service, name=name, source=source, location=Location(path, line, 1),
                         relation=relation, owner=owner, schema_given=given)


def test_models_prisma_by_service_then_orm_with_relation_owner_and_whether_the_schema_is_written():
    context = analyse_files(MODELS).context
    prisma, orm = ModelSource.PRISMA, ModelSource.ORM
    assert context.models == (
        model("auth", "Account", prisma, "services/auth/prisma/schema.prisma", 1,
              Relation("auth_service", "Account"), "auth"),
        model("order", "Order", prisma, ORDER_SCHEMA, 1, Relation("order_service", "Order"), "order"),
        model("order", "User", prisma, ORDER_SCHEMA, 10, Relation("auth_service", "users"), "auth"),
        # no @@schema: the service's own schema (its search path), and schema_given is False
        model("order", "Note", prisma, ORDER_SCHEMA, 17, Relation("order_service", "Note"), "order", given=False),
        # a model onto a relation that SQL creates as a view is a view
        model("order", "Summary", prisma, ORDER_SCHEMA, 21, Relation("order_service", "summary", VIEW), "order"),
        model("order", "CustomerEmail", prisma, ORDER_SCHEMA, 27,
              Relation("order_service", "customer_emails", VIEW), "order"),
        model("search", "Product", orm, "services/search/app/models.py", 8,
              Relation("product_service", "products"), "product"),
        model("search", "Hit", orm, "services/search/app/models.py", 13, Relation("search_service", "hits"), "search",
              given=False),
    )
    assert [m.describe() for m in context.models[-2:]] == ["ORM model Product", "ORM model Hit"]


def test_foreign_keys_are_relation_fields_with_fields_to_a_model_of_the_same_schema_file():
    # `orders Order[]` has no `fields:`; `account Account` names a model only another service's
    # schema file defines: neither is a foreign key
    assert analyse_files(MODELS).context.foreign_keys == (
        ResolvedForeignKey(service="order", location=Location(ORDER_SCHEMA, 4, 3),
                           source=Relation("order_service", "Order"), target=Relation("auth_service", "users"),
                           source_owner="order", target_owner="auth"),
    )


def test_view_reads_in_read_order_with_owners_and_no_table_definitions():
    where = Location("services/order/db/views.sql", 1, 13)
    view = Relation("order_service", "summary", VIEW)
    assert analyse_files(MODELS).context.view_reads == (
        ViewRead(view=view, view_owner="order", base=Relation("order_service", "orders"), base_owner="order",
                 kind=VIEW, location=where),
        ViewRead(view=view, view_owner="order", base=Relation("auth_service", "users"), base_owner="auth",
                 kind=VIEW, location=where),
    )


CONNECTIONS = {
    ORDER_SCHEMA: ("datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n"
                   "  schemas = [\"order_service\", \"auth_service\"]\n}\n"),
    "docker-compose.yml": ("services:\n  search-api:\n    build: ./services/search\n    environment:\n"
                           "      DATABASE_URL: postgresql://u:p@db:5432/hos?schema=search_service,stats\n"
                           "  postgres:\n    environment:\n      DATABASE_URL: postgresql://u:p@db:5432/hos\n"),
    "services/auth/.env": "DATABASE_URL=postgresql://u:p@db:5432/hos?schema=${SCHEMA}\n",
}


def test_connections_datasources_first_root_entries_matched_to_services_and_schema_owners():
    assert analyse_files(CONNECTIONS).context.connections == (
        ResolvedConnection(service="order", location=Location(ORDER_SCHEMA, 4, 3), variable=None,
                           schemas=(OwnedSchema("order_service", "order"), OwnedSchema("auth_service", "auth"))),
        # matched by its build folder; `stats` has no owner
        ResolvedConnection(service="search", location=Location("docker-compose.yml", 5, 21), variable="DATABASE_URL",
                           schemas=(OwnedSchema("search_service", "search"), OwnedSchema("stats", None))),
        # `postgres` is no service: the entry keeps no service
        ResolvedConnection(service=None, location=Location("docker-compose.yml", 8, 21), variable="DATABASE_URL",
                           schemas=()),
        ResolvedConnection(service="auth", location=Location("services/auth/.env", 1, 14), variable="DATABASE_URL",
                           schemas=(), schema_dynamic=True),
    )


GRANTS = {
    "infrastructure/database/grants.sql": (
        "GRANT INSERT ON ALL TABLES IN SCHEMA auth_service TO order_service, reporting;\n"
        "GRANT DELETE ON product_service.products TO search_service;\n"
        "REVOKE ALL ON SCHEMA order_service FROM search_service;\n"),
    "services/auth/db/grants.sql": "GRANT SELECT ON users TO search_service;\n",
}


def test_grants_with_grantee_services_and_object_schemas():
    grants = analyse_files(GRANTS).context.grants
    search = (Grantee("search_service", "search"),)
    assert [(g.grant.location.path, g.grant.location.line, g.grantees, g.targets) for g in grants] == [
        # schema-wide: the object is the schema; `reporting` is no service's role
        ("infrastructure/database/grants.sql", 1, (Grantee("order_service", "order"), Grantee("reporting", None)),
         (GrantTarget(name="auth_service", schema=OwnedSchema("auth_service", "auth")),)),
        ("infrastructure/database/grants.sql", 2, search,
         (GrantTarget(name="product_service.products", schema=OwnedSchema("product_service", "product")),)),
        ("infrastructure/database/grants.sql", 3, search,
         (GrantTarget(name="order_service", schema=OwnedSchema("order_service", "order")),)),
        # an unqualified table resolves through the granting file's service's search path
        ("services/auth/db/grants.sql", 1, search,
         (GrantTarget(name="users", schema=OwnedSchema("auth_service", "auth")),)),
    ]
    assert [g.grant.revoke for g in grants] == [False, False, True, False]


def test_role_names_come_from_the_manifest():
    manifest = "version: 1\nservices:\n  order: {schema: order_service, role: order_rw}\n  auth: {schema: auth_service}\n"
    files = {"db/g.sql": "GRANT ALL ON SCHEMA auth_service TO order_rw, order_service, auth_service;\n"}
    (grant,) = analyse_files(files, manifest).context.grants
    assert grant.grantees == (Grantee("order_rw", "order"), Grantee("order_service", None),
                              Grantee("auth_service", "auth"))


def test_declared_relation_and_resolve_name():
    context = analyse_files(MODELS).context
    names = context.names
    # a definition lands where it says, else first on its search path, whatever is known
    assert declared_relation(RelationRef(name="x", search_path=("a", "b")), ("c",), TABLE) == Relation("a", "x")
    assert declared_relation(RelationRef(name="x", schema="s"), ("c",), VIEW) == Relation("s", "x", VIEW)
    # a use prefers a schema on the path that is known to hold the name
    assert resolve_name(RelationRef(name="users", search_path=("order_service", "auth_service")), "order",
                        names) == Relation("auth_service", "users")
    assert resolve_name(RelationRef(name="nowhere", search_path=("order_service", "auth_service")), "order",
                        names) == Relation("order_service", "nowhere")
    assert resolve_name(RelationRef(name="summary"), "order", names) == Relation("order_service", "summary", VIEW)
    assert resolve_name(RelationRef(name="summary"), "auth", names) == Relation("auth_service", "summary")
