"""The promises every command keeps (README, docs/backup.md, docs/agent.md): `-i` and `--db`
everywhere, bad input one line `inspect: error: …` and exit 3, extreme but well-formed values
refused at the option instead of crashing deep inside, device text shown and not obeyed."""

from __future__ import annotations

import fcntl
import json
import os

import click
import pytest
from click.testing import CliRunner

from agent.lock import lock_path
from cli.main import cli
from tests.cli_tree import commands, option_names

COMMANDS = dict(commands())


def invoke(*args: str, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def assert_one_line_error(result, *parts: str) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("inspect: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    for part in parts:
        assert part in result.stderr
    return result.stderr


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'records.db'}"


@pytest.mark.parametrize("path", [" ".join(p) for p in COMMANDS])
def test_every_command_takes_inventory_and_db(path):
    assert {"-i", "--inventory", "--db"} <= option_names(COMMANDS[tuple(path.split())])


@pytest.mark.parametrize("path", [" ".join(p) for p in COMMANDS])
def test_every_usage_error_is_one_line_exit_3(path):
    assert_one_line_error(invoke(*path.split(), "--no-such-option"), f"{path}: No such option")


def test_missing_argument_and_bad_choice_name_the_command():
    assert_one_line_error(invoke("ticket", "show"), "ticket show: Missing argument 'TICKET_ID'")
    assert_one_line_error(invoke("run", "-f", "xml"), "run: Invalid value for '-f' / '--format'")


NUMBER_TYPES = (click.types.FloatParamType, click.types.IntParamType)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e400", "9" * 30])
def test_every_number_option_refuses_nonsense(value):
    """A nan timeout once meant silent 0.1 s timeouts; nothing numeric lets nonsense through."""
    checked = 0
    for path, command in COMMANDS.items():
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, NUMBER_TYPES):
                result = invoke(*path, param.opts[-1], value)
                assert_one_line_error(result, f"'{param.opts[-1]}'")
                checked += 1
    assert checked >= 6  # run --workers/--timeout/--retries/--jitter, agent, score, limits


EXTREMES = [
    (("records", "plan", "--day", "9999-12-31"), "year 9999 is outside"),
    (("records", "plan", "--day", "0001-01-01"), "year 1 is outside"),
    (("report", "daily", "--day", "9999-12-31"), "year 9999 is outside"),
    (("report", "monthly", "--month", "0001-01"), "year 1 is outside"),
    (("score", "--period", "0001-01"), "year 1 is outside"),
    (("score", "--period", "0001-W01"), "year 1 is outside"),
    (("score", "--period", "9999-W52"), "year 9999 is outside"),
    (("records", "list", "-n", "99999999999999999999"), "is not in the range"),
    (("ticket", "show", "9223372036854775808"), "is not in the range"),
    (("ticket", "ack", "9223372036854775808"), "is not in the range"),
    (("report", "fault", "9223372036854775808"), "is not in the range"),
    (("run", "--timeout", "nan"), "'nan' is not a finite number"),
    (("run", "--jitter", "nan"), "'nan' is not a finite number"),
]


@pytest.mark.parametrize(("args", "message"), EXTREMES, ids=[" ".join(a) for a, _ in EXTREMES])
def test_extreme_values_are_one_line_errors(args, message, db):
    assert_one_line_error(invoke(*args, "--db", db), message)


def test_occurred_time_at_the_calendar_edge(db):
    invoke("ticket", "open", "--db", db, "-t", "sw1", "--title", "down")
    result = invoke("ticket", "comment", "1", "0001-01-01T00:00+14:00", "--kind", "occurred",
                    "--db", db)
    assert_one_line_error(result, "--kind occurred", "year 1 is outside")
    good = invoke("ticket", "comment", "1", "2026-11-05T08:10+08:00", "--kind", "occurred",
                  "--db", db)
    assert good.exit_code == 0, good.output


def test_commands_that_refused_inventory_or_db_now_use_them(tmp_path, db):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts:\n  sw1: {address: 127.0.0.1}\n")
    for args in (("backup", "list"), ("backup", "show", "x"), ("records", "plan")):
        result = invoke(*args, "-i", str(inventory), "--db", db)
        assert "No such option" not in result.output
    assert invoke("records", "plan", "-i", str(inventory), "--db", db).exit_code == 0
    assert not (tmp_path / "data" / "opsinspect" / "inspect.db").exists()  # --db was used


def test_group_options_reach_the_subcommand_and_beat_the_environment(tmp_path, db):
    chosen, other = tmp_path / "chosen.yaml", tmp_path / "other.yaml"
    chosen.write_text("hosts:\n  a: {}\nschedules:\n  night-patrol: {cron: '0 2 * * *'}\n")
    other.write_text("hosts:\n  b: {}\nschedules:\n  day-patrol: {cron: '0 9 * * *'}\n")
    result = invoke("agent", "-i", str(chosen), "--db", db, "status",
                    env={"INSPECT_INVENTORY": str(other)})
    assert result.exit_code == 0, result.output
    assert "night-patrol" in result.output and "day-patrol" not in result.output


def test_agent_status_pid_is_a_number(db):
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(f"{os.getpid()}\n")
        held.flush()
        data = json.loads(invoke("agent", "status", "--db", db, "-f", "json").output)
    assert data["agent"] == {"running": True, "pid": os.getpid()}
    data = json.loads(invoke("agent", "status", "--db", db, "-f", "json").output)
    assert data["agent"] == {"running": False, "pid": None}


def test_run_on_an_inventory_without_hosts_is_an_error(tmp_path, db):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts: {}\n")  # refused at load: nothing to inspect or back up
    assert_one_line_error(invoke("run", "-i", str(inventory), "--db", db), "nothing to inspect")
    # valid for the backup agent, but `run` has no host to inspect
    inventory.write_text("databases:\n  erp: {engine: sqlite, path: erp.db, destination: d}\n")
    assert_one_line_error(invoke("run", "-i", str(inventory), "--db", db), "no hosts to inspect")


def test_a_file_that_is_not_yaml_keys_is_not_echoed(tmp_path, db):
    scheme = tmp_path / "passwd"
    scheme.write_text("root:x:0:0:root:/root:/bin/bash\nops:x:1000:1000:s3cret-gecos:/home/ops\n")
    error = assert_one_line_error(invoke("score", "--scheme", str(scheme), "--db", db),
                                  "passwd:1", "expected a mapping")
    assert "root:x" not in error and "s3cret" not in error


def test_control_characters_in_an_error_are_made_visible(db):
    result = invoke("records", "list", "--db", db, "--limit\x1b]0;pwned\x07\x1b[2J")
    error = assert_one_line_error(result)
    assert "\x1b" not in error and "\x07" not in error
    assert "\\x1b]0;pwned\\x07" in error
