"""TCP connections stuck in CLOSE_WAIT (the application never closes its side: a leak) and
TIME_WAIT (many short connections: the local ports run out). Two checks, one source."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

TCP_STATE_CHECKS = (
    ThresholdCheck(
        name=names.CHECK_TCP_CLOSE_WAIT,
        metric=names.TCP_CLOSE_WAIT,
        subject=lambda _sample: "close_wait",
        what=lambda sample, _samples, _context: phrase(
            "{count} TCP connections in CLOSE_WAIT", count=f"{sample.value:.0f}"),
        hint=phrase(
            "The application does not close sockets its peers closed: find it with "
            "`ss -tanp state close-wait` and fix or restart it."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_TCP_TIME_WAIT,
        metric=names.TCP_TIME_WAIT,
        subject=lambda _sample: "time_wait",
        what=lambda sample, _samples, _context: phrase(
            "{count} TCP connections in TIME_WAIT", count=f"{sample.value:.0f}"),
        hint=phrase(
            "Many short-lived connections: see who makes them with `ss -tan state time-wait`; "
            "use connection pooling or keep-alive rather than tuning tcp_tw_reuse first."
        ),
    ),
)
