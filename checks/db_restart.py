"""A database server's uptime, its version, and a restart since the previous inspection:
the start time the server reports moved (a restart drops connections and cold-starts caches)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from checks.db_values import first, span
from core import names
from core.model import DATABASE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

# MySQL's start time is derived from whole seconds of uptime on the server's clock
TOLERANCE_SECONDS = 5.0
HINT = phrase(
    "Was it planned? Read the server log around the start time for how it stopped (crash "
    "recovery, OOM kill: `journalctl -k | grep -i oom`), then confirm the applications "
    "reconnected and any replicas caught up."
)


class DbRestartCheck:
    name: ClassVar[str] = names.CHECK_DB_RESTART
    family: ClassVar[str] = DATABASE
    inputs: ClassVar[tuple[str, ...]] = (names.DB_START_TIME,)

    def configured(self, profile: Profile) -> bool:
        return True

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        now = first(samples, names.DB_START_TIME)
        if now is None:
            return
        before = first(context.previous, names.DB_START_TIME)
        restarted = before is not None and abs(now.value - before.value) > TOLERANCE_SECONDS
        up = first(samples, names.DB_UPTIME)
        started = datetime.fromtimestamp(now.value, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        values = {
            "engine": now.label("engine"),
            "version": now.label("version"),
            "up": span(up.value) if up else "?",
            "started": started,
        }
        summary = (
            phrase("{engine} {version} restarted at {started} since the last inspection "
                   "(up {up})", **values)
            if restarted
            else phrase("{engine} {version} up {up} (since {started})", **values)
        )
        yield Finding(
            target=target.name,
            check=self.name,
            subject="server",
            status=Status.WARNING if restarted else Status.OK,
            summary=summary,
            value=now.value,
            unit="s",
            threshold=phrase("start time unchanged"),
            hint=HINT if restarted else "",
            evidence={
                **now.labels,
                **({"previous_start_time": before.value} if before is not None else {}),
            },
        )
