"""The monthly report: faults, problem targets, potential problems, work done, assessment.

Built for a month of 100,000 tickets and 1,000,000 findings: findings are only ever counted in
SQL (one grouped pass over the month's runs), tickets are read as narrow tuples, and the few
fingerprints worth a trend are the only ones whose values are fetched one by one.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import names
from core.status import Status
from records.assessments import published
from records.backups_schema import BackupRow, VerificationRow
from records.schema import FindingRow, RunRow
from records.store import finding_of
from records.tickets_schema import TicketRow
from reports.clock import day_bounds
from reports.monthly_model import (
    CATEGORIES,
    GRADES,
    Count,
    MonthlyReport,
    OpenItem,
    PotentialProblem,
    ProblemTarget,
    WorkSummary,
)
from reports.sources import TicketsSource
from scoring.period import Period, parse

A = TypeVar("A")
B = TypeVar("B")

TREND_MONTHS = 6  # this month and the five before it
TOP_TARGETS = 10
RECURRING_AT = 3  # a subject WARNING in this many runs of the month is a potential problem
TOP_POTENTIAL = 15
CAPACITY_CHECKS = (names.CHECK_DISK, names.CHECK_MEMORY, names.CHECK_INODES, names.CHECK_SWAP)
VALUES_PER_TREND = 400
OPEN_ITEMS_SHOWN = 200  # worst first; the report says how many more there are


def build_monthly(
    engine: Engine,
    month: str,
    tz: ZoneInfo,
    open_tickets: TicketsSource,
    now: datetime | None = None,
) -> MonthlyReport:
    period = parse(month, tz)
    if period.kind != "month":
        from core.errors import UserError
        from core.phrases import phrase

        raise UserError(
            phrase("--month {month}: expected YYYY-MM, e.g. 2026-11", month=repr(month))
        )
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    days = _days(period, tz)
    (tickets, daily, trend, work, open_section), (groups, total, potential) = _side_by_side(
        engine,
        lambda: (*_tickets_side(engine, period, days, tz), open_tickets(engine, start, end)),
        lambda: _findings_side(engine, start, end),
    )
    opened = sum(count for *_, count in tickets)
    summary = dataclasses.replace(work, tickets_opened=opened, findings=_by_status(groups, total))
    by_category, by_grade, by_target = Counter(), Counter(), Counter()
    for category, grade, target, count in tickets:
        by_category[category] += count
        by_grade[grade] += count
        by_target[target] += count
    items = _open_items(open_section.items if open_section else (), potential)
    assessments = published(engine, month)
    return MonthlyReport(
        month=month,
        timezone=tz.key,
        first_day=days[0],
        last_day=days[-1],
        start=start,
        end=end,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        faults=opened,
        by_category=_ordered(by_category, CATEGORIES),
        by_grade=_ordered(by_grade, GRADES),
        daily=daily,
        monthly=trend,
        top_targets=_top_targets(by_target, groups),
        potential=potential,
        work=summary,
        assessments=tuple(assessments),
        open_items=items[:OPEN_ITEMS_SHOWN],
        open_items_total=len(items),
    )


def _side_by_side(engine: Engine, first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """The findings and the tickets are read on two connections at once: the database does the
    work and releases the GIL, so the two big scans overlap. An in-memory SQLite database is
    private to its connection, so there they run one after the other."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return first(), second()
    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(second)
        return first(), later.result()


def _tickets_side(engine: Engine, period: Period, days: list[date], tz: ZoneInfo):
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    with Session(engine) as session:
        tickets = session.execute(
            select(TicketRow.category, TicketRow.grade, TicketRow.target, func.count())
            .where(TicketRow.opened_at >= start, TicketRow.opened_at < end)
            .group_by(TicketRow.category, TicketRow.grade, TicketRow.target)
        ).all()
        daily = tuple(Count(day.isoformat(), _opened(session, day, tz)) for day in days)
        return tickets, daily, _monthly_trend(session, period), _work_summary(session, start, end)


def _findings_side(engine: Engine, start: datetime, end: datetime):
    with Session(engine) as session:
        groups = _problem_groups(session, start, end)
        total = _finding_total(session, start, end)
        return groups, total, _potential(session, start, end, groups)


