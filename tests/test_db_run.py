"""`inspect run` end to end on database targets, with SQLite records: the inventory's
`database:` sections, the backups each target reports (named or found by address and port),
the last good backup read from the records, and the second run compared with the first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from cli.main import cli
from core.backups import BackupRecord
from records import open_store
from records.backups import BackupStore
from tests.services.db_replicas import MONITOR, MONITOR_PASSWORD

INVENTORY = """\
databases:
  shop-pg:
    engine: postgresql
    host: 127.0.0.1
    port: {pg}
    user: postgres
    database: shop
    destination: backups
  shop-maria:
    engine: mariadb
    host: db.example
    user: backup
    database: shop
    destination: backups
defaults:
  kind: database
  address: 127.0.0.1
groups:
  pg: {{database: {{engine: postgresql, user: {user}, password: env:RUN_DB_MONITOR}}}}
hosts:
  pg-primary: {{groups: [pg], port: {pg}}}
  pg-standby: {{groups: [pg], port: {pg_standby}}}
  maria-replica:
    database:
      engine: mariadb
      port: {maria}
      user: {user}
      password: env:RUN_DB_MONITOR
      backups: [shop-maria]
"""


def test_inspect_run_on_database_targets(pg_pair, mariadb_pair, tmp_path, monkeypatch):
    monkeypatch.setenv("RUN_DB_MONITOR", MONITOR_PASSWORD)
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY.format(
        pg=pg_pair.primary, pg_standby=pg_pair.replica, maria=mariadb_pair.replica.port,
        user=MONITOR,
    ))
    url = f"sqlite:///{tmp_path / 'records.db'}"
    finished = datetime.now(UTC) - timedelta(hours=3)
    BackupStore(open_store(url).engine).save_backup(BackupRecord(
        "shop-pg-1", "db", "shop-pg", finished - timedelta(minutes=1), finished, "ok",
        "/b/shop.pgdump", 1024, "ab",
    ))
    argv = ["run", "-i", str(path), "--db", url, "-f", "json", "--timeout", "30"]
    first = CliRunner().invoke(cli, argv)
    findings = json.loads(first.output)["findings"]

    def of(target, check):
        return [(f["subject"], f["status"], f["summary"]) for f in findings
                if f["target"] == target and f["check"] == check]

    # the primary's backup is found by address and port, the replica's is named in its section
    assert of("pg-primary", "db_backup") == [("shop-pg", "OK", "last good backup 3 h old")]
    assert of("maria-replica", "db_backup") == [
        ("shop-maria", "CRITICAL", "no good backup recorded")
    ]
    assert of("pg-standby", "db_backup") == []  # another port: not its backup
    assert of("pg-standby", "db_replication")[0][:2] == ("replication", "OK")
    assert of("maria-replica", "db_replication")[0][:2] == ("replication", "OK")
    assert first.exit_code == 2, first.output  # the missing backup is CRITICAL
    assert MONITOR_PASSWORD not in first.output

    second = CliRunner().invoke(cli, argv)
    findings = json.loads(second.output)["findings"]
    for name in ("pg-primary", "pg-standby", "maria-replica"):
        assert of(name, "db_restart")[0][1] == "OK"
        [(_, _, deadlocks)] = of(name, "db_deadlocks")
        assert deadlocks.startswith("0 deadlocks since the last inspection"), deadlocks


def test_inspect_check_judges_a_replica_as_a_nagios_plugin(pg_pair, mariadb_pair, tmp_path,
                                                           monkeypatch):
    """`inspect check db_replication --target`: the status line and exit code a monitoring
    core reads, with the lag held to the caller's -w/-c; a stopped standby is CRITICAL (2)."""
    monkeypatch.setenv("RUN_DB_MONITOR", MONITOR_PASSWORD)
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY.format(
        pg=pg_pair.primary, pg_standby=pg_pair.replica, maria=mariadb_pair.replica.port,
        user=MONITOR,
    ))
    argv = ["check", "db_replication", "-i", str(path), "--target", "pg-standby",
            "-w", "30", "-c", "120"]
    streaming = CliRunner().invoke(cli, argv)
    assert streaming.exit_code == 0, streaming.output
    assert "replicating" in streaming.output
    with pg_pair.receiver_stopped():
        stopped = CliRunner().invoke(cli, argv)
    assert stopped.exit_code == 2, stopped.output
    assert "stopped" in stopped.output
