"""Benchmark hos-lint against the floor and semgrep, every row of the speed table at once.

    .venv/bin/python bench/bench.py [--scale 1000 --scale 5000] [--with-20k] [--tree PATH ...]
                                    [--no-fixture] [--runs 3] [--out bench/RESULTS.md]
                                    [--semgrep PATH] [--ast-grep PATH] [--profile]

Trees measured: the bundled fixture (``fixtures/hos-marketplace``), a generated
monorepo (``bench/generate.py``) at each ``--scale`` (default 1,000 and 5,000;
``--with-20k`` adds 20,000) and every ``--tree`` given. Each tree is copied
into a temp folder first (without ``.git``, ``node_modules`` and any
``.hos-lint-cache``), so the benchmark never writes into it.

On each tree, side by side, in CPU seconds (user + sys of the process and its
waited-for children, i.e. pool workers included) and wall seconds:

- floor: ``bench/floor.py``, which reads every TS/JS file and parses it with
  tree-sitter, nothing else;
- cold: ``hos-lint check --no-cache`` with the default ``--jobs``, and with ``-j1``;
- warm: the cache populated by a previous run, nothing changed;
- pre-commit: 5 file paths on the command line, warm cache, each of the 5
  edited (a comment line appended) before every run, as staged files are: a
  run never recalls the previous one's result (``hos_lint.app.memo``);
- semgrep (two plain Prisma-call patterns) and ast-grep (the same two
  patterns), when installed or given.

Each row of the issue's table becomes a ratio (or an absolute figure where the
target is absolute) with its target and whether it holds. Every figure is the
median of ``--runs`` runs; peak RSS is the largest of the single-process
``ru_maxrss`` and the process-tree sum sampled from ``/proc``.
Not part of the test suite: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

from hos_lint.cache import RACY_MARGIN_NS  # noqa: E402

HOS_LINT = Path(sys.executable).parent / "hos-lint"
REPO_ROOT = Path(__file__).resolve().parent.parent
BOUNDS = Path(__file__).resolve().parent / "BOUNDS.md"
FLOOR = Path(__file__).resolve().parent / "floor.py"
FIXTURE = REPO_ROOT / "fixtures" / "hos-marketplace"
CACHE_DIR = ".hos-lint-cache"
NOT_COPIED = (".git", "node_modules", CACHE_DIR)
# The two plain Prisma-call patterns semgrep and ast-grep look for.
PATTERNS = ("$C.$M.findMany($$$ARGS)", "$C.$M.update($$$ARGS)")


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
    def rss_mb(self) -> float:
        return max(max(s.max_rss_mb, s.tree_rss_mb) for s in self.samples)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the issue's table on one tree."""

    scenario: str
    measured: str
    target: str
    holds: bool | None  # None: informative, no target on this tree
    miss: str = ""  # by how much it misses


@dataclass
class TreeResult:
    label: str
    files: int
    total_bytes: int
    generated: bool
    measures: dict[str, Measure] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""


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


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --- trees ---------------------------------------------------------------------------------------


