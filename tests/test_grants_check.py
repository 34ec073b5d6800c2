"""``hos-lint grants --check`` and ``--probes`` as text: which accesses the roles deny,
exactly, with the look-alikes they allow; the probe script's shape. That PostgreSQL
agrees is proven in test_grants_postgres.py."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from trees import write_tree

from hos_lint.cli import cli

write = partial(write_tree, dedent=True)

MANIFEST = """\
version: 1
services:
  api: {paths: [services/api], legacy: true, tables: [legacy_orders, site_settings]}
  content: {schema: content_service, tables: [site_settings]}
  order: {schema: order_service, role: order_rw}
  search: {schema: search_service}
  docs: {paths: [services/docs]}
allow:
  - service: search
    read: [order_service.orders]
    reason: indexing
  - service: search
    write: [order_service.order_items]
    reason: reviewed, never granted
"""

FILES = {
    "hos-lint.yaml": MANIFEST,
    "services/order/db/001_init.sql": """\
        CREATE TABLE order_service.orders (id serial PRIMARY KEY);
        CREATE TABLE order_service.order_items (id serial PRIMARY KEY,
                                                order_id int REFERENCES order_service.orders (id));
        """,
    "infrastructure/database/views.sql": """\
        CREATE VIEW search_service.order_summaries AS SELECT o.id FROM order_service.orders o;
        SELECT id FROM order_service.orders;
        """,
    "services/search/queries/index.sql": """\
        SELECT id FROM order_service.orders;
        SELECT id FROM order_service.order_items;
        UPDATE order_service.orders SET id = id;
        UPDATE order_service.order_items SET id = id;
        SELECT id FROM search_service.order_summaries;
        DELETE FROM search_service.order_summaries;
        INSERT INTO search_service.documents (id) VALUES (1);
        """,
    "services/order/queries/orders.sql": """\
        INSERT INTO order_service.orders (id) VALUES (1);
        SELECT id FROM legacy_orders;
        SELECT id FROM public.legacy_orders;
        """,
    "services/api/queries/legacy.sql": """\
        UPDATE legacy_orders SET id = id;
        UPDATE site_settings SET id = id;
        SELECT id FROM feature_flags;
        """,
    "services/content/queries/settings.sql": """\
        SELECT id FROM public.site_settings;
        """,
    "services/docs/queries/docs.sql": """\
        SELECT id FROM order_service.orders;
        """,
}

DENIED = [
    "services/api/queries/legacy.sql:3:16: api reads public.feature_flags: denied: owned by no service, "
    "and no `allow:` read gives it to api",
    "services/content/queries/settings.sql:1:16: content reads public.site_settings: denied: owned by api, "
    "and no `allow:` read gives it to content",
    "services/docs/queries/docs.sql:1:16: docs reads order_service.orders: denied: docs gets no role: "
    "it owns no schema and claims no public table",
    "services/order/queries/orders.sql:3:16: order reads public.legacy_orders: denied: owned by api, "
    "and no `allow:` read gives it to order",
    "services/search/queries/index.sql:2:16: search reads order_service.order_items: denied: owned by order, "
    "and no `allow:` read gives it to search",
    "services/search/queries/index.sql:3:8: search writes order_service.orders: denied: owned by order; "
    "the roles grant no write on data the service does not own",
    "services/search/queries/index.sql:4:8: search writes order_service.order_items: denied: owned by order; "
    "an `allow:` write is never granted: call the owner's API or publish an event",
    "services/search/queries/index.sql:6:13: search writes search_service.order_summaries: denied: "
    "the roles keep views read-only (a write through a view runs with its owner's rights)",
]
SUMMARY = ("8 of 15 accesses would be denied by the roles `hos-lint grants` writes (not checked: "
           "5 DDL, foreign-key or view-definition accesses (the migration role runs them); "
           "1 accesses in files of no service).")




def grants(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["grants", "--no-cache", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path) -> Path:
    return write(tmp_path / "p", FILES)


def test_check_lists_exactly_the_accesses_the_roles_deny(project):
    code, out, err = grants(project, "--check")
    assert (code, err) == (1, "")
    assert out.splitlines() == [*DENIED, SUMMARY]


def test_what_the_roles_allow_is_not_listed(project):
    """The look-alikes: the allowed read next to a denied one of the same schema, the own
    view read next to its write, the claimed public table next to another's, own writes."""
    _, out, _ = grants(project, "--check")
    for allowed in ("index.sql:1:", "index.sql:5:", "index.sql:7:", "orders.sql:1:", "orders.sql:2:",
                    "legacy.sql:1:", "legacy.sql:2:"):
        assert allowed not in out


