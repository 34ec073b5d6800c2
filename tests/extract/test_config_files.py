"""Connection configuration extractor: exact Connection tuples for compose,
.env and Kubernetes files, look-alikes that must not match, and parse errors.
Matching a connection's target to a linter service is tested in
tests/test_service_match.py."""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hos_lint.extract import config_files
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.config_files import (
    Value,
    interpolate,
    url_schemas,
)
from hos_lint.model import ConnectionTarget as T
from hos_lint.model import ExtractResult, Language, SkipReason, SourceFile


def text_of(body: str) -> str:
    """Dedent a test file; line 1 is the first line after the opening quotes."""
    return textwrap.dedent(body).lstrip("\n")


def run(path: str, body: str, service: str | None = None) -> ExtractResult:
    src = SourceFile(path, service, Language.CONFIG)
    return config_files.extract(src, text_of(body), ExtractConfig())


def conns(result: ExtractResult) -> list[tuple]:
    """(line, col, variable, schemas, source, target) of every connection."""
    return [(c.location.line, c.location.col, c.variable, c.schemas, c.source, c.target)
            for c in result.connections]


def problems(result: ExtractResult) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col, p.message) for p in result.problems]


# --- extractor surface ----------------------------------------------------------------


def test_extractor_surface():
    assert (config_files.NAME, config_files.LANGUAGE) == ("config", Language.CONFIG)


@pytest.mark.parametrize("path", [
    "docker-compose.yml", "docker-compose.yaml", "docker-compose.override.yml",
    "docker-compose-dev.yaml", "compose.yaml", "compose.prod.yml", "infra/Docker-Compose.yml",
    ".env", ".env.production", "services/order/.env.local",
    "k8s/order.yaml", "deploy/prod/order.yml", "infra/Kubernetes/db.yaml",
    "manifests/a.yaml", "helm/order/templates/deployment.yaml", "charts/order/values.yaml",
])
def test_handles(path):
    assert config_files.handles(path) is True


@pytest.mark.parametrize("path", [
    ".envrc", "services/order/.envrc", ".env-example", "env", "order.env",
    "composer.yml", "composer.json", "docker-compose.json", "mycompose.yml",
    "config/app.yaml", ".github/workflows/ci.yml", "services/order/openapi.yaml",
    "k8s", "k8s/readme.md", "k8s.yaml", "deployment/order.yaml", "deploy.yaml",
])
def test_does_not_handle(path):
    assert config_files.handles(path) is False


def test_might_access_db():
    assert [config_files.might_access_db(d) for d in (
        b"DATABASE_URL=x", b"url: postgres://h/d", b"ORDER_DB_URL=", b"SENTRY_URL=",
        b"PORT=3000\nNODE_ENV=production\n", b"",
    )] == [True, True, True, True, False, False]


def test_the_prefilter_lets_through_every_case_the_reader_reads():
    """Variable names and URL schemes are read in any case, so the byte scan ignores case too."""
    from hos_lint.app import extract_bytes
    from hos_lint.extract.base import ExtractConfig
    from hos_lint.model import Language, SourceFile

    data = b"database_url=POSTGRESQL://h/db?schema=order_service\n"
    assert config_files.might_access_db(data) is True
    result = extract_bytes(SourceFile("services/order/.env", "order", Language.CONFIG), data, ExtractConfig())
    assert [(c.variable, c.location.line) for c in result.connections] == [("database_url", 1)]
    assert config_files.might_access_db(b"Port=3000\nNODE_ENV=production\n") is False


def test_file_kind_compose_name_wins_over_k8s_folder():
    assert config_files.file_kind("deploy/docker-compose.yml") is config_files.FileKind.COMPOSE
    result = run("deploy/docker-compose.yml", """
        services:
          order:
            environment:
              DATABASE_URL: postgres://db/app?schema=order_service
        """)
    assert conns(result) == [(4, 21, "DATABASE_URL", ("order_service",), "docker-compose", T("order"))]


