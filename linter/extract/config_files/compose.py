"""docker-compose files: ``services.<name>.environment`` as a mapping or a
list of ``KEY=value``, the compose service's name and build folder as the
target."""
from __future__ import annotations

import posixpath
from collections.abc import Iterator

import yaml

from hos_lint.extract.config_files.settings import Setting, target_of
from hos_lint.extract.config_files.values import UNKNOWN, interpolate
from hos_lint.extract.config_files.yaml_docs import YamlFile, dig, items, leaf, scalar
from hos_lint.model import ConnectionTarget


def compose_settings(ctx: YamlFile, root: yaml.Node) -> Iterator[Setting]:
    """The environment of every ``services.<name>`` of one compose document."""
    for name, body in items(dig(root, "services")).items():
        build = build_dir(ctx.src.path, dig(body, "build"))
        yield from _compose_environment(ctx, dig(body, "environment"), target_of(name, build))


def _compose_environment(ctx: YamlFile, env: yaml.Node | None,
                         target: ConnectionTarget | None) -> Iterator[Setting]:
    """``environment:`` as a mapping (``KEY: value``) or a list (``- KEY=value``);
    a bare ``- KEY`` passes the shell's value through and is no setting."""
    if isinstance(env, yaml.SequenceNode):
        for entry in env.value:
            text = scalar(entry)
            if text is None or "=" not in text:
                continue
            key, _, value = text.partition("=")
            line, col = ctx.position(entry, len(key) + 1)
            yield Setting(key.strip(), interpolate(value, {}), line, col, target)
        return
    for key, node in items(env).items():
        found = leaf(node)
        if found is not None:
            line, col = ctx.position(found)
            yield Setting(key, interpolate(found.value, {}), line, col, target)


def build_dir(compose_path: str, build: yaml.Node | None) -> str | None:
    """The project-relative folder a compose ``build`` points at, or None.

    ``build: ./services/order`` and ``build: {context: services/order}`` are
    resolved against the compose file's folder. When a ``dockerfile`` lies
    below the context (``{context: ., dockerfile: services/order/Dockerfile}``)
    its folder is more specific and is used instead. Remote contexts (URLs)
    and contexts that depend on an unresolved variable give None.
    """
    spec = items(build)
    if isinstance(build, yaml.ScalarNode):
        context = scalar(build)
    elif isinstance(build, yaml.MappingNode):
        context = scalar(spec.get("context")) or "."  # compose's default context
    else:
        context = None
    if context is None:
        return None
    base = _local_path(posixpath.dirname(compose_path), context)
    dockerfile = scalar(spec.get("dockerfile"))
    if base is None or dockerfile is None:
        return base
    folder = _local_path(base, posixpath.dirname(dockerfile) or ".")
    if base == ".":  # the project root (or compose folder) as context: anything not above it
        inside = folder is not None and folder != ".." and not folder.startswith(("../", "/"))
    else:
        inside = folder is not None and (folder == base or folder.startswith(base + "/"))
    return folder if inside else base


def _local_path(base: str, relative: str) -> str | None:
    """``relative`` joined to ``base`` and normalised; None for URLs and unresolved paths."""
    value = interpolate(relative, {})
    if UNKNOWN in value.probe or "://" in value.text or value.text.startswith("git@"):
        return None
    return posixpath.normpath(posixpath.join(base, value.text))

