"""Concurrent reconciles never make two active tickets for one fingerprint: the database
refuses it (unique index on the active fingerprint), on SQLite and on PostgreSQL; concurrent
sweeps never send one notification twice."""

import multiprocessing
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import tickets
from core.model import InspectionRun
from core.status import Status
from records import open_store
from records.tickets import list_tickets, notifications
from records.tickets_schema import TicketRow
from settings import inventory as inventory_loader
from tests.services import wait_until
from tests.services.webhook import Receiver
from tests.test_tickets_support import T0, finding, hook_estate, load_inventory

FINGERPRINTS = [f"web01|disk|/data{i}" for i in range(5)]
INVENTORY = "hosts: {web01: {}}\ntickets: {open_after: 2}\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return fresh_database(request.getfixturevalue("postgres_url"))


def fresh_database(base: str) -> str:
    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def bad_run(index: int) -> InspectionRun:
    started = T0 + timedelta(seconds=index)
    return InspectionRun(
        id=f"c{index:03d}",
        trigger="schedule",
        operator="test",
        started_at=started,
        finished_at=started + timedelta(seconds=1),
        targets=("web01",),
        findings=tuple(finding(fp, Status.CRITICAL) for fp in FINGERPRINTS),
    )


def _reconcile_in_process(url: str, inventory_dir: str, index: int, barrier) -> None:
    from pathlib import Path

    import tickets

    store = open_store(url)
    # the parent wrote it; writing it again here would race the other workers' reads
    inventory = inventory_loader.load(Path(inventory_dir) / "inventory.yaml")
    barrier.wait()
    tickets.reconcile(store.engine, bad_run(index), inventory, lambda: T0 + timedelta(minutes=1))


def _assert_one_ticket_each(url: str) -> None:
    rows = list_tickets(open_store(url).engine)
    assert sorted(t.fingerprint for t in rows) == sorted(FINGERPRINTS)


def test_database_refuses_a_second_active_ticket(db_url):
    engine = open_store(db_url).engine

    def row(**overrides):
        values = dict(
            fingerprint="web01|disk|/",
            active_fingerprint="web01|disk|/",
            source="probe",
            title="t",
            category="server",
            grade="C",
            state="open",
            target="web01",
            check="disk",
            subject="/",
            status=2,
            summary="",
            created_by="test",
            escalation_level=0,
            flapping=False,
            reopen_count=0,
            opened_at=T0,
            response_due=T0,
            resolution_started=T0,
            resolution_due=T0,
            response_escalated=False,
            resolution_escalated=False,
        )
        values.update(overrides)
        return TicketRow(**values)

    with Session(engine) as session, session.begin():
        session.add(row())
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.add(row())
    with Session(engine) as session, session.begin():  # a resolved one may coexist
        session.add(row(state="resolved", active_fingerprint=None))


def test_concurrent_reconciles_in_threads(db_url, tmp_path):
    import tickets

    race_in_threads(db_url, tmp_path, tickets.reconcile)
    _assert_one_ticket_each(db_url)


