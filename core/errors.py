"""The one error type the CLI prints as a single line instead of a traceback."""


class UserError(Exception):
    """Bad input or environment the user can fix; the message names what and where."""


class CollectError(Exception):
    """A target could not be inspected; `reason` says which way (for the UNKNOWN finding)."""

    REASONS = (
        "unreachable",
        "timeout",
        "auth failed",
        "host key changed",
        "host key unknown",
        "protocol error",
    )

    def __init__(self, reason: str, message: str, *, transient: bool = False) -> None:
        """`transient`: worth another try soon (refused or reset mid-handshake, no banner)."""
        super().__init__(message)
        self.reason = reason
        self.transient = transient
        self.attempts = 1


class DamagedDatabase(UserError):
    """The records database file is not a database or is damaged; it is left as it was."""