def _by_status(groups: list[FindingGroup], total: int) -> dict[str, int]:
    """Problems counted per status; OK is whatever is left of the month's total."""
    counts = Counter()
    for *_, status, count, _latest in groups:
        counts[Status(status).name] += count
    counts[Status.OK.name] = total - sum(counts.values())
    return {name: counts[name] for name in ("CRITICAL", "WARNING", "UNKNOWN", "OK")}


def _ordered(counts: Counter, known: tuple[str, ...]) -> tuple[Count, ...]:
    names = [*known, *sorted(set(counts) - set(known))]
    return tuple(Count(name, counts[name]) for name in names)


def _days(period: Period, tz: ZoneInfo) -> list[date]:
    first, last = period.start.astimezone(tz).date(), period.end.astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days)]


def _opened(session: Session, day: date, tz: ZoneInfo) -> int:
    """One indexed count per day: cheaper than reading the month's tickets to bucket them."""
    start, end = day_bounds(day, tz)
    return _count(session, TicketRow.opened_at, start, end)


def _monthly_trend(session: Session, period: Period) -> tuple[Count, ...]:
    periods = [period]
    for _ in range(TREND_MONTHS - 1):
        periods.insert(0, periods[0].previous())
    counts = []
    for month in periods:
        total = session.scalar(
            select(func.count(TicketRow.id)).where(
                TicketRow.opened_at >= month.start.astimezone(UTC),
                TicketRow.opened_at < month.end.astimezone(UTC),
            )
        )
        counts.append(Count(month.label, total or 0))
    return tuple(counts)


#: fingerprint, target, check, subject, status, how many findings, id of the latest one
FindingGroup = tuple[str, str, str, str, int, int, int]


def _month_runs(start: datetime, end: datetime):
    return select(RunRow.id).where(RunRow.started_at >= start, RunRow.started_at < end)


def _finding_total(session: Session, start: datetime, end: datetime) -> int:
    """Counted from the run_id index alone; OK findings are this minus the problems."""
    query = select(func.count()).where(FindingRow.run_id.in_(_month_runs(start, end)))
    return session.scalar(query) or 0


def _problem_groups(session: Session, start: datetime, end: datetime) -> list[FindingGroup]:
    """One pass over the month's non-OK findings, grouped by fingerprint and status."""
    rows = session.execute(
        select(FindingRow.fingerprint, FindingRow.status, func.count(), func.max(FindingRow.id))
        .where(FindingRow.run_id.in_(_month_runs(start, end)), FindingRow.status != Status.OK)
        .group_by(FindingRow.fingerprint, FindingRow.status)
    ).all()
    # a fingerprint is target|check|subject; splitting it beats three more aggregates
    return [(fp, *fp.split("|", 2), status, n, latest) for fp, status, n, latest in rows]


def _work_summary(session: Session, start: datetime, end: datetime) -> WorkSummary:
    """Everything but the findings and tickets opened, which the caller fills in."""
    runs = session.execute(
        select(RunRow.targets).where(RunRow.started_at >= start, RunRow.started_at < end)
    ).all()
    backups = session.execute(
        select(BackupRow.status, func.count())
        .where(BackupRow.finished_at >= start, BackupRow.finished_at < end)
        .group_by(BackupRow.status)
    ).all()
    verified = session.execute(
        select(VerificationRow.ok, func.count())
        .where(VerificationRow.finished_at >= start, VerificationRow.finished_at < end)
        .group_by(VerificationRow.ok)
    ).all()
    config_changes = session.scalar(
        select(func.count(BackupRow.id)).where(
            BackupRow.finished_at >= start,
            BackupRow.finished_at < end,
            BackupRow.kind == "config",
            BackupRow.status == "ok",
        )
    )
    backup_counts = dict(backups)
    checks = {bool(ok): count for ok, count in verified}
    return WorkSummary(
        inspection_runs=len(runs),
        targets_inspected=len({target for (targets,) in runs for target in targets}),
        findings={},
        backups_ok=backup_counts.get("ok", 0),
        backups_failed=sum(n for status, n in backup_counts.items() if status != "ok"),
        verifications_ok=checks.get(True, 0),
        verifications_failed=checks.get(False, 0),
        config_backups=config_changes or 0,
        tickets_opened=0,
        tickets_resolved=_count(session, TicketRow.resolved_at, start, end),
        tickets_closed=_count(session, TicketRow.closed_at, start, end),
    )


