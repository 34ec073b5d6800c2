"""Which configuration files the config extractor reads, by name alone: the
registry asks this of every path the walk meets, so it imports nothing else."""
from __future__ import annotations

import enum
import re

# Folder names whose YAML files are treated as Kubernetes manifests (or Helm
# charts). A YAML file elsewhere is not read: an arbitrary YAML file holding a
# DATABASE_URL key (CI config, OpenAPI examples) is not a deployment.
K8S_FOLDERS = frozenset({"k8s", "kubernetes", "deploy", "manifests", "helm", "charts"})


class FileKind(enum.Enum):
    COMPOSE = "docker-compose"
    ENV = "env"
    K8S = "k8s"


# `docker-compose.yml`, `docker-compose.prod.yaml`, `compose-dev.yml`,
# `compose.override.yaml`; not `composer.yml` (something after "compose" must
# be a separator).
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.\-_][^/]*)?\.ya?ml")


def file_kind(path: str) -> FileKind | None:
    """What kind of configuration file a project-relative POSIX path is, if any.

    Compose names win over the Kubernetes folder rule, so a compose file under
    ``deploy/`` is read as compose. A Kubernetes manifest is any ``.yaml`` /
    ``.yml`` file with a folder in ``K8S_FOLDERS`` (any case) among its parent
    folders.
    """
    folders, _, base = path.rpartition("/")
    lower = base.lower()
    if _COMPOSE_NAME.fullmatch(lower):
        return FileKind.COMPOSE
    if lower == ".env" or lower.startswith(".env."):
        return FileKind.ENV
    if lower.endswith((".yaml", ".yml")) and any(f.lower() in K8S_FOLDERS for f in folders.split("/")):
        return FileKind.K8S
    return None


def handles(path: str) -> bool:
    return file_kind(path) is not None
