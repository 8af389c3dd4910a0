"""Hostile arguments through every command of the click tree (a new command is covered as
soon as it exists): no traceback, exit codes 0-3 only, at most one line on stderr, and the
secret behind a credential reference never printed."""

from __future__ import annotations

import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import cli
from cli.params import Day, Period
from tests.cli_tree import commands

SECRET = "fuzz-Secret-7Hq2"  # behind env:FUZZ_SECRET in the inventory; must never be shown
# Run forever by design (daemons); the agent's `status` and `--once` paths and the server's
# bad options are covered elsewhere (tests/test_cli_contract.py, tests/test_console.py);
# the zone worker's in tests/test_zones.py.
EXCLUDED = {("agent",), ("serve",), ("worker",)}
SCHEME = Path(__file__).resolve().parents[1] / "scoring" / "default_scheme.yaml"
SLOW_CHOICES = {"pdf"}  # a browser per example would blow the time budget
FIXED = {"-i", "--inventory", "--db"}  # sources stay in the temporary directory

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b"  # retitle the terminal, clear it (C1 CSI too)
EDGES = [
    "", " ", "-", "--", "0", "-1", "1", "nan", "inf", "-inf", "1e400", "9" * 40,
    "9223372036854775808", "2026-11", "2026-11-02", "2026-W45", "2026-Q4", "2026", "1970-01",
    "0001-01-01", "9999-12-31", "9999-W52", "0001-W01", "9998-12", "2026-02-30", "2026-Q5",
    "0001-01-01T00:00+14:00", "2026-11-05T08:10+08:00", "web01", "localhost", "db1",
    ESCAPES, "ü中文\u202eevil", "'; DROP TABLE runs; --", "%s%n{0}",
    "a" * 300, "env:FUZZ_SECRET", "UTC", "Asia/Shanghai", "zh-CN", "HEAD~2",
]
PERIODS = ["2026-11", "2026-W45", "2026-Q4", "2026", "2026-11-02", "1970-01", "9998-W52"]
BY_NAME = {
    "profile": ["standard"],
    "target_names": ["web01"],
    "names": ["web01", "db1"],
    "zone": ["UTC", "Asia/Shanghai"],
    "tz": ["UTC", "Pacific/Kiritimati"],
    "lang": ["en", "zh-CN"],
    "ticket_id": ["1"],
    "scheme_path": ["scheme.yaml"],
}
PLAUSIBLE = ["1", "web01", "db1", "2026-11", "2026-11-02", "UTC", "en", "ops", "fixed it"]
CALENDAR_EDGES = ["0001-01-01", "9999-12-31", "0001-01", "9999-12", "0001-W01", "9999-W52",
                  "0001-Q1", "9999-Q4", "0001", "9999", "0000-01-01", "2026-02-30", "2026-W54"]
NUMBERS = ["nan", "inf", "-inf", "-1", "-0", "0", "1", "2", "3.5", "1e400", "1_000", "0x10",
           "99999999999999999999", "9223372036854775808"]
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
               max_size=12)  # argv cannot hold NUL or lone surrogates
SAFE_NAME = st.text(st.characters(blacklist_characters="\x00/", blacklist_categories=("Cs",)),
                    min_size=1, max_size=12)


def _hostile(param: click.Parameter) -> st.SearchStrategy[str]:
    kind = param.type
    if isinstance(kind, click.Path):  # relative: the run's cwd is a temporary directory
        return st.one_of(st.sampled_from(["missing.yaml", "."]),
                         SAFE_NAME.map(lambda name: f"./{name}"))
    if isinstance(kind, click.types.FloatParamType | click.types.IntParamType):
        return st.one_of(st.sampled_from(NUMBERS), st.integers().map(str))
    if isinstance(kind, Day | Period):
        return st.one_of(st.sampled_from(CALENDAR_EDGES), TEXT)
    return st.one_of(st.sampled_from(EDGES), TEXT, st.just(ESCAPES))