# --- URL parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "schemas"), [
    ("postgres://u:p@db:5432/app?schema=order_service", ("order_service",)),
    ("postgresql://db/app?schema=a,b", ("a", "b")),
    ("postgresql://db/app?schema=a%2Cb", ("a", "b")),
    ("postgresql://db/app?schema=a%2cb&connection_limit=5", ("a", "b")),
    ("postgresql://db/app?schema= a , ,b", ("a", "b")),
    ("POSTGRESQL://db/app?schema=a", ("a",)),
    ("postgresql+asyncpg://db/app?schema=a", ("a",)),
    ("postgresql://db/app", ()),
    ("postgresql://db/app?sslmode=require", ()),
    ("postgresql://db/app?options=-csearch_path%3Da,b", ("a", "b")),
    ("postgresql://db/app?options=-c%20search_path%3Da", ("a",)),
    ("postgresql://db/app?options=-c+search_path=a", ("a",)),
    ("postgresql://db/app?options=--search_path%3DA,%22Mixed%22", ("a", "Mixed")),
    ("postgresql://db/app?options=-c%20search_path%3D%22%24user%22,public", ("public",)),
    ("postgresql://db/app?options=-c%20statement_timeout%3D5", ()),
    ("postgresql://db/app?schema=a&options=-csearch_path%3Da,b", ("a", "b")),
    ("postgresql://[bad/app?schema=a", ("a",)),
])
def test_url_schemas(url, schemas):
    assert url_schemas(url) == schemas


@pytest.mark.parametrize("url", [
    "mysql://db/app?schema=a", "redis://r:6379/0", "sqlite:///app.db",
    "postgres", "postgresql:/db/app", "http://postgres/app?schema=a", "",
    "mypostgresql://db/app?schema=a",
])
def test_url_schemas_not_postgres(url):
    assert url_schemas(url) is None


def test_url_schemas_drop_unresolved_schema():
    assert url_schemas("postgresql://db/app?schema=\x00,b") == ("b",)


# --- interpolation ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "env", "expected"), [
    ("${V:-d}", {}, Value("d", "d")),
    ("${V-d}", {}, Value("d", "d")),
    ("${V}", {}, Value("${V}", "\x00")),
    ("$V/x", {}, Value("$V/x", "\x00/x")),
    ("${V:?need it}", {}, Value("${V:?need it}", "\x00")),
    ("${V:+alt}", {}, Value("${V:+alt}", "\x00")),
    ("${V:+alt}", {"V": Value.literal("1")}, Value("alt", "alt")),
    ("${V:+alt}", {"V": Value.literal("")}, Value("", "")),
    ("${V:-d}", {"V": Value.literal("")}, Value("d", "d")),
    ("${V-d}", {"V": Value.literal("")}, Value("", "")),
    ("${V}", {"V": Value.literal("x")}, Value("x", "x")),
    ("${A:-${B:-in}}", {}, Value("in", "in")),
    ("${A:-${B}}", {}, Value("${B}", "\x00")),
    ("$$V and $$", {}, Value("$V and $", "$V and $")),
    ("a$ b$1 ${", {}, Value("a$ b$1 ${", "a$ b$1 ${")),
    ("${V junk}", {}, Value("${V junk}", "${V junk}")),
])
def test_interpolate(text, env, expected):
    assert interpolate(text, env) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="${}:-?+AB_d $", max_size=40))
def test_interpolate_never_raises(text):
    value = interpolate(text, {"A": Value.literal("a")})
    assert isinstance(value, Value)


# --- docker-compose -------------------------------------------------------------------------


COMPOSE = """
    services:
      order-service:
        build: ./services/order
        environment:
          DATABASE_URL: "postgresql://u:p@db:5432/app?schema=order_service"
          REDIS_URL: redis://redis:6379
          DATABASE_URL_TIMEOUT: 5
      auth:
        image: hos/auth
        environment:
          - NODE_ENV=production
          - AUTH_DATABASE_URL=postgres://u@db/app?schema=auth_service,public
          - "READ_DB_URL=postgres://u@replica/app?schema=auth_service"
          - DATABASE_URL
      search:
        build:
          context: .
          dockerfile: services/search/Dockerfile
        environment:
          # DATABASE_URL: postgres://db/app?schema=product_service
          DATABASE_URL: ${SEARCH_DATABASE_URL:-postgresql://db/app?schema=search_service%2Cproduct_service}
          MYSQL_DB_URL: mysql://db/app?schema=legacy
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: postgres
    """


