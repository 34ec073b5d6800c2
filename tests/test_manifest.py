"""Manifest loading and validation: exact messages naming file, line and key."""
import pytest

from linter.manifest import ManifestError, parse_manifest


def errors(text: str) -> list[str]:
    with pytest.raises(ManifestError) as info:
        parse_manifest(text, root="/p")
    return info.value.errors


def test_schema_must_be_a_string():
    text = "version: 1\nservices:\n  auth:\n    schema: [a, b]\n"
    assert errors(text) == ["hos-lint.yaml:4: services.auth.schema: expected a string, got a list"]


def test_all_errors_are_collected():
    text = "version: 1\nservices:\n  auth:\n    schema: 3\n    legacy: maybe\nrules:\n  fail_on: sometimes\n"
    assert errors(text) == [
        "hos-lint.yaml:4: services.auth.schema: expected a string, got a number",
        "hos-lint.yaml:5: services.auth.legacy: expected true or false, got a string",
        "hos-lint.yaml:7: rules.fail_on: expected one of error, warning, info, never, got 'sometimes'",
    ]


def test_unknown_key_is_named():
    text = "version: 1\nservices:\n  auth:\n    schemas: auth_service\n"
    assert errors(text) == [
        "hos-lint.yaml:4: services.auth.schemas: unknown key; expected one of legacy, paths, prisma_clients, "
        "role, schema, tables"
    ]


def test_invalid_yaml_names_the_line():
    assert errors("version: 1\nservices:\n  auth: {schema: [\n") [0].startswith("hos-lint.yaml:4: invalid YAML")


def test_allow_needs_a_known_service_and_a_reason():
    text = ("version: 1\nservices:\n  search: {schema: search_service}\n"
            "allow:\n  - service: serch\n    read: [x.y]\n  - service: search\n    read: [a.b]\n")
    assert errors(text) == [
        "hos-lint.yaml:5: allow.0.service: expected one of the services, got 'serch'",
        "hos-lint.yaml:7: allow.1.reason: required: say why this exception was accepted",
    ]


def test_defaults_and_values():
    text = ("version: 1\nprisma_clients: [db]\nservices:\n  auth:\n    schema: auth_service\n"
            "    tables: [users]\n  api:\n    paths: [services/api, legacy/*]\n    legacy: true\n"
            "exclude: ['**/*.spec.ts']\nrules:\n  ignore: [HOS203]\n  severity: {HOS102: warning}\n  fail_on: warning\n")
    m = parse_manifest(text, root="/p")
    auth, api = m.services
    assert (auth.name, auth.schema, auth.paths, auth.tables, auth.legacy) == (
        "auth", "auth_service", ("services/auth",), ("users",), False)
    assert (api.schema, api.paths, api.legacy) == (None, ("services/api", "legacy/*"), True)
    assert m.prisma_clients == ("db",)
    assert m.exclude[-1] == "**/*.spec.ts" and "**/node_modules/**" in m.exclude
    assert m.rules.ignore == ("HOS203",) and m.rules.fail_on == "warning"
    assert [(c.kind, c.value, c.service, c.location.line) for c in m.claims] == [
        ("schema", "auth_service", "auth", 5), ("table", "users", "auth", 6)]


def test_empty_manifest_needs_services():
    assert errors("version: 1\n") == ["hos-lint.yaml:1: services: required: map each service name to its schema"]
