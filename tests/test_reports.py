"""The daily inspection report's data and the `inspect report` CLI, on SQLite and PostgreSQL.

The history is a small deterministic two days written through the real check and record code
paths. Asia/Shanghai, report day 2026-11-02 (yesterday 2026-11-01):

| target | yesterday (latest)        | today 07:30 (23:30Z the day before!) | today 14:00         |
|--------|---------------------------|--------------------------------------|---------------------|
| web01  | disk /var 93.1 CRITICAL   | disk /var 95.0 CRITICAL              | disk /var 96.2 CRIT |
| db01   | memory 93 WARNING (21:00) | memory 60 OK                         | -                   |
| app01  | all OK                    | cpu 88 WARNING                       | disk /data 85 WARN  |
| sw01   | cpu 97 CRITICAL (21:00)   | unreachable: UNKNOWN                 | -                   |
| old01  | all OK                    | -                                    | -                   |

Runs on 2026-10-31 and 2026-11-03 exist and must not leak into the report.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from checks import CheckContext, evaluate_all
from cli.main import cli
from core.errors import UserError
from core.model import InspectionRun, Sample, Target
from flows.inspect import unknown
from records import Store, open_store
from reports.clock import day_bounds, zone
from reports.daily import build_daily
from reports.model import BackupLine, BackupsSection, as_json
from reports.sources import DailySources

DAY = "2026-11-02"
ZONE = "Asia/Shanghai"
NOW = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai

HEALTHY = {"cpu": 12.0, "memory": 50.0, "/": 40.0}


def _samples(target: str, at: datetime, values: dict[str, float]) -> list[Sample]:
    metrics = {"cpu": "cpu.used_percent", "memory": "memory.used_percent"}
    samples = []
    for key, value in values.items():
        if key in metrics:
            samples.append(Sample(target, metrics[key], value, "%", at))
        else:
            labels = {"mount": key, "fstype": "ext4"}
            samples.append(Sample(target, "disk.used_percent", value, "%", at, labels))
    return samples


def _run(run_id: str, at: datetime, measured: dict[str, dict[str, float] | None]) -> InspectionRun:
    """None as a target's values means it could not be reached (one UNKNOWN finding)."""
    findings, samples = [], []
    for name, values in measured.items():
        if values is None:
            findings.append(
                unknown(Target(name), "reachability", "ssh", "timeout", "no answer in 10 s")
            )
            continue
        taken = _samples(name, at, {**HEALTHY, **values})
        samples.extend(taken)
        findings.extend(evaluate_all(Target(name), taken, CheckContext()))
    return InspectionRun(
        id=run_id,
        trigger="schedule",
        operator="zhang.wei",
        started_at=at,
        finished_at=at + timedelta(seconds=7),
        targets=tuple(measured),
        findings=tuple(findings),
        samples=tuple(samples),
    )


def save_history(store: Store) -> None:
    runs = [
        _run("r1031", datetime(2026, 10, 31, 2, 0, tzinfo=UTC), {"web01": {"/var": 99.0}}),
        _run(
            "y1",
            datetime(2026, 11, 1, 1, 0, tzinfo=UTC),  # 09:00 local
            {
                "web01": {"/var": 93.1},
                "db01": {"memory": 91.0},
                "app01": {},
                "sw01": {},
                "old01": {},
            },
        ),
        _run(
            "y2",
            datetime(2026, 11, 1, 13, 0, tzinfo=UTC),  # 21:00 local
            {"db01": {"memory": 93.0}, "sw01": {"cpu": 97.0}},
        ),
        _run(
            "t1",
            datetime(2026, 11, 1, 23, 30, tzinfo=UTC),  # 07:30 local on the report day
            {
                "web01": {"/var": 95.0},
                "db01": {"memory": 60.0},
                "app01": {"cpu": 88.0},
                "sw01": None,
            },
        ),
        _run(
            "t2",
            datetime(2026, 11, 2, 6, 0, tzinfo=UTC),  # 14:00 local
            {"web01": {"/var": 96.2}, "app01": {"/data": 85.0}},
        ),
        _run("r1103", datetime(2026, 11, 2, 16, 10, tzinfo=UTC), {"old01": {"/": 99.0}}),
    ]
    for run in runs:
        store.save_run(run)


def history_report(store: Store, sources: DailySources | None = None):
    return build_daily(store.engine, date.fromisoformat(DAY), ZoneInfo(ZONE), sources, NOW)


@pytest.fixture
def history_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    save_history(open_store(url))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def history_store(request, tmp_path) -> Store:
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'history.db'}")
    else:
        store = open_store(request.getfixturevalue("postgres_url"))
        with store.engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE runs CASCADE")
    save_history(store)
    return store