def test_compose_mapping_and_list_forms():
    result = run("docker-compose.yml", COMPOSE)
    assert conns(result) == [
        (5, 22, "DATABASE_URL", ("order_service",), "docker-compose", T("order-service", "services/order")),
        (12, 27, "AUTH_DATABASE_URL", ("auth_service", "public"), "docker-compose", T("auth")),
        (13, 22, "READ_DB_URL", ("auth_service",), "docker-compose", T("auth")),
        (21, 21, "DATABASE_URL", ("search_service", "product_service"), "docker-compose",
         T("search", "services/search")),
    ]
    assert (result.service, result.problems, result.accesses) == (None, (), ())
    assert [c.url for c in result.connections][3] == "postgresql://db/app?schema=search_service%2Cproduct_service"


def test_compose_connection_service_is_the_files_service():
    result = run("services/order/docker-compose.yml", """
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgres://db/app?schema=order_service
        """, service="order")
    assert [(c.service, c.target) for c in result.connections] == [("order", T("api", "services/order"))]


def test_compose_interpolation_left_unresolved():
    result = run("compose.yaml", """
        services:
          order:
            environment:
              DATABASE_URL: postgresql://${DB_USER}:${DB_PASSWORD:?required}@db/${DB_NAME-app}?schema=order_service
              ORDER_DB_URL: ${ORDER_DB_URL}
              SCHEMA_DB_URL: postgresql://db/app?schema=${SCHEMA},order_service
              SCHEME_DB_URL: ${SCHEME:-mysql}://db/app?schema=order_service
              ESCAPED_DB_URL: postgresql://u:pa$$word@db/app?schema=order_service
        """)
    assert conns(result) == [
        (4, 21, "DATABASE_URL", ("order_service",), "docker-compose", T("order")),
        (6, 22, "SCHEMA_DB_URL", ("order_service",), "docker-compose", T("order")),
        (8, 23, "ESCAPED_DB_URL", ("order_service",), "docker-compose", T("order")),
    ]
    assert [c.url for c in result.connections] == [
        "postgresql://${DB_USER}:${DB_PASSWORD:?required}@db/app?schema=order_service",
        "postgresql://db/app?schema=${SCHEMA},order_service",
        "postgresql://u:pa$word@db/app?schema=order_service",
    ]


def test_compose_merge_keys_and_anchors():
    result = run("docker-compose.yml", """
        x-order-env: &order-env
          DATABASE_URL: postgres://db/app?schema=order_service
        services:
          order-api:
            environment: *order-env
          order-worker:
            environment:
              <<: *order-env
              DATABASE_URL: postgres://db/app?schema=order_worker
        """)
    assert conns(result) == [
        (2, 17, "DATABASE_URL", ("order_service",), "docker-compose", T("order-api")),
        (9, 21, "DATABASE_URL", ("order_worker",), "docker-compose", T("order-worker")),
    ]


def test_compose_build_contexts():
    result = run("deploy/compose/docker-compose.yml", """
        services:
          a:
            build: ../../services/a
            environment: ["DATABASE_URL=postgres://db/x?schema=a"]
          b:
            build: {context: ../../services/b, dockerfile: docker/Dockerfile}
            environment: ["DATABASE_URL=postgres://db/x?schema=b"]
          c:
            build: {context: ../.., dockerfile: ../c.Dockerfile}
            environment: ["DATABASE_URL=postgres://db/x?schema=c"]
          d:
            build: https://github.com/acme/d.git
            environment: ["DATABASE_URL=postgres://db/x?schema=d"]
          e:
            build: ${E_CONTEXT}
            environment: ["DATABASE_URL=postgres://db/x?schema=e"]
          f:
            build: {dockerfile: Dockerfile}
            environment: ["DATABASE_URL=postgres://db/x?schema=f"]
        """)
    assert [c.target for c in result.connections] == [
        T("a", "services/a"), T("b", "services/b/docker"), T("c", "."), T("d"), T("e"), T("f", "deploy/compose"),
    ]


