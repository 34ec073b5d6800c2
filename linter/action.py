"""The GitHub Action (``action.yml`` at the repository root) runs ``python -m hos_lint.action``.

One process does what a workflow would otherwise assemble from three ``hos-lint check``
steps:

- the gate: on ``pull_request`` with ``changed-only`` (the default), the files changed
  since the merge-base of ``origin/$GITHUB_BASE_REF`` and HEAD (``--changed-since``),
  else PATHS; its findings become annotations (``--format github``, capped as GitHub
  shows them) and decide the exit code (1 at or above ``fail-on``);
- the step summary: the gate's Markdown summary appended to ``$GITHUB_STEP_SUMMARY``;
- the SARIF file for code scanning: every finding of the project (or PATHS), so that
  code scanning never reads a finding outside the change as fixed;
- the step's outputs (``$GITHUB_OUTPUT``): the gate's counts and the SARIF path.

The inputs arrive as environment variables (``INPUT_PATHS``, ``INPUT_FAIL_ON``,
``INPUT_CHANGED_ONLY``, ``INPUT_SARIF``, ``INPUT_SUMMARY``), never interpolated into a
shell script, and are validated here: a bad value is exit 2 with an ``::error``
annotation saying which input. Exit codes are the CLI's: 0, 1, 2, 3 (internal error).
"""
from __future__ import annotations

import os
import sys
import traceback
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TextIO

from hos_lint import app, cli  # cli: the exit codes and the stderr notices a check prints
from hos_lint.filenames import escape
from hos_lint.manifest import FAIL_ON, ManifestError
from hos_lint.model import Severity
from hos_lint.outfile import OutputError, check_target, write_text
from hos_lint.output import RenderOptions, github, markdown, sarif
from hos_lint.registry import load_catalog
from hos_lint.rule import Catalog