def test_every_target_shows_its_latest_status_of_the_local_day(history_store):
    report = history_report(history_store)
    assert (report.start, report.end) == (
        datetime(2026, 11, 1, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 16, 0, tzinfo=UTC),
    )
    assert [
        (t.target, t.status, t.previous, t.run_id, t.problems, [p.status for p in t.history])
        for t in report.targets
    ] == [
        ("web01", "CRITICAL", "CRITICAL", "t2", 1, ["CRITICAL", "CRITICAL"]),
        ("app01", "WARNING", "OK", "t2", 1, ["WARNING", "WARNING"]),
        ("sw01", "UNKNOWN", "CRITICAL", "t1", 1, ["UNKNOWN"]),
        ("db01", "OK", "WARNING", "t1", 0, ["OK"]),
    ]
    assert report.target_counts == {"CRITICAL": 1, "WARNING": 1, "UNKNOWN": 1, "OK": 1}
    # web01: cpu, memory, /, /var; app01: cpu, memory, /, /data; sw01: unreachable; db01: 3
    assert report.finding_counts == {"CRITICAL": 1, "WARNING": 1, "UNKNOWN": 1, "OK": 9}
    assert [(r.id, r.status, r.targets, r.problems) for r in report.runs] == [
        ("t2", "CRITICAL", 2, 2),
        ("t1", "CRITICAL", 4, 3),
    ]


def test_anomalies_carry_summary_and_first_aid(history_store):
    anomalies = history_report(history_store).anomalies
    assert [(a.target, a.check, a.subject, a.status, a.is_new) for a in anomalies] == [
        ("web01", "disk", "/var", "CRITICAL", False),
        ("app01", "disk", "/data", "WARNING", True),
        ("sw01", "reachability", "ssh", "UNKNOWN", True),
    ]
    assert str(anomalies[0].summary) == "/var 96.2% used (critical > 90%)"
    assert str(anomalies[0].hint).startswith("Find what grew: `du -xh --max-depth=2 /var")
    assert str(anomalies[2].summary) == "timeout: no answer in 10 s"
    assert "did not answer in time" in str(anomalies[2].hint)


def test_changes_since_yesterday(history_store):
    changes = history_report(history_store).changes
    assert [(c.target, c.subject, c.previous, c.status) for c in changes.new] == [
        ("app01", "/data", None, "WARNING"),
        ("sw01", "ssh", None, "UNKNOWN"),
    ]
    recovered = changes.recovered
    assert [(c.target, c.subject, c.previous, c.status, str(c.summary)) for c in recovered] == [
        ("db01", "memory", "WARNING", "OK", "memory 60.0% used (warning > 90%)"),
    ]
    # sw01's CPU was CRITICAL but could not be measured today: still unknown, not recovered
    assert [(c.target, c.subject, c.previous, c.status) for c in changes.still_bad] == [
        ("web01", "/var", "CRITICAL", "CRITICAL"),
    ]
    assert changes.not_inspected == ("old01",)


def test_a_day_without_runs_is_an_empty_report_not_an_error(history_store):
    report = build_daily(history_store.engine, date(2026, 11, 5), ZoneInfo(ZONE), now=NOW)
    assert report.targets == () and report.runs == () and report.anomalies == ()
    assert report.changes.not_inspected == ()
    assert report.target_counts == {"CRITICAL": 0, "WARNING": 0, "UNKNOWN": 0, "OK": 0}


def test_sections_of_features_not_yet_recorded_are_absent_and_sources_plug_in(history_store):
    assert history_report(history_store).backups is None
    assert history_report(history_store).tickets is None
    seen = []

    def backups(engine, start, end):
        seen.append((start, end))
        line = BackupLine("sw01", "config", end - timedelta(hours=1), False, None, "timeout")
        return BackupsSection(done=0, failed=1, items=(line,))

    report = history_report(history_store, DailySources(backups=backups))
    assert report.backups.failed == 1
    assert seen == [(report.start, report.end)]


def test_utc_day_bounds_follow_the_zone_including_dst():
    new_york = zone("America/New_York")
    start, end = day_bounds(date(2026, 11, 1), new_york)  # clocks go back: a 25-hour day
    assert end - start == timedelta(hours=25)
    assert day_bounds(date(2026, 11, 2), zone("UTC")) == (
        datetime(2026, 11, 2, tzinfo=UTC),
        datetime(2026, 11, 3, tzinfo=UTC),
    )
    with pytest.raises(UserError, match="--tz 'Mars/Olympus' is not a known time zone"):
        zone("Mars/Olympus")


