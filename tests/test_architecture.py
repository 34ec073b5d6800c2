"""What the import-linter contracts in pyproject.toml (run by test_static_checks.py)
do not say, checked with the stdlib ast: no import cycles inside a layer, the
command line reaches the pipeline only through the app, pure modules do no file
I/O, renderers are typed with one signature per kind of document, registries
agree with the modules they list, rules never touch ``ctx.project``."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def project_imports(path: Path) -> set[str]:
    return {m for m in imports_of(path) if m.split(".")[0] == "hos_lint"}


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def reached(path: Path) -> set[str]:
    """Every project module a file imports, counting ``from linter import app`` as ``linter.app``
    (and ``from linter.app import Options`` as ``linter.app.Options``: a prefix test finds both)."""
    out = set(project_imports(path))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.update(f"{node.module}.{a.name}" for a in node.names if node.module.split(".")[0] == "hos_lint")
    return out


def test_the_command_line_only_parses_and_prints():
    """cli.py reaches the pipeline through the app; it runs no stage itself."""
    stages = ("hos_lint.discovery", "hos_lint.extract", "hos_lint.context", "hos_lint.ownership", "hos_lint.engine",
              "hos_lint.policy", "hos_lint.suppressions", "hos_lint.baseline", "hos_lint.cache", "hos_lint.gitref",
              "hos_lint.grants", "hos_lint.grants_check", "hos_lint.resolve", "hos_lint.service_match")
    assert not {m for m in reached(ROOT / "linter/cli.py") if _within(m, *stages)}


def test_pure_modules_do_no_file_io():
    pure = [*(ROOT / "linter/extract").rglob("*.py"), *(ROOT / "linter/output").glob("*.py"),
            *(ROOT / "linter/resolve").glob("*.py")]
    pure += [ROOT / f"linter/{m}.py" for m in ("ownership", "engine", "policy", "context", "report", "analysis",
                                                "grants", "grants_check", "service_match")]
    for path in pure:
        text = path.read_text(encoding="utf-8")
        assert "open(" not in text and "read_text(" not in text and "read_bytes(" not in text, path.name


def test_output_and_report_functions_are_fully_annotated():
    """Every parameter and return of the renderers and the records they read is typed."""
    paths = [*(ROOT / "linter/output").glob("*.py"), ROOT / "linter/report.py", ROOT / "linter/analysis.py"]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            untyped = [a.arg for a in args if a.annotation is None and a.arg not in ("self", "cls")]
            assert not untyped and node.returns is not None, f"{path.name}:{node.lineno} {node.name} {untyped}"


def test_each_kind_of_document_has_one_renderer_signature():
    import inspect
    import typing

    from hos_lint.analysis import Project, RunResult
    from hos_lint.output import (
        ACCESSES_FORMATTERS,
        FORMATTERS,
        OWNERSHIP_FORMATTERS,
        REPORT_FORMATTERS,
        DiffOptions,
        RenderOptions,
        ReportOptions,
        report_diff,
    )
    from hos_lint.report import Report, ReportDiff
    from hos_lint.rule import Catalog

    def signature(fn: typing.Callable[..., str]) -> list[object]:
        hints = typing.get_type_hints(fn)
        return [hints[name] for name in inspect.signature(fn).parameters] + [hints["return"]]

    kinds = [(FORMATTERS, [RunResult, Catalog, RenderOptions, str]),
             (REPORT_FORMATTERS, [Report, ReportOptions, str]),
             (ACCESSES_FORMATTERS, [Project, str]), (OWNERSHIP_FORMATTERS, [Project, str]),
             ({"md": report_diff.render}, [ReportDiff, DiffOptions, str])]
    for registry, expected in kinds:
        for name, renderer in registry.items():
            assert signature(renderer) == expected, name
    assert list(FORMATTERS) == ["text", "json", "sarif", "github", "junit", "markdown"]
    assert list(REPORT_FORMATTERS) == ["md", "markdown", "html", "mermaid", "dot", "json"]


def test_the_cli_offers_exactly_the_registered_formats():
    from hos_lint.cli import FORMATS, cli
    from hos_lint.output import ACCESSES_FORMATTERS, FORMATTERS, OWNERSHIP_FORMATTERS, REPORT_FORMATTERS

    def choices(command: str) -> list[str]:
        (option,) = [p for p in cli.commands[command].params if p.name == "fmt"]
        return list(option.type.choices)

    assert list(FORMATS) == choices("check") == list(FORMATTERS)
    assert choices("report") == list(REPORT_FORMATTERS)
    assert choices("accesses") == list(ACCESSES_FORMATTERS)
    assert choices("ownership") == list(OWNERSHIP_FORMATTERS)


def test_extractor_registry_agrees_with_each_modules_handles():
    from hos_lint.extract import EXTRACTORS, _module, language_for

    samples = ["a.prisma", "x/schema.prisma", "a.ts", "A.TSX", "a.d.ts", "a.js", "a.mjs", "a.cjs", "a.mts",
               "a.d.mts", "a.sql", "a.SQL", "run.sh", "run.bash", "a.py", "a.pyi", ".env", ".env.local",
               "docker-compose.yml", "compose.yaml", "k8s/deploy.yaml", "README.md", ".env.ts", "a.json"]
    for path in samples:
        owner = next((_module(spec.module) for spec in EXTRACTORS if _module(spec.module).handles(path)), None)
        assert language_for(path) == (owner.LANGUAGE if owner else None), path


# --- the resolve stage -----------------------------------------------------------------------

def module_name(path: Path) -> str:
    """The installed name: ``linter/x.py`` is ``hos_lint.x``, ``rules/y.py`` is ``hos_lint.rules.y``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    parts = ({"linter": ("hos_lint",), "rules": ("hos_lint", "rules")}[parts[0]]) + parts[1:]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → project modules it imports anywhere (top level, functions, TYPE_CHECKING).
    ``from package import module`` imports that module, not the package (as import-linter counts it)."""
    paths = [*ROOT.glob("linter/**/*.py"), *ROOT.glob("rules/*.py")]
    modules = {module_name(p): p for p in paths}
    return {name: {m for m in _imported(path, modules) if m != name} for name, path in modules.items()}


def _imported(path: Path, modules: dict[str, Path]) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
            out |= submodules
            if len(submodules) < len(node.names):  # some names are not modules: the package itself
                out.add(node.module)
    return out & modules.keys()


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, as the path from a module back to itself (depth-first)."""
    found, done = [], set()

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            found.append(stack[stack.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, stack + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_rules_query_the_rule_context_and_never_reach_into_the_project():
    """``ctx.project`` is the engine's handle; a rule asks ``RuleContext`` (``ctx.models``,
    ``ctx.grants``, ``ctx.owner_of(...)``) and reads the resolved records it returns."""
    for path in (ROOT / "rules").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reached = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "project"]
        assert reached == [], path.name
