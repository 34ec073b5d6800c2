"""Command line (click). Parses arguments, calls ``app``, picks a formatter,
writes the output and maps errors to exit codes:

0 nothing at or above ``fail_on``; 1 findings at or above it; 2 usage or
configuration error, or an output or baseline file that cannot be written or read
(one clear line, no traceback); 3 internal error; 130 interrupted (Ctrl-C), with
the cache as it was; 143 terminated (SIGTERM) during a pooled run.
"""
from __future__ import annotations

import os
import sys
import traceback

import click

from linter import __version__

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


def _codes(value: str | None) -> tuple[str, ...]:
    """Comma-separated rule codes, names or code prefixes, as given (checked by the app)."""
    return tuple(c.strip() for c in (value or "").split(",") if c.strip())


def _options(paths, config, select, ignore, fail_on, jobs, no_cache=False, **extra):
    from linter.app import Options

    return Options(paths=tuple(paths), config=config, select=_codes(select), ignore=_codes(ignore),
                   fail_on=fail_on, jobs=jobs or (os.cpu_count() or 1), cache=not no_cache, notify=_notice, **extra)


def _notice(message: str) -> None:
    click.echo(f"hos-lint: {message}", err=True)


def _emit(text: str, output: str | None) -> None:
    if output:
        from linter.outfile import write_text

        write_text(output, text)  # a temporary file renamed into place
    else:
        click.echo(text, nl=False)


def _check_output(output: str | None) -> None:
    """Refuse an --output that cannot be written before doing any work."""
    if output:
        from linter.outfile import check_target

        check_target(output)


def _color(output: str | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


common = [
    click.option("--config", type=click.Path(dir_okay=False), help="Manifest file (default: nearest hos-lint.yaml)."),
    click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: cores)."),
    click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write .hos-lint-cache/."),
]


def with_common(fn):
    for option in reversed(common):
        fn = option(fn)
    return fn


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
def check(paths, config, jobs, debug, no_cache, fmt, output, select, ignore, fail_on, show_source, statistics, quiet,
          baseline_file, no_baseline, changed_since):
    """Check PATHS (default: the whole project) for cross-service data access."""
    def body():
        from dataclasses import replace

        from linter import app
        from linter.outfile import shown
        from linter.output import FORMATTERS, RenderOptions
        from linter.registry import load_catalog

        _check_output(output)
        catalog = load_catalog()
        opts = _options(paths, config, select, ignore, fail_on, jobs, no_cache, baseline=baseline_file,
                        no_baseline=no_baseline)
        if changed_since:
            changed = app.changed_scope(changed_since, opts)
            if changed.widened:
                every = "every file under the given paths" if paths else "the whole project"
                click.echo(f"hos-lint: {changed.widened}; checking {every}", err=True)
            elif not changed.files:
                click.echo(f"No files changed since {shown(changed_since)}.")
                return EXIT_OK
            else:
                opts = replace(opts, paths=changed.files, paths_from_git=True)
        result = app.run(opts, catalog)
        if result.inferred:
            _announce_inferred(result)
        for notice in result.databases:
            click.echo(f"hos-lint: {_printable(notice.reason)}", err=True)
        _tell_skipped(result.skipped)
        sources = _source_lines(result) if show_source else {}
        options = RenderOptions(color=_color(output) and fmt == "text", show_source=show_source,
                                sources=sources, statistics=statistics, quiet=quiet, cwd=os.getcwd())
        _emit(FORMATTERS[fmt](result, catalog, options), output)
        return EXIT_FINDINGS if result.failed else EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path())
def accesses(paths, config, jobs, debug, no_cache, fmt, output):
    """Every database access extracted from PATHS, resolved to its relation and owner."""
    def body():
        from linter import app
        from linter.output import ACCESSES_FORMATTERS

        _check_output(output)
        project = app.analyse(_options(paths, config, None, None, None, jobs, no_cache))
        _tell_skipped(project.skipped)
        _emit(ACCESSES_FORMATTERS[fmt](project), output)
        return EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def ownership(paths, config, jobs, debug, no_cache, fmt):
    """Every known relation, its owner and where that knowledge came from."""
    def body():
        from linter import app
        from linter.output import OWNERSHIP_FORMATTERS

        project = app.analyse(_options(paths, config, None, None, None, jobs, no_cache))
        _tell_skipped(project.skipped)
        click.echo(OWNERSHIP_FORMATTERS[fmt](project), nl=False)
        return EXIT_OK

    sys.exit(_guard(body, debug))


