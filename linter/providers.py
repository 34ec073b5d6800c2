"""Which databases hos-lint checks: a Prisma datasource's provider says whether a
service's SQL is PostgreSQL (kept apart from ``infer`` so a run that only needs this
answer does not import zero-config inference)."""
from __future__ import annotations

from collections.abc import Iterable

from hos_lint.model import PrismaDatasource

POSTGRES_PROVIDERS = ("postgresql", "postgres", "cockroachdb")


def non_postgres(datasources: Iterable[PrismaDatasource]) -> dict[str, PrismaDatasource]:
    """Service → its first Prisma datasource whose provider is not PostgreSQL.

    A provider that is missing or not a literal (``env(...)``) is not judged.
    """
    out: dict[str, PrismaDatasource] = {}
    for ds in sorted(datasources, key=lambda d: (d.location.path, d.location.line)):
        provider = (ds.provider or "").strip().lower()
        if ds.service and provider and "(" not in provider and provider not in POSTGRES_PROVIDERS:
            out.setdefault(ds.service, ds)
    return out
