"""Matching a connection found outside every service (a root compose file, a
Kubernetes manifest, a Helm chart) to a linter service: by build folder, then
by name in tiers; ambiguous and unknown names match nothing."""
from __future__ import annotations

import pytest

from hos_lint.manifest import parse_manifest
from hos_lint.model import Connection, ConnectionTarget, Location
from hos_lint.service_match import match_service, owned_connections

# --- match_service -----------------------------------------------------------------------------

SERVICES = ("api", "auth", "order", "order_history", "search")


@pytest.mark.parametrize(("target", "expected"), [
    ("order", "order"),
    ("order-service", "order"),
    ("order_service", "order"),
    ("Order.Service", "order"),
    ("order-svc", "order"),
    ("hos-order-service", "order"),
    ("hos-order", "order"),
    ("order-history-service", "order_history"),
    ("api", "api"),
    ("hos-api", "api"),
    ("auth-srv", "auth"),
    # look-alikes
    ("orders", None),
    ("order-db", None),
    ("order-worker", None),
    ("api-gateway", None),
    ("postgres", None),
    ("service", None),
    ("hos-search-order", None),
])
def test_match_service_by_name(target, expected):
    assert match_service(target, None, SERVICES, {}) == expected


def test_match_service_prefers_exact_name_tier():
    assert match_service("order-service", None, ("order", "order_service"), {}) == "order_service"


def test_match_service_ambiguous_prefix_tier_gives_none():
    assert match_service("x-order", None, ("order", "x_order_y"), {}) == "order"
    assert match_service("a-b", None, ("b", "a_b"), {}) == "a_b"


def test_match_service_by_build_context():
    paths = {"order": ("services/order",), "auth": ("apps/identity/",), "api": ("./legacy/*",),
             "nested": ("services/order/admin",)}
    services = ("api", "auth", "nested", "order", "search")
    assert [match_service("x", build, services, paths) for build in (
        "services/order", "services/order/docker", "services/order/admin/x", "apps/identity",
        "legacy/monolith", "services/search", "services/orders", ".", "apps",
    )] == ["order", "order", "nested", "auth", "api", "search", None, None, None]


def test_match_service_build_context_outside_services_falls_back_to_name():
    assert match_service("order-service", ".", SERVICES, {}) == "order"
    assert match_service("order-service", "services/auth", SERVICES, {}) == "auth"


# --- owned_connections -------------------------------------------------------------------------

MANIFEST = parse_manifest("""\
version: 1
services:
  order: {schema: order_service}
  auth: {schema: auth_service, paths: [apps/identity]}
""", root="/p")


def conn(service: str | None, target: ConnectionTarget | None, line: int = 1) -> Connection:
    return Connection(service=service, location=Location("docker-compose.yml", line, 1), variable="DATABASE_URL",
                      url="postgres://db/x", schemas=(), source="docker-compose", target=target)


def test_owned_connections_match_root_entries_by_build_folder_then_name():
    found = owned_connections(MANIFEST, [
        conn(None, ConnectionTarget("api", "apps/identity"), 1),
        conn(None, ConnectionTarget("order-service"), 2),
        conn(None, ConnectionTarget("order-service", "apps/identity/docker"), 3),
    ])
    assert [(c.location.line, c.service) for c in found] == [(1, "auth"), (2, "order"), (3, "auth")]


def test_owned_connections_keep_what_matches_nothing_and_what_a_service_holds():
    found = owned_connections(MANIFEST, [
        conn(None, ConnectionTarget("postgres"), 1),  # no such service
        conn(None, None, 2),  # a root .env: no target
        conn("order", ConnectionTarget("auth-service"), 3),  # in order's own compose file
        conn(None, ConnectionTarget("x", "services/orders"), 4),  # look-alike folder, unknown name
    ])
    assert [(c.location.line, c.service) for c in found] == [(1, None), (2, None), (3, "order"), (4, None)]