def _source_lines(result) -> dict:
    """(path, line) -> text of every flagged line, for --show-source."""
    from pathlib import Path

    from linter.embedded import split_lines

    out, cache = {}, {}
    for f in result.findings:
        path = f.location.path
        if path not in cache:
            try:
                data = (Path(result.root) / path).read_bytes().decode("utf-8-sig", errors="replace")
                cache[path] = split_lines(data)  # the lines extraction counted (CR, LF, CR LF)
            except OSError:
                cache[path] = []
        lines = cache[path]
        if 0 < f.location.line <= len(lines):
            out[(path, f.location.line)] = lines[f.location.line - 1]
    return out


def _tell_skipped(lines) -> None:
    """One line per named file that the configuration excludes (not checked)."""
    from linter.output.safe import printable

    for line in lines:
        click.echo(f"hos-lint: {printable(line)}", err=True)


def _printable(text: str) -> str:
    """Names from the project (folders, files) with control characters made visible,
    so they cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _announce_inferred(result) -> None:
    count = len(result.services)
    click.echo(f"hos-lint: no hos-lint.yaml found; inferred {count} service{'s' if count != 1 else ''} and their "
               f"schemas from the layout of {_printable(result.root)} (`hos-lint init` writes them down for review)", err=True)
    for name in result.legacy:
        click.echo(f"hos-lint: {_printable(name)} keeps its tables in public while other services own schemas: inferred "
                   "legacy: true (the monolith being decomposed; its findings are info)", err=True)


@cli.command(name="init")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing hos-lint.yaml.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def init(path, force, debug):
    """Draft hos-lint.yaml at the project root (the repository holding PATH, default: the cwd)."""
    def body():
        from linter import app

        paths = (path,) if path else ()
        target, manifest = app.write_init(_options(paths, None, None, None, None, 1), force)
        known = sum(1 for s in manifest.services if s.schema)
        shown = os.path.relpath(target) if str(target).startswith(os.getcwd().rstrip(os.sep) + os.sep) else target
        click.echo(f"Wrote {shown} with {len(manifest.services)} services ({known} with a schema); "
                   "review each value, then commit it.")
        return EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command(name="baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--baseline", "baseline_file", type=click.Path(),
              help="Baseline file (default: hos-lint-baseline.json at the project root).")
@click.option("--update-baseline", is_flag=True, help="Required to write the baseline when CI is set.")
def write_baseline(paths, config, jobs, debug, no_cache, baseline_file, update_baseline):
    """Write every current finding to the baseline, so `check` fails only on new ones."""
    def body():
        from linter import app

        if os.environ.get("CI", "").lower() not in ("", "0", "false") and not update_baseline:
            click.echo("hos-lint: CI is set: the baseline is only written with --update-baseline", err=True)
            return EXIT_USAGE
        path, count = app.write_baseline(_options(paths, config, None, None, None, jobs, no_cache,
                                                             baseline=baseline_file))
        click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {path.name}.")
        return EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command(name="why")
@click.argument("target", metavar="PATH:LINE")
@with_common
def why(target, config, jobs, debug, no_cache):
    """Explain the accesses and findings on one line: call site → model → owner → rule → ways out."""
    def body():
        from pathlib import Path

        from linter import app
        from linter.discovery import relative_to_root
        from linter.output import why as why_output

        path, _, line = target.rpartition(":")
        if not path or not line.isdigit():
            raise app.UsageError(f"expected PATH:LINE, got {target!r}")
        project, findings = app.check_all(_options((path,), config, None, None, None, jobs, no_cache))
        _tell_skipped(project.skipped)
        rel = relative_to_root(Path(path), project.manifest.root)
        click.echo(why_output.render(project, findings, rel or path, int(line)), nl=False)
        return EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command(name="report")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--format", "fmt", type=click.Choice(["md", "html", "mermaid", "dot", "json"]), default="md",
              show_default=True)
@click.option("--output", "-o", type=click.Path(), help="Write the report to a file.")
@click.option("--diff", "diff_ref", metavar="GIT_REF", help="What changed since GIT_REF, as markdown.")
@click.option("--link-base", default="", help="Prefix for file links in HTML (e.g. a repository blob URL).")
def report_cmd(paths, config, jobs, debug, no_cache, fmt, output, diff_ref, link_base):
    """Services x owners access matrix, foreign relations touched and the dependency graph."""
    def body():
        from dataclasses import replace

        from linter import app, gitref, report
        from linter.output import REPORT_FORMATTERS, DiffOptions, ReportOptions, report_diff

        _check_output(output)
        opts = _options(paths, config, None, None, None, jobs, no_cache)
        project, findings = app.check_all(opts)
        _tell_skipped(project.skipped)
        new = report.build_report(project.manifest, project.context, project.accesses, findings)
        if not diff_ref:
            _emit(REPORT_FORMATTERS[fmt](new, ReportOptions(link_base=link_base)), output)
            return EXIT_OK
        try:
            with gitref.checkout(diff_ref, project.manifest.root) as old_root:
                old_p, old_f = app.check_all(replace(opts, paths=(str(old_root),), config=None, cache=False))
                old = report.build_report(old_p.manifest, old_p.context, old_p.accesses, old_f)
        except gitref.GitRefError as err:
            raise app.UsageError(f"--diff: {err}") from None
        _emit(report_diff.render(report.diff_reports(old, new), DiffOptions(ref=diff_ref)), output)
        return EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command(name="grants")
@click.argument("paths", nargs=-1, type=click.Path())
@with_common
@click.option("--service", help="Only this service's role.")
@click.option("--output", "-o", type=click.Path(), help="Write the SQL to a file.")
def grants_cmd(paths, config, jobs, debug, no_cache, service, output):
    """Phase 5: least-privilege per-service roles and GRANTs as idempotent SQL."""
    def body():
        from linter import app, grants

        _check_output(output)
        project = app.analyse(_options(paths, config, None, None, None, jobs, no_cache))
        _tell_skipped(project.skipped)
        try:
            _emit(grants.generate_grants(project.manifest, project.context, service), output)
        except grants.UnknownService as err:
            raise app.UsageError(str(err)) from None
        return EXIT_OK

    sys.exit(_guard(body, debug))


@cli.command(name="rules")
def list_rules():
    """List every rule: code, name, default severity, summary."""
    from linter.registry import load_catalog

    for rule in load_catalog().rules:
        click.echo(f"{rule.code}  {rule.name:<34} {rule.severity.value:<8} {rule.summary}")


@cli.command(name="rule")
@click.argument("code")
def show_rule(code):
    """Print the documentation of one rule (by code or name)."""
    from linter.registry import load_catalog

    catalog = load_catalog()
    rule = catalog.get(code)
    if rule is None:
        click.echo(f"hos-lint: {catalog.unknown(code, prefixes=False)}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"# {rule.name} ({rule.code})\n\nDefault severity: {rule.severity.value}\n")
    click.echo(rule.doc.strip())


def _guard(body, debug: bool) -> int:
    """Run a command body, mapping errors to exit codes 2 and 3."""
    from linter.app import UsageError
    from linter.manifest import ManifestError
    from linter.outfile import OutputError
    from linter.output.safe import printable

    try:
        return body()
    except ManifestError as err:
        for line in err.errors:
            click.echo(f"hos-lint: {printable(line)}", err=True)
        return EXIT_USAGE
    except (UsageError, OutputError) as err:
        for line in str(err).splitlines() or [""]:
            click.echo(f"hos-lint: {printable(line)}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("hos-lint: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - the CLI boundary: exit 3 with a short message
        if debug:
            traceback.print_exc()
        click.echo(f"hos-lint: internal error: {type(err).__name__}: {printable(str(err))} "
                   "(run with --debug for the traceback)", err=True)
        return EXIT_INTERNAL


def main() -> None:
    cli(prog_name="hos-lint")