def race_in_threads(db_url, tmp_path, reconcile) -> None:
    """The first bad run alone (streak 1), then six more at once: each would open a ticket."""
    store = open_store(db_url)
    inventory = load_inventory(tmp_path, INVENTORY)
    reconcile(store.engine, bad_run(0), inventory, lambda: T0)
    barrier = threading.Barrier(6)
    errors = []

    def work(index):
        try:
            barrier.wait()
            reconcile(store.engine, bad_run(index), inventory, lambda: T0)
        except Exception as exc:  # noqa: BLE001 - reported below with the thread's index
            errors.append((index, exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_constraint_alone_holds_when_row_locks_are_disabled(postgres_url, tmp_path, monkeypatch):
    """Failure injection: without SELECT ... FOR UPDATE the reconciles really race on
    PostgreSQL; the unique index refuses the duplicates and the losers retry."""
    from sqlalchemy.sql import Select

    import tickets.reconciler

    db_url = fresh_database(postgres_url)
    monkeypatch.setattr(Select, "with_for_update", lambda self, **_kw: self)
    race_in_threads(db_url, tmp_path, tickets.reconciler.reconcile)
    _assert_one_ticket_each(db_url)


def test_concurrent_reconciles_in_processes(db_url, tmp_path):
    store = open_store(db_url)  # migrate once, and the first bad run, before the race
    import tickets

    first = load_inventory(tmp_path, INVENTORY)
    tickets.reconcile(store.engine, bad_run(0), first, lambda: T0)
    # spawned, not forked: a fork of this multi-threaded test process (the session's service
    # threads) can inherit a lock held by another thread and wait on it for ever
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    workers = [
        context.Process(target=_reconcile_in_process, args=(db_url, str(tmp_path), i, barrier),
                        daemon=True)
        for i in range(1, 5)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(180)
    exits = [w.exitcode for w in workers]
    for w in workers:
        if w.is_alive():
            w.kill()  # never left behind to hang the session's exit
    assert exits == [0, 0, 0, 0]
    _assert_one_ticket_each(db_url)


def test_whole_story_on_each_backend(db_url, tmp_path):
    """Open, escalate, auto-resolve, reopen, manual moves and handover on this backend."""
    from core.errors import UserError
    from records.tickets import events
    from tests.test_tickets_support import Estate
    from tickets import escalation, handover, lifecycle

    e = Estate(store=open_store(db_url), inventory=load_inventory(tmp_path, INVENTORY))
    spec = e.inventory.tickets
    fp = FINGERPRINTS[0]
    e.inspect({fp: Status.CRITICAL})
    e.inspect({fp: Status.CRITICAL})
    [ticket] = list_tickets(e.engine)
    e.clock.advance(minutes=16)
    assert [x.level for x in escalation.escalate_due(e.engine, spec, e.clock)] == ["line2"]
    e.inspect({fp: Status.OK})
    e.inspect({fp: Status.OK})
    e.inspect({fp: Status.CRITICAL})
    e.inspect({fp: Status.CRITICAL})
    [ticket] = list_tickets(e.engine)
    assert (ticket.state, ticket.reopen_count, ticket.escalation_level) == ("reopened", 1, 1)
    lifecycle.acknowledge(e.engine, ticket.id, "bob", spec, e.clock)
    with pytest.raises(UserError):
        lifecycle.reopen(e.engine, ticket.id, "not resolved", "bob", spec, e.clock)
    report = handover.build(e.engine, spec, e.clock)
    handover.record(e.engine, report, "bob", "")
    assert [t.id for t, _ in report.open] == [ticket.id]
    actions = [ev.action for ev in events(e.engine, ticket.id)]
    assert actions == ["opened", "escalated", "resolved", "reopened", "acknowledged"]


def test_a_notification_being_sent_is_not_sent_again_by_a_concurrent_sweep(
    db_url, tmp_path, monkeypatch
):
    """Two sweeps overlap (a server's reconcile and the leading agent's timer, or two agents
    at a leadership hand-over) while a delivery is slow, longer than the retry backoff: the
    second sweep leaves the notification to the first, and the receiver gets it once."""
    receiver = Receiver()  # not listening yet: the first attempt fails, a retry is due later
    monkeypatch.setenv("HOOK_URL", f"{receiver.url}/hook")
    e = hook_estate(tmp_path, timeout=600, attempts=5, url=db_url)
    e.inspect({"web01|disk|/var": Status.CRITICAL})
    [n] = notifications(e.engine)
    assert (n.status, n.attempts) == ("pending", 1)
    receiver.hold = threading.Event()
    receiver.start()
    try:
        first_at = e.clock.advance(minutes=1, seconds=1)
        first = threading.Thread(
            target=tickets.sweep, args=(e.engine, e.inventory, lambda: first_at)
        )
        first.start()
        wait_until(lambda: len(receiver.received) == 1, 60, "the first sweep's delivery")
        later = first_at + timedelta(minutes=5)  # past the second attempt's backoff (2m)
        second = threading.Thread(target=tickets.sweep, args=(e.engine, e.inventory, lambda: later))
        second.start()
        wait_until(
            lambda: len(receiver.received) > 1 or not second.is_alive(), 60, "the second sweep"
        )
        sent_twice = len(receiver.received) > 1
        receiver.hold.set()
        first.join(60)
        second.join(60)
    finally:
        receiver.hold.set()
        receiver.stop()
    assert not sent_twice, receiver.received
    [n] = notifications(e.engine)
    assert (n.status, n.attempts) == ("delivered", 2)