def test_default_zone_is_the_machines(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    assert zone(None).key == "Asia/Shanghai"


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def daily(db: str, *args: str):
    return invoke("report", "daily", "--db", db, "--day", DAY, "--tz", ZONE, *args)


def test_cli_json_is_the_report_data(history_db):
    result = daily(history_db, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = as_json(history_report(open_store(history_db)))
    data.pop("generated_at"), expected.pop("generated_at")
    assert data == expected
    assert data["targets"][0]["checked_at"] == "2026-11-02T06:00:00Z"
    assert data["kind"] == "daily" and data["day"] == DAY


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--day", "2026-13-01"),
            "inspect: error: report daily: Invalid value for '--day': '2026-13-01' is not a date; "
            "use YYYY-MM-DD, e.g. 2026-11-02\n",
        ),
        (
            ("--day", "yesterday"),
            "inspect: error: report daily: Invalid value for '--day': 'yesterday' is not a date; "
            "use YYYY-MM-DD, e.g. 2026-11-02\n",
        ),
        (("--lang", "fr"), "inspect: error: --lang 'fr': no such language; available: en, zh-CN\n"),
        (
            ("--tz", "Nowhere/City"),
            "inspect: error: --tz 'Nowhere/City' is not a known time "
            "zone (e.g. Asia/Shanghai, UTC)\n",
        ),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_3(history_db, args, message):
    result = invoke("report", "daily", "--db", history_db, *args)
    assert result.exit_code == 3
    assert result.output == message


def test_cli_writes_files_and_markdown_in_both_languages(history_db, tmp_path):
    result = daily(history_db, "-f", "md", "--lang", "zh-CN")
    assert result.exit_code == 0
    assert result.output.startswith("# 巡检日报: 2026年11月2日星期一\n")
    assert "| 严重 | web01 | disk | /var | /var 已用 96.2%（严重 > 90%） |" in result.output
    english = daily(history_db, "-f", "md", "--lang", "en").output
    assert english.startswith("# Daily inspection report: Monday, November 2, 2026\n")
    assert "- Warning → **OK** `db01` memory" in english
    out = tmp_path / "reports" / "daily.html"
    result = daily(history_db, "-o", str(out))
    assert result.exit_code == 0 and result.output == f"wrote {out}\n"
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_cli_default_day_is_today_in_the_zone(tmp_path):
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    result = invoke("report", "daily", "--db", db, "--tz", "UTC", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["day"] == datetime.now(UTC).date().isoformat()


# The patrol sheet (巡检表): per target, one row per item of its latest inspection of the day, as
# duty staff sign it. On the report day web01's latest run is t2 (disk /var 96.2 CRITICAL, / 40
# OK), app01's t2 (/data 85 WARNING), db01's t1 (all OK) and sw01's t1 (unreachable).
SHEET_COLUMNS = ("item", "standard", "results", "status")


def _sheet(report, target):
    return next(s for s in report.sheets if s.target == target)


def _rows(sheet):
    return {row.check: row for row in sheet.rows}


def test_every_inspected_target_has_a_sheet_from_its_latest_run(history_store):
    report = history_report(history_store)
    assert [(s.target, s.run_id, s.status) for s in report.sheets] == [
        ("app01", "t2", "WARNING"),
        ("db01", "t1", "OK"),
        ("sw01", "t1", "UNKNOWN"),
        ("web01", "t2", "CRITICAL"),
    ]
    assert {s.operator for s in report.sheets} == {"zhang.wei"}


def test_a_row_names_each_abnormal_subject_and_counts_the_normal_ones(history_store):
    web01 = _rows(_sheet(history_report(history_store), "web01"))
    disk = web01["disk"]
    assert (disk.status, disk.subjects, disk.problems) == ("CRITICAL", 2, 1)
    assert [str(r) for r in disk.results] == ["/var 96.2% used (critical > 90%)"]
    assert str(disk.standard) == "warning > 80%, critical > 90%"
    assert str(disk.item) == "Filesystem space"
    assert "du -xh" in str(disk.hint)  # what to do first
    cpu = web01["cpu"]
    assert (cpu.status, cpu.problems, cpu.hint) == ("OK", 0, "")
    assert len(cpu.results) == 1 and "12.0%" in str(cpu.results[0])


def test_what_made_the_inspection_incomplete_comes_first(history_store):
    sw01 = _sheet(history_report(history_store), "sw01")
    assert [row.check for row in sw01.rows] == ["reachability"]
    assert sw01.rows[0].status == "UNKNOWN"


def test_markdown_sheet_is_signable_in_english(history_db):
    out = CliRunner().invoke(
        cli, ["report", "daily", "--db", history_db, "--day", DAY, "--tz", ZONE,
              "--format", "md", "--lang", "en"],
    )
    assert out.exit_code == 0, out.output
    sheet = out.output.split("## Patrol sheets", 1)[1].split("\n## ", 1)[0]
    assert "### web01" in sheet
    assert "| Inspection item | Standard | Result | Conclusion | First aid |" in sheet
    assert "| Filesystem space | warning > 80%, critical > 90% | /var 96.2% used" in sheet
    assert "| Abnormal |" in sheet and "| Normal |" in sheet
    assert "Inspected by: zhang.wei" in sheet and "Reviewed by:" in sheet


def test_json_sheet_carries_the_same_rows(history_db):
    out = CliRunner().invoke(
        cli,
        ["report", "daily", "--db", history_db, "--day", DAY, "--tz", ZONE, "--format", "json"],
    )
    assert out.exit_code == 0, out.output
    sheets = {s["target"]: s for s in json.loads(out.output)["sheets"]}
    rows = {r["check"]: r for r in sheets["app01"]["rows"]}
    assert rows["disk"]["status"] == "WARNING" and rows["disk"]["problems"] == 1
    assert set(SHEET_COLUMNS) <= set(rows["disk"])