def tree_files(root: Path) -> list[str]:
    """Every regular file under ``root`` (relative, sorted), outside the folders not copied."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_COPIED)
        for name in files:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                out.append(path.relative_to(root).as_posix())
    return sorted(out)


def copy_tree(source: Path, dest: Path) -> None:
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED))


def precommit_files(files: list[str]) -> list[str]:
    """Five staged-looking files: TypeScript that touches Prisma, from different
    folders where possible, else any five source files."""
    picked: list[str] = []
    folders: set[str] = set()
    ts = [f for f in files if f.endswith((".ts", ".tsx", ".js")) and "/" in f]
    preferred = [f for f in ts if f.endswith((".repository.ts", ".service.ts"))]
    for path in preferred + ts:
        folder = path.rsplit("/", 2)[0]
        if path not in picked and folder not in folders:
            picked.append(path)
            folders.add(folder)
        if len(picked) == 5:
            return picked
    for path in ts + files:
        if path not in picked:
            picked.append(path)
        if len(picked) == 5:
            break
    return picked


# --- scenarios ---------------------------------------------------------------------------------


def tool_rules(workdir: Path) -> tuple[Path, Path]:
    """Rule files for semgrep and ast-grep with the two Prisma-call patterns."""
    sg_lines = ["rules:"]
    ag_docs = []
    for n, pattern in enumerate(PATTERNS):
        sg_lines += [f"  - id: prisma-call-{n}", "    languages: [typescript]", "    severity: WARNING",
                     "    message: Prisma call", f"    pattern: {pattern.replace('$$$ARGS', '...')}"]
        ag_docs.append(f"id: prisma-call-{n}\nlanguage: TypeScript\nseverity: warning\n"
                       f"message: Prisma call\nrule:\n  pattern: {pattern}\n")
    semgrep_rules = workdir / "semgrep-prisma.yaml"
    semgrep_rules.write_text("\n".join(sg_lines) + "\n", encoding="utf-8")
    ast_grep_rules = workdir / "ast-grep-prisma.yaml"
    ast_grep_rules.write_text("---\n".join(ag_docs), encoding="utf-8")
    return semgrep_rules, ast_grep_rules


def bench_tree(label: str, root: Path, generated: bool, runs: int, tools: dict[str, str], workdir: Path,
               with_semgrep: bool) -> TreeResult:
    """Measure every scenario on ``root`` (a private copy: its cache is written there)."""
    files = tree_files(root)
    size = sum((root / f).stat().st_size for f in files)
    result = TreeResult(label, len(files), size, generated, load_before=_load())
    print(f"[{label}] {len(files)} files, {size / 1e6:.1f} MB", file=sys.stderr)
    m, env = result.measures, bench_env(workdir)
    clear: Callable[[], None] = lambda: shutil.rmtree(root / CACHE_DIR, ignore_errors=True)  # noqa: E731
    floor = [sys.executable, str(FLOOR), "."]
    run_once(floor, root, env)  # compiles and warms the page cache
    run_once(hos_lint("--no-cache"), root, env)
    m["floor"] = measure("floor (read + tree-sitter parse of every TS/JS file)", floor, root, runs, env=env)
    m["cold"] = measure("cold, `--no-cache`, default `--jobs`", hos_lint("--no-cache"), root, runs, env=env)
    m["cold_j1"] = measure("cold, `--no-cache`, `-j1`", hos_lint("--no-cache", "--jobs", "1"), root, runs,
                           env=env)
    clear()
    run_once(hos_lint(), root, env)  # populates the cache
    # the run above made the cache folder, so the root folder changed just now: the walk is kept
    # only once every folder is older than the racy margin (as on any tree not just written)
    time.sleep(RACY_MARGIN_NS / 1e9 + 0.2)
    run_once(hos_lint(), root, env)
    m["warm"] = measure("warm, nothing changed", hos_lint(), root, runs, env=env)
    staged = precommit_files(files)
    originals = {path: (root / path).read_bytes() for path in staged}
    edits = iter(range(1, 1_000_000))

    def edit_staged() -> None:
        n = next(edits)
        for path, data in originals.items():
            mark = "--" if path.endswith(".sql") else "#" if path.endswith((".py", ".sh", ".yaml", ".yml")) else "//"
            (root / path).write_bytes(data + f"\n{mark} staged edit {n}\n".encode())

    edit_staged()
    run_once(hos_lint(*staged), root, env)  # the cache also holds an earlier version of the staged files
    m["precommit"] = measure(f"pre-commit, {len(staged)} edited files, warm", hos_lint(*staged), root, runs,
                             before=edit_staged, env=env)
    for path, data in originals.items():
        (root / path).write_bytes(data)
    clear()  # the other tools see the tree as it was given
    semgrep_rules, ast_grep_rules = tool_rules(workdir)
    if with_semgrep and "semgrep" in tools:
        cmd = [tools["semgrep"], "scan", "--config", str(semgrep_rules), "--metrics=off",
               "--disable-version-check", "--json", "-q", "-o", os.devnull, "."]
        sg_env = {**env, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
        run_once(cmd, root, sg_env)
        m["semgrep"] = measure("semgrep, two Prisma-call patterns", cmd, root, runs, env=sg_env)
    if "ast-grep" in tools:
        cmd = [tools["ast-grep"], "scan", "--rule", str(ast_grep_rules), "--json=compact", "."]
        m["ast-grep"] = measure("ast-grep, the same two patterns", cmd, root, runs, env=env)
    clear()
    result.load_after = _load()
    result.rows = judge(result)
    return result


# --- the table ---------------------------------------------------------------------------------


def _ratio_row(scenario: str, value: float, target: float, at_most: bool, unit: str = "x") -> Row:
    holds = value <= target if at_most else value >= target
    sign = "≤" if at_most else "≥"
    miss = ""
    if not holds:
        miss = f"{value / target:.2f}x over" if at_most else f"{target / value:.2f}x short"
    shown = f"{value:.3f}{unit}" if unit == " s" else f"{value:.2f}{unit}"
    return Row(scenario, shown, f"{sign} {target:g}{unit}", holds, miss)


def judge(r: TreeResult) -> list[Row]:
    """The issue's table, row by row, on one tree."""
    m = r.measures
    floor = m["floor"].cpu
    rows = [_ratio_row("cold vs the floor (CPU)", m["cold"].cpu / floor, 2, True)]
    for tool in ("semgrep", "ast-grep"):
        if tool in m:
            row = _ratio_row(f"{tool} vs cold (CPU, how many times more)", m[tool].cpu / m["cold"].cpu, 20, False)
            if tool == "ast-grep":  # no target in the issue: shown for comparison
                row = Row(row.scenario, row.measured, "–", None)
            rows.append(row)
    rows.append(_ratio_row("warm vs the floor (CPU)", m["warm"].cpu / floor, 0.4, True))
    rows.append(_ratio_row("pre-commit, 5 edited files, warm (CPU s)", m["precommit"].cpu, 0.15, True, " s"))
    rows.append(_ratio_row("default `--jobs` vs `-j1` (wall)", m["cold"].wall / m["cold_j1"].wall, 1.0, True))
    per_file = m["cold"].cpu / max(r.files, 1) * 1000
    rows.append(_ratio_row("cold per file (CPU ms)", per_file, 1.5, True, " ms"))
    rows.append(_ratio_row("warm peak RSS (MB)", m["warm"].rss_mb, 150, True, " MB"))
    return rows