def _count(session: Session, column, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count()).where(column >= start, column < end)) or 0


def _top_targets(faults: Counter, groups: list[FindingGroup]) -> tuple[ProblemTarget, ...]:
    problems: Counter = Counter()
    for _fp, target, _check, _subject, _status, count, _latest in groups:
        problems[target] += count
    ranked = sorted(set(faults) | set(problems), key=lambda t: (-faults[t], -problems[t], t))
    return tuple(ProblemTarget(t, faults[t], problems[t]) for t in ranked[:TOP_TARGETS])


def _potential(
    session: Session, start: datetime, end: datetime, groups: list[FindingGroup]
) -> tuple[PotentialProblem, ...]:
    """Subjects that kept warning, worst first, each with its hint and value trend."""
    recurring = sorted(
        (g for g in groups if g[4] == Status.WARNING and g[5] >= RECURRING_AT),
        key=lambda g: (-g[5], g[0]),
    )[:TOP_POTENTIAL]
    if not recurring:
        return ()
    latest = {
        row.id: row
        for row in session.scalars(
            select(FindingRow).where(FindingRow.id.in_([g[6] for g in recurring]))
        )
    }
    found = []
    for fingerprint, target, check, subject, _status, count, latest_id in recurring:
        row = latest[latest_id]
        stored = finding_of(row)  # summary and hint as phrases, for the report's language
        slope, last = (
            _trend(session, fingerprint, start, end) if check in CAPACITY_CHECKS else (None, None)
        )
        found.append(
            PotentialProblem(
                target=target,
                check=check,
                subject=subject,
                warnings=count,
                summary=stored.summary,
                hint=stored.hint,
                unit=row.unit,
                last_value=last,
                per_week=slope,
                full_in_days=_full_in(last, slope) if row.unit == "%" else None,
            )
        )
    return tuple(found)


def _trend(
    session: Session, fingerprint: str, start: datetime, end: datetime
) -> tuple[float | None, float | None]:
    """Least-squares slope of the value per week over the month, and the latest value."""
    points = session.execute(
        select(RunRow.started_at, FindingRow.value)
        .join(RunRow, RunRow.id == FindingRow.run_id)
        .where(FindingRow.fingerprint == fingerprint, FindingRow.value.is_not(None))
        .where(RunRow.started_at >= start, RunRow.started_at < end)
        .order_by(RunRow.started_at.desc())
        .limit(VALUES_PER_TREND)
    ).all()
    if len(points) < 2:
        return None, points[0][1] if points else None
    xs = [(at - start).total_seconds() / 604800 for at, _ in points]
    ys = [value for _, value in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None, ys[0]
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return round(slope, 2), ys[0]


def _full_in(last: float | None, per_week: float | None) -> int | None:
    """Days until 100 % at the month's rate; None when not rising."""
    if last is None or per_week is None or per_week <= 0 or last >= 100:
        return None
    return int((100 - last) / per_week * 7)


def _open_items(tickets, potential: tuple[PotentialProblem, ...]) -> tuple[OpenItem, ...]:
    """Capacity about to run out (a handful), then tickets: breached, at risk, by grade."""
    items = [
        OpenItem("potential", f"{p.target}|{p.check}|{p.subject}", p.summary, "", "", "")
        for p in potential
        if p.full_in_days is not None and p.full_in_days <= 31
    ]
    urgency = {"breached": 0, "at_risk": 1, "on_time": 2}
    ranked = sorted(tickets, key=lambda t: (urgency[t.sla_state], t.grade, t.opened_at))
    items += [OpenItem("ticket", t.id, t.title, t.grade, t.sla_state, t.assignee) for t in ranked]
    return tuple(items)
