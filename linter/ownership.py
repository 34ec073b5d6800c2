"""Who owns a relation (SPEC §3): the ``Ownership`` index built from the manifest.

Pure data and lookups; resolving what the code names to a relation is
``linter.resolve``'s job.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hos_lint.manifest import Manifest
from hos_lint.model import Provenance, Relation


@dataclass(frozen=True, slots=True)
class Ownership:
    """Schema → owning service, and ``public`` table → owning service."""

    schema_owner: Mapping[str, str]
    public_tables: Mapping[str, str]
    provenance: Mapping[str, Provenance]  # "schema:<s>" / "table:<t>" → where it was declared

    @classmethod
    def of(cls, manifest: Manifest) -> Ownership:
        schemas: dict[str, str] = {}
        tables: dict[str, str] = {}
        prov: dict[str, Provenance] = {}
        for claim in manifest.claims:  # first claim wins; later ones are HOS204
            target = schemas if claim.kind == "schema" else tables
            if claim.value not in target:
                target[claim.value] = claim.service
                prov[f"{claim.kind}:{claim.value}"] = Provenance(location=claim.location, what="manifest")
        return cls(schemas, tables, prov)

    def owner_of(self, relation: Relation | None) -> str | None:
        """The relation's owner: its schema's, or for ``public`` the table's claimant."""
        if relation is None:
            return None
        if relation.schema in self.schema_owner:
            return self.schema_owner[relation.schema]
        if relation.schema == "public":
            return self.public_tables.get(relation.name)
        return None
