"""YAML alias and merge-key bombs, deep nesting and cyclic aliases, on every path
that reads YAML: the manifest (``hos-lint.yaml`` or ``--config``), docker-compose
files, Kubernetes manifests, Helm templates and Helm values files.

Each is refused in well under 2 s at the line where the limit is crossed
(``linter.yamlload``): a checked file is HOS901 at error severity and the run goes
on; the manifest is a configuration error (exit 2, file:line).
"""
from __future__ import annotations

import json
import signal
import time
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from hos_lint import yamlload
from hos_lint.cli import cli
from hos_lint.extract import config_files, loaded_extractors
from hos_lint.extract.base import ExtractConfig
from hos_lint.manifest import ManifestError, parse_manifest
from hos_lint.model import ConnectionTarget, Language, Severity, SourceFile

MANIFEST = "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"


@contextmanager
def under_two_seconds():
    """Fails the test when the block takes 2 s or more; a hang is cut off after 20 s."""
    def expired(signum, frame):
        raise TimeoutError("still running after 20 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 20)
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"took {elapsed:.2f} s"


# --- the bombs: (text, line, col, message) of where each must be refused -----------------


def merge_bomb(levels: int = 10) -> str:
    """``x-b: &b {<<: [*a, *a, ...]}`` ten levels deep: 10**10 merged entries in 700 bytes."""
    lines = ["x-a: &a {DATABASE_URL: 'postgres://db/app?schema=order_service'}"]
    names = "abcdefghijk"
    for prev, name in zip(names, names[1:levels + 1]):
        lines.append(f"x-{name}: &{name} {{<<: [{', '.join([f'*{prev}'] * 10)}]}}")
    return "\n".join(lines) + "\n"


def laughs(levels: int = 10) -> str:
    """The billion laughs: each list holds ten aliases of the one before."""
    lines = ['l0: &l0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


ALIAS_LIMIT = "aliases expand the document by more than 100000 nodes"
DEPTH_LIMIT = "nested deeper than 100 levels"


def bombs(first_line: int) -> list:
    """The four bombs, starting on ``first_line``, with where and why each must be
    refused: aliases are charged the size of what they expand to, in document
    order, so the budget runs out at a known alias (line 6, the second ``*e``:
    3 + 30 + 330 + 3330 + 33330 + 2 * 33333 > 100,000)."""
    return [
        pytest.param(merge_bomb(), first_line + 5, 19, f"{ALIAS_LIMIT} (at alias *e)", id="merge-keys"),
        pytest.param(laughs(), first_line + 5, 45, f"{ALIAS_LIMIT} (at alias *l4)", id="billion-laughs"),
        # the root mapping is level 1, so the 100th bracket is level 101
        pytest.param("deep: " + "[" * 10_000 + "]" * 10_000 + "\n", first_line, 106, DEPTH_LIMIT,
                     id="deep-nesting"),
        pytest.param("self: &s {<<: *s}\n", first_line, 15, "alias *s refers to a node that contains it",
                     id="cyclic-alias"),
    ]


# --- the bounded loader itself ---------------------------------------------------------------


@pytest.mark.parametrize("text,line,col,message", bombs(1))
def test_yamlload_refuses_each_bomb_at_its_position(text, line, col, message):
    with under_two_seconds():
        with pytest.raises(yamlload.YamlLimitError) as info:
            list(yamlload.compose_all(text))
    mark = info.value.problem_mark
    assert (mark.line + 1, mark.column + 1, info.value.problem) == (line, col, message)


def test_yamlload_keeps_ordinary_anchors_and_merge_keys():
    text = "base: &b {a: 1, b: [x, y]}\nuse: {<<: *b, c: 2}\nlist: [*b, *b]\n"
    assert yamlload.construct(yamlload.compose(text)) == {
        "base": {"a": 1, "b": ["x", "y"]}, "use": {"a": 1, "b": ["x", "y"], "c": 2},
        "list": [{"a": 1, "b": ["x", "y"]}, {"a": 1, "b": ["x", "y"]}]}


def test_yamlload_budget_counts_expanded_nodes_not_aliases():
    # 99,999 nodes added by aliases is within the budget; one more alias of one node crosses it
    under = "a: &a [" + ", ".join(["x"] * 99_998) + "]\nb: *a\n"  # the list is 99,999 nodes
    assert yamlload.construct(yamlload.compose(under))["b"] == ["x"] * 99_998
    with pytest.raises(yamlload.YamlLimitError) as info:
        yamlload.compose(under + "c: *a\n")
    assert info.value.problem_mark.line + 1 == 3


def test_yamlload_depth_counts_levels_an_alias_brings():
    deep = "[" * 60 + "]" * 60  # a list 60 levels high
    # root mapping (1) + 39 lists + the alias's 60 levels = 100: allowed
    assert yamlload.compose(f"a: &a {deep}\nb: {'[' * 39}*a{']' * 39}\n") is not None
    with pytest.raises(yamlload.YamlLimitError) as info:
        yamlload.compose(f"a: &a {deep}\nb: {'[' * 40}*a{']' * 40}\n")
    assert (info.value.problem_mark.line + 1, info.value.problem_mark.column + 1, info.value.problem) == (
        2, 44, "alias *a nests the document deeper than 100 levels")


def test_yamlload_refuses_python_tags():
    with pytest.raises(yaml_error()):
        yamlload.construct(yamlload.compose("x: !!python/object/apply:os.system ['true']\n"))


def yaml_error():
    import yaml

    return yaml.YAMLError


# --- the manifest ----------------------------------------------------------------------------


@pytest.mark.parametrize("text,line,col,message", bombs(5))
def test_manifest_bomb_is_a_configuration_error_at_its_line(text, line, col, message):
    with under_two_seconds():
        with pytest.raises(ManifestError) as info:
            parse_manifest(MANIFEST + text, root="/p")
    assert info.value.errors == [f"hos-lint.yaml:{line}: YAML refused: {message}"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / "services/order/db").mkdir(parents=True)
    (root / "hos-lint.yaml").write_text(MANIFEST)
    (root / "services/order/db/bad.sql").write_text("DELETE FROM auth_service.users;\n")
    monkeypatch.chdir(root)
    loaded_extractors()  # import the parsers before any timing
    return root


def run(*args: str):
    return CliRunner().invoke(cli, [*args, "--no-cache", "--jobs", "1"], catch_exceptions=False)


@pytest.mark.parametrize("text,line,col,message", bombs(5))
def test_manifest_bomb_exits_2_naming_file_and_line(project, text, line, col, message):
    (project / "hos-lint.yaml").write_text(MANIFEST + text)
    with under_two_seconds():
        result = run("check")
    assert result.exit_code == 2
    assert result.stderr == f"hos-lint: hos-lint.yaml:{line}: YAML refused: {message}\n"


def test_manifest_bomb_given_with_config_exits_2(project):
    (project / "other.yaml").write_text(MANIFEST + laughs())
    with under_two_seconds():
        result = run("check", "--config", "other.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"hos-lint: other.yaml:10: YAML refused: {ALIAS_LIMIT} (at alias *l4)\n"


def test_manifest_alias_bomb_inside_a_key_the_mapper_walks(project):
    # Nested under an unknown key, the key-line mapper used to walk every expanded path.
    nested = MANIFEST + "extra:\n" + "".join(f"  {line}\n" for line in laughs().splitlines())
    (project / "hos-lint.yaml").write_text(nested)
    with under_two_seconds():
        result = run("check")
    assert result.exit_code == 2
    assert result.stderr == f"hos-lint: hos-lint.yaml:11: YAML refused: {ALIAS_LIMIT} (at alias *l4)\n"


def test_manifest_with_ordinary_anchors_still_loads():
    text = MANIFEST + "allow:\n  - {service: order, read: &r [auth_service.users], reason: reviewed}\n" \
                      "  - {service: auth, read: *r, reason: reviewed}\n"
    manifest = parse_manifest(text, root="/p")
    assert [(a.service, a.read) for a in manifest.allow] == [
        ("order", ("auth_service.users",)), ("auth", ("auth_service.users",))]


# --- checked files: compose, Kubernetes, Helm template, Helm values -------------------------

# Each path's file: what comes before the bomb, and what makes the reader expand it
# (before the bound, each of these hung the run for minutes).
K8S_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: order}\n"
HELM_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-order\n"
PATHS = [
    pytest.param("docker-compose.yml", "", "services:\n  order:\n    environment: *k\n", id="compose"),
    pytest.param("k8s/order.yaml", K8S_HEAD, "data: *k\n", id="k8s"),
    pytest.param("charts/order/templates/configmap.yaml", HELM_HEAD, "data: *k\n", id="helm-template"),
    pytest.param("charts/order/values.yaml", "image: order\nreplicas: 2\n", "env: *k\n", id="helm-values"),
]


@pytest.mark.parametrize("path,head,tail", PATHS)
@pytest.mark.parametrize("text,line,col,message", bombs(1))
def test_checked_yaml_bomb_is_hos901_for_the_whole_file(path, head, tail, text, line, col, message):
    offset = head.count("\n")
    src = SourceFile(path, None, Language.CONFIG)
    with under_two_seconds():
        result = config_files.extract(src, head + text + tail, ExtractConfig())
    assert [(p.code, p.location.line, p.location.col, p.message, p.whole_file) for p in result.problems] == [
        ("HOS901", line + offset, col, f"YAML file not analysed: {message}", True)]
    assert result.skipped == config_files.YAML_LIMIT and result.connections == ()


def test_compose_anchors_within_the_budget_are_still_read():
    text = ("x-db: &db\n  DATABASE_URL: postgres://db/app?schema=order_service\n"
            "services:\n" + "".join(f"  s{i}:\n    environment:\n      <<: *db\n" for i in range(50)))
    result = config_files.extract(SourceFile("docker-compose.yml", None, Language.CONFIG), text, ExtractConfig())
    assert result.problems == () and result.skipped is None
    assert {(c.location.line, c.target) for c in result.connections} == \
        {(2, ConnectionTarget(f"s{i}")) for i in range(50)}


def test_documents_before_a_bomb_are_still_read():
    text = (K8S_HEAD + "data:\n  DATABASE_URL: postgres://db/app?schema=order_service\n---\n" + laughs()
            + "data: *l10\n")
    result = config_files.extract(SourceFile("k8s/order.yaml", None, Language.CONFIG), text, ExtractConfig())
    assert [(c.location.line, c.variable) for c in result.connections] == [(5, "DATABASE_URL")]
    assert [(p.location.line, p.whole_file) for p in result.problems] == [(12, True)]


@pytest.mark.parametrize("path,head,tail", PATHS)
def test_run_goes_on_past_a_bomb_with_hos901_at_error(project, path, head, tail):
    target = project / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(head + merge_bomb() + tail)
    with under_two_seconds():
        result = run("check", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    line = head.count("\n") + 6
    assert [(f["code"], f["path"], f["line"], f["col"], f["severity"]) for f in doc["findings"]] == sorted([
        ("HOS101", "services/order/db/bad.sql", 1, 13, "error"),
        ("HOS901", path, line, 19, Severity.ERROR.value),
    ], key=lambda f: f[1])
    assert doc["summary"]["not_analysed"] == [{"path": path, "reason": config_files.YAML_LIMIT.value}]
