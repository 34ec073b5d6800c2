"""What a command asks of the application, and the error for asking wrongly."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class UsageError(Exception):
    """Bad arguments: exit code 2 with one clear line."""


@dataclass(frozen=True, kw_only=True)
class Options:
    paths: tuple[str, ...] = ()
    config: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    jobs: int = 1
    auto_jobs: bool = False  # ``jobs`` is the default (one per core): the pool only for enough bytes to parse
    cache: bool = True
    baseline: str | None = None  # baseline file; default <root>/hos-lint-baseline.json when it exists
    no_baseline: bool = False
    notify: Callable[[str], None] | None = None  # one-line notices for stderr (a refused cache)
    # PATHS came from git (--changed-since), not from the user: those that hold nothing to
    # analyse (a README, an excluded file) are dropped without a word
    paths_from_git: bool = False

    def tell(self, message: str) -> None:
        """Hand one notice to whoever started the run (nothing when no one listens)."""
        if self.notify is not None:
            self.notify(message)
