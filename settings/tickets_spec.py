"""The inventory's `tickets:` section: when findings become tickets, SLA rules, notifications."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from core.catalog import SOURCE_LANGUAGE, languages
from core.phrases import phrase
from settings import secrets
from settings.cronexpr import CronExpr
from settings.spec_types import Duration, FilePath, Port, Strict

Grade = Literal["A", "B", "C", "D"]
GRADES: tuple[Grade, ...] = ("A", "B", "C", "D")
StatusName = Literal["CRITICAL", "WARNING", "UNKNOWN"]
Event = Literal["open", "escalate", "resolve"]
EVENTS: tuple[Event, ...] = ("open", "escalate", "resolve")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = "end_of_day"


def _timezone(value: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            phrase(
                "unknown time zone {name} (use an IANA name like Asia/Shanghai)", name=repr(value)
            )
        ) from None
    return str(value)


def _clock_time(value: object) -> time:
    if isinstance(value, int):  # YAML reads 09:00 as sexagesimal 540
        value = f"{value // 60:02d}:{value % 60:02d}"
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(phrase("expected a time of day like 09:00")) from None


def _aware(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError(phrase("needs a time zone, e.g. 2026-11-22T02:00:00+08:00"))
    return value


def _credential(value: str) -> str:
    """Only the form is checked here: ticket commands must work on a terminal that lacks the
    SMTP password; an unresolvable reference is reported by the delivery that needs it."""
    if not secrets.is_reference(value):
        raise ValueError(secrets.NOT_A_REFERENCE)
    return value


def _url(value: str) -> str:
    if not secrets.is_reference(value) and not re.match(r"^https?://", value):
        raise ValueError(
            phrase("expected an http(s) URL or a credential reference (env:NAME, ...)")
        )
    return value


def _cron(value: object) -> str:
    """A cron expression that fires some day (one that never does would fail only at use)."""
    if not isinstance(value, str):
        raise ValueError(phrase("expected a cron expression as a quoted string, e.g. '0 2 * * 6'"))
    CronExpr.parse(value).next_after(datetime(2000, 1, 1, tzinfo=UTC), UTC)
    return value


def _with_unit(value: object) -> object:
    """Duty rules were once written in bare minutes; a bare number (seconds everywhere else in
    the inventory) is refused here rather than silently read as seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(phrase("needs a unit: write {n}m, {n}h or {n}s", n=f"{value:g}"))
    return value


def _a_second_or_more(value: timedelta) -> timedelta:
    """Each sweep is a process of its own (agent/sweeper.py): not more than one a second."""
    if value < timedelta(seconds=1):
        raise ValueError(phrase("at least 1s"))
    return value


def _language(value: str) -> str:
    if value not in languages():
        raise ValueError(
            phrase("no such language; available: {known}", known=", ".join(languages()))
        )
    return value


DutyDuration = Annotated[Duration, BeforeValidator(_with_unit)]  # the one Duration, unit needed
TimeZone = Annotated[str, BeforeValidator(_timezone)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]
AwareDateTime = Annotated[datetime, BeforeValidator(_aware)]
UrlOrReference = Annotated[str, BeforeValidator(_url)]
Cron = Annotated[str, BeforeValidator(_cron)]
Credential = Annotated[str, AfterValidator(_credential)]
LanguageTag = Annotated[str, AfterValidator(_language)]


class FlapSpec(Strict):
    window: DutyDuration = timedelta(hours=1)
    changes: int = Field(4, ge=1)


class GradeRule(Strict):
    """First matching rule wins; an omitted field matches anything."""

    grade: Grade
    status: list[StatusName] | None = None
    criticality: list[str] | None = None


DEFAULT_GRADE_RULES = [
    GradeRule(grade="A", status=["CRITICAL"], criticality=["high", "critical"]),
    GradeRule(grade="B", status=["CRITICAL"]),
    GradeRule(grade="B", criticality=["high", "critical"]),
    GradeRule(grade="C", status=["WARNING", "UNKNOWN"]),
    GradeRule(grade="D"),
]


class GradeSla(Strict):
    response: DutyDuration = timedelta(minutes=15)
    resolution: DutyDuration | Literal["end_of_day"]


def _default_sla() -> dict[str, GradeSla]:
    return {
        "A": GradeSla(resolution=timedelta(hours=4)),
        "B": GradeSla(resolution=timedelta(hours=8)),
        "C": GradeSla(resolution=END_OF_DAY),
        "D": GradeSla(resolution=timedelta(days=3)),
    }


class SlaSpec(Strict):
    grades: dict[Grade, GradeSla] = Field(default_factory=_default_sla)
    at_risk: float = Field(0.8, gt=0, lt=1)
    fault_report_within: DutyDuration = timedelta(hours=24)
    fault_report_grades: list[Grade] = ["A", "B"]

    def for_grade(self, grade: str) -> GradeSla:
        return self.grades.get(grade) or _default_sla()[grade]  # type: ignore[index]