def test_compose_look_alikes():
    result = run("docker-compose.yml", """
        version: "3.9"
        environment:
          DATABASE_URL: postgres://db/app?schema=top_level_is_not_a_service
        services:
          order:
            labels:
              DATABASE_URL: postgres://db/app?schema=label
            environment:
              DATABASE_URL:
              OTHER: DATABASE_URL=postgres://db/app?schema=nested
              DATABASE_URL_TIMEOUT: postgres://db/app?schema=timeout
              DATABASE_URLS: postgres://db/app?schema=plural
          list:
            environment: "DATABASE_URL=postgres://db/app?schema=not_a_list"
        """)
    assert conns(result) == []
    assert problems(result) == []


def test_compose_target_without_a_name_or_build():
    """A compose service keyed by an empty name and without ``build`` names no target."""
    result = run("docker-compose.yml", """
        services:
          "":
            environment: ["DATABASE_URL=postgres://db/x?schema=a"]
          "@x":
            environment: ["DATABASE_URL=postgres://db/x?schema=b"]
        """)
    assert [c.target for c in result.connections] == [None, T("@x")]


# --- YAML errors ------------------------------------------------------------------------------


def test_malformed_yaml_is_hos901_at_its_line():
    result = run("docker-compose.yml", """
        services:
          order:
            environment:
              DATABASE_URL: postgres://db/app?schema=order_service
              - broken
        """)
    assert conns(result) == []
    assert problems(result) == [(
        "HOS901", 5, 7,
        "YAML parse error: expected <block end>, but found '-' (while parsing a block mapping)",
    )]


def test_documents_before_an_error_are_kept():
    result = run("k8s/order.yaml", """
        kind: ConfigMap
        metadata: {name: order-config}
        data:
          DATABASE_URL: postgres://db/app?schema=order_service
        ---
        kind: ConfigMap
        data: {DATABASE_URL: "unterminated
        """)
    assert conns(result) == [(4, 17, "DATABASE_URL", ("order_service",), "k8s", T("order-config"))]
    assert [(code, line) for code, line, _, _ in problems(result)] == [("HOS901", 8)]


def test_unreadable_yaml_characters_and_deep_nesting_are_hos901():
    bad = run("compose.yaml", "services: \x01\n")
    assert problems(bad) == [("HOS901", 1, 11, "YAML parse error: special characters are not allowed")]
    deep = config_files.extract(SourceFile("compose.yaml", None, Language.CONFIG), "a: " + "[" * 5000, ExtractConfig())
    assert problems(deep) == [("HOS901", 1, 103, "YAML file not analysed: nested deeper than 100 levels")]
    assert deep.problems[0].whole_file


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab:-[]{}\"'&*<>|#\n =${}.DATABSE_URL/?", max_size=80))
def test_yaml_never_raises(text):
    for path in ("docker-compose.yml", "k8s/x.yaml", ".env"):
        result = config_files.extract(SourceFile(path, None, Language.CONFIG), text, ExtractConfig())
        assert all(p.code == "HOS901" for p in result.problems)


# --- .env files --------------------------------------------------------------------------------


ENV = """
    # order service
    export DATABASE_URL=postgres://u:p@db:5432/app?schema=order_service
    REDIS_URL=redis://redis:6379
    # DATABASE_URL=postgres://db/app?schema=commented_out
    SHADOW_DATABASE_URL='postgresql://db/shadow?schema=order_service,$NOT_EXPANDED'
    REPORT_DB_URL="postgresql://db/app?schema=reporting" # inline comment
    DB_HOST=replica
    READ_DB_URL=postgresql://${DB_HOST}/app?schema=${READ_SCHEMA:-order_read}  # uses DB_HOST
    DATABASE_URL_TIMEOUT=5
    MYSQL_DB_URL=mysql://db/app?schema=legacy

    PASSTHROUGH_DB_URL
    """


