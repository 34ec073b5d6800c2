"""The I/O edge that writes reports, baselines and manifests to files.

A report is written to a new temporary file in the target's folder and renamed
over the target, so a failed write (full disk, killed run) never leaves a
truncated report where the previous one was, and a reader never sees half of
one. A target that is not a regular file (``/dev/stdout``, a FIFO, a device)
cannot be replaced and is written to directly. Like ``open()``, a symbolic
link is written through: the file it points to is replaced.

Every failure is an ``OutputError`` with one line naming the file (exit code 2).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


class OutputError(Exception):
    """The output file cannot be written (exit code 2)."""


def check_target(path: str | os.PathLike[str], what: str = "--output") -> None:
    """Fail early, before any work, when ``path`` can certainly not be written."""
    target = Path(path)
    st = _stat(target, what)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{what} {shown(target)}: is a folder")
    if st is None or stat.S_ISREG(st.st_mode):
        folder = Path(os.path.realpath(target)).parent
        if not folder.is_dir():
            raise OutputError(f"{what} {shown(target)}: folder {shown(folder)} does not exist")


def write_text(path: str | os.PathLike[str], text: str, what: str = "--output") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; raise OutputError."""
    data = text.encode("utf-8")
    target = Path(path)
    check_target(target, what)
    st = _stat(target, what)
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):
            with open(target, "wb") as fh:  # a device or FIFO: nothing to rename over
                fh.write(data)
            return
        _replace(Path(os.path.realpath(target)), data, stat.S_IMODE(st.st_mode) if st is not None else None)
    except OSError as err:
        raise OutputError(f"{what} {shown(target)}: cannot write: {err.strerror or err}") from None


def _replace(real: Path, data: bytes, mode: int | None) -> None:
    tmp = real.with_name(f".{real.name}.{os.urandom(6).hex()}.tmp")
    # 0o666 as for any new file: the umask applies; an existing file's mode is kept
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _stat(target: Path, what: str) -> os.stat_result | None:
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputError(f"{what} {shown(target)}: {err.strerror or err}") from None


def shown(path: str | os.PathLike[str]) -> str:
    """A path (or ref) for a one-line message: undecodable bytes as ``\\xff``, control
    and bidirectional characters as escapes, so the line stays one line."""
    from hos_lint.safe import printable

    return printable(os.fspath(path))
