"""The design's one-way imports, and lazy loading of heavy transports."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = {"core"}
ALLOWED = {
    "core": set(),
    "collectors": BASE,
    "checks": BASE,
    "backup": BASE,
    "records": BASE,
    "tickets": BASE | {"records"},
    "scoring": BASE | {"records", "tickets"},
    "reports": BASE | {"records", "scoring"},
    "agent": BASE | {"collectors", "checks", "backup", "records", "tickets", "scoring",
                     "reports", "agent"},
}
OURS = set(ALLOWED) | {"cli"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
        for imported in imported_packages(path) - ALLOWED[package] - {package}:
            wrong.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert wrong == []


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
