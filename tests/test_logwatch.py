"""Log watch: the check on a table of samples, the probe's answer parsed, and real log files
rotated between two real `inspect run`s on this machine and over the real sshd target."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import checks
from agent.export.lineprotocol import lines, timestamp_ms
from checks import CheckContext
from cli.main import cli
from collectors import probes_logwatch
from collectors.probe_model import ProbeInput
from collectors.session import Session
from core import names
from core.model import Sample, Target
from core.status import Status
from records.store import open_store
from settings.profiles import DEFAULT_THRESHOLDS, LogRule, Profile, Thresholds
from settings.thresholds import Range
from tests.services.sshd import new_workdir

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WEB = Target("web01")
LOG = "/var/log/app.log"
RULE = LogRule(LOG, path=LOG, critical=("panic",), warning=("error",), exclude=("harmless",))


def sample(metric: str, value: float, **labels: str) -> Sample:
    return Sample("web01", metric, value, names.UNITS[metric], AT, labels)


def counts(critical: float, warning: float, backlog: float = 0.0) -> list[Sample]:
    return [
        sample(names.LOGWATCH_CRITICAL_LINES, critical, log=LOG),
        sample(names.LOGWATCH_WARNING_LINES, warning, log=LOG),
        sample(names.LOGWATCH_BACKLOG, backlog, log=LOG),
    ]


@pytest.mark.parametrize(
    ("samples", "thresholds", "texts", "status", "summary"),
    [
        (counts(0, 0), {}, {}, Status.OK,
         "0 critical and 0 warning lines since the last inspection"),
        (counts(0, 2), {}, {"lines": "error a\nerror b"}, Status.WARNING,
         "0 critical and 2 warning lines since the last inspection"),
        (counts(1, 2), {}, {"lines": "panic\nerror"}, Status.CRITICAL,
         "1 critical and 2 warning lines since the last inspection"),
        # a profile may tolerate a few warning lines per inspection
        (counts(0, 3), {names.LOGWATCH_WARNING_LINES: Range.parse(5)}, {}, Status.OK,
         "0 critical and 3 warning lines since the last inspection"),
        (counts(0, 0, backlog=4096), {}, {}, Status.OK,
         "0 critical and 0 warning lines since the last inspection; "
         "4096 bytes left to read next time"),
        ([], {}, {"why": "no such file"}, Status.UNKNOWN, "not measured: no such file"),
    ],
)
def test_logwatch_check(samples, thresholds, texts, status, summary):
    limits = {**DEFAULT_THRESHOLDS, **{m: Thresholds(warning=w) for m, w in thresholds.items()}}
    context = CheckContext(
        profile=Profile(thresholds=limits, logwatch=(RULE,)),
        texts={(names.CHECK_LOGWATCH, LOG): texts},
    )
    (finding,) = checks.REGISTRY[names.CHECK_LOGWATCH].evaluate(WEB, samples, context)
    assert (finding.status, str(finding.summary)) == (status, summary)
    if texts.get("lines"):
        assert finding.evidence["lines"] == texts["lines"].split("\n")


def test_the_standard_profile_asks_for_no_log_watch():
    assert not checks.REGISTRY[names.CHECK_LOGWATCH].configured(Profile())
    assert probes_logwatch.LOGWATCH.wanted(Profile()) is False


def parsed(text: str, rule: LogRule = RULE) -> tuple[list, Session]:
    session = Session(profile=Profile(logwatch=(rule,)))

    def make(metric, value, unit, **labels):
        return Sample("web01", metric, float(value), unit, AT, labels)

    found = ProbeInput(text, make, session.profile, session, AT)
    return list(probes_logwatch.parse(found)), session


def by_metric(items) -> dict[str, float]:
    return {s.metric: s.value for s in items}


@pytest.mark.parametrize(
    ("text", "expected", "lines"),
    [
        # first look at a file: start at its end, judge nothing
        ("@@log 0\n@@stat 12 500\n@@current\n@@part 500 0 0\n@@done 0",
         {names.LOGWATCH_OFFSET: 500, names.LOGWATCH_INODE: 12, names.LOGWATCH_CRITICAL_LINES: 0},
         ""),
        # rotated: the old file's rest, then the new file; excluded lines are not counted
        ("@@log 0\n@@stat 13 20\n@@rotated\n@@part 480 30 30\nLpanic late\nLharmless error\n"
         "@@done 30\n@@current\n@@part 0 20 20\nLerror new\n@@done 10",
         {names.LOGWATCH_OFFSET: 10, names.LOGWATCH_INODE: 13, names.LOGWATCH_CRITICAL_LINES: 1,
          names.LOGWATCH_WARNING_LINES: 1, names.LOGWATCH_BACKLOG: 0},
         "panic late\nerror new"),
        # a log line carrying a form feed is split by str.splitlines: joined back, not lost
        ("@@log 0\n@@stat 1 11\n@@current\n@@part 0 11 11\nLerror a\nb c\n@@done 11",
         {names.LOGWATCH_WARNING_LINES: 1}, "error a b c"),
    ],
)
def test_parse_positions_and_matches(text, expected, lines):
    items, session = parsed(text)
    got = by_metric(items)
    assert {metric: got[metric] for metric in expected} == expected
    assert session.texts[(names.CHECK_LOGWATCH, LOG)]["lines"] == lines


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("@@log 0\n@@absent", "no such file"),
        ("@@log 0\n@@unreadable", "cannot read it (permission denied or not a regular file)"),
        ("@@log 0\n@@stat 1 9\n@@current\n@@part 0 9 9\nLerror", "cut short"),
        ("", "ended before this log"),
    ],
)
def test_parse_says_why_a_log_was_not_read(text, why):
    items, session = parsed(text)
    assert [item.metric for item in items] == [names.LOGWATCH_CRITICAL_LINES]  # Missing
    assert why in str(session.texts[(names.CHECK_LOGWATCH, LOG)]["why"])


def test_evidence_is_bounded_by_max_lines_critical_first():
    rule = LogRule(LOG, path=LOG, critical=("panic",), warning=("error",), max_lines=3)
    verdict = probes_logwatch.judge(rule, ["error 1", "error 2", "panic 1", "error 3", "panic 2"])
    assert (verdict.critical, verdict.warning) == (2, 3)
    assert verdict.evidence == ("panic 1", "panic 2", "error 1")


# --- real runs -------------------------------------------------------------------------------


def shared_dir() -> Path:
    """A directory the sshd test user may read as well (tmp_path is root's own)."""
    return new_workdir()


def write_inventory(path: Path, host: dict, log: Path, **rule: object) -> Path:
    profile = {"logwatch": [{"file": str(log), "critical": ["panic", "I/O error"],
                             "warning": ["error"], "exclude": ["harmless"], **rule}]}
    path.write_text(yaml.safe_dump({"hosts": {"box": {**host, "profile": "patrol"}},
                                    "profiles": {"patrol": profile}}))
    return path


def inspect_run(inventory: Path, db: str) -> dict:
    result = CliRunner().invoke(
        cli, ["run", "-i", str(inventory), "--db", db, "-f", "json", "--timeout", "20"],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1, 2), result.output
    report = json.loads(result.output)
    (finding,) = [f for f in report["findings"] if f["check"] == names.CHECK_LOGWATCH]
    return finding


def append(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)
    path.chmod(0o644)


def rotation_round_trip(tmp_path: Path, host: dict) -> None:
    logs = shared_dir()
    log = logs / "app.log"
    append(log, "old line before the first inspection: error\n")
    db = f"sqlite:///{tmp_path / 'records.db'}"
    inventory = write_inventory(tmp_path / "inventory.yaml", host, log)
    try:
        first = inspect_run(inventory, db)
        # the first look starts at the end: what was there before is not judged
        assert first["status"] == "OK", first
        append(log, "error one\nharmless error\npanic: I/O error on sda\nhalf a li")
        second = inspect_run(inventory, db)
        assert second["status"] == "CRITICAL"
        assert second["summary"] == "1 critical and 1 warning lines since the last inspection"
        # logrotate: the file is renamed, the writer finishes its line there, a new file starts
        append(log, "ne with an error\n")
        log.rename(logs / "app.log.1")
        append(log, "error after rotation\n")
        third = inspect_run(inventory, db)
        assert third["summary"] == "0 critical and 2 warning lines since the last inspection"
        store = open_store(db)
        evidence = store.previous_run("box").findings
        (watched,) = [f for f in evidence if f.check == names.CHECK_LOGWATCH]
        assert watched.evidence["lines"] == ["half a line with an error", "error after rotation"]
        # nothing new: every line was judged once
        assert inspect_run(inventory, db)["status"] == "OK"
    finally:
        shutil.rmtree(logs)


def test_a_real_log_rotated_between_two_local_runs(tmp_path):
    rotation_round_trip(tmp_path, {"address": "localhost"})


def test_a_real_log_rotated_between_two_runs_over_ssh(tmp_path, sshd_server):
    host = {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh()}
    rotation_round_trip(tmp_path, host)


def test_positions_survive_a_run_of_a_profile_without_log_watch(tmp_path):
    """Another schedule's standard run in between must not make the watch forget its place."""
    logs = shared_dir()
    log = logs / "app.log"
    append(log, "start\n")
    db = f"sqlite:///{tmp_path / 'records.db'}"
    watched = write_inventory(tmp_path / "watched.yaml", {"address": "localhost"}, log)
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump({"hosts": {"box": {"address": "localhost"}}}))
    try:
        inspect_run(watched, db)
        append(log, "panic in between\n")
        CliRunner().invoke(cli, ["run", "-i", str(plain), "--db", db, "-f", "json"])
        assert inspect_run(watched, db)["status"] == "CRITICAL"
    finally:
        shutil.rmtree(logs)


