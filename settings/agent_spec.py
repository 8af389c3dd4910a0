"""How opsinspect runs beside inspecting: agent schedules, metrics export, the central server."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, model_validator

from core.phrases import phrase
from settings.spec_types import Credential, Duration, FilePath, Strict, Zone, integer, number
from settings.tickets_spec import Cron, TimeZone

Workers = integer(1, 1024)
BatchSize = integer(1, 1_000_000)
Megabytes = number(0, 1_000_000, phrase("a number of megabytes above 0"))


class ScheduleSpec(Strict):
    """One agent job. `kind` names what runs (agent.jobs.KINDS); backups add their own kind."""

    kind: Literal["inspect", "backup"] = "inspect"
    cron: Cron | None = None
    every: Duration | None = None
    timezone: TimeZone | None = None
    splay: Duration | None = None
    grace: Duration = timedelta(hours=1)
    profile: str | None = None
    groups: list[str] = []
    targets: list[str] = []
    workers: Workers = 32
    timeout: Duration = timedelta(seconds=60)

    @model_validator(mode="after")
    def _one_trigger(self) -> ScheduleSpec:
        if (self.cron is None) == (self.every is None):
            raise ValueError(phrase("give exactly one of `cron` or `every`"))
        return self


class ExportSpec(Strict):
    """Where samples go: anything that speaks the InfluxDB v2 write API."""

    url: str
    org: str = ""
    bucket: str = "opsinspect"
    token: Credential | None = None
    batch_size: BatchSize = 5000
    timeout: Duration = timedelta(seconds=10)
    spool_dir: FilePath | None = None
    spool_limit_mb: Megabytes = 100
    # the agent's metrics cycle (agent/metrics.py); null turns it off
    metrics_every: Duration | None = timedelta(seconds=60)


def _http_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError(
            phrase("expected the server's http:// or https:// address, e.g. https://ops:8000")
        )
    if "@" in value.split("/")[2]:
        raise ValueError(phrase("no user:password@ in the address: give the token as `token:`"))
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class CentralSpec(Strict):
    """The central server's two ways in (docs/central.md): zone workers, through the Celery
    broker every zone's workers and the dispatching server share, with this server's own zone
    (its targets it polls itself); and agents reporting their runs to `inspect serve` at
    `url` with `token` through a durable outbox (docs/agent.md, Central mode)."""

    broker: str | None = None  # redis://HOST:PORT/DB (default) or amqp://HOST:PORT// (RabbitMQ)
    password: Credential | None = None  # the broker's, by reference; never in the URL
    zone: Zone = "local"
    # the longest a zone task may take on a worker (`inspect run --timeout` above it is cut
    # to it): sizes the broker's visibility timeout, after which a dead worker's task returns
    deadline: Duration = timedelta(seconds=60)
    url: HttpUrl | None = None  # the `inspect serve` this agent reports runs to
    token: Credential | None = None  # an `inspect token create` secret, by reference
    timeout: Duration = timedelta(seconds=30)  # per report
    outbox_dir: FilePath | None = None  # default: <XDG data dir>/opsinspect/outbox
    outbox_limit_mb: Megabytes = 500

    @model_validator(mode="after")
    def _something_to_do(self) -> CentralSpec:
        if self.broker is None and self.url is None:
            raise ValueError(
                phrase("give `broker` (zone workers) or `url` and `token` (agent reports)")
            )
        if (self.url is None) != (self.token is None):
            raise ValueError(
                phrase("`url` and `token` go together (the server and this agent's token)")
            )
        return self
