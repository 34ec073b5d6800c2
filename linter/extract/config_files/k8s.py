"""Kubernetes manifests (workload container env, ConfigMap data, Secret
stringData, ``List`` items) and Helm values files (searched for ``KEY: url``
entries and ``{name, value}`` items)."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

import yaml

from hos_lint.extract.config_files.settings import Setting, target_of
from hos_lint.extract.config_files.urls import is_connection_variable
from hos_lint.extract.config_files.values import Value, expand_k8s
from hos_lint.extract.config_files.yaml_docs import YamlFile, dig, items, leaf, scalar
from hos_lint.model import ConnectionTarget

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
# Plain string maps whose keys are environment variables (via envFrom).
DATA_MAPS: dict[str, str] = {"ConfigMap": "data", "Secret": "stringData"}


def k8s_settings(ctx: YamlFile, root: yaml.Node) -> Iterator[Setting]:
    """Settings of one manifest: workload container env, ConfigMap data, Secret
    stringData; a ``kind: List`` contributes its items' settings. A Helm values
    file (see ``values_settings``) has no ``kind``."""
    kind = scalar(dig(root, "kind"))
    if kind is None and is_values_file(ctx.src.path):
        yield from values_settings(ctx, root)
        return
    if kind == "List":
        listed = dig(root, "items")
        for item in listed.value if isinstance(listed, yaml.SequenceNode) else ():
            if scalar(dig(item, "kind")) != "List":  # one level: a List of Lists is not a manifest
                yield from k8s_settings(ctx, item)
        return
    name = leaf(dig(root, "metadata", "name"))
    target = target_of(ctx.value(name).text) if name is not None else None  # a Helm name as written
    if kind in DATA_MAPS:
        for key, node in items(dig(root, DATA_MAPS[kind])).items():
            if (value := leaf(node)) is not None:
                yield Setting(key, ctx.value(value), *ctx.position(value), target)
    elif kind in POD_SPEC_PATHS:
        pod = dig(root, *POD_SPEC_PATHS[kind])
        for group in ("initContainers", "containers"):
            containers = dig(pod, group)
            for container in containers.value if isinstance(containers, yaml.SequenceNode) else ():
                yield from _container_env(ctx, dig(container, "env"), target)


def _container_env(ctx: YamlFile, env: yaml.Node | None, target: ConnectionTarget | None) -> Iterator[Setting]:
    """``env: [{name, value}]`` of one container, ``$(VAR)`` expanded against
    the entries above it; ``valueFrom`` entries are unknown and yield nothing."""
    known: dict[str, Value] = {}
    for entry in env.value if isinstance(env, yaml.SequenceNode) else ():
        name, node = scalar(dig(entry, "name")), leaf(dig(entry, "value"))
        if name is None or node is None:
            continue
        value = ctx.value(node)
        if value.text == value.probe:  # templated values are unknown as a whole anyway
            value = expand_k8s(value.text, known)
        known[name] = value
        yield Setting(name, value, *ctx.position(node), target)


# --- Helm values files ---------------------------------------------------------------------

# `values.yaml`, `values.prod.yaml`, `values-staging.yml`, `order-values.yaml`.
_VALUES_NAME = re.compile(r"(?:[^/]*[-_.])?values(?:[-_.][^/]*)?\.ya?ml")


def is_values_file(path: str) -> bool:
    """A Helm values file name (the file must also sit in a Kubernetes folder, see ``handles``)."""
    return _VALUES_NAME.fullmatch(path.rpartition("/")[2].lower()) is not None


def values_settings(ctx: YamlFile, root: yaml.Node) -> Iterator[Setting]:
    """Helm values have no fixed shape, so every mapping is searched: each
    ``KEY: value`` entry, and each ``{name: KEY, value: ...}`` item (an env
    list the chart copies into a container). ``target.name`` is the folder holding
    the file (the chart: ``charts/order/values.yaml`` -> ``order``)."""
    target = target_of(posixpath.basename(posixpath.dirname(ctx.src.path)))
    for mapping in _mappings(root):
        entries = items(mapping)
        name, value = scalar(entries.get("name")), leaf(entries.get("value"))
        if name is not None and value is not None:
            yield Setting(name, ctx.value(value), *ctx.position(value), target)
        for key, node in entries.items():
            if (found := leaf(node)) is not None and is_connection_variable(key):
                yield Setting(key, ctx.value(found), *ctx.position(found), target)


def _mappings(root: yaml.Node) -> Iterator[yaml.MappingNode]:
    """Every mapping node in a document, each once: aliases share nodes, and
    visiting a shared node again could take exponential time (billion laughs)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield node
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
