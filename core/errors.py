"""Two errors, one job each: `UserError` is what the CLI prints as one line (exit 3) instead of a
traceback; `CollectError` is how a collector says a target could not be inspected."""

from __future__ import annotations

from core.failures import FAILURES
from core.phrases import Phrase, as_phrase, phrase


class UserError(Exception):
    """Bad input or environment the user can fix; the message names what and where. It may be
    a Phrase (translated by the CLI's error boundary); `str()` is the English line."""

    def __init__(self, message: str | Phrase = "", *args: object) -> None:
        super().__init__(message, *args)

    @property
    def message(self) -> str | Phrase:
        return self.args[0] if len(self.args) == 1 else str(self)


class CollectError(Exception):
    """A target could not be inspected: `reason` is a row of core.failures.FAILURES (which
    gives the finding its summary prefix, hint and status), the message says what happened:
    a Phrase, so the finding reads in the reader's language; `str()` is the English line."""

    def __init__(self, reason: str, message: str | Phrase, *, transient: bool = False) -> None:
        """`transient`: worth another try soon (refused or reset mid-handshake, no banner)."""
        if reason not in FAILURES:
            raise ValueError(f"unknown collect failure reason {reason!r}")
        super().__init__(message)
        self.reason = reason
        self.transient = transient
        self.attempts = 1  # the runner sets how many tries it took (flows/inspect.py)

    @property
    def detail(self) -> Phrase:
        """What happened, to render in the reader's language (a plain str stays as it is)."""
        return as_phrase(self.args[0])

    @classmethod
    def too_large(cls, where: str, limit_mb: float) -> CollectError:
        """A target sent more than its `answer_limit_mb` (the inventory setting)."""
        return cls(
            "answer too large",
            phrase("{where}: answer larger than {limit} MiB", where=where, limit=f"{limit_mb:g}"),
        )


class DamagedDatabase(UserError):
    """The records database file is not a database or is damaged; it is left as it was."""
