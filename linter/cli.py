"""Command line (click). Parses arguments, calls ``app``, picks a formatter,
writes the output and maps errors to exit codes:

0 nothing at or above ``fail_on``; 1 findings at or above it; 2 usage or
configuration error, or an output or baseline file that cannot be written or read
(one clear line, no traceback); 3 internal error; 130 interrupted (Ctrl-C), with
the cache as it was; 143 terminated (SIGTERM) during a pooled run.

Every command body returns its exit code; ``@guarded`` turns errors into theirs
and exits, ``@with_options`` builds the run's ``Options`` once from the
parameters every analysing command shares.
"""
from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hos_lint import __version__

if TYPE_CHECKING:
    from hos_lint.app import Options, RunResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")


class DefaultGroup(click.Group):
    """``hos-lint services/`` means ``hos-lint check services/``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="hos-lint")
def cli() -> None:
    """hos-lint: find database accesses that cross service boundaries."""


# --- what every command shares ---------------------------------------------------------

Body = Callable[..., int]


def guarded(body: Body) -> Callable[..., NoReturn]:
    """Run a command body and exit with the code it returns, or with the one its error
    maps to (``_exit_code``); ``--debug`` (when the command has it) shows tracebacks."""

    @functools.wraps(body)
    def command(*args: Any, debug: bool = False, **params: Any) -> NoReturn:
        sys.exit(_exit_code(functools.partial(body, *args, **params), debug))

    return command


def _exit_code(body: Callable[[], int], debug: bool) -> int:
    """Exit code 2 for a usage, manifest or output error (every line shown, escaped), 130 for
    Ctrl-C, 3 with one line for anything else. SystemExit (143 from SIGTERM) passes through."""
    from hos_lint.app import UsageError
    from hos_lint.manifest import ManifestError
    from hos_lint.outfile import OutputError

    try:
        return body()
    except ManifestError as err:
        _tell(*err.errors)
        return EXIT_USAGE
    except (UsageError, OutputError) as err:
        _tell(*(str(err).splitlines() or [""]))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _tell("interrupted")
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - the CLI boundary: exit 3 with a short message
        if debug:
            import traceback

            traceback.print_exc()
        _tell(f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)")
        return EXIT_INTERNAL


def with_options(body: Body) -> Body:
    """Pass the body ``Options`` built from the shared parameters (PATHS, --config, --jobs,
    --no-cache, --select, --ignore, --fail-on, --baseline, --no-baseline) that its command
    has; the body receives the others as they are."""

    @functools.wraps(body)
    def command(**params: Any) -> int:
        return body(_options(params), **params)

    return command


def _options(params: dict[str, Any]) -> Options:
    """The run's options, taking the shared parameters out of ``params``. A command
    without --jobs uses one process; --jobs left unset means one per core, when the
    files to parse are enough to pay for the pool (``auto_jobs``)."""
    from hos_lint.app import Options

    given = params.pop("jobs", 1)
    jobs = given or os.cpu_count() or 1
    return Options(paths=tuple(params.pop("paths", ())), config=params.pop("config", None),
                   select=_codes(params.pop("select", None)), ignore=_codes(params.pop("ignore", None)),
                   fail_on=params.pop("fail_on", None), jobs=jobs, auto_jobs=given is None,
                   cache=not params.pop("no_cache", False),
                   baseline=params.pop("baseline_file", None), no_baseline=params.pop("no_baseline", False),
                   notify=_notice)


def _codes(value: str | None) -> tuple[str, ...]:
    """Comma-separated rule codes, names or code prefixes, as given (checked by the app)."""
    return tuple(c.strip() for c in (value or "").split(",") if c.strip())


common = [
    click.option("--config", type=click.Path(dir_okay=False), help="Manifest file (default: nearest hos-lint.yaml)."),
    click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                 help="Worker processes (default: one per core, from 2 MB of files to parse)."),
    click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write .hos-lint-cache/."),
]


def with_common(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(common):
        fn = option(fn)
    return fn


def _notice(message: str) -> None:
    click.echo(f"hos-lint: {message}", err=True)


def _tell(*lines: str) -> None:
    """One ``hos-lint:`` line on stderr per line, with what the project named (folders,
    files, refs) made printable so that it cannot drive the terminal."""
    from hos_lint.safe import printable

    for line in lines:
        click.echo(f"hos-lint: {printable(line)}", err=True)


def _emit(text: str, output: str | None) -> None:
    if output:
        from hos_lint.outfile import write_text

        write_text(output, text)  # a temporary file renamed into place
    else:
        click.echo(text, nl=False)


def _check_output(output: str | None) -> None:
    """Refuse an --output that cannot be written before doing any work."""
    if output:
        from hos_lint.outfile import check_target

        check_target(output)


def _color(output: str | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


# --- commands ---------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(), help="Write the report to a file.")
@click.option("--select", help="Only these rules (comma-separated codes, code prefixes or names).")
@click.option("--ignore", help="Skip these rules (comma-separated codes, code prefixes or names).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
              help="Lowest severity that fails the run (default: manifest, else error).")
@click.option("--show-source", is_flag=True, help="Print the source line under each finding.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when there is nothing to report.")
@click.option("--baseline", "baseline_file", type=click.Path(),
              help="Baseline file (default: hos-lint-baseline.json at the project root, when present).")
@click.option("--no-baseline", is_flag=True, help="Ignore the baseline: report every finding.")
@click.option("--changed-since", metavar="GIT_REF", help="Check only files changed since this git ref.")
@click.option("--max-annotations", type=click.IntRange(min=0), default=None, metavar="N",
              help="--format github: at most N annotations of each level (default: manifest, else 10; 0: no cap).")
@guarded
@with_options
def check(options: Options, fmt: str, output: str | None, show_source: bool, statistics: bool, quiet: bool,
          changed_since: str | None, max_annotations: int | None) -> int:
    """Check PATHS (default: the whole project) for cross-service data access."""
    from hos_lint import app
    from hos_lint.outfile import shown
    from hos_lint.output import FORMATTERS, RenderOptions
    from hos_lint.registry import load_catalog

    if max_annotations is not None and fmt != "github":
        raise app.UsageError(f"--max-annotations applies to --format github only, not --format {fmt}")
    _check_output(output)
    catalog = load_catalog()
    result = app.check(options, catalog, changed_since)
    if isinstance(result, app.NothingChanged):
        click.echo(f"No files changed since {shown(result.ref)}.")
        return EXIT_OK
    _tell_run(result)
    render = RenderOptions(color=_color(output) and fmt == "text", show_source=show_source,
                           sources=app.source_lines(result) if show_source else {}, statistics=statistics,
                           quiet=quiet, cwd=os.getcwd(), max_annotations=max_annotations)
    _emit(FORMATTERS[fmt](result, catalog, render), output)
    return EXIT_FINDINGS if result.failed else EXIT_OK


def _services(count: int, with_schema: int) -> str:
    """``3 services (2 with a schema)``: how many services there are, and how many of them
    have a schema of their own (the rest own nothing, or only ``tables:`` in public)."""
    return f"{count} service{'s' if count != 1 else ''} ({with_schema} with a schema)"


def _tell_run(result: RunResult) -> None:
    """What a check says on stderr besides its report: the inferred services, the services
    on another database, the named files the configuration excludes."""
    if result.inferred:
        _tell(f"no hos-lint.yaml found; inferred {_services(len(result.services), result.services_with_schema)} "
              f"from the layout of {result.root} (`hos-lint init` writes them down for review)")
        for name in result.legacy:
            _tell(f"{name} keeps its tables in public while other services own schemas: inferred "
                  "legacy: true (the monolith being decomposed; its findings are info)")
    _tell(*(notice.reason for notice in result.databases))
    _tell(*result.skipped)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path())
@guarded
@with_options
def accesses(options: Options, fmt: str, output: str | None) -> int:
    """Every database access extracted from PATHS, resolved to its relation and owner."""
    from hos_lint import app
    from hos_lint.output import ACCESSES_FORMATTERS

    _check_output(output)
    project = app.analyse(options)
    _tell(*project.skipped)
    _emit(ACCESSES_FORMATTERS[fmt](project), output)
    return EXIT_OK


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
@with_options
def ownership(options: Options, fmt: str) -> int:
    """Every known relation, its owner and where that knowledge came from."""
    from hos_lint import app
    from hos_lint.output import OWNERSHIP_FORMATTERS

    project = app.analyse(options)
    _tell(*project.skipped)
    click.echo(OWNERSHIP_FORMATTERS[fmt](project), nl=False)
    return EXIT_OK


@cli.command(name="init")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing hos-lint.yaml.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guarded
@with_options
def init(options: Options, path: str | None, force: bool) -> int:
    """Draft hos-lint.yaml at the project root (the repository holding PATH, default: the cwd)."""
    from hos_lint import app

    target, manifest = app.write_init(options, path, force)
    known = sum(1 for s in manifest.services if s.schema)
    from hos_lint.outfile import shown

    where = os.path.relpath(target) if str(target).startswith(os.getcwd().rstrip(os.sep) + os.sep) else str(target)
    click.echo(f"Wrote {shown(where)} with {_services(len(manifest.services), known)}; "
               "review each value, then commit it.")
    return EXIT_OK


@cli.command(name="baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--baseline", "baseline_file", type=click.Path(),
              help="Baseline file (default: hos-lint-baseline.json at the project root).")
@click.option("--update-baseline", is_flag=True, help="Required to write the baseline when CI is set.")
@guarded
@with_options
def write_baseline(options: Options, update_baseline: bool) -> int:
    """Write every current finding to the baseline, so `check` fails only on new ones."""
    from hos_lint import app

    if os.environ.get("CI", "").lower() not in ("", "0", "false") and not update_baseline:
        raise app.UsageError("CI is set: the baseline is only written with --update-baseline")
    path, count = app.write_baseline(options)
    click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {path.name}.")
    return EXIT_OK


@cli.command(name="why")
@click.argument("target", metavar="PATH:LINE")
@with_common
@guarded
@with_options
def why(options: Options, target: str) -> int:
    """Explain the accesses and findings on one line: call site → model → owner → rule → ways out."""
    from hos_lint import app
    from hos_lint.output import why as why_output

    path, _, line = target.rpartition(":")
    if not path or not line.isdigit():
        raise app.UsageError(f"expected PATH:LINE, got {target!r}")
    explained = app.explain(options, path)
    if explained.lines is not None and not 1 <= int(line) <= explained.lines:
        lines = f"{explained.lines} line{'s' if explained.lines != 1 else ''}"
        raise app.UsageError(f"{path}:{line}: line out of range: the file has {lines}")
    _tell(*explained.project.skipped)
    click.echo(why_output.render(explained.project, explained.findings, explained.path, int(line)), nl=False)
    return EXIT_OK


@cli.command(name="report")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(["md", "markdown", "html", "mermaid", "dot", "json"]), default="md",
              show_default=True, help="md and markdown are the same.")
@click.option("--output", "-o", type=click.Path(), help="Write the report to a file.")
@click.option("--diff", "diff_ref", metavar="GIT_REF", help="What changed since GIT_REF, as markdown (--format md).")
@click.option("--link-base", default="", help="Prefix for file links in HTML (e.g. a repository blob URL).")
@guarded
@with_options
def report_cmd(options: Options, fmt: str, output: str | None, diff_ref: str | None, link_base: str) -> int:
    """Services x owners access matrix, foreign relations touched and the dependency graph."""
    from hos_lint import app
    from hos_lint.output import REPORT_FORMATTERS, DiffOptions, ReportOptions, report_diff

    if diff_ref and fmt not in ("md", "markdown"):
        raise app.UsageError(f"--diff writes markdown only; drop --format {fmt} or use --format md")
    _check_output(output)
    current = app.project_report(options)
    _tell(*current.project.skipped)
    if diff_ref:
        _emit(report_diff.render(app.diff_since(current, diff_ref), DiffOptions(ref=diff_ref)), output)
    else:
        _emit(REPORT_FORMATTERS[fmt](current.report, ReportOptions(link_base=link_base)), output)
    return EXIT_OK


@cli.command(name="grants")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--service", help="Only this service's role.")
@click.option("--check", "check_code", is_flag=True,
              help="List every access of the code the roles would deny (exit 1 if any).")
@click.option("--probes", is_flag=True,
              help="Write SQL that tries each access of the code as its service's role, and reports the outcome.")
@click.option("--output", "-o", type=click.Path(), help="Write the SQL (or the --check list) to a file.")
@guarded
@with_options
def grants_cmd(options: Options, service: str | None, check_code: bool, probes: bool, output: str | None) -> int:
    """Phase 5: least-privilege per-service roles and GRANTs as idempotent SQL."""
    from hos_lint import app

    if check_code and probes:
        raise app.UsageError("--check and --probes: choose one")
    _check_output(output)
    project = app.analyse(options)
    _tell(*project.skipped)
    if not (check_code or probes):
        _emit(app.grants_sql(project, service), output)
        return EXIT_OK
    checked = app.check_grants(project, service)
    _emit(app.grants_check_text(checked, probes), output)
    return EXIT_FINDINGS if checked.denied and not probes else EXIT_OK


@cli.command(name="schema")
@click.option("--output", "-o", type=click.Path(), help="Write the schema to a file.")
@guarded
def schema_cmd(output: str | None) -> int:
    """The JSON Schema of hos-lint.yaml, for editors (yaml-language-server)."""
    from hos_lint.manifest import json_schema

    _check_output(output)
    _emit(json_schema(), output)
    return EXIT_OK


@cli.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, default severity, summary."""
    from hos_lint.registry import load_catalog

    for rule in load_catalog().rules:
        click.echo(f"{rule.code}  {rule.name:<34} {rule.severity.value:<8} {rule.summary}")


