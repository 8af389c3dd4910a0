"""What the PostgreSQL and MySQL collectors share: samples in catalogue units, the time they
may take, and the driver's error text turned into a row of core.failures (never a secret)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from collectors.session import Session
from core import names
from core.errors import CollectError
from core.model import DatabaseSettings, Sample, Target
from core.phrases import phrase
from settings import secrets

SampleMaker = Callable[..., Sample]
MIN_SECONDS = 1.0  # less than this left before the deadline: not worth a connection

# (words in the driver's message, lower-cased) -> failure reason; the first match wins
_PATTERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("connection refused",), "refused"),
    (("timeout expired", "timed out", "timeout"), "timeout"),
    (
        ("could not translate host name", "name or service not known", "no route to host",
         "network is unreachable", "unknown mysql server host"),
        "unreachable",
    ),
    (
        ("password authentication failed", "no pg_hba.conf entry", "access denied",
         "authentication failed", "role \"", "password"),
        "auth failed",
    ),
    (("does not exist", "unknown database"), "configuration"),
    (("invalid response", "packet sequence", "malformed packet"), "unexpected answer"),
    (("server closed the connection", "lost connection", "connection reset"), "connection lost"),
)


def maker(target: Target, at: datetime) -> SampleMaker:
    def sample(metric: str, value: float, **labels: str) -> Sample:
        return Sample(target.name, metric, float(value), names.UNITS[metric], at, labels)

    return sample


def settings_of(target: Target) -> DatabaseSettings:
    if target.database is None:
        raise CollectError("configuration", phrase("the target has no `database:` section"))
    return target.database


class Reach(NamedTuple):
    """How to reach the target's database now: `where` names it in error texts."""

    settings: DatabaseSettings
    password: str | None
    seconds: float
    where: str


def reach(target: Target, session: Session) -> Reach:
    settings = settings_of(target)
    password = secrets.resolve(settings.password) if settings.password else None
    seconds = seconds_left(settings, session)
    return Reach(settings, password, seconds, f"{target.address}:{settings.port_or_default}")


def seconds_left(settings: DatabaseSettings, session: Session) -> float:
    """The connect and statement limit: the configured timeout, within the deadline."""
    left = min(settings.timeout, session.remaining())
    if left < MIN_SECONDS:
        raise CollectError(
            "timeout", phrase("no time left for the database before the deadline")
        )
    return left


def failure(engine: str, where: str, message: str, secrets: Iterable[str | None]) -> CollectError:
    """One CollectError from a driver's message: its first line, secrets masked."""
    first = (message.strip().splitlines() or ["no message"])[0]
    for secret in secrets:
        if secret:
            first = first.replace(secret, "***")
    lowered = first.lower()
    reason = next(
        (r for words, r in _PATTERNS if any(w in lowered for w in words)), "protocol error"
    )
    return CollectError(
        reason, f"{engine} {where}: {first[:300]}", transient=reason in ("refused", "timeout")
    )
