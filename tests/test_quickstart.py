"""The README's first Quick start command, verbatim, on the system's PEP 668 python3 from a fresh
shell with an empty HOME: it must install and inspect this machine (records in SQLite)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.services import missing

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")


def quick_start_commands() -> list[str]:
    """The shell lines of the README's Quick start block, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\s+```sh\n(.*?)```", text, re.S)
    assert block, "README has no Quick start sh block"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def externally_managed(python: Path) -> bool:
    stdlib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    return (Path(stdlib) / "EXTERNALLY-MANAGED").exists()


def test_quick_start_is_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "scripts/test" in commands[1]


def test_first_command_installs_and_inspects_on_an_externally_managed_python(tmp_path):
    if not SYSTEM_PYTHON.exists() or not externally_managed(SYSTEM_PYTHON):
        missing("a PEP 668 (externally managed) /usr/bin/python3")
    home = tmp_path / "home"
    home.mkdir()
    tree = tmp_path / "opsinspect"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "build", "*.egg-info", ".pytest_cache", ".ruff_cache"))
    # the premise: plain `pip install .` is refused by this python3
    refused = subprocess.run([SYSTEM_PYTHON, "-m", "pip", "install", "--dry-run", "."], cwd=tree,
                             capture_output=True, text=True, env={"HOME": str(home),
                                                                  "PATH": "/usr/bin:/bin"})
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr

    install_and_run = quick_start_commands()[0]
    done = subprocess.run(["bash", "-c", install_and_run], cwd=tree, capture_output=True,
                          text=True, timeout=600,
                          env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert done.returncode in (0, 1, 2), done.stderr[-2000:]  # the run's Nagios status
    assert "Traceback" not in done.stderr
    assert re.search(r"run [0-9a-f]{16} .*1 target\(s\)", done.stdout), done.stdout[-2000:]

    command = home / ".local/bin/inspect"
    assert command.is_symlink() and command.resolve().is_file()
    database = home / ".local/share/opsinspect/inspect.db"
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from runs").fetchone() == (1,)
    # the installed command is the venv's, not the interpreter's site-packages
    venv_python = home / ".local/share/opsinspect/venv/bin/python"
    assert sysconfig.get_path("purelib") not in subprocess.run(
        [venv_python, "-c", "import cli; print(cli.__file__)"], capture_output=True, text=True,
        check=True).stdout


@pytest.mark.parametrize("unit", sorted((ROOT / "contrib").glob("*.service")))
def test_systemd_unit_runs_the_command_where_install_system_links_it(unit):
    script = (ROOT / "scripts/install").read_text(encoding="utf-8")
    system_bin = re.search(r'bin_dir="\$\{INSPECT_BIN_DIR:-(/[^}]+)\}"', script).group(1)
    exec_start = re.search(r"^ExecStart=(\S+)", unit.read_text(encoding="utf-8"), re.M).group(1)
    assert exec_start == f"{system_bin}/inspect"
