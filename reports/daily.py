"""Gather the daily inspection report from the records: one day against the day before.

A target's state on a day is its latest inspection that day; a subject (fingerprint) is a
problem when its finding there is not OK. Comparing the two days' latest inspections gives the
duty handover: new problems, recovered, still bad, and targets no longer inspected. Only an OK
finding counts as recovered: a subject that was not measured today proves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from core.model import Finding
from core.status import Status, worst
from records.history import StatusCount, findings_of, runs_between, status_counts
from records.store import RunHeader
from reports.clock import day_bounds
from reports.model import (
    STATUS_ORDER,
    Anomaly,
    Change,
    Changes,
    DailyReport,
    RunLine,
    StatusPoint,
    TargetStatus,
)
from reports.patrol import patrol_sheets
from reports.sources import DailySources

Latest = dict[str, RunHeader]  # target -> its latest run in a period


def build_daily(
    engine: Engine,
    day: date,
    tz: ZoneInfo,
    sources: DailySources | None = None,
    now: datetime | None = None,
) -> DailyReport:
    sources = sources or DailySources()
    start, end = day_bounds(day, tz)
    previous_start, _ = day_bounds(day - timedelta(days=1), tz)
    today_runs = runs_between(engine, start, end)
    yesterday_runs = runs_between(engine, previous_start, start)
    counts = status_counts(engine, [r.id for r in today_runs])
    latest_today, latest_yesterday = _latest(today_runs), _latest(yesterday_runs)
    wanted = [*latest_today.items(), *latest_yesterday.items()]
    found = findings_of(engine, [(run.id, target) for target, run in wanted])
    today_findings = _findings_of_latest(found, latest_today)
    yesterday_findings = _findings_of_latest(found, latest_yesterday)
    today = {f.fingerprint: f for f in today_findings}
    yesterday = {f.fingerprint: f for f in yesterday_findings}
    problems_per_run: dict[str, int] = defaultdict(int)
    for count in counts:
        problems_per_run[count.run_id] += count.count if count.status != Status.OK else 0
    previous = _statuses(latest_yesterday, yesterday_findings)
    targets = _target_statuses(today_runs, counts, latest_today, today_findings, previous)
    return DailyReport(
        day=day,
        timezone=tz.key,
        start=start,
        end=end,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        targets=targets,
        target_counts=_tally(t.status for t in targets),
        finding_counts=_tally(f.status.name for f in today_findings),
        anomalies=_anomalies(today_findings, yesterday),
        changes=_changes(today, yesterday, latest_today, latest_yesterday),
        runs=tuple(_run_line(run, problems_per_run) for run in reversed(today_runs)),
        backups=sources.backups(engine, start, end),
        tickets=sources.tickets(engine, start, end),
        sheets=patrol_sheets(today_findings, latest_today),
    )


def _latest(runs: list[RunHeader]) -> Latest:
    """Runs come oldest first, so the last one seen for a target is its latest."""
    return {target: run for run in runs for target in run.targets}


def _findings_of_latest(found: list[tuple[str, Finding]], latest: Latest) -> list[Finding]:
    wanted = {(run.id, target) for target, run in latest.items()}
    return [f for run_id, f in found if (run_id, f.target) in wanted]


def _target_statuses(
    runs: list[RunHeader],
    counts: list[StatusCount],
    latest: Latest,
    latest_findings: list[Finding],
    previous: dict[str, str],
) -> tuple[TargetStatus, ...]:
    by_run_target: dict[tuple[str, str], list[Status]] = defaultdict(list)
    for count in counts:
        by_run_target[(count.run_id, count.target)].append(count.status)
    history: dict[str, list[StatusPoint]] = defaultdict(list)
    for run in runs:
        for target in run.targets:
            verdict = worst(by_run_target[(run.id, target)]).name
            history[target].append(StatusPoint(run.id, run.started_at, verdict))
    problems: dict[str, int] = defaultdict(int)
    for finding in latest_findings:
        problems[finding.target] += finding.status != Status.OK
    lines = [
        TargetStatus(
            target=target,
            status=history[target][-1].status,
            previous=previous.get(target),
            checked_at=run.started_at,
            run_id=run.id,
            problems=problems[target],
            history=tuple(history[target]),
        )
        for target, run in latest.items()
    ]
    return tuple(sorted(lines, key=lambda t: (-Status[t.status].severity, t.target)))


def _statuses(latest: Latest, findings: list[Finding]) -> dict[str, str]:
    """Each target's verdict in its latest run: the worst finding, OK if it had none."""
    found: dict[str, list[Status]] = defaultdict(list)
    for finding in findings:
        found[finding.target].append(finding.status)
    return {target: worst(found[target]).name for target in latest}


def _anomalies(today: list[Finding], yesterday: dict[str, Finding]) -> tuple[Anomaly, ...]:
    bad = [f for f in today if f.status != Status.OK]
    return tuple(
        Anomaly(
            target=f.target,
            check=f.check,
            subject=f.subject,
            status=f.status.name,
            summary=f.summary,
            hint=f.hint,
            value=f.value,
            unit=f.unit,
            threshold=f.threshold,
            is_new=not _is_problem(yesterday.get(f.fingerprint)),
        )
        for f in _worst_first(bad)
    )


def _changes(
    today: dict[str, Finding],
    yesterday: dict[str, Finding],
    latest_today: Latest,
    latest_yesterday: Latest,
) -> Changes:
    new, still_bad, recovered = [], [], []
    for finding in _worst_first(today.values()):
        if not _is_problem(finding):
            continue
        before = yesterday.get(finding.fingerprint)
        target = still_bad if _is_problem(before) else new
        target.append(_change(finding, finding.status.name, before))
    for before in _worst_first(yesterday.values()):
        now = today.get(before.fingerprint)
        # recovery needs an OK verdict: a subject not measured today (unreachable) is no news
        if _is_problem(before) and now is not None and now.status == Status.OK:
            recovered.append(_change(now, Status.OK.name, before))
    return Changes(
        new=tuple(new),
        recovered=tuple(recovered),
        still_bad=tuple(still_bad),
        not_inspected=tuple(sorted(set(latest_yesterday) - set(latest_today))),
    )


def _change(finding: Finding, status: str, before: Finding | None) -> Change:
    return Change(
        target=finding.target,
        check=finding.check,
        subject=finding.subject,
        status=status,
        previous=before.status.name if before else None,
        summary=finding.summary,
    )


def _is_problem(finding: Finding | None) -> bool:
    return finding is not None and finding.status != Status.OK


def _worst_first(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.status.severity, f.target, f.check, f.subject))


def _tally(statuses: Iterable[str]) -> dict[str, int]:
    tally = dict.fromkeys(STATUS_ORDER, 0)
    for status in statuses:
        tally[status] += 1
    return tally


def _run_line(run: RunHeader, problems: dict[str, int]) -> RunLine:
    return RunLine(
        id=run.id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        trigger=run.trigger,
        operator=run.operator,
        targets=len(run.targets),
        status=run.status.name,
        problems=problems[run.id],
    )
