"""The one error type the CLI prints as a single line instead of a traceback, and the two a
collector raises to say what it could not gather."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class UserError(Exception):
    """Bad input or environment the user can fix; the message names what and where."""


class UnreadAnswers(Exception):
    """A collector read some of a target's answers and not others: its `samples` count, and
    each of `unread` ((subject, why) pairs) becomes its own UNKNOWN, so one answer that no
    parser could read costs only what it would have measured."""

    def __init__(self, samples: Sequence[Any], unread: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{subject}: {why}" for subject, why in unread))
        self.samples = tuple(samples)
        self.unread = tuple(unread)


class CollectError(Exception):
    """A target could not be inspected; `reason` says which way (for the UNKNOWN finding)."""

    REASONS = (
        "unreachable",
        "timeout",
        "auth failed",
        "host key changed",
        "host key unknown",
        "protocol error",
        "answer too large",
    )

    def __init__(self, reason: str, message: str, *, transient: bool = False) -> None:
        """`transient`: worth another try soon (refused or reset mid-handshake, no banner)."""
        super().__init__(message)
        self.reason = reason
        self.transient = transient
        self.attempts = 1

    @classmethod
    def too_large(cls, where: str, limit_mb: float) -> CollectError:
        """A target sent more than its `answer_limit_mb` (the inventory setting)."""
        return cls("answer too large", f"{where}: answer larger than {limit_mb:g} MiB")
