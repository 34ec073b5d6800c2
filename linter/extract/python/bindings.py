"""The walk: how names get bound, per scope and per class, and what is
imported, and every call met on the way. It needs no positions; the main
pass then judges those calls and asks it what a name holds (single-assignment
constant propagation, Prisma client recognition), and the SQLAlchemy
knowledge reads its classes and imports.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from hos_lint.extract.python.syntax import dotted
from hos_lint.extract.python.walker import Walker


class BindingKind(enum.Enum):
    """How a name gets bound."""

    ASSIGN = "assign"  # x = value, x: T = value, (x := value)
    AUGADD = "augadd"  # x += value
    PARAM = "param"  # a function parameter; the binding's value is the `Param`
    ANNOTATION = "annotation"  # x: T (no value); the binding's value is the annotation
    WITH = "with"  # with value as x
    IMPORT = "import"
    OTHER = "other"  # loops, unpacking, `except ... as`, definitions, global/nonlocal...


@dataclass(frozen=True, slots=True)
class Binding:
    """One way a name gets bound in a scope, in source order."""

    kind: BindingKind
    value: cst.CSTNode | None = None


_OTHER = Binding(BindingKind.OTHER)
_IMPORT = Binding(BindingKind.IMPORT)

Lookup = Callable[[str], Sequence[Binding]]
Scope = dict[str, list[Binding]]
NO_BINDINGS: tuple[Binding, ...] = ()


def no_lookup(name: str) -> Sequence[Binding]:
    return NO_BINDINGS


@dataclass(slots=True)
class ClassInfo:
    """A class definition: its node and what its body and methods bind on ``self``."""

    node: cst.ClassDef
    body: Scope = field(default_factory=dict)
    # self.<attr> bindings, each with the function it was made in
    self_attrs: dict[str, list[tuple[Binding, cst.FunctionDef]]] = field(default_factory=dict)


class Collector(Walker):
    """The one walk over the tree: imports, name bindings per scope, classes,
    and every call with its ancestors (``calls``), for the main pass to judge
    once every binding is known."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(module.default_indent)
        self.module = module
        self.imports: dict[str, str] = {}  # local name -> dotted origin ("sqlalchemy.Table")
        self.from_names: set[str] = set()  # names bound by `from x import Name`
        self.scopes: dict[cst.CSTNode, Scope] = {module: {}}
        self.classes: dict[str, ClassInfo] = {}  # first class of each name
        self.class_list: list[ClassInfo] = []
        self.classes_by_node: dict[cst.CSTNode, ClassInfo] = {}
        self.calls: list[tuple[cst.Call, list[cst.CSTNode]]] = []  # in source order, each with its ancestors
        self._scope_stack: list[cst.CSTNode] = [module]

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, self.stack.copy()))

    # scopes
    def _bind(self, name: str, binding: Binding) -> None:
        scope = self._scope_stack[-1]
        if isinstance(scope, cst.ClassDef):
            self.classes_by_node[scope].body.setdefault(name, []).append(binding)
            return
        self.scopes[scope].setdefault(name, []).append(binding)

    def _bind_target(self, target: cst.CSTNode, binding: Binding) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, _OTHER)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, _OTHER)
        elif isinstance(target, cst.Attribute) and dotted(target.value) == "self":
            self._bind_self(target.attr.value, binding)

    def _bind_self(self, attr: str, binding: Binding) -> None:
        function = self._scope_stack[-1]
        owner = next((n for n in reversed(self._scope_stack) if isinstance(n, cst.ClassDef)), None)
        if owner is not None and isinstance(function, cst.FunctionDef):
            self.classes_by_node[owner].self_attrs.setdefault(attr, []).append((binding, function))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, _OTHER)
        self._scope_stack.append(node)
        self.scopes[node] = {}
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind(param.name.value, Binding(BindingKind.PARAM, param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, _OTHER)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scope_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, _OTHER)
        info = ClassInfo(node)
        self.class_list.append(info)
        self.classes_by_node[node] = info
        self.classes.setdefault(node.name.value, info)
        self._scope_stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scope_stack.pop()

    # bindings
    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1
        for target in node.targets:
            self._bind_target(target.target, Binding(BindingKind.ASSIGN, node.value) if single else _OTHER)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, Binding(BindingKind.ASSIGN, node.value))
        else:
            self._bind_target(node.target, Binding(BindingKind.ANNOTATION, node.annotation.annotation))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        kind = BindingKind.AUGADD if isinstance(node.operator, cst.AddAssign) else BindingKind.OTHER
        self._bind_target(node.target, Binding(kind, node.value))

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, _OTHER)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, _OTHER)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, Binding(BindingKind.WITH, node.item))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, _OTHER)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, Binding(BindingKind.ASSIGN, node.value))

    def visit_Global(self, node: cst.Global) -> None:
        self._bind_names(node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._bind_names(node.names)

    def _bind_names(self, items: Sequence[cst.NameItem]) -> None:
        for item in items:
            self._bind(item.name.value, _OTHER)

    # imports
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local, origin = alias.asname.name.value, name
            else:
                local = origin = name.split(".")[0]
            self.imports[local] = origin
            self._bind(local, _IMPORT)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = "." * len(node.relative) + ((dotted(node.module) or "") if node.module else "")
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports[local] = f"{module}.{name}"
            self.from_names.add(local)
            self._bind(local, _IMPORT)
