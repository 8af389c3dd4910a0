"""The design's one-way imports, and lazy loading of heavy transports."""

import subprocess
import sys
from pathlib import Path

from tests import layers

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_has_a_layer():
    assert layers.unplaced(ROOT) == []


def test_imports_point_one_way():
    """Imports, import_module strings and `python -m` commands alike (tests/layers.py)."""
    assert layers.upward(ROOT) == []


def test_no_import_cycle():
    assert layers.cycles(ROOT) == []


def test_no_unused_import():
    assert layers.unused_imports(ROOT) == []


def test_local_run_without_store_loads_no_heavy_library(tmp_path):
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cli.main import cli\n"
        "CliRunner().invoke(cli, ['run', '--no-store'])\n"
        "heavy = ['netmiko', 'pysnmp', 'paramiko', 'influxdb_client', 'sqlalchemy', 'jinja2']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
