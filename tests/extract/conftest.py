"""Readers shared by the TypeScript ORM extraction tests: each fact of one
snippet as a short tuple with its exact position."""
from __future__ import annotations

import textwrap

import pytest

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile


class TsFacts:
    """Extract a TypeScript snippet (dedented) in service ``svc`` and read its facts."""

    path = "services/svc/src/a.ts"

    def run(self, code: str):
        src = SourceFile(self.path, "svc", Language.TYPESCRIPT)
        return ts.extract(src, textwrap.dedent(code), ExtractConfig())

    @staticmethod
    def ref(ref) -> str:
        if ref.orm_class is not None:
            return f"class {ref.orm_class}"
        name = f'"{ref.name}"' if ref.quoted else ref.name
        return f"{ref.schema}.{name}" if ref.schema else name

    def accesses(self, code: str) -> list[tuple]:
        """(line, col, kind, relation, operation) of every access, in position order."""
        result = self.run(code)
        return sorted(
            (a.location.line, a.location.col, a.kind.value, self.ref(a.ref), a.operation) for a in result.accesses
        )

    def models(self, code: str) -> list[tuple]:
        """(line, col, class, relation) of every ORM model."""
        return [(m.location.line, m.location.col, m.class_name, self.ref(m.ref)) for m in self.run(code).orm_models]

    def views(self, code: str) -> list[tuple]:
        """(line, col, relation) of every view definition."""
        from hos_lint.model import RelationKind

        return [(d.location.line, d.location.col, self.ref(d.ref)) for d in self.run(code).relation_defs
                if d.kind is RelationKind.VIEW]

    def problems(self, code: str) -> list[tuple]:
        return [(p.code, p.location.line, p.location.col, p.message) for p in self.run(code).problems]


@pytest.fixture
def facts() -> TsFacts:
    return TsFacts()