def _plausible(param: click.Parameter) -> st.SearchStrategy[str]:
    """A value the option accepts, so a run gets past it to the code behind the others."""
    kind = param.type
    if param.name in BY_NAME:
        return st.sampled_from(BY_NAME[param.name])
    if isinstance(kind, click.Path):
        return st.just("inventory.yaml" if kind.exists else "out.txt")
    if isinstance(kind, click.Choice):
        return st.sampled_from([c for c in kind.choices if c not in SLOW_CHOICES])
    if isinstance(kind, Day):
        return st.sampled_from(["2026-11-02", "1970-01-01", "9998-12-31"])
    if isinstance(kind, Period):
        return st.sampled_from(["2026-11", "1970-01", "9998-12"] if kind.kinds else PERIODS)
    if isinstance(kind, click.types.IntParamType):
        low = getattr(kind, "min", None) or 0
        return st.integers(low, max(low, min(getattr(kind, "max", None) or 5, 5))).map(str)
    if isinstance(kind, click.types.FloatParamType):
        low = getattr(kind, "min", None) or 0
        return st.sampled_from([str(low), str(low + 1)])
    return st.sampled_from(PLAUSIBLE)


@st.composite
def _arguments(draw, command: click.Command) -> list[str]:
    """Plausible values everywhere but (usually) one hostile parameter, so each option's
    hostile values reach the code behind it instead of stopping at the first bad option."""
    params = [p for p in command.params if not (FIXED & set(p.opts) or p.is_eager)]
    hostile = draw(st.integers(0, len(params)))  # len(params): none hostile
    options: list[str] = []
    positional: list[str] = []
    for index, param in enumerate(params):
        values = _hostile(param) if index == hostile else _plausible(param)
        if isinstance(param, click.Argument):
            count = draw(st.integers(0, 2)) if param.nargs == -1 else 1
            positional += [draw(values) for _ in range(count)]
            continue
        if not (param.required or index == hostile or draw(st.booleans())):
            continue
        name = draw(st.sampled_from(param.opts))
        if param.is_flag:
            options.append(name)
            continue
        for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
            options += [name, draw(values)]
    return options + (["--", *positional] if positional else [])


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    """An inventory whose host and database listen nowhere (closed 127.0.0.1 ports)."""
    home = tmp_path_factory.mktemp("fuzz")
    secret = pytest.MonkeyPatch()
    secret.setenv("FUZZ_SECRET", SECRET)
    closed = _closed_port()
    inventory = home / "inventory.yaml"
    inventory.write_text(
        "hosts:\n"
        "  web01:\n"
        "    address: 127.0.0.1\n"
        f"    ssh: {{port: {closed}, username: ops, password: env:FUZZ_SECRET, timeout: 1}}\n"
        "databases:\n"
        "  db1:\n"
        f"    engine: postgresql\n    host: 127.0.0.1\n    port: {closed}\n"
        "    user: backup\n    password: env:FUZZ_SECRET\n    database: erp\n"
        f"    destination: {home / 'backups'}\n"
    )
    db = f"sqlite:///{home / 'records.db'}"
    (home / "scheme.yaml").write_text(SCHEME.read_text())
    opened = CliRunner().invoke(cli, ["ticket", "open", "-i", str(inventory), "--db", db,
                                      "-t", "web01", "--title", "down"])
    assert opened.exit_code == 0, opened.output  # ticket 1, for the ticket commands
    yield home, inventory, db
    secret.undo()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PATHS = [path for path, _ in commands() if path not in EXCLUDED]


@pytest.mark.slow
@pytest.mark.parametrize("path", [" ".join(p) for p in PATHS])
def test_hostile_arguments_never_crash_or_leak(path, estate, monkeypatch):
    home, inventory, db = estate
    monkeypatch.chdir(home)
    command = dict(commands())[tuple(path.split())]

    @settings(max_examples=15, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(_arguments(command))
    def attempt(args):
        call = [*path.split(), "-i", str(inventory), "--db", db, *args]
        result = CliRunner().invoke(cli, call)
        shown = f"{call!r}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{shown}\n{result.exc_info}"
        )
        assert result.exit_code in (0, 1, 2, 3), shown
        assert result.stderr.count("\n") <= 1, shown
        assert SECRET not in result.output, shown
        # typed text comes back (a title, a note): shown, never obeyed by the terminal
        assert not any(c in result.output for c in ("\x1b]", "\x07", "\x9b")), shown

    attempt()
