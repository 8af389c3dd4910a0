"""The records store on SQLite and on a real PostgreSQL."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect

from core.errors import UserError
from core.model import Finding, InspectionRun, PreviousRun, Sample
from core.status import Status
from records import open_store

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def make_run(run_id, started=T0, status=Status.CRITICAL, target="web01", boot=1000.0):
    return InspectionRun(
        id=run_id,
        trigger="manual",
        operator="zhang.wei",
        started_at=started,
        finished_at=started + timedelta(seconds=3),
        targets=(target,),
        findings=(
            Finding(
                target,
                "disk",
                "/var",
                status,
                "/var 93.1% used (critical > 90%)",
                93.1,
                "%",
                "warning > 80%, critical > 90%",
                "du -xh",
                {"mount": "/var"},
            ),
            Finding(target, "cpu", "cpu", Status.OK, "CPU 3.0% busy (warning > 85%)", 3.0, "%"),
        ),
        samples=(
            Sample(target, "disk.used_percent", 93.1, "%", started, {"mount": "/var"}),
            Sample(target, "system.boot_time", boot, "s", started),
        ),
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'inspect.db'}")
    store = open_store(request.getfixturevalue("postgres_url"))
    with store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE runs CASCADE")
    return store


def test_run_round_trips_exactly(store):
    run = make_run("a1b2c3d4e5f60001")
    store.save_run(run)
    assert store.get_run("a1b2c3d4e5f60001") == run


def test_lookup_by_unique_prefix_and_clear_errors(store):
    store.save_run(make_run("aaaa000000000001"))
    store.save_run(make_run("aaab000000000002", started=T0 + timedelta(hours=1)))
    assert store.get_run("aaab").id == "aaab000000000002"
    with pytest.raises(UserError, match="matches several"):
        store.get_run("aaa")
    with pytest.raises(UserError, match="no inspection record with id 'zzz'"):
        store.get_run("zzz")


def test_list_newest_first_with_problem_counts(store):
    store.save_run(make_run("r1", started=T0))
    store.save_run(make_run("r2", started=T0 + timedelta(hours=6), status=Status.OK))
    runs = store.list_runs()
    assert [r.id for r in runs] == ["r2", "r1"]
    assert [(r.status, r.problems) for r in runs] == [(Status.OK, 0), (Status.CRITICAL, 1)]
    assert [r.id for r in store.list_runs(target="nobody")] == []


def test_previous_run_is_the_targets_latest_run(store):
    store.save_run(make_run("r1", started=T0, boot=1000.0))
    store.save_run(make_run("r2", started=T0 + timedelta(hours=6), boot=2000.0))
    store.save_run(make_run("r3", started=T0 + timedelta(hours=7), target="db01", boot=5.0))
    previous = store.previous_run("web01")
    assert {s.value for s in previous.samples if s.metric == "system.boot_time"} == {2000.0}
    assert {f.fingerprint for f in previous.findings} == {"web01|disk|/var", "web01|cpu|cpu"}
    assert store.previous_run("never-seen") == PreviousRun()


def test_schema_matches_the_models(store):
    """Alembic migrations and ORM models must not drift apart."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from records.tables import metadata

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert {"runs", "findings", "samples"} <= set(sa_inspect(store.engine).get_table_names())


def test_unreachable_database_is_one_clear_line_without_password():
    with pytest.raises(UserError) as caught:
        open_store("postgresql+psycopg://ops:s3cret@127.0.0.1:1/inspect")
    assert "s3cret" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from core.model import Finding, InspectionRun, PreviousRun, Sample
    from core.status import Status
    from records import open_store

    store = open_store(sys.argv[1])
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        at = datetime.now(UTC)
        samples = tuple(Sample("web01", "m", float(i), "count", at, {"i": str(i)})
                        for i in range(20000))
        store.save_run(InspectionRun(f"big{n:06d}", "manual", "t", at, at, ("web01",),
                       (Finding("web01", "c", "s", Status.OK, "ok"),), samples))
    """
)


def test_sigkill_during_a_write_leaves_earlier_runs_intact(tmp_path):
    url = f"sqlite:///{tmp_path / 'inspect.db'}"
    store = open_store(url)
    store.save_run(make_run("before-kill"))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert writer.stdout.readline().strip() == b"ready"
    time.sleep(1.5)  # several large transactions are under way by now
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    check = sqlite3.connect(tmp_path / "inspect.db")
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    reopened = open_store(url)
    assert reopened.get_run("before-kill") == make_run("before-kill")
    for summary in reopened.list_runs(limit=100):
        run = reopened.get_run(summary.id)
        if run.id.startswith("big"):
            assert len(run.samples) == 20000  # complete or absent, never half


def test_a_migrated_database_opens_without_loading_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'inspect.db'}"
    open_store(url)  # creates and migrates
    probe = (
        "import sys\n"
        "from records import open_store\n"
        f"open_store({url!r})\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr


def test_phrased_finding_round_trips_and_reads_in_another_language(store):
    """A stored finding keeps its template and values, so it is shown in the reader's language
    later; its text columns hold the English rendering for SQL readers."""
    from dataclasses import replace

    from core.phrases import phrase

    run = make_run("a1b2c3d4e5f60002")
    summary = phrase("{mount} {used} used ({clause})", mount="/var", used="93.1%",
                     clause=phrase("critical {range}", range="> 90%"))
    phrased = replace(run.findings[0], summary=summary, hint=phrase("Find what grew"))
    run = replace(run, findings=(phrased, *run.findings[1:]))
    store.save_run(run)
    loaded = store.get_run("a1b2c3d4e5f60002")
    assert loaded == run
    zh = {"{mount} {used} used ({clause})": "{mount} 已用 {used}（{clause}）",
          "critical {range}": "严重 {range}"}
    in_chinese = loaded.findings[0].summary.render(lambda t: zh.get(t, t))
    assert in_chinese == "/var 已用 93.1%（严重 > 90%）"
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT summary FROM findings WHERE run_id = 'a1b2c3d4e5f60002' AND \"check\" = 'disk'"
        ).scalar_one()
    assert stored == "/var 93.1% used (critical > 90%)"


def test_each_targets_latest_state_survives_a_late_older_run(store):
    """The dashboard reads one row per target; a run spooled by an agent and saved late must
    not replace a newer state."""
    from records.history import latest_by_target

    newer = make_run("b0000000000000002", started=T0 + timedelta(hours=2), status=Status.OK)
    older = make_run("b0000000000000001", started=T0, status=Status.CRITICAL)
    store.save_run(newer)
    store.save_run(older)
    (state,) = latest_by_target(store.engine)
    assert (state.target, state.run_id, state.status, state.problems) == (
        "web01", "b0000000000000002", Status.OK, 0
    )
    store.save_run(make_run("b0000000000000003", started=T0 + timedelta(hours=3)))
    (state,) = latest_by_target(store.engine)
    assert (state.run_id, state.status, state.problems) == ("b0000000000000003", Status.CRITICAL, 1)


def test_upgrading_fills_each_targets_latest_state_from_stored_findings(store):
    from alembic import command
    from alembic.config import Config

    from records.db import MIGRATIONS
    from records.history import latest_by_target

    store.save_run(make_run("c0000000000000001", started=T0, status=Status.WARNING))
    store.save_run(make_run("c0000000000000002", started=T0 + timedelta(hours=1)))
    with store.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, "0010_console")
        command.upgrade(config, "heads")
    (state,) = latest_by_target(store.engine)
    assert (state.run_id, state.status, state.problems) == ("c0000000000000002", Status.CRITICAL, 1)
