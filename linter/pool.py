"""The process pool for extraction, and how it ends when the run is stopped.

No worker may outlive the run: Ctrl-C is the parent's to handle (workers ignore
it; the parent kills them and exits 130 with the cache untouched), SIGTERM
unwinds the parent (exit 143) which kills the workers first, and on Linux each
worker asks the kernel (``PR_SET_PDEATHSIG``) to kill it when its parent dies,
which covers ``kill -9`` of the parent too.

Two details of ``concurrent.futures`` shape the code: ``Executor.map`` cancels
its futures when interrupted, and a pool whose workers are then killed fails
on the cancelled futures and hangs the interpreter's exit, so futures are
submitted and collected by hand; and a signal handler that runs inside fork's
bookkeeping is swallowed there, so SIGINT and SIGTERM are held while the
workers are forked.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_HELD = frozenset({signal.SIGINT, signal.SIGTERM})


def run_chunks(fn: Callable[[T], list[R]], chunks: list[T], workers: int) -> list[R]:
    """``fn`` over every chunk in a pool of ``workers`` processes; results flattened, in order."""
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(),))
    done = False
    try:
        with _sigterm_exits():
            with _signals_held():  # the first submit forks every worker
                futures = [pool.submit(fn, chunks[0])] if chunks else []
            futures += [pool.submit(fn, c) for c in chunks[1:]]
            results = [result for future in futures for result in future.result()]
        done = True
        return results
    finally:
        if not done:  # Ctrl-C, SIGTERM or an error: no worker may outlive the run
            _kill_workers(pool)
        pool.shutdown(wait=done)


def _worker_init(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)  # held by the parent while it forked
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


@contextmanager
def _signals_held() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """While the pool runs, SIGTERM raises SystemExit(143) in the parent, so it unwinds
    through ``run_chunks`` (which kills the workers) instead of dying on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def exit_now(signum: int, frame: FrameType | None) -> NoReturn:  # noqa: ARG001 - the signal handler signature
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_now)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    kill = getattr(pool, "kill_workers", None)  # Python 3.14+
    if kill is not None:
        kill()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
