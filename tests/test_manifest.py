"""Manifest loading and validation: exact messages naming file, line and key."""
import pytest

from hos_lint.manifest import DEFAULT_EXCLUDE, ManifestError, parse_manifest


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
            "extend-exclude: ['**/*.spec.ts']\nrules:\n  ignore: [HOS203]\n  severity: {HOS102: warning}\n  fail_on: warning\n")
    m = parse_manifest(text, root="/p")
    auth, api = m.services
    assert (auth.name, auth.schema, auth.paths, auth.tables, auth.legacy) == (
        "auth", "auth_service", ("services/auth",), ("users",), False)
    assert (api.schema, api.paths, api.legacy) == (None, ("services/api", "legacy/*"), True)
    assert m.prisma_clients == ("db",)
    assert m.exclude == (*DEFAULT_EXCLUDE, "**/*.spec.ts") and "node_modules/" in m.exclude
    assert m.rules.ignore == ("HOS203",) and m.rules.fail_on == "warning"
    assert [(c.kind, c.value, c.service, c.location.line) for c in m.claims] == [
        ("schema", "auth_service", "auth", 5), ("table", "users", "auth", 6)]


def test_empty_manifest_needs_services():
    assert errors("version: 1\n") == ["hos-lint.yaml:1: services: required: map each service name to its schema"]


def test_duplicate_keys_name_both_lines_at_every_level():
    text = ("version: 1\nservices:\n  auth:\n    schema: auth_service\n    schema: order_service\n"
            "  order: {schema: order_service}\n  auth:\n    schema: x\nrules:\n  ignore: [HOS203]\n"
            "allow:\n  - {service: order, read: [a.b], reason: r, reason: s}\nrules: {}\n")
    assert errors(text) == [
        "hos-lint.yaml:5: services.auth.schema: duplicate key, first defined at line 4 "
        "(YAML would silently keep only the last one)",
        "hos-lint.yaml:7: services.auth: duplicate key, first defined at line 3 "
        "(YAML would silently keep only the last one)",
        "hos-lint.yaml:12: allow.0.reason: duplicate key, first defined at line 12 "
        "(YAML would silently keep only the last one)",
        "hos-lint.yaml:13: rules: duplicate key, first defined at line 9 "
        "(YAML would silently keep only the last one)",
    ]


def test_keys_that_only_look_alike_are_not_duplicates():
    # the same key in two different mappings, a merge key overridden on purpose, and
    # 1 versus "1" (an int and a string are different YAML keys)
    text = ("version: 1\nbase: &base {schema: a_service}\nservices:\n  a:\n    <<: *base\n    schema: a_service\n"
            "  b: {schema: b_service, tables: [x]}\n  c: {schema: c_service, tables: [x]}\n")
    assert errors(text) == ["hos-lint.yaml:2: base: unknown key; expected one of allow, exclude, extend-exclude, "
                            "max-annotations, prisma_clients, respect-gitignore, root, rules, services, version"]
    m = parse_manifest("version: 1\nservices:\n  '1': {schema: s1}\n  1: {schema: s2}\n", root="/p")
    assert [s.schema for s in m.services] == ["s1", "s2"]


def test_exclude_replaces_the_defaults_and_extend_exclude_adds_to_them():
    base = "version: 1\nservices:\n  a: {schema: a_service}\n"
    assert parse_manifest(base, root="/p").exclude == DEFAULT_EXCLUDE
    replaced = parse_manifest(base + "exclude: [vendor/, '*.gen.sql']\n", root="/p")
    assert replaced.exclude == ("vendor/", "*.gen.sql")
    both = parse_manifest(base + "exclude: [vendor/]\nextend-exclude: '**/*.spec.ts'\n", root="/p")
    assert both.exclude == ("vendor/", "**/*.spec.ts")
    assert [(e.value, e.key, e.location.line) for e in both.exclude_entries] == [
        ("vendor/", "exclude.0", 4), ("**/*.spec.ts", "extend-exclude", 5)]
    assert parse_manifest(base + "exclude: []\n", root="/p").exclude == ()
    assert parse_manifest(base, root="/p").respect_gitignore is True
    assert parse_manifest(base + "respect-gitignore: false\n", root="/p").respect_gitignore is False


def test_globs_and_gitignore_switch_are_checked_where_written():
    # a service path is matched with everything under it: `**/x/**/y` is used as `/**/x/**/y/**`
    text = ("version: 1\nservices:\n  a:\n    schema: a_service\n    paths: [services/a, '**/x/**/y', 'x/**/y']\n"
            "exclude: ['a*b*c*d*', 'a*b*c*d']\nextend-exclude: [3]\nrespect-gitignore: 'no'\n")
    assert errors(text) == [
        "hos-lint.yaml:5: services.a.paths.1: too many wildcards to match safely (at most 3 `*` or `**`, "
        "2 of them `**`): '**/x/**/y'",
        "hos-lint.yaml:6: exclude.0: too many wildcards to match safely (at most 3 `*` or `**`, "
        "2 of them `**`): 'a*b*c*d*'",
        "hos-lint.yaml:7: extend-exclude.0: expected a string, got a number",
        "hos-lint.yaml:8: respect-gitignore: expected true or false, got a string",
    ]


def test_rule_names_are_kept_with_their_lines_for_checking_against_the_catalog():
    text = ("version: 1\nservices:\n  a: {schema: a_service}\nrules:\n  select: [HOS1, cross-service-read]\n"
            "  ignore: HOS2O3\n  severity:\n    HOS999: warning\n")
    m = parse_manifest(text, root="/p")
    assert [(e.value, e.key, e.location.line) for e in m.rules.entries] == [
        ("HOS1", "rules.select.0", 5), ("cross-service-read", "rules.select.1", 5),
        ("HOS2O3", "rules.ignore", 6), ("HOS999", "rules.severity.HOS999", 8)]
    assert m.rules.entries[2].error("unknown") == "hos-lint.yaml:6: rules.ignore: unknown"


def test_max_annotations_is_a_whole_number_with_a_default():
    base = "version: 1\nservices:\n  auth: {schema: auth_service}\n"
    assert parse_manifest(base, root="/p").max_annotations == 10
    assert parse_manifest(base + "max-annotations: 0\n", root="/p").max_annotations == 0
    assert parse_manifest(base + "max-annotations: 25\n", root="/p").max_annotations == 25
    assert errors(base + "max-annotations: -1\n") == [
        "hos-lint.yaml:4: max-annotations: expected a whole number (0: no cap), got -1"]
    assert errors(base + "max-annotations: true\n") == [
        "hos-lint.yaml:4: max-annotations: expected a whole number (0: no cap), got a boolean"]
    assert errors(base + "max-annotations: '10'\n") == [
        "hos-lint.yaml:4: max-annotations: expected a whole number (0: no cap), got a string"]
    assert errors(base + "max_annotations: 3\n")[0].startswith("hos-lint.yaml:4: max_annotations: unknown key")


def test_version_true_is_not_version_1_and_severity_must_be_a_mapping():
    base = "services:\n  auth: {schema: auth_service}\n"
    assert errors("version: true\n" + base) == [
        "hos-lint.yaml:1: version: unsupported version True; this hos-lint reads version 1"]
    assert parse_manifest("version: 1.0\n" + base, root="/p").services[0].name == "auth"
    assert errors(base + "rules:\n  severity: []\n") == [
        "hos-lint.yaml:4: rules.severity: expected a mapping of rule codes to severities, got a list"]
    assert parse_manifest(base + "rules:\n  severity:\n", root="/p").rules.severity == ()
