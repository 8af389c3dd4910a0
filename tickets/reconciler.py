"""From findings to tickets: one active ticket per fingerprint, opened after N bad results,
auto-resolved after M good ones, flapping collapsed into one ticket, suppression honoured."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import names
from core.clock import Clock, utc_now
from core.model import InspectionRun, Target
from core.status import Status
from records.tickets import add_event, write_transaction
from records.tickets_schema import FingerprintStateRow, TicketRow
from settings.inventory import Inventory
from settings.tickets_spec import TicketsSpec
from tickets import grading, sla
from tickets.clock import checked
from tickets.lifecycle import SYSTEM_ACTOR, new_ticket, reopen_row, resolve_row
from tickets.messages import iso
from tickets.suppression import depth, maintenance_window, parent_down

# when these fail, silence proves nothing ("inspection": the runner's own failure)
_BLIND_CHECKS = (names.CHECK_REACHABILITY, names.CHECK_COLLECTOR, names.CHECK_INSPECTION)
_CHUNK = 500


@dataclass(frozen=True)
class Observation:
    fingerprint: str
    target: str
    check: str
    subject: str
    status: Status
    summary: str


@dataclass
class ReconcileResult:
    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    suppressed: dict[str, str] = field(default_factory=dict)  # fingerprint -> reason


def reconcile(
    engine: Engine, run: InspectionRun, inventory: Inventory, clock: Clock = utc_now
) -> ReconcileResult:
    """Apply one stored run. Safe to run concurrently and twice: the unique index on the
    active fingerprint rejects a duplicate, and the losing transaction simply runs again."""
    spec = inventory.tickets
    if not spec.enabled:
        return ReconcileResult()
    targets = {t.name: t for t in inventory.targets}
    for attempt in range(3):
        try:
            with write_transaction(engine) as session:
                return _apply(session, run, spec, targets, checked(clock))
        except (IntegrityError, OperationalError) as exc:
            retryable = isinstance(exc, IntegrityError) or _is_deadlock(exc)
            if attempt == 2 or not retryable:
                raise
    raise AssertionError("unreachable")


def _is_deadlock(exc: OperationalError) -> bool:
    """PostgreSQL may pick this transaction as a deadlock victim; running it again is safe."""
    return getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")


def _apply(
    session: Session,
    run: InspectionRun,
    spec: TicketsSpec,
    targets: Mapping[str, Target],
    now: datetime,
) -> ReconcileResult:
    observations = _observations(session, run, targets)
    states = _locked_states(session, observations)
    tickets = _active_tickets(session, list(observations))
    resolved = _recently_resolved(
        session,
        [fp for fp, ob in observations.items() if ob.status != Status.OK and fp not in tickets],
        now - spec.reopen_within,
    )
    result = ReconcileResult()
    order = sorted(
        observations.values(),
        key=lambda o: (depth(_target(o.target, targets), targets), o.fingerprint),
    )
    for ob in order:
        state = states[ob.fingerprint]
        if state.last_run_at is not None and run.started_at <= state.last_run_at:
            continue  # an older or the same run arriving late: history already has it
        flapping = _record(state, ob, run, spec)
        target = _target(ob.target, targets)
        ticket = tickets.get(ob.fingerprint)
        if ob.status == Status.OK:
            _on_ok(session, state, ob, ticket, flapping, spec, now, result)
        else:
            recent = resolved.get(ob.fingerprint)
            step = _on_bad(session, state, ob, ticket, recent, flapping, run, spec, target, targets,
                           now)
            _tally(result, ob.fingerprint, step)
    return result


def _target(name: str, targets: Mapping[str, Target]) -> Target:
    return targets.get(name) or Target(name=name)


def _observations(
    session: Session, run: InspectionRun, targets: Mapping[str, Target]
) -> dict[str, Observation]:
    """Bad findings, OK findings of fingerprints with a history, and problems gone silent.
    OK results never seen bad are skipped: most of a run is healthy and needs no state."""
    found: dict[str, Observation] = {}
    for f in run.findings:
        seen = found.get(f.fingerprint)
        if seen is None or f.status.severity > seen.status.severity:
            found[f.fingerprint] = Observation(
                f.fingerprint, f.target, f.check, f.subject, f.status, str(f.summary)
            )
    tracked = {}
    names = list(run.targets)
    for start in range(0, len(names), _CHUNK):
        rows = session.execute(
            select(FingerprintStateRow).where(
                FingerprintStateRow.target.in_(names[start : start + _CHUNK])
            )
        ).scalars()
        tracked.update((r.fingerprint, r) for r in rows)
    chosen = {fp: ob for fp, ob in found.items() if ob.status != Status.OK or fp in tracked}
    blind = {f.target for f in run.findings if f.check in _BLIND_CHECKS and f.status != Status.OK}
    complete = [t for t in names if t not in blind]
    unmeasured = {(f.target, f.check) for f in run.findings if f.unmeasured}

    def silent(row: FingerprintStateRow | TicketRow) -> bool:
        """Not reported by a check that was measured: not measured is not gone."""
        return row.fingerprint not in found and (row.target, row.check) not in unmeasured

    for fp, row in tracked.items():
        if silent(row) and row.target in complete and row.status != int(Status.OK):
            chosen[fp] = _gone(row)  # problem gone from a fully inspected target
    for start in range(0, len(complete), _CHUNK):
        active = session.scalars(
            select(TicketRow).where(
                TicketRow.target.in_(complete[start : start + _CHUNK]),
                TicketRow.active_fingerprint.is_not(None),
            )
        )
        for row in active:
            if silent(row):
                chosen[row.fingerprint] = _gone(row)
    return chosen


def _gone(row: FingerprintStateRow | TicketRow) -> Observation:
    return Observation(
        row.fingerprint, row.target, row.check, row.subject, Status.OK, "no longer reported"
    )


def _locked_states(
    session: Session, observations: Mapping[str, Observation]
) -> dict[str, FingerprintStateRow]:
    """Create missing state rows without racing, then lock all of them in a fixed order."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    keys = sorted(observations)
    for start in range(0, len(keys), _CHUNK):
        values = [
            {
                "fingerprint": key,
                "target": observations[key].target,
                "check": observations[key].check,
                "subject": observations[key].subject,
                "status": int(Status.OK),
                "bad_streak": 0,
                "ok_streak": 0,
                "changes": [],
                "suppressed": "",
            }
            for key in keys[start : start + _CHUNK]
        ]
        if values:
            session.execute(insert(FingerprintStateRow).values(values).on_conflict_do_nothing())
    states = {}
    for start in range(0, len(keys), _CHUNK):
        rows = session.scalars(
            select(FingerprintStateRow)
            .where(FingerprintStateRow.fingerprint.in_(keys[start : start + _CHUNK]))
            .order_by(FingerprintStateRow.fingerprint)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        states.update((r.fingerprint, r) for r in rows)
    return states


def _active_tickets(session: Session, fingerprints: list[str]) -> dict[str, TicketRow]:
    tickets = {}
    for start in range(0, len(fingerprints), _CHUNK):
        rows = session.scalars(
            select(TicketRow)
            .where(TicketRow.active_fingerprint.in_(fingerprints[start : start + _CHUNK]))
            .order_by(TicketRow.id)
            .with_for_update()
        )
        tickets.update((r.fingerprint, r) for r in rows)
    return tickets


def _record(state: FingerprintStateRow, ob: Observation, run: InspectionRun, spec) -> bool:
    """Update streaks and recent state changes; True when the fingerprint is flapping."""
    bad = ob.status != Status.OK
    changes = list(state.changes or [])
    if state.last_run_at is not None and bad != (state.status != int(Status.OK)):
        changes.append(iso(run.started_at))
    horizon = run.started_at - spec.flap.window
    state.changes = [c for c in changes if datetime.fromisoformat(c) > horizon]
    state.bad_streak = state.bad_streak + 1 if bad else 0
    state.ok_streak = 0 if bad else state.ok_streak + 1
    state.status = int(ob.status)
    state.last_run_id, state.last_run_at = run.id, run.started_at
    return len(state.changes) > spec.flap.changes


def _on_ok(session, state, ob, ticket, flapping, spec, now, result) -> None:
    state.suppressed, state.suppressed_by = "", None
    if ticket is None or flapping or state.ok_streak < spec.resolve_after:
        return
    note = f"auto-resolved: OK in {state.ok_streak} consecutive inspections ({ob.summary})"
    resolve_row(session, ticket, spec, now, SYSTEM_ACTOR, note)
    result.resolved.append(ticket.id)


def _on_bad(session, state, ob, ticket, recent, flapping, run, spec, target, targets, now):
    """What a bad result does: ('kept'|'opened'|'reopened'|'suppressed'|'waiting', detail);
    `recent`: the fingerprint's ticket resolved within `reopen_within`, if any."""
    if ticket is not None:
        _update_open(session, ticket, ob, flapping, spec, target, now, len(state.changes))
        state.suppressed, state.suppressed_by = "", None
        return "kept", ticket
    if state.bad_streak < spec.open_after and not flapping:
        return "waiting", None
    window = maintenance_window(spec, target, run.started_at)
    if window:
        state.suppressed, state.suppressed_by = "maintenance", None
        return "suppressed", f"maintenance window {window}"
    if ob.check == names.CHECK_REACHABILITY:
        down = parent_down(session, target, targets)
        if down is not None:
            _link_to_parent(session, state, ob, down, now)
            return "suppressed", f"parent {down[0]} is down"
    state.suppressed, state.suppressed_by = "", None
    if recent is not None:
        reopen_row(session, recent, spec, now, SYSTEM_ACTOR, f"problem returned: {ob.summary}")
        _follow_worst(session, recent, ob, spec, target, now)
        if flapping:
            recent.flapping = True
        return "reopened", recent
    row = new_ticket(
        session,
        spec,
        now,
        actor=SYSTEM_ACTOR,
        source="probe",
        title=_title(ob),
        target=ob.target,
        grade=grading.grade(ob.status, target.labels, spec),
        category=grading.category(target.kind, ob.check),
        fingerprint=ob.fingerprint,
        check=ob.check,
        subject=ob.subject,
        status=ob.status,
        summary=ob.summary,
        run_id=run.id,
        flapping=flapping,
    )
    return "opened", row


def _title(ob: Observation) -> str:
    what = ob.check if ob.subject in ("", ob.check) else f"{ob.check} {ob.subject}"
    return f"{ob.target}: {what} {ob.status.name}"


def _tally(result: ReconcileResult, fingerprint: str, step) -> None:
    kind, detail = step
    if kind == "opened":
        result.opened.append(detail.id)
    elif kind == "reopened":
        result.reopened.append(detail.id)
    elif kind == "suppressed":
        result.suppressed[fingerprint] = detail


def _update_open(session, ticket, ob, flapping, spec, target, now, changes) -> None:
    if flapping and not ticket.flapping:
        ticket.flapping = True
        note = f"{changes} state changes within {spec.flap.window}: one ticket, no storm"
        add_event(session, ticket, now, SYSTEM_ACTOR, "flapping", note)
    _follow_worst(session, ticket, ob, spec, target, now)


def _follow_worst(session, ticket: TicketRow, ob: Observation, spec, target, now) -> None:
    """Status, title and grade follow the worst status seen while the ticket is open, and
    the deadlines follow the grade; a raise is logged, nothing is ever lowered by itself."""
    before = Status(ticket.status)
    if ob.status.severity <= before.severity:
        return
    ticket.status, ticket.summary, ticket.title = int(ob.status), ob.summary, _title(ob)
    grade = grading.higher(ticket.grade, grading.grade(ob.status, target.labels, spec))
    note = f"{before.name} -> {ob.status.name}"
    if grade != ticket.grade:
        note += f": grade {ticket.grade} -> {grade}"
        ticket.grade = grade
        if ticket.acknowledged_at is None:  # an answered response stays answered
            ticket.response_due = sla.response_due(grade, sla.response_started(ticket), spec)
        ticket.resolution_due = sla.resolution_due(grade, ticket.resolution_started, spec)
    add_event(session, ticket, now, SYSTEM_ACTOR, "raised", note)


def _link_to_parent(session, state, ob, down, now) -> None:
    parent, parent_ticket = down
    parent_id = parent_ticket.id if parent_ticket is not None else None
    if state.suppressed == "parent" and state.suppressed_by == parent_id:
        return
    state.suppressed, state.suppressed_by = "parent", parent_id
    if parent_ticket is not None:
        note = f"{ob.target} unreachable behind {parent}: its ticket is suppressed"
        add_event(
            session, parent_ticket, now, SYSTEM_ACTOR, "linked", note, fingerprint=ob.fingerprint
        )


def _recently_resolved(
    session: Session, fingerprints: list[str], since: datetime
) -> dict[str, TicketRow]:
    """Each fingerprint's latest ticket resolved or closed since `since`, locked: one query
    per run (per 500 fingerprints), not one per new problem."""
    latest: dict[str, TicketRow] = {}
    for start in range(0, len(fingerprints), _CHUNK):
        rows = session.scalars(
            select(TicketRow)
            .where(
                TicketRow.fingerprint.in_(fingerprints[start : start + _CHUNK]),
                TicketRow.state.in_(("resolved", "closed")),
                TicketRow.resolved_at >= since,
            )
            .order_by(TicketRow.id)
            .with_for_update()
        )
        for row in rows:
            kept = latest.get(row.fingerprint)
            if kept is None or row.resolved_at >= kept.resolved_at:
                latest[row.fingerprint] = row
    return latest
