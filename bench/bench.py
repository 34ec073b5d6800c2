"""Benchmark hos-lint on synthetic monorepos (SPEC §7 "Fast").

    .venv/bin/python bench/bench.py --scale 1000 [--scale 5000 ...] [--runs 3]
                                    [--out bench/RESULTS.md] [--profile] [--semgrep PATH]

For each scale a monorepo is generated (``bench/generate.py``) into a temp
folder, then hos-lint runs as a subprocess, exactly as a user runs it
(``hos-lint check --format json --output /dev/null``, ``--jobs`` default):

- cold: ``--no-cache``; and cold with a cleared ``.hos-lint-cache`` (the
  first real run, which also writes the cache);
- warm: cache populated by a previous run;
- pre-commit: 5 file paths on the command line, warm cache;
- semgrep (when found): ``semgrep scan`` with rules matching the same
  Prisma client calls, so the ratio is measured on the same tree.

Every figure is the median of ``--runs`` runs. Peak RSS is reported two
ways: the largest single process (``/usr/bin/time``-style ``ru_maxrss`` of
the waited child tree) and the sum over the live process tree (main process
plus pool workers), sampled from ``/proc`` every few milliseconds.
Not part of the test suite: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import Generated, generate  # noqa: E402

HOS_LINT = Path(sys.executable).parent / "hos-lint"
REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ".hos-lint-cache"
PRISMA_OPS = ("findMany", "findUnique", "findFirst", "count", "create", "update", "upsert", "delete")

TARGETS_NOTE = "Targets from the issue, judged on the smallest scale measured (meant for ~1,000 files / 5 MB, 2 cores)."

@dataclass(frozen=True, slots=True)
class Sample:
    """One subprocess run: wall and CPU (user+sys, whole process tree) seconds,
    largest process RSS and process-tree RSS (MB), exit code."""

    wall: float
    cpu: float
    max_rss_mb: float
    tree_rss_mb: float
    returncode: int


@dataclass(frozen=True, slots=True)
class Measure:
    """The median of several samples of one scenario."""

    name: str
    samples: tuple[Sample, ...]

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def max_rss_mb(self) -> float:
        return max(s.max_rss_mb for s in self.samples)

    @property
    def tree_rss_mb(self) -> float:
        return max(s.tree_rss_mb for s in self.samples)


@dataclass
class ScaleResult:
    files: int
    total_bytes: int
    measures: dict[str, Measure] = field(default_factory=dict)
    findings_exit: int = 0
    load: str = ""
    semgrep_note: str = ""


# --- running one command ------------------------------------------------------------------------


def _tree_rss_kb(pid: int) -> int:
    """Resident set of ``pid`` and all its descendants, in kB (0 once gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children", "rb") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def _sample_tree(pid: int, done: threading.Event, peak: list[int]) -> None:
    # Polls /proc rather than the Popen object: the main thread reaps the
    # child with wait4 to get its rusage, and must be the only one to reap it.
    while not done.is_set():
        peak[0] = max(peak[0], _tree_rss_kb(pid))
        done.wait(0.003)


def run_once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run ``cmd`` and measure wall time, peak single-process RSS and peak tree RSS.

    The single-process figure comes from ``wait4``'s rusage, which covers the
    child and the largest of its waited-for descendants (what ``/usr/bin/time``
    prints as "Maximum resident set size").
    """
    peak, done = [0], threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, peak), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{stderr}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[0] / 1024, proc.returncode)


def measure(name: str, cmd: list[str], cwd: Path, runs: int, before=None, env=None) -> Measure:
    """Run ``cmd`` ``runs`` times (calling ``before()`` ahead of each run)."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        samples.append(run_once(cmd, cwd, env))
    return Measure(name, tuple(samples))


def bench_env(workdir: Path) -> dict[str, str]:
    """The environment hos-lint runs in: bytecode caching on (as after ``pip
    install``), written under the work folder so the checkout stays clean."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    env.pop("CI", None)
    return env


def hos_lint(*args: str) -> list[str]:
    return [str(HOS_LINT), "check", "--format", "json", "--output", os.devnull, *args]


# --- scenarios ---------------------------------------------------------------------------------


def precommit_files(made: Generated) -> list[str]:
    """Five staged-looking files: repositories that touch Prisma, from different services."""
    picked, services = [], set()
    for path in made.files:
        svc = path.split("/")[1]
        if path.endswith(".repository.ts") and svc not in services:
            picked.append(path)
            services.add(svc)
        if len(picked) == 5:
            break
    return picked


def bench_scale(files: int, runs: int, semgrep: str | None, workdir: Path) -> ScaleResult:
    """Generate ``files`` files and measure every scenario on them (semgrep when given)."""
    root = workdir / f"monorepo-{files}"
    made = generate(root, files)
    result = ScaleResult(files=len(made.files), total_bytes=made.total_bytes)
    clear = lambda: shutil.rmtree(root / CACHE_DIR, ignore_errors=True)  # noqa: E731
    print(f"[{files}] generated {len(made.files)} files, {made.total_bytes / 1e6:.1f} MB", file=sys.stderr)
    m, env = result.measures, bench_env(workdir)
    run_once(hos_lint("--no-cache"), root, env)  # compiles every module once (.pyc), as an installed tool has
    m["cold"] = measure("cold (--no-cache)", hos_lint("--no-cache"), root, runs, env=env)
    m["first"] = measure("cold, cache cleared (writes it)", hos_lint(), root, runs, before=clear, env=env)
    run_once(hos_lint(), root, env)  # make sure the cache is complete
    m["warm"] = measure("warm (cache populated)", hos_lint(), root, runs, env=env)
    staged = precommit_files(made)
    m["precommit"] = measure("pre-commit, 5 files, warm", hos_lint(*staged), root, runs, env=env)
    m["precommit_cold"] = measure("pre-commit, 5 files, --no-cache", hos_lint("--no-cache", *staged), root, runs,
                                  env=env)
    result.findings_exit = m["cold"].samples[0].returncode
    if semgrep:
        rules = workdir / "semgrep-prisma.yaml"
        rules.write_text(semgrep_rules(), encoding="utf-8")
        cmd = [semgrep, "scan", "--config", str(rules), "--metrics=off", "--disable-version-check",
               "--json", "-q", "-o", os.devnull, "."]
        sg_env = {**env, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
        m["semgrep"] = measure("semgrep (Prisma call patterns)", cmd, root, runs, env=sg_env)
    shutil.rmtree(root, ignore_errors=True)
    result.load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return result


def semgrep_rules() -> str:
    """One semgrep rule per Prisma operation: ``$C.$M.<op>(...)`` (no ownership, so
    semgrep does strictly less work than hos-lint)."""
    out = ["rules:"]
    for op in PRISMA_OPS:
        out += [f"  - id: prisma-{op.lower()}", "    languages: [typescript]", "    severity: WARNING",
                f"    message: Prisma {op} call", f"    pattern: $C.$M.{op}(...)"]
    out += ["  - id: prisma-query-raw", "    languages: [typescript]", "    severity: WARNING",
            "    message: raw SQL", "    pattern: $C.$queryRaw`...`"]
    return "\n".join(out) + "\n"


def find_semgrep(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    return shutil.which("semgrep")


# --- profile ---------------------------------------------------------------------------------------


def profile_cold(files: int, workdir: Path, top: int = 20) -> str:
    """cProfile of a cold ``--no-cache`` run (``--jobs 1`` so the profile sees the extraction):
    the top ``top`` functions by cumulative time below the CLI/app call chain, then by own time."""
    import io
    import pstats

    root = workdir / f"profile-{files}"
    generate(root, files)
    stats_file = workdir / "cold.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "hos_lint", "check", "--no-cache",
           "--jobs", "1", "--format", "json", "--output", os.devnull]
    env = bench_env(workdir)
    subprocess.run(cmd, cwd=root, capture_output=True, env=env)  # compile modules first
    subprocess.run(cmd, cwd=root, capture_output=True, env=env)
    shutil.rmtree(root, ignore_errors=True)
    out = []
    for key, skip in (("cumulative", 18), ("tottime", 0)):
        buf = io.StringIO()
        stats = pstats.Stats(str(stats_file), stream=buf)
        stats.sort_stats(key).print_stats(top + skip)
        lines = buf.getvalue().splitlines()
        head = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        body = [line for line in lines[head + 1:] if line.strip()]
        out += [f"-- by {key}" + (f" (after the {skip} wrapper frames of the CLI/app call chain)" if skip else ""),
                lines[head], *body[skip: skip + top], ""]
    return "\n".join(out).replace(str(REPO_ROOT) + "/", "").replace(sys.prefix + "/", "")


# --- report ----------------------------------------------------------------------------------------


def table(result: ScaleResult) -> str:
    mb = result.total_bytes / 1e6
    rows = [f"### {result.files:,} files, {mb:.1f} MB", "",
            "| scenario | median wall (s) | median CPU (s) | files/s | MB/s | peak RSS, largest process (MB) "
            "| peak RSS, process tree (MB) |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for key, m in result.measures.items():
        whole = key in ("cold", "first", "warm", "semgrep")
        rate = f"{result.files / m.wall:,.0f}" if whole else "–"
        speed = f"{mb / m.wall:.1f}" if whole else "–"
        rows.append(f"| {m.name} | {m.wall:.3f} | {m.cpu:.2f} | {rate} | {speed} "
                    f"| {m.max_rss_mb:.0f} | {m.tree_rss_mb:.0f} |")
    runs = ", ".join(f"{s.wall:.3f}" for s in result.measures["cold"].samples)
    rows += ["", f"Cold runs: {runs} s. Load average after the scale: {result.load}. "
                 f"Exit code of the check: {result.findings_exit} "
             "(1 = findings, the planted cross-service accesses)."]
    if "semgrep" in result.measures:
        ratio = result.measures["semgrep"].wall / result.measures["cold"].wall
        rows.append(f"semgrep / hos-lint cold (--no-cache): **{ratio:.1f}×**.")
    return "\n".join(rows) + "\n"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def targets(results: list[ScaleResult]) -> str:
    """The issue's targets against the measured numbers (smallest scale; growth across scales)."""
    base = results[0].measures
    tree_rss = max(m.tree_rss_mb for key, m in base.items() if key != "semgrep")
    rows = [TARGETS_NOTE, "", "| target | goal | measured | verdict |", "|---|---|---|---|",
            f"| cold run (--no-cache) | ≤ 1.0 s | {base['cold'].wall:.2f} s | {_verdict(base['cold'].wall <= 1.0)} |",
            f"| warm run | ≤ 0.25 s | {base['warm'].wall:.2f} s | {_verdict(base['warm'].wall <= 0.25)} |",
            f"| pre-commit, 5 files (warm) | ≤ 0.35 s | {base['precommit'].wall:.2f} s "
            f"| {_verdict(base['precommit'].wall <= 0.35)} |",
            f"| peak RSS (process tree) | ≤ 250 MB | {tree_rss:.0f} MB | {_verdict(tree_rss <= 250)} |"]
    if len(results) > 1:
        small, large = results[0], results[-1]
        per_small = small.measures["cold"].cpu / small.files
        per_large = large.measures["cold"].cpu / large.files
        growth = per_large / per_small
        rows.append(f"| growth to {large.files:,} files | linear | CPU per file ×{growth:.2f} from "
                    f"{small.files:,} to {large.files:,} files | {_verdict(growth <= 1.25)} |")
    if "semgrep" in base:
        ratio = base["semgrep"].wall / base["cold"].wall
        rows.append(f"| against semgrep | ≥ 10× faster | {ratio:.1f}× | {_verdict(ratio >= 10)} |")
    return "\n".join(rows) + "\n"


def environment(semgrep: str | None) -> str:
    version = "not installed"
    if semgrep:
        version = subprocess.run([semgrep, "--version"], capture_output=True, text=True,
                                 env={**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"}).stdout.strip()
    return "\n".join([
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        f"- hos-lint run as `{HOS_LINT.name} check --format json --output /dev/null`, `--jobs` default (= cores)",
        f"- semgrep: {version}",
        f"- load average when the run started: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(other work on the machine inflates wall times; CPU seconds are less affected)",
    ]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark hos-lint on synthetic monorepos.")
    parser.add_argument("--scale", type=int, action="append", help="source files (repeatable; default 1000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the markdown report here (default: print it)")
    parser.add_argument("--semgrep", help="semgrep executable (default: semgrep on PATH)")
    parser.add_argument("--profile", action="store_true", help="add a cProfile top-20 of the cold 1k run")
    parser.add_argument("--semgrep-up-to", type=int, default=5000,
                        help="time semgrep only at scales up to this many files (it is slow)")
    args = parser.parse_args()
    semgrep = find_semgrep(args.semgrep)
    parts = ["# hos-lint benchmark results", "", environment(semgrep)]
    results = []
    with tempfile.TemporaryDirectory(prefix="hos-lint-bench-") as tmp:
        for files in sorted(args.scale or [1000]):
            with_semgrep = semgrep if files <= args.semgrep_up_to else None
            results.append(bench_scale(files, max(args.runs, 1), with_semgrep, Path(tmp)))
        parts += ["## Targets", "", targets(results), "## Measurements", ""]
        parts += [table(r) for r in results]
        if args.profile:
            parts += ["### cProfile, cold 1,000-file run (`--jobs 1 --no-cache`), top 20 by cumulative time",
                      "", "```", profile_cold(1000, Path(tmp)), "```", ""]
    report = "\n".join(parts)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
