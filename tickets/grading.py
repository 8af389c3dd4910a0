"""Grade A-D from a finding's status and the target's criticality label (first rule wins)."""

from __future__ import annotations

from collections.abc import Mapping

from core.status import Status
from settings.tickets_spec import TicketsSpec

CATEGORIES = ("server", "network", "database", "backup", "security", "other")
_KIND_CATEGORY = {
    "server": "server",
    "switch": "network",
    "router": "network",
    "firewall": "network",
    "database": "database",
}


def grade(status: Status, labels: Mapping[str, str], spec: TicketsSpec) -> str:
    criticality = labels.get(spec.criticality_label, "")
    for rule in spec.grades:
        if rule.status is not None and status.name not in rule.status:
            continue
        if rule.criticality is not None and criticality not in rule.criticality:
            continue
        return rule.grade
    return "D"


def category(kind: str, check: str) -> str:
    """Backup and security checks say more than the kind of box they ran on."""
    for word in ("backup", "security"):
        if word in check:
            return word
    return _KIND_CATEGORY.get(kind, "other")


def higher(a: str, b: str) -> str:
    """The more urgent of two grades (A beats D)."""
    return min(a, b)
