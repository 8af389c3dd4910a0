"""TCP connections stuck in CLOSE_WAIT (the application never closes its side: a leak) and
TIME_WAIT (many short connections: the local ports run out). Two checks, one source."""

from __future__ import annotations

from checks.summaries import counted
from core import names
from core.phrases import phrase

TCP_STATE_CHECKS = (
    counted(
        names.CHECK_TCP_CLOSE_WAIT, names.TCP_CLOSE_WAIT, "close_wait",
        phrase("{count} TCP connections in CLOSE_WAIT"),
        phrase(
            "The application does not close sockets its peers closed: find it with "
            "`ss -tanp state close-wait` and fix or restart it."
        ),
    ),
    counted(
        names.CHECK_TCP_TIME_WAIT, names.TCP_TIME_WAIT, "time_wait",
        phrase("{count} TCP connections in TIME_WAIT"),
        phrase(
            "Many short-lived connections: see who makes them with `ss -tan state time-wait`; "
            "use connection pooling or keep-alive rather than tuning tcp_tw_reuse first."
        ),
    ),
)