PULL_REQUEST_EVENTS = ("pull_request",)
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True, kw_only=True)
class Inputs:
    """The action's inputs, validated."""

    paths: tuple[str, ...] = ()
    fail_on: str | None = None  # None: the manifest's rules.fail_on
    changed_only: bool = True
    sarif: str = ""  # "" writes no SARIF file
    summary: bool = True


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The inputs from ``INPUT_*`` variables; raise UsageError naming the input."""
    fail_on = env.get("INPUT_FAIL_ON", "").strip() or None
    if fail_on is not None and fail_on not in FAIL_ON:
        raise app.UsageError(f"input fail-on: expected one of {', '.join(FAIL_ON)} or empty, got {fail_on!r}")
    sarif_path = env.get("INPUT_SARIF", "").strip()
    if any(c in sarif_path for c in "\r\n\0"):
        raise app.UsageError(f"input sarif: a file path on one line, got {sarif_path!r}")
    return Inputs(paths=tuple(env.get("INPUT_PATHS", "").split()), fail_on=fail_on,
                  changed_only=_flag(env, "INPUT_CHANGED_ONLY", "changed-only", True), sarif=sarif_path,
                  summary=_flag(env, "INPUT_SUMMARY", "summary", True))


def _flag(env: Mapping[str, str], variable: str, name: str, default: bool) -> bool:
    value = env.get(variable, "").strip().lower()
    if not value:
        return default
    if value not in _TRUE + _FALSE:
        raise app.UsageError(f"input {name}: expected true or false, got {env[variable]!r}")
    return value in _TRUE


def base_ref(inputs: Inputs, env: Mapping[str, str]) -> str | None:
    """The ref the gate compares with: ``origin/<base branch>`` on a pull request with
    ``changed-only``, else None (the whole project, or PATHS)."""
    if not inputs.changed_only or env.get("GITHUB_EVENT_NAME", "") not in PULL_REQUEST_EVENTS:
        return None
    base = env.get("GITHUB_BASE_REF", "")
    if not base:
        raise app.UsageError("changed-only: GITHUB_BASE_REF is empty on a pull_request event")
    return f"origin/{base}"


def run(env: Mapping[str, str], out: TextIO) -> int:
    """The gate, the summary, the SARIF file and the outputs; the gate's exit code."""
    inputs = read_inputs(env)
    missing = [p for p in inputs.paths if not os.path.lexists(p)]
    if missing:  # else a gate over changed files under them would pass, having checked nothing
        raise app.UsageError("\n".join(f"input paths: {p}: no such file or directory" for p in missing))
    ref = base_ref(inputs, env)
    if inputs.sarif:
        check_target(inputs.sarif, "input sarif")
    options = app.Options(paths=inputs.paths, fail_on=inputs.fail_on, jobs=os.cpu_count() or 1, auto_jobs=True,
                          notify=cli._notice)
    catalog = load_catalog()
    gate = app.check(options, catalog, ref)
    summary_file = env.get("GITHUB_STEP_SUMMARY", "") if inputs.summary else ""
    elsewhere = tuple(where for where, on in (("the job summary", summary_file), (inputs.sarif, inputs.sarif)) if on)
    if isinstance(gate, app.NothingChanged):
        out.write(f"No files changed since {gate.ref}.\n")
    else:
        cli._tell_run(gate)
        out.write(github.render(gate, catalog, RenderOptions(elsewhere=elsewhere)))
    if summary_file:
        _append(summary_file, _summary(gate, catalog, ref, inputs.sarif))
    if inputs.sarif:
        whole = gate if ref is None and not isinstance(gate, app.NothingChanged) else \
            app.run(replace(options, notify=None), catalog)
        write_text(inputs.sarif, sarif.render(whole, catalog, RenderOptions()), "input sarif")
    findings = () if isinstance(gate, app.NothingChanged) else gate.findings
    counts = Counter(f.severity for f in findings)
    outputs = {"findings": len(findings), "errors": counts[Severity.ERROR], "warnings": counts[Severity.WARNING],
               "info": counts[Severity.INFO], "sarif": inputs.sarif}
    if env.get("GITHUB_OUTPUT"):
        _append(env["GITHUB_OUTPUT"], "".join(f"{name}={value}\n" for name, value in outputs.items()))
    failed = not isinstance(gate, app.NothingChanged) and gate.failed
    return cli.EXIT_FINDINGS if failed else cli.EXIT_OK


def _summary(gate: app.RunResult | app.NothingChanged, catalog: Catalog, ref: str | None, sarif_path: str) -> str:
    """The gate's Markdown summary and one line on what it covered."""
    if isinstance(gate, app.NothingChanged):
        text = f"## ✅ hos-lint: passed\n\nNo files changed since {markdown.code(gate.ref)}.\n"
    else:
        text = markdown.render(gate, catalog, RenderOptions())
    scope = (f"the files changed since the merge-base of {markdown.code(ref)} and HEAD (the whole project when "
             "an ownership input changed)") if ref else "the project"
    line = f"\nChecked {scope}" + (f"; {markdown.code(sarif_path)} holds every finding of the project"
                                   if sarif_path else "") + ".\n"
    return text + line


def _append(path: str, text: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    """Run the action; errors become ``::error`` annotations and the CLI's exit codes."""
    stream = out or sys.stdout
    try:
        return run(os.environ if env is None else env, stream)
    except ManifestError as err:
        return _fail(stream, err.errors, cli.EXIT_USAGE)
    except (app.UsageError, OutputError) as err:
        return _fail(stream, str(err).splitlines() or [""], cli.EXIT_USAGE)
    except Exception as err:  # noqa: BLE001 - the action's boundary: an annotation and exit 3
        traceback.print_exc()
        return _fail(stream, [f"internal error: {type(err).__name__}: {err}"], cli.EXIT_INTERNAL)


def _fail(out: TextIO, lines: list[str], code: int) -> int:
    for line in lines:
        out.write(escape(f"::error title=hos-lint::{github.escape_data(line)}\n"))
    return code


if __name__ == "__main__":
    sys.exit(main())
