"""The one error type the CLI prints as a single line instead of a traceback."""


class UserError(Exception):
    """Bad input or environment the user can fix; the message names what and where."""


class CollectError(Exception):
    """A target could not be inspected; `reason` says which way (for the UNKNOWN finding)."""

    REASONS = ("unreachable", "timeout", "auth failed", "host key changed", "protocol error")

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
