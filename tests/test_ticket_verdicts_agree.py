"""Randomized: for every ticket of many generated histories, the SLA state `inspect ticket
list` shows and the verdict `inspect score` counts are the same, on SQLite and PostgreSQL,
whenever the score is computed (clocks still running are pending, never breached)."""

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UserError
from core.tickets_spec import SlaSpec, TicketsSpec
from records import open_store
from records.tickets import list_tickets
from scoring.facts import Facts
from scoring.gather import gather
from scoring.judged import Judged
from scoring.kpis import Subject, compute, tickets_of
from scoring.period import parse
from tests.test_tickets_support import ticket_fact
from tickets import lifecycle, sla
from tickets.verdicts import Rules

NOV = parse("2026-11")
TEAM = Subject("team", "ops")
# weighted towards the moves that settle clocks
ACTIONS = (
    "acknowledge",
    "start",
    "resolve",
    "resolve",
    "fault_report",
    "fault_report",
    "close",
    "reopen",
)
# steps that land on, just before and just after the default deadlines (15 min, 4 h, 8 h,
# end of day, 24 h fault report) and the settings below
MINUTES = (0, 1, 5, 14, 15, 16, 30, 60, 239, 240, 241, 480, 1440, 2160)
STEP = st.builds(
    lambda minutes, micro: timedelta(minutes=minutes, microseconds=micro),
    st.sampled_from(MINUTES),
    st.sampled_from((0, 0, 1, -1)),
).filter(lambda step: step >= timedelta(0))
OPENED = st.sampled_from(
    (
        timedelta(0),
        timedelta(days=3, hours=9),
        timedelta(days=12, hours=23, minutes=50),
        timedelta(days=29, hours=23, minutes=55),  # the period ends while its clocks run
    )
)
TICKET = st.tuples(
    st.sampled_from("ABCD"),
    OPENED,
    st.lists(st.tuples(st.sampled_from(ACTIONS), STEP), max_size=5),
)
RULES = st.tuples(
    st.sampled_from((timedelta(hours=1), timedelta(hours=24), timedelta(hours=36))),
    st.sets(st.sampled_from("ABCD"), min_size=2),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'r.db'}").engine
    return open_store(request.getfixturevalue("postgres_url")).engine


def _empty(engine) -> None:
    with engine.begin() as connection:
        for table in ("notifications", "ticket_events", "tickets"):
            connection.exec_driver_sql(f"DELETE FROM {table}")


def _schedule(history) -> list[tuple[datetime, int, str]]:
    """(when, ticket, action) in order of time: each ticket opens, then takes its steps."""
    moves = []
    for n, (_grade, opened_after, steps) in enumerate(history):
        at = NOV.start + opened_after
        moves.append((at, n, "open"))
        for action, step in steps:
            at = at + step
            moves.append((at, n, action))
    return sorted(moves, key=lambda move: move[0])


def _write(engine, spec: TicketsSpec, history, moves, now: datetime) -> None:
    """The moves made up to `now`, through the real lifecycle; a move the ticket's state does
    not allow is refused by the lifecycle and skipped, as a user would see."""
    ids: dict[int, int] = {}
    for at, n, action in moves:
        if at > now:
            break
        clock = lambda at=at: at  # noqa: E731
        try:
            if action == "open":
                ids[n] = lifecycle.open_manual(
                    engine,
                    spec,
                    target="web01",
                    title="t",
                    actor="x",
                    grade=history[n][0],
                    clock=clock,
                ).id
            elif action == "close":
                lifecycle.close(engine, ids[n], 4, "li.na", spec, clock)
            elif action in ("acknowledge", "start"):
                getattr(lifecycle, action)(engine, ids[n], "li.na", spec, clock)
            elif action == "fault_report":
                lifecycle.file_fault_report(engine, ids[n], "FR", "li.na", spec, clock)
            else:
                getattr(lifecycle, action)(engine, ids[n], "note", "li.na", spec, clock)
        except UserError:
            continue


def _clocks(bits: int) -> tuple[str, str, str]:
    """Scoring's verdict bits in the words of `ticket list` (pending: on track or at risk)."""
    j = Judged
    response = "met" if bits & j.RESPONSE_MET else "breached" if bits & j.RESPONSE_BREACHED else ""
    resolution = "breached" if bits & j.RESOLUTION_BREACHED else "met" if bits & j.RESOLVED else ""
    report = "-"
    if bits & j.REPORT_OWED:
        report = "met" if bits & j.REPORT_MET else "breached" if bits & j.REPORT_BREACHED else ""
    return response, resolution, report


def _shown(view: sla.SlaView) -> tuple[str, str, str]:
    pending = {sla.ON_TRACK: "", sla.AT_RISK: ""}
    report = {"": "-", "owed": "", "filed": "met", "overdue": "breached", "filed_late": "breached"}
    return (
        pending.get(view.response, view.response),
        pending.get(view.resolution, view.resolution),
        report[view.fault_report],
    )


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(TICKET, min_size=1, max_size=5),
    now_after=st.tuples(st.integers(0, 30), STEP),
    rules=RULES,
)
def test_ticket_list_and_scoring_agree_on_every_ticket(engine, history, now_after, rules):
    """`now` falls on, just before or after some move or deadline of the history."""
    within, grades = rules
    spec = TicketsSpec(sla=SlaSpec(fault_report_within=within, fault_report_grades=sorted(grades)))
    moves = _schedule(history)
    which, step = now_after
    now = moves[which % len(moves)][0] + step
    _empty(engine)
    _write(engine, spec, history, moves, now)

    stored = [t for t in list_tickets(engine) if NOV.contains(t.opened_at)]
    shown = {f"#{t.id}": _shown(sla.view(t, now, spec)) for t in stored}  # `ticket list`
    gathered = gather(engine, NOV, rules=Rules.of(spec), at=now)
    in_sql = dict(zip(gathered.verdicts.ids, map(_clocks, gathered.verdicts.judged), strict=True))
    by_hand = Facts(tickets=tuple(map(ticket_fact, stored)), at=now, rules=Rules.of(spec))
    judged = tickets_of(by_hand, NOV, TEAM)
    in_python = dict(zip(judged.ids, map(_clocks, judged.judged), strict=True))
    assert in_sql == shown
    assert in_python == shown

    kpis = compute(gathered, NOV, TEAM)
    for n, name in enumerate(("response_on_time", "resolution_on_time", "fault_report_on_time")):
        kpi = kpis[name]
        assert set(kpi.missed) == {i for i, words in shown.items() if words[n] == "breached"}
        assert set(kpi.pending) == {i for i, words in shown.items() if words[n] == ""}
        assert kpi.numerator == sum(words[n] == "met" for words in shown.values())