class CalendarSpec(Strict):
    kind: Literal["7x24", "business"] = "7x24"
    timezone: TimeZone = "UTC"
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: ClockTime = time(9, 0)
    end: ClockTime = time(18, 0)
    holidays: list[date] = []

    @model_validator(mode="after")
    def _hours_in_order(self) -> CalendarSpec:
        if self.kind == "business" and self.start >= self.end:
            raise ValueError(phrase("business hours: start must be before end"))
        return self


class LevelSpec(Strict):
    name: str
    channels: list[str] = []


DEFAULT_LEVELS = [LevelSpec(name="line1"), LevelSpec(name="line2"), LevelSpec(name="vendor")]


class MaintenanceSpec(Strict):
    """A window when new tickets for its targets/groups are not opened."""

    name: str = "maintenance"
    targets: list[str] = []
    groups: list[str] = []
    start: AwareDateTime | None = None
    end: AwareDateTime | None = None
    cron: Cron | None = None
    duration: DutyDuration | None = None
    timezone: TimeZone | None = None

    @model_validator(mode="after")
    def _one_way_to_say_when(self) -> MaintenanceSpec:
        if not self.targets and not self.groups:
            raise ValueError(phrase("a maintenance window needs targets or groups"))
        fixed = self.start is not None or self.end is not None
        repeating = self.cron is not None or self.duration is not None
        if fixed == repeating:
            raise ValueError(phrase("give either start and end, or cron and duration"))
        if fixed and (self.start is None or self.end is None or self.start >= self.end):
            raise ValueError(phrase("start and end are both needed, start before end"))
        if repeating and (self.cron is None or self.duration is None):
            raise ValueError(phrase("cron and duration are both needed"))
        return self


class WebhookChannel(Strict):
    type: Literal["webhook"]
    url: UrlOrReference
    headers: dict[str, str] = {}
    timeout: float = Field(5.0, gt=0)


class RobotChannel(Strict):
    """DingTalk, WeCom and Feishu group robots: a webhook URL, optionally a signing secret."""

    type: Literal["dingtalk", "wecom", "feishu"]
    url: UrlOrReference
    secret: Credential | None = None
    timeout: float = Field(5.0, gt=0)


class EmailChannel(Strict):
    type: Literal["email"]
    host: str
    port: Port = 587
    starttls: bool = True
    username: str | None = None
    password: Credential | None = None
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    ca_file: FilePath | None = None
    timeout: float = Field(10.0, gt=0)


Channel = Annotated[WebhookChannel | RobotChannel | EmailChannel, Field(discriminator="type")]


class NotifyRule(Strict):
    channel: str
    events: list[Event] = list(EVENTS)
    grades: list[Grade] = list(GRADES)


class RetrySpec(Strict):
    attempts: int = Field(5, ge=1, le=50)
    backoff: DutyDuration = timedelta(minutes=1)


class TicketsSpec(Strict):
    enabled: bool = True
    open_after: int = Field(2, ge=1)
    resolve_after: int = Field(2, ge=1)
    flap: FlapSpec = FlapSpec()
    reopen_within: DutyDuration = timedelta(hours=24)
    criticality_label: str = "criticality"
    grades: list[GradeRule] = Field(default_factory=lambda: list(DEFAULT_GRADE_RULES))
    sla: SlaSpec = SlaSpec()
    calendar: CalendarSpec = CalendarSpec()
    escalation: list[LevelSpec] = Field(default_factory=lambda: list(DEFAULT_LEVELS), min_length=1)
    maintenance: list[MaintenanceSpec] = []
    channels: dict[str, Channel] = {}
    notify: list[NotifyRule] = []
    retry: RetrySpec = RetrySpec()
    # how often the leading agent escalates breached SLAs and retries notifications
    sweep_every: Annotated[DutyDuration, AfterValidator(_a_second_or_more)] = timedelta(minutes=1)
    # the language of notifications' labels (the team's chat, not one person's terminal)
    language: LanguageTag = SOURCE_LANGUAGE


def reference_problems(spec: TicketsSpec, hosts: set[str], groups: set[str]):
    """(key path, message) for names that point nowhere: checked after pydantic, with lines."""
    base = ("tickets",)
    for i, rule in enumerate(spec.notify):
        if rule.channel not in spec.channels:
            yield (
                (*base, "notify", i, "channel"),
                phrase("unknown channel {name}", name=repr(rule.channel)),
            )
    for i, level in enumerate(spec.escalation):
        for j, name in enumerate(level.channels):
            if name not in spec.channels:
                yield (
                    (*base, "escalation", i, "channels", j),
                    phrase("unknown channel {name}", name=repr(name)),
                )
    for i, window in enumerate(spec.maintenance):
        for j, name in enumerate(window.targets):
            if name not in hosts:
                yield (
                    (*base, "maintenance", i, "targets", j),
                    phrase("unknown host {name}", name=repr(name)),
                )
        for j, name in enumerate(window.groups):
            if name not in groups:
                yield (
                    (*base, "maintenance", i, "groups", j),
                    phrase("unknown group {name}", name=repr(name)),
                )