def test_env_file():
    result = run("services/order/.env", ENV, service="order")
    assert conns(result) == [
        (2, 21, "DATABASE_URL", ("order_service",), "env", None),
        (5, 22, "SHADOW_DATABASE_URL", ("order_service", "$NOT_EXPANDED"), "env", None),
        (6, 16, "REPORT_DB_URL", ("reporting",), "env", None),
        (8, 13, "READ_DB_URL", ("order_read",), "env", None),
    ]
    assert [c.url for c in result.connections][3] == "postgresql://replica/app?schema=order_read"
    assert {c.service for c in result.connections} == {"order"}
    assert problems(result) == []


def test_env_double_quotes_escapes_and_multiline():
    result = run(".env.production", r'''
        CERT="line one
        line two"
        DATABASE_URL = "postgresql://u:p\"w@db/app?schema=\$literal,a"
        PASSWORD=hunter#2
        X_DB_URL=postgresql://db/app?schema=b#not-a-comment
        ''')
    assert conns(result) == [
        (3, 17, "DATABASE_URL", ("$literal", "a"), "env", None),
        (5, 10, "X_DB_URL", ("b",), "env", None),
    ]
    assert result.connections[0].url == 'postgresql://u:p"w@db/app?schema=$literal,a'


def test_env_look_alikes():
    result = run(".env", """
        REDIS_URL=redis://redis:6379
        # DATABASE_URL=postgres://db/app?schema=a
        DATABASE_URL_TIMEOUT=5
        NOTE=DATABASE_URL=postgres://db/app?schema=b
        DATABASE_URL=${UNSET_DATABASE_URL}
        """)
    assert conns(result) == []
    assert problems(result) == []


def test_env_malformed_lines_are_hos901_and_parsing_continues():
    result = run(".env", """
        this line is not an assignment
        A_DB_URL='postgres://db/app?schema=a
        DATABASE_URL=postgres://db/app?schema=ok
        """)
    assert problems(result) == [
        ("HOS901", 1, 1, ".env parse error: not a KEY=value line"),
        ("HOS901", 2, 10, ".env parse error: unterminated quoted value"),
    ]
    assert conns(result) == [(3, 14, "DATABASE_URL", ("ok",), "env", None)]


def test_envrc_is_not_extracted():
    assert config_files.handles(".envrc") is False
    result = run(".envrc", "export DATABASE_URL=postgres://db/app?schema=a\n")
    assert (result.connections, result.skipped) == ((), SkipReason.NOT_CONFIGURATION)


# --- Kubernetes --------------------------------------------------------------------------------


DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: order-service
    spec:
      template:
        spec:
          initContainers:
            - name: migrate
              env:
                - name: DATABASE_URL
                  value: "postgresql://db/app?schema=order_service"
          containers:
            - name: api
              env:
                - name: DB_SCHEMA
                  value: order_service
                - name: DATABASE_URL
                  value: postgresql://db/app?schema=$(DB_SCHEMA),$(UNKNOWN_SCHEMA)
                - name: SECRET_DATABASE_URL
                  valueFrom:
                    secretKeyRef: {name: order-db, key: url}
                - name: REDIS_URL
                  value: redis://redis:6379
    """


def test_k8s_deployment():
    result = run("k8s/order/deployment.yaml", DEPLOYMENT)
    assert conns(result) == [
        (12, 23, "DATABASE_URL", ("order_service",), "k8s", T("order-service")),
        (19, 22, "DATABASE_URL", ("order_service",), "k8s", T("order-service")),
    ]
    assert result.connections[1].url == "postgresql://db/app?schema=order_service,$(UNKNOWN_SCHEMA)"
    assert problems(result) == []


def test_k8s_workload_kinds_configmap_secret_and_list():
    result = run("deploy/all.yaml", """
        kind: CronJob
        metadata: {name: nightly}
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - env: [{name: DATABASE_URL, value: "postgres://db/app?schema=report"}]
        ---
        kind: ConfigMap
        metadata: {name: order-config}
        data:
          DATABASE_URL: postgres://db/app?schema=order_service
          REDIS_URL: redis://r
        ---
        kind: Secret
        metadata: {name: order-secret}
        stringData:
          ORDER_DB_URL: |
            postgres://db/app?schema=order_service
        data:
          DATABASE_URL: cG9zdGdyZXM6Ly9kYi9hcHA/c2NoZW1hPXg=
        ---
        kind: List
        items:
          - kind: StatefulSet
            metadata: {name: search}
            spec: {template: {spec: {containers: [{env: [{name: DATABASE_URL, value: "postgres://db/app?schema=search_service"}]}]}}}
        """)
    assert conns(result) == [
        (9, 50, "DATABASE_URL", ("report",), "k8s", T("nightly")),
        (14, 17, "DATABASE_URL", ("order_service",), "k8s", T("order-config")),
        (21, 5, "ORDER_DB_URL", ("order_service",), "k8s", T("order-secret")),
        (29, 79, "DATABASE_URL", ("search_service",), "k8s", T("search")),
    ]


def test_k8s_look_alikes():
    result = run("k8s/misc.yaml", """
        kind: Service
        metadata: {name: order}
        spec:
          DATABASE_URL: postgres://db/app?schema=not_a_workload
        ---
        kind: Deployment
        metadata: {name: order}
        spec:
          template:
            spec:
              containers:
                - name: api
                  args: ["DATABASE_URL=postgres://db/app?schema=arg"]
                  env:
                    - {name: DATABASE_URL_TIMEOUT, value: "postgres://db/app?schema=t"}
                    - {name: DATABASE_URL, value: "mysql://db/app?schema=m"}
                    # - {name: DATABASE_URL, value: "postgres://db/app?schema=c"}
        ---
        DATABASE_URL: postgres://db/app?schema=no_kind
        """)
    assert conns(result) == []
    assert problems(result) == []


def test_yaml_outside_k8s_folders_is_not_handled():
    assert config_files.handles("config/settings.yaml") is False
    result = run("config/settings.yaml", "DATABASE_URL: postgres://db/app?schema=a\n")
    assert (result.connections, result.skipped) == ((), SkipReason.NOT_CONFIGURATION)


def test_helm_template_actions():
    result = run("charts/order/templates/deployment.yaml", """
        {{- if .Values.enabled }}
        kind: Deployment
        metadata:
          name: {{ include "order.fullname" . }}
          labels:
            {{- include "order.labels" . | nindent 4 }}
        spec:
          template:
            spec:
              containers:
                - env:
                    - name: DATABASE_URL
                      value: "postgresql://{{ .Values.db.host }}/app?schema=order_service"
                    - name: OTHER_DB_URL
                      value: {{ .Values.otherUrl | quote }}
        {{- end }}
        """)
    assert conns(result) == [(13, 23, "DATABASE_URL", ("order_service",), "k8s",
                              T('{{ include "order.fullname" . }}'))]
    assert result.connections[0].url == "postgresql://{{ .Values.db.host }}/app?schema=order_service"
    assert problems(result) == []


def test_helm_template_that_is_not_yaml_is_skipped_not_an_error():
    result = run("helm/order/templates/env.yaml", """
        env:
        {{ range $k, $v := .Values.env }}
          - name: {{ $k }}
        value: [
        {{ end }}
        """)
    assert (result.connections, result.problems) == ((), ())
    assert result.skipped is SkipReason.HELM_TEMPLATE


def test_compose_files_are_not_go_templates():
    result = run("docker-compose.yml", """
        services:
          order:
            logging: {options: {tag: "{{.Name}}"}}
            environment:
              DATABASE_URL: "postgres://db/app?schema={{order}}"
          broken: [
        """)
    assert conns(result) == []
    assert [(code, line) for code, line, _, _ in problems(result)] == [("HOS901", 7)]
    assert result.skipped is None


# --- Helm values files ------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected"), [
    ("charts/order/values.yaml", True), ("helm/order/values.prod.yml", True),
    ("deploy/order-values.yaml", True), ("charts/order/values-staging.yaml", True),
    ("charts/order/Chart.yaml", False), ("charts/order/templates/deployment.yaml", False),
    ("charts/order/revalues.yaml", False), ("charts/order/valuesx.yaml", False),
])
def test_is_values_file(path, expected):
    assert config_files.is_values_file(path) is expected


VALUES = """
    image: {repository: hos/order}
    config: &config
      DATABASE_URL: postgres://db/app?schema=order_service
      REDIS_URL: redis://r
    worker:
      config: *config
    env:
      - name: READ_DB_URL
        value: "postgres://replica/app?schema=order_service,auth_service"
      - name: NOT_A_DB
        value: postgres://db/app?schema=ignored_name
    notes: "DATABASE_URL: postgres://db/app?schema=in_a_string"
    """


def test_helm_values_file():
    result = run("charts/order/values.yaml", VALUES)
    assert conns(result) == [
        (3, 17, "DATABASE_URL", ("order_service",), "k8s", T("order")),
        (9, 13, "READ_DB_URL", ("order_service", "auth_service"), "k8s", T("order")),
    ]


def test_kindless_yaml_that_is_not_a_values_file_yields_nothing():
    assert conns(run("charts/order/config.yaml", VALUES)) == []


def _laughs(levels: int) -> str:
    lines = ["a0: &a0 {DATABASE_URL: 'postgres://db/app?schema=s'}"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_helm_values_aliases_are_walked_once():
    # four levels of nine aliases: 20,000 nodes expanded, within the alias budget
    result = config_files.extract(SourceFile("charts/x/values.yaml", None, Language.CONFIG),
                                  _laughs(4), ExtractConfig())
    assert conns(result) == [(1, 25, "DATABASE_URL", ("s",), "k8s", T("x"))]
    assert result.problems == () and result.skipped is None


def test_helm_values_alias_bomb_is_hos901_for_the_whole_file():
    # eleven levels (9**11 nodes expanded): refused at the alias that crosses the budget
    result = config_files.extract(SourceFile("charts/x/values.yaml", None, Language.CONFIG),
                                  _laughs(11), ExtractConfig())
    assert conns(result) == []
    assert problems(result) == [("HOS901", 6, 25, "YAML file not analysed: aliases expand the document by "
                                                  "more than 100000 nodes (at alias *a4)")]
    assert result.problems[0].whole_file and result.skipped == config_files.YAML_LIMIT


def test_env_crlf_and_byte_order_mark():
    src = SourceFile(".env", None, Language.CONFIG)
    text = "\ufeffDATABASE_URL=postgres://db/app?schema=a\r\nB_DB_URL='postgres://db/app?schema=b'\r\nC\r\n"
    result = config_files.extract(src, text, ExtractConfig())
    assert conns(result) == [(1, 15, "DATABASE_URL", ("a",), "env", None), (2, 11, "B_DB_URL", ("b",), "env", None)]
    assert [c.url for c in result.connections] == ["postgres://db/app?schema=a", "postgres://db/app?schema=b"]
    assert problems(result) == []


def test_schema_set_from_an_unknown_variable_is_dynamic_not_missing():
    result = run("services/order/.env", "A=postgres://h/db?schema=${SCHEMA}\nDATABASE_URL=${A}\n"
                 "ORDER_DB_URL=postgres://h/db\nREPORT_DATABASE_URL=postgres://h/db?schema=order_service\n")
    assert [(c.variable, c.schemas, c.schema_dynamic) for c in result.connections] == [
        ("DATABASE_URL", (), True),
        ("ORDER_DB_URL", (), False),
        ("REPORT_DATABASE_URL", ("order_service",), False),
    ]