def linearity(results: list[TreeResult]) -> Row | None:
    """Cold CPU per file across the generated trees: linear if the largest is at
    most 1.25x the smallest."""
    gen = sorted((r for r in results if r.generated), key=lambda r: r.files)
    if len(gen) < 2:
        return None
    small, large = gen[0], gen[-1]
    growth = (large.measures["cold"].cpu / large.files) / (small.measures["cold"].cpu / small.files)
    row = _ratio_row(f"cold CPU per file, {large.files:,} vs {small.files:,} generated files", growth, 1.25, True)
    return row


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


def _holds(row: Row) -> str:
    if row.holds is None:
        return "–"
    return "yes" if row.holds else f"**no** ({row.miss})"


def ratios_table(r: TreeResult) -> str:
    lines = [f"### {r.label}: {r.files:,} files, {r.total_bytes / 1e6:.1f} MB", "",
             "| row | measured | target | holds |", "|---|---:|---:|---|"]
    lines += [f"| {row.scenario} | {row.measured} | {row.target} | {_holds(row)} |" for row in r.rows]
    return "\n".join(lines) + "\n"


def seconds_table(r: TreeResult) -> str:
    lines = [f"### {r.label}: {r.files:,} files, {r.total_bytes / 1e6:.1f} MB "
             f"(load average {r.load_before} before, {r.load_after} after)", "",
             "| scenario | median CPU (s) | median wall (s) | peak RSS (MB) | runs, wall (s) |",
             "|---|---:|---:|---:|---|"]
    for m in r.measures.values():
        walls = ", ".join(f"{s.wall:.3f}" for s in m.samples)
        lines.append(f"| {m.name} | {m.cpu:.3f} | {m.wall:.3f} | {m.rss_mb:.0f} | {walls} |")
    return "\n".join(lines) + "\n"


def misses(results: list[TreeResult], extra: Row | None) -> str:
    out = []
    for r in results:
        out += [f"- {r.label}: {row.scenario} is {row.measured} against {row.target} ({row.miss})"
                for row in r.rows if row.holds is False]
    if extra is not None and extra.holds is False:
        out.append(f"- {extra.scenario} is {extra.measured} against {extra.target} ({extra.miss})")
    return "\n".join(out or ["Every target holds on every tree measured."]) + "\n"


def tool_version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout.strip() or done.stderr.strip()).splitlines()[0] if done.returncode == 0 else "unknown"


def environment(tools: dict[str, str], command: str) -> str:
    lines = [f"Produced by `{command}`. Every figure is the median of the runs shown.", "",
             f"- date: {dt.date.today().isoformat()}",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
             f"- Python: {platform.python_version()}",
             f"- load average when the run started: {_load()} (other work on the machine inflates wall times; "
             "CPU seconds are less affected, which is why the ratios use CPU)"]
    for name in ("semgrep", "ast-grep"):
        lines.append(f"- {name}: " + (tool_version([tools[name], "--version"]) if name in tools
                                      else "not installed, its row is left out"))
    return "\n".join(lines) + "\n"


