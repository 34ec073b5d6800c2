"""What names mean after the pre-pass: where an imported name comes from,
and the SQLAlchemy declarations of the file (``Table(...)`` variables,
declarative models, the schema each one carries)."""
from __future__ import annotations

from collections.abc import Collection

import libcst as cst

from hos_lint.extract.python.bindings import Binding, BindingKind, ClassInfo, Collector
from hos_lint.extract.python.syntax import MAX_DEPTH, dotted, keyword, positional, string_value

SA_ROOTS = frozenset(("sqlalchemy", "sqlmodel"))


class Knowledge:
    """Answers about names from the pre-pass: where a callable comes from,
    which schema a MetaData / declarative base carries, which names are models."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.module_scope = collector.scopes[collector.module]
        self.table_vars = self._table_vars()
        self.models = self.table_vars | {
            info.node.name.value for info in collector.class_list
            if tablename(info) is not None or "__table__" in info.body
        }

    # imports
    def qualified(self, node: cst.CSTNode) -> str | None:
        """Dotted origin of an imported name or attribute chain (``sa.Table`` →
        ``sqlalchemy.Table``); None when the head is not an import."""
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        origin = self.collector.imports.get(head)
        if origin is None:
            return None
        return f"{origin}.{rest}" if rest else origin

    def is_from(self, node: cst.CSTNode, roots: Collection[str], names: Collection[str]) -> bool:
        """Is ``node`` an imported name ``<root>...<name>`` (``sa.Table``, ``Table``)?"""
        q = self.qualified(node)
        return q is not None and q.split(".")[0] in roots and q.rsplit(".", 1)[-1] in names

    def is_sa(self, node: cst.CSTNode, *names: str) -> bool:
        return self.is_from(node, SA_ROOTS, names)

    def module_value(self, name: str) -> cst.CSTNode | None:
        """The value of a module-level name assigned exactly once."""
        return single_value(self.module_scope.get(name))

    # SQLAlchemy declarations
    def is_model(self, name: str) -> bool:
        return name in self.models or name in self.collector.from_names

    def _table_vars(self) -> set[str]:
        names = set()
        for scope in self.collector.scopes.values():
            for name, bindings in scope.items():
                if any(b.kind is BindingKind.ASSIGN and self.is_table_call(b.value) for b in bindings):
                    names.add(name)
        return names

    def is_table_call(self, node: cst.CSTNode | None) -> bool:
        """``Table("t", metadata, ...)`` with SQLAlchemy's Table, a literal name
        and a metadata-like (name or attribute) second argument."""
        if not isinstance(node, cst.Call) or not self.is_sa(node.func, "Table"):
            return False
        name = positional(node, 0)
        second = positional(node, 1)
        return string_value(name) is not None and isinstance(second, (cst.Name, cst.Attribute))

    def metadata_schema(self, node: cst.CSTNode | None, depth: int = 0) -> str | None:
        """The ``schema=`` of a ``MetaData(...)`` call, a name bound to one, or
        ``Base.metadata`` of a declarative base."""
        if node is None or depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Call) and self.is_sa(node.func, "MetaData"):
            return string_value(keyword(node, "schema"))
        if isinstance(node, cst.Name):
            return self.metadata_schema(self.module_value(node.value), depth + 1)
        if isinstance(node, cst.Attribute) and node.attr.value == "metadata" and isinstance(node.value, cst.Name):
            return self.base_schema(node.value.value, depth + 1)
        return None

    def base_schema(self, name: str, depth: int = 0) -> str | None:
        """Default schema of a declarative base or model class named ``name``."""
        if depth > MAX_DEPTH:
            return None
        value = self.module_value(name)
        if isinstance(value, cst.Call) and self.is_sa(value.func, "declarative_base"):
            return self.metadata_schema(keyword(value, "metadata"), depth + 1)
        info = self.collector.classes.get(name)
        return self.class_schema(info, depth + 1) if info is not None else None

    def class_schema(self, info: ClassInfo, depth: int = 0) -> str | None:
        """``__table_args__`` schema, else the class's ``metadata`` schema, else its bases'."""
        if depth > MAX_DEPTH:
            return None
        own = table_args_schema(info)
        if own is not None:
            return own
        metadata = single_value(info.body.get("metadata"))
        if metadata is not None:
            return self.metadata_schema(metadata, depth + 1)
        for base in info.node.bases:
            if isinstance(base.value, cst.Name) and base.keyword is None:
                schema = self.base_schema(base.value.value, depth + 1)
                if schema is not None:
                    return schema
        return None


def table_args_schema(info: ClassInfo) -> str | None:
    """``{"schema": "s"}`` or a tuple ending with such a dict."""
    args = single_value(info.body.get("__table_args__"))
    if isinstance(args, cst.Tuple) and args.elements:
        args = args.elements[-1].value
    if not isinstance(args, cst.Dict):
        return None
    for element in args.elements:
        if isinstance(element, cst.DictElement) and string_value(element.key) == "schema":
            return string_value(element.value)
    return None


def tablename(info: ClassInfo) -> str | None:
    """The literal ``__tablename__`` of a class body."""
    return string_value(single_value(info.body.get("__tablename__")))


def single_value(bindings: list[Binding] | None) -> cst.CSTNode | None:
    """The value of a name assigned exactly once (and bound no other way)."""
    if bindings and len(bindings) == 1 and bindings[0].kind is BindingKind.ASSIGN:
        return bindings[0].value
    return None
