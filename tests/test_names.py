"""Every metric and check name comes from the one catalogue, core/names.py.

A name written as a bare string where a metric or check is expected is how the monthly report
came to ask for an "inode" check that never existed. Two nets: the product code is read for
literals in those places (whatever module they are in, even one no test imports), and what
the code actually emits and asks for at run time is met against the catalogue.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checks import REGISTRY
from checks.interface_rates import RateCheck
from checks.threshold import ThresholdCheck
from collectors import linux_parsers
from collectors.local import LocalCollector
from collectors.session import Session
from core import names
from core.model import Sample, Target
from reports.monthly import CAPACITY_CHECKS
from settings.profiles import DEFAULT_THRESHOLDS, Profile

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "core" / "names.py"
# a metric looks like "<family>.<field>" with a family of the catalogue ("disk.used_percent")
LOOKS_LIKE_METRIC = re.compile(
    rf"^({'|'.join(sorted({m.split('.')[0] for m in names.METRICS}))})\.[a-z0-9_{{}}]+$"
)
NAME_KEYWORDS = {"metric", "check", "threshold_metric", "measured_by", "counters", "inputs"}
NAME_ATTRIBUTES = {"metric", "check"}  # sample.metric == ..., FindingRow.check == ...
# callables whose positional argument at this index is a metric or check name
NAME_ARGUMENTS = {
    "Sample": 1,
    "Finding": 1,
    "Missing": 0,
    "sample": 0,
    "make": 0,
    "stamp": 0,
    "unknown": 1,
    "thresholds_for": 0,
    "enabled": 0,
}


def product_modules() -> list[Path]:
    """Every module of every package in the tree (a new package is covered unasked)."""
    packages = [
        p for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"
    ]
    return sorted(path for p in packages for path in p.rglob("*.py") if path != CATALOGUE)


def _literals(node: ast.AST, constants: dict[str, ast.AST]) -> list[str]:
    """The string literals a name position holds: itself, a container's items, or those of
    the module constant it refers to (`check in CAPACITY_CHECKS`)."""
    if isinstance(node, ast.Name) and node.id in constants:
        node = constants[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [lit for item in node.elts for lit in _literals(item, constants)]
    if isinstance(node, ast.Starred):
        return _literals(node.value, constants)
    return []


def _is_name_subject(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in NAME_ATTRIBUTES) or (
        isinstance(node, ast.Name) and node.id in NAME_ATTRIBUTES
    )


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def unnamed(source: str, where: str) -> list[str]:
    """Each place in `source` that names a metric or check with a bare string, or refers to
    a catalogue constant that does not exist, as `where:line: ...`."""
    tree = ast.parse(source)
    constants = {
        target.id: stmt.value
        for stmt in tree.body
        if isinstance(stmt, ast.Assign)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
    found: dict[tuple[int, str], str] = {}  # (line, name) -> what is wrong, once each

    def bare(node: ast.AST, line: int) -> None:
        for lit in _literals(node, constants):
            found.setdefault((line, lit), f"bare name {lit!r}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if LOOKS_LIKE_METRIC.match(node.value):
                found.setdefault((node.lineno, node.value), f"bare metric {node.value!r}")
        elif isinstance(node, ast.JoinedStr):
            text = ast.unparse(node)[2:-1]
            if LOOKS_LIKE_METRIC.match(text):
                found.setdefault((node.lineno, text), f"metric built from a string {text!r}")
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in NAME_KEYWORDS or (
                    keyword.arg == "name" and _callee(node).endswith("Check")
                ):
                    bare(keyword.value, node.lineno)
            index = NAME_ARGUMENTS.get(_callee(node))
            if index is not None and len(node.args) > index:
                bare(node.args[index], node.lineno)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_name_subject(o) for o in operands):
                for operand in operands:
                    bare(operand, node.lineno)
        elif isinstance(node, ast.ClassDef) and node.name.endswith("Check"):
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and stmt.target.id in {"name", "inputs"}
                    and stmt.value is not None
                ):
                    bare(stmt.value, stmt.lineno)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "names"
            and node.attr.isupper()
            and not hasattr(names, node.attr)
        ):
            found[node.lineno, node.attr] = f"names.{node.attr} is not in the catalogue"
    return [f"{where}:{line}: {what}" for (line, _), what in sorted(found.items())]


def test_product_code_names_metrics_and_checks_only_through_the_catalogue():
    found = []
    for path in product_modules():
        found += unnamed(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        # the monthly report's old bug: a check that does not exist, in a module constant
        'CAPACITY_CHECKS = (names.CHECK_DISK, "inode")\n'
        "def trend(check):\n"
        "    return check in CAPACITY_CHECKS\n",
        "wanted = [f for f in findings if f.check == 'inode']\n",
        "Finding(target.name, 'inode', subject, status, summary)\n",
        "Finding(target=t, check='inode', subject=s, status=st, summary=x)\n",
        "yield sample('disk.inode_used_percent', used, '%')\n",
        "key = f'if.{direction}_octets'\n",
        "thresholds = profile.thresholds_for('disk.inodes')\n",
        "class InodeCheck:\n    name: ClassVar[str] = 'inode'\n",
        "CHECK = ThresholdCheck(name='inode', metric=names.DISK_INODES_USED_PERCENT)\n",
        "from core import names\nCAPACITY = (names.CHECK_INODE,)\n",
    ],
)
def test_the_scan_catches_each_kind_of_bare_or_unknown_name(source):
    assert len(unnamed(source, "x.py")) == 1


def test_the_scan_lets_catalogue_names_and_other_strings_pass():
    source = (
        "from core import names\n"
        "CAPACITY_CHECKS = (names.CHECK_DISK, names.CHECK_INODES)\n"
        "ok = [f for f in findings if f.check in CAPACITY_CHECKS and f.subject == '/var']\n"
        "yield sample(names.DISK_USED_PERCENT, used, '%', mount='/var')\n"
        "lock = 'agent.lock'\n"
    )
    assert unnamed(source, "x.py") == []


def test_every_check_and_what_it_reads_is_in_the_catalogue():
    for name, check in REGISTRY.items():
        assert name in names.CHECKS
        assert set(check.inputs) <= names.METRICS, name
        if isinstance(check, ThresholdCheck):
            assert check.metric in names.METRICS
        if isinstance(check, RateCheck):
            assert {check.threshold_metric, *check.counters} <= names.METRICS
            assert check.unit == names.UNITS[check.threshold_metric]
    assert set(DEFAULT_THRESHOLDS) <= names.METRICS
    assert set(CAPACITY_CHECKS) <= names.CHECKS


def _emitted(samples) -> set[tuple[str, str | None]]:
    return {(s.metric, s.unit) for s in samples if isinstance(s, Sample)}


def test_every_metric_the_host_collectors_emit_is_catalogued_with_its_unit():
    """This machine through psutil, and a real Debian VM's capture through the SSH parsers."""
    local = LocalCollector().collect(Target("localhost"), Session(profile=Profile()))
    capture = (ROOT / "tests" / "fixtures" / "linux" / "debian12-vm.out").read_text()
    remote = linux_parsers.parse(capture, "vm", datetime.now(UTC), Profile())
    for emitted in (_emitted(local), _emitted(remote)):
        assert {(metric, names.UNITS.get(metric)) for metric, _ in emitted} == emitted


def test_every_check_has_its_patrol_sheet_title_with_its_name():
    """The sheet (reports/patrol.py) names each item by core.names.TITLES, the one owner."""
    assert [name for name in REGISTRY if name not in names.TITLES] == []