def test_the_read_is_bounded_and_the_rest_is_the_backlog(tmp_path):
    logs = shared_dir()
    log = logs / "app.log"
    append(log, "")
    db = f"sqlite:///{tmp_path / 'records.db'}"
    inventory = write_inventory(tmp_path / "inventory.yaml", {"address": "localhost"}, log,
                                max_bytes=1000)
    try:
        inspect_run(inventory, db)
        append(log, "".join(f"error {i:04d} " + "x" * 88 + "\n" for i in range(30)))  # 3000 B
        first = inspect_run(inventory, db)
        assert first["summary"] == (
            "0 critical and 10 warning lines since the last inspection; "
            "2000 bytes left to read next time"
        )
        assert inspect_run(inventory, db)["summary"].startswith("0 critical and 10 warning")
    finally:
        shutil.rmtree(logs)


def test_a_missing_log_is_one_unknown_not_measured(tmp_path):
    logs = shared_dir()
    db = f"sqlite:///{tmp_path / 'records.db'}"
    inventory = write_inventory(tmp_path / "inventory.yaml", {"address": "localhost"},
                                logs / "absent.log")
    try:
        finding = inspect_run(inventory, db)
        assert finding["status"] == "UNKNOWN"
        assert finding["summary"] == f"not measured: {logs / 'absent.log'}: no such file"
    finally:
        shutil.rmtree(logs)


