"""Shared fixtures.

``cluster``: a session-scoped throwaway PostgreSQL cluster started from the
server binaries (``initdb``/``pg_ctl`` on PATH or in
``/usr/lib/postgresql/*/bin``) in a temp dir, listening on a unix socket only
(``listen_addresses=''``), with ``trust`` auth and fsync off. PostgreSQL
refuses to run as root, so under root (CI) the cluster runs as the
unprivileged ``postgres`` OS user (else ``nobody``): the temp dir is chowned
to it and ``initdb``/``pg_ctl`` run through ``subprocess``'s
``user=``/``group=``. Clients connect with ``psql``; there is no Python driver
dependency. Without server binaries the tests using it skip with a one-line
reason, except when ``CI`` is set: then they fail, so CI never passes without
running them.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# Modules whose tests start real processes (git, pre-commit, node, PostgreSQL, a
# pool killed by signals) or run time-bounded bombs: `pytest -m "not slow"` is
# the inner loop, and CI runs everything.
SLOW_MODULES = frozenset({
    "tests/test_precommit.py",
    "tests/test_action.py",
    "tests/test_grants_postgres.py",
    "tests/test_report_layout.py",
    "tests/test_determinism.py",
    "tests/extract/test_prisma_differential.py",
    "tests/security/test_grants.py",
    "tests/security/test_git_and_io.py",
    "tests/security/test_yaml_bombs.py",
    "tests/test_static_checks.py",
    "tests/test_lsp_stdio.py",
})


@pytest.fixture
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache signing key lives under XDG_CACHE_HOME: keep it out of the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def marketplace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache_key: None) -> Path:
    """A private copy of ``fixtures/hos-marketplace`` as the working folder, every file an
    hour old (so the cache trusts their stat), with a cache key of its own."""
    from trees import age, copy_marketplace

    root = copy_marketplace(tmp_path / "repo")
    age(root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def deny_reads(monkeypatch: pytest.MonkeyPatch):
    """``deny_reads(name)`` makes every read of a file called ``name`` fail with
    EACCES, as ``chmod 000`` does for anyone but root (CI runs as root, where the
    real chmod cannot show it)."""
    real = Path.read_bytes

    def deny(name: str) -> None:
        def read_bytes(self: Path) -> bytes:
            if self.name == name:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)

    return deny


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent.parent
    for item in items:
        if item.path.resolve().relative_to(root).as_posix() in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def _server_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` with initdb and pg_ctl, else PATH's."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    found = shutil.which("initdb")
    candidates += [str(Path(found).parent)] if found else []
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


@dataclass(frozen=True)
class Cluster:
    socket_dir: str
    psql: str

    def run(self, sql: str, database: str = "postgres", check: bool = True) -> subprocess.CompletedProcess:
        """Run a script as the superuser; stops at the first error."""
        cmd = [self.psql, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir,
               "-U", "postgres", "-d", database, "-f", "-"]
        done = subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"psql failed ({done.returncode}):\n{done.stderr}\n--- script ---\n{sql[:4000]}")
        return done

    def apply(self, sql: str, database: str) -> subprocess.CompletedProcess:
        """Run a script the way an operator applies one (``psql -f``): psql's defaults,
        so an error does not stop the script and what follows it still runs."""
        cmd = [self.psql, "-X", "-h", self.socket_dir, "-U", "postgres", "-d", database, "-f", "-"]
        return subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=120)


def _os_user() -> dict:
    """subprocess kwargs that drop root to an unprivileged user (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    pytest.fail("running as root and neither a `postgres` nor a `nobody` OS user exists to run the server")


@pytest.fixture(scope="session")
def cluster():
    bindir = _server_bin()
    psql = shutil.which("psql") or (str(bindir / "psql") if bindir else None)
    if bindir is None or psql is None:
        reason = "no PostgreSQL server binaries (initdb, pg_ctl) in PATH or /usr/lib/postgresql/*/bin"
        if _in_ci():
            pytest.fail(f"CI is set but {reason}; .ci/run must install postgresql")
        pytest.skip(reason)
    drop = _os_user()
    # not under pytest's tmp_path: its parents are private to root, the server user must reach it
    base = Path(tempfile.mkdtemp(prefix="hos-pg-"))
    if drop:
        os.chown(base, drop["user"], drop["group"])
    data, log = base / "data", base / "server.log"
    subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True, **drop)
    options = f"-k {base} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    started = subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
                              "start"], capture_output=True, text=True, **drop)
    if started.returncode != 0:
        pytest.fail(f"pg_ctl start failed: {started.stderr}\n{log.read_text() if log.exists() else ''}")
    try:
        yield Cluster(socket_dir=str(base), psql=psql)
    finally:
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True,
                       **drop)
        shutil.rmtree(base, ignore_errors=True)
