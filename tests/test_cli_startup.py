"""Commands start fast: help and `records list` import only what they use (never timed here;
bench/cli_startup.py measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from cli.lazy import Lazy, LazyGroup
from cli.main import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[1]

# Libraries and our packages that a listing or a help text has no use for.
HEAVY = (
    "sqlalchemy", "alembic", "pydantic", "yaml", "jinja2", "babel", "psutil", "paramiko",
    "netmiko", "pysnmp", "influxdb_client", "settings.inventory", "records", "tickets", "scoring",
    "reports", "agent", "flows", "collectors", "checks",
)
OTHER_TABLES = (
    "records.agent_schema", "records.assessments_schema", "records.backups_schema",
    "records.scoring_schema", "records.tickets_schema",
)
PROBE = (
    "import json, sys\n"
    "from cli.main import main\n"
    "sys.argv = ['inspect', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)


def loaded_by(tmp_path: Path, *args: str) -> tuple[str, set[str]]:
    """`inspect ARGS` in a fresh interpreter: its output and every module it imported."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        INSPECT_DB=f"sqlite:///{tmp_path / 'records.db'}",
    )
    env.pop("INSPECT_INVENTORY", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    *errors, modules = done.stderr.strip().splitlines()
    assert errors == [], errors
    return done.stdout, set(json.loads(modules))


def within(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def lazy_entries() -> Iterator[tuple[str, Lazy]]:
    """Every lazy subcommand of the tree, by its path."""

    def walk(path: str, group: click.Group) -> Iterator[tuple[str, Lazy]]:
        ctx = click.Context(group, info_name=path)
        for name in group.list_commands(ctx):
            if isinstance(group, LazyGroup) and name in group.lazy:
                yield f"{path} {name}", group.lazy[name]
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                yield from walk(f"{path} {name}", command)

    yield from walk("inspect", cli)


@pytest.mark.parametrize("entry", [pytest.param(e, id=path) for path, e in lazy_entries()])
def test_lazy_help_line_is_the_commands_own(entry):
    """The help line kept next to a lazy command is its docstring's, so `--help` tells the
    truth without importing the command."""
    assert entry.help == entry.load().get_short_help_str(limit=sys.maxsize)


def test_help_lists_every_command_without_importing_one(tmp_path):
    output, modules = loaded_by(tmp_path, "--help")
    for name in COMMANDS:
        assert f"\n  {name} " in output
    assert within(modules, HEAVY) == []
    assert [m for m in modules if m.startswith("cli.") and m.endswith("_cmd")] == []


@pytest.mark.parametrize("group", sorted(set(COMMANDS) - {"run"}))
def test_group_help_imports_no_heavy_library(tmp_path, group):
    """A group's help needs its own module only; its lazy subcommands stay unloaded."""
    output, modules = loaded_by(tmp_path, group, "--help")
    assert "Usage: inspect" in output
    assert within(modules, HEAVY) == []
    command = cli.get_command(click.Context(cli), group)
    if isinstance(command, LazyGroup):
        unloaded = {entry.target.split(":")[0] for entry in command.lazy.values()}
        assert unloaded.isdisjoint(modules)


def test_records_list_loads_only_the_store_and_its_run_tables(tmp_path):
    """Listing needs SQLAlchemy and the run tables: not the inventory (pydantic, YAML), the
    tickets code, the other areas' tables, nor Alembic once the schema is at its newest."""
    first, _ = loaded_by(tmp_path, "records", "list")  # creates the schema
    output, modules = loaded_by(tmp_path, "records", "list")
    assert first == output == "no inspection records yet; run `inspect run`\n"
    assert {"sqlalchemy", "records.store", "records.schema"} <= modules
    unused = tuple(h for h in HEAVY if h not in ("sqlalchemy", "records")) + OTHER_TABLES
    assert within(modules, unused) == []