def test_a_journal_unit_is_read_for_real(tmp_path):
    """journalctl runs for real: this machine's journal may be empty, but the window is kept."""
    inventory = tmp_path / "inventory.yaml"
    profile = {"logwatch": [{"journal": "ssh.service", "critical": ["fatal"]}]}
    inventory.write_text(yaml.safe_dump({"hosts": {"box": {"address": "localhost",
                                                           "profile": "patrol"}},
                                         "profiles": {"patrol": profile}}))
    db = f"sqlite:///{tmp_path / 'records.db'}"
    finding = inspect_run(inventory, db)
    assert finding["status"] == "OK" and finding["subject"] == "journal:ssh.service"
    (until,) = [s for s in open_store(db).previous_run("box").samples
                if s.metric == names.LOGWATCH_JOURNAL_UNTIL]
    assert until.value > 1.7e9


def test_positions_are_kept_in_the_records_but_never_exported_as_metrics():
    position = sample(names.LOGWATCH_OFFSET, 500, log=LOG)
    matched = sample(names.LOGWATCH_CRITICAL_LINES, 1, log=LOG)
    assert [line for line, _ in lines([position, matched])] == [
        f"logwatch,target=web01,log={LOG} critical_lines=1.0 {timestamp_ms(AT)}"
    ]
