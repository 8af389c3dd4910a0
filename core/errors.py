"""The one error type the CLI prints as a single line, and the two a collector raises to say
what it could not gather."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.failures import FAILURES


class UserError(Exception):
    """Bad input or environment the user can fix; the message names what and where."""


class UnreadAnswers(Exception):
    """A collector read some of a target's answers and not others: its `samples` count, and
    each of `unread` ((subject, what happened in plain words, the error underneath) triples)
    becomes its own UNKNOWN, so one answer no parser could read costs only its own samples."""

    def __init__(self, samples: Sequence[Any], unread: Sequence[tuple[str, str, str]]) -> None:
        super().__init__("; ".join(f"{subject}: {what}" for subject, what, _ in unread))
        self.samples = tuple(samples)
        self.unread = tuple(unread)


class CollectError(Exception):
    """A target could not be inspected: `reason` is a row of core.failures.FAILURES (which
    gives the finding its summary prefix, hint and status), the message says what happened."""

    def __init__(self, reason: str, message: str, *, transient: bool = False) -> None:
        """`transient`: worth another try soon (refused or reset mid-handshake, no banner)."""
        if reason not in FAILURES:
            raise ValueError(f"unknown collect failure reason {reason!r}")
        super().__init__(message)
        self.reason = reason
        self.transient = transient
        self.attempts = 1

    @classmethod
    def too_large(cls, where: str, limit_mb: float) -> CollectError:
        """A target sent more than its `answer_limit_mb` (the inventory setting)."""
        return cls("answer too large", f"{where}: answer larger than {limit_mb:g} MiB")
