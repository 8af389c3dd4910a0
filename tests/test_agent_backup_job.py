"""A scheduled job of kind `backup` backs up the due databases through the real backup path."""

import sqlite3
import textwrap

from agent.jobs import KINDS, JobContext
from agent.scheduler import IntervalTrigger, Job
from records import open_store
from records.backups import BackupStore
from settings.inventory import load


def test_backup_job_backs_up_due_databases(tmp_path):
    source = tmp_path / "app.db"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5)])
    inventory_path = tmp_path / "inventory.yaml"
    inventory_path.write_text(
        textwrap.dedent(f"""\
        databases:
          app: {{engine: sqlite, path: {source}, destination: {tmp_path / "backups"}}}
        schedules:
          nightly: {{kind: backup, cron: "0 2 * * *"}}
        """)
    )
    inventory = load(inventory_path)
    store = open_store(f"sqlite:///{tmp_path / 'records.db'}")
    job = Job(name="nightly", kind="backup", trigger=IntervalTrigger(86400))
    outcome = KINDS["backup"](JobContext(inventory, job, store, None))
    assert "1 backup(s), OK" in str(outcome.summary)
    assert store.get_run(outcome.run_id).trigger == "backup"
    (record,) = BackupStore(store.engine).backups()
    assert record.name == "app" and record.ok
    KINDS["backup"](JobContext(inventory, job, store, None))  # not due again within a day
    assert len(BackupStore(store.engine).backups()) == 1