def test_check_for_one_service(project):
    code, out, _ = grants(project, "--check", "--service", "api")
    assert code == 1
    assert out.splitlines() == [DENIED[0], "1 of 3 accesses would be denied by the roles `hos-lint grants` "
                                "writes."]


def test_check_passes_when_the_code_is_ready(tmp_path):
    root = write(tmp_path / "ok", {"hos-lint.yaml": MANIFEST,
                                   "services/search/queries/index.sql": "SELECT id FROM order_service.orders;\n",
                                   "services/api/README.md": "the monolith\n", "services/docs/README.md": "docs\n"})
    assert grants(root, "--check") == (0, "all 1 accesses are allowed by the roles `hos-lint grants` writes.\n", "")


def test_check_and_probes_are_one_or_the_other(project):
    code, out, err = grants(project, "--check", "--probes")
    assert (code, out) == (2, "")
    assert err == "hos-lint: --check and --probes: choose one\n"


def test_check_writes_its_list_to_output(project, tmp_path):
    code, out, _ = grants(project, "--check", "--output", str(tmp_path / "denied.txt"))
    assert (code, out) == (1, "")
    assert (tmp_path / "denied.txt").read_text(encoding="utf-8").splitlines() == [*DENIED, SUMMARY]


def test_probes_try_each_service_relation_and_kind_once_per_statement(project):
    code, out, err = grants(project, "--probes")
    assert (code, err) == (0, "")
    rows = [line.strip() for line in out.splitlines() if line.startswith("    (")]
    assert rows[:4] == [
        "(1, 'api', 'api', 'public', 'feature_flags', 'read', 'SELECT', 'denied', "
        "'services/api/queries/legacy.sql:3'),",
        "(2, 'api', 'api', 'public', 'legacy_orders', 'write', 'INSERT', 'allowed', "
        "'services/api/queries/legacy.sql:1'),",
        "(3, 'api', 'api', 'public', 'legacy_orders', 'write', 'UPDATE', 'allowed', "
        "'services/api/queries/legacy.sql:1'),",
        "(4, 'api', 'api', 'public', 'legacy_orders', 'write', 'DELETE', 'allowed', "
        "'services/api/queries/legacy.sql:1'),",
    ]
    # the service without a role is probed with an empty role name: SET ROLE fails, "no role"
    assert "'docs', '', 'order_service', 'orders', 'read', 'SELECT', 'denied'" in out
    # 15 accesses, 15 (service, relation, kind): 8 reads, and 7 writes tried three ways
    assert len(rows) == 8 + 7 * 3
    assert out.startswith("-- Phase 5 grant probes")
    assert out.endswith("  FROM hos_lint_probes ORDER BY n;\nROLLBACK;\n")


def test_probes_of_a_project_without_accesses_still_print_the_table(tmp_path):
    root = write(tmp_path / "empty", {"hos-lint.yaml": MANIFEST, "services/api/README.md": "the monolith\n",
                                      "services/docs/README.md": "docs\n"})
    code, out, _ = grants(root, "--probes")
    assert code == 0
    assert "-- no read or write of a service's own code to probe\n" in out
    assert "DO " not in out