def find_tool(explicit: str | None, name: str) -> str | None:
    if explicit:
        return explicit
    return shutil.which(name)  # "ast-grep", never "sg": that name is also shadow-utils' command


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure hos-lint against the floor and semgrep.")
    parser.add_argument("--scale", type=int, action="append", help="generated tree size (repeatable; "
                        "default 1000 and 5000)")
    parser.add_argument("--with-20k", action="store_true", help="also measure a generated 20,000-file tree")
    parser.add_argument("--tree", type=Path, action="append", default=[], help="also measure this tree "
                        "(copied first; repeatable)")
    parser.add_argument("--no-fixture", action="store_true", help="skip the bundled fixture")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the markdown report here (default: print it)")
    parser.add_argument("--semgrep", help="semgrep executable (default: semgrep on PATH)")
    parser.add_argument("--ast-grep", dest="ast_grep", help="ast-grep executable (default: ast-grep on PATH)")
    parser.add_argument("--semgrep-up-to", type=int, default=5000,
                        help="run semgrep only on trees up to this many files (it is slow)")
    parser.add_argument("--profile", action="store_true", help="add a cProfile top-20 of a cold 1k run")
    args = parser.parse_args()
    tools = {name: path for name, path in (("semgrep", find_tool(args.semgrep, "semgrep")),
                                           ("ast-grep", find_tool(args.ast_grep, "ast-grep"))) if path}
    for tree in args.tree:
        if not tree.is_dir():
            parser.error(f"--tree {tree}: not a folder")
    scales = sorted(set(args.scale or [1000, 5000]) | ({20000} if args.with_20k else set()))
    command = "python bench/bench.py " + " ".join(sys.argv[1:])
    head = environment(tools, command.strip())
    results: list[TreeResult] = []
    runs = max(args.runs, 1)
    with tempfile.TemporaryDirectory(prefix="hos-lint-bench-") as tmp:
        work = Path(tmp)
        # (label, how to make the tree, generated, nominal size for --semgrep-up-to or None: count the files)
        todo: list[tuple[str, Callable[[Path], None], bool, int | None]] = []
        if not args.no_fixture:
            todo.append(("bundled fixture (fixtures/hos-marketplace)", lambda d: copy_tree(FIXTURE, d), False, None))
        for n in scales:
            todo.append((f"generated, {n:,} files", lambda d, n=n: None if generate(d, n) else None, True, n))
        for tree in args.tree:
            todo.append((f"given tree {tree.name}", lambda d, t=tree: copy_tree(t.resolve(), d), False, None))
        for i, (label, make, generated, nominal) in enumerate(todo):
            root = work / f"tree-{i}"
            make(root)
            size = nominal if nominal is not None else len(tree_files(root))
            results.append(bench_tree(label, root, generated, runs, tools, work, size <= args.semgrep_up_to))
            shutil.rmtree(root, ignore_errors=True)
        growth = linearity(results)
        parts = ["# hos-lint benchmark results", "", head,
                 "## Ratios", "",
                 "Each row of the speed table in the issue, on every tree measured. CPU is user + sys of the "
                 "process and its children (pool workers included). The per-file, pre-commit and RSS targets "
                 "are set for 1k-20k-file trees; on the small fixture they are shown for reference.", ""]
        parts += [ratios_table(r) for r in results]
        if growth is not None:
            parts += [f"Linear growth: {growth.scenario}: {growth.measured} (target {growth.target}): "
                      f"{_holds(growth)}.", ""]
        parts += ["## Targets not met", "", misses(results, growth)]
        if BOUNDS.is_file():  # the analysis of what bounds them, kept by hand beside the script
            parts += ["## What bounds them", "", BOUNDS.read_text(encoding="utf-8").strip(), ""]
        parts += [f"## Absolute figures (machine: {os.cpu_count()} cores, load average shown per tree)", ""]
        parts += [seconds_table(r) for r in results]
        if args.profile:
            parts += ["## cProfile, cold generated 1,000-file run (`--jobs 1 --no-cache`)", "", "```",
                      profile_cold(1000, work), "```", ""]
    report = "\n".join(parts)
    if args.out:
        args.out.write_text(report + _kept_sections(args.out), encoding="utf-8")
    print(report)


def _kept_sections(out: Path) -> str:
    """The sections other scripts keep in the report between their markers
    (``<!-- NAME:start -->`` … ``<!-- NAME:end -->``: bench/lsp_latency.py's), carried over."""
    try:
        text = out.read_text(encoding="utf-8")
    except OSError:
        return ""
    blocks = re.finditer(r"<!-- ([\w-]+):start -->.*?<!-- \1:end -->", text, re.S)
    return "".join(f"\n{block.group(0)}\n" for block in blocks)


if __name__ == "__main__":
    main()