@cli.command(name="rule")
@click.argument("code")
@guarded
def show_rule(code: str) -> int:
    """Print the documentation of one rule (by code or name)."""
    from hos_lint.app import UsageError
    from hos_lint.registry import load_catalog

    catalog = load_catalog()
    rule = catalog.get(code)
    if rule is None:
        raise UsageError(catalog.unknown(code, prefixes=False) or code)
    click.echo(f"# {rule.name} ({rule.code})\n\nDefault severity: {rule.severity.value}\n")
    click.echo(rule.doc.strip())
    return EXIT_OK


@cli.command(name="server")
@guarded
def server() -> int:
    """Run the language server over stdio (diagnostics, suppress and why actions, hovers)."""
    from hos_lint.app import UsageError

    try:
        from hos_lint.lsp.server import main as serve
    except ImportError as err:
        if (err.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        raise UsageError("hos-lint server needs pygls, which is not installed: pip install 'hos-lint[lsp]'") from None
    serve()
    return EXIT_OK


# The cyclic garbage collector's first generation, in allocations (CPython's default is 700).
# A run makes hundreds of thousands of small objects (syntax trees, records) that live
# until their file is done or the run ends, so a collection every 700 of them mostly
# walks live objects: at 10,000 a cold run of the generated 1,000-file tree takes ~10%
# less CPU for ~2 MB more memory (bench/RESULTS.md).
GC_THRESHOLD = (10_000, 10, 10)


def main() -> None:
    gc.set_threshold(*GC_THRESHOLD)
    cli(prog_name="hos-lint")
