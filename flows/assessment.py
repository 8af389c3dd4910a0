"""A period's assessment with the inventory's rules: what `inspect score` and the console's
assessment page both ask for, assembled once (targets, maintenance windows, ticket rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from core.model import Target
from scoring.period import Period
from scoring.results import Outcome, period_results
from scoring.scheme import Scheme
from settings.inventory import Inventory
from tickets.suppression import maintenance_window
from tickets.verdicts import Rules


def assess_period(
    engine: Engine,
    inventory: Inventory,
    period: Period,
    scheme: Scheme,
    now: datetime,
    *,
    recompute: bool = False,
    publish: bool = False,
) -> Outcome:
    maintenance, maintained = _maintenance(inventory)
    return period_results(
        engine,
        period,
        scheme,
        now,
        targets=inventory.targets,
        maintenance=maintenance,
        maintained=maintained,
        rules=Rules.of(inventory.tickets),
        recompute=recompute,
        publish=publish,
    )


def _maintenance(inventory: Inventory):
    """Which maintenance window covered a target at a moment (tickets' own rule), and the
    targets any window names by name or group: only their tickets need the lookup."""
    spec = inventory.tickets
    if not spec.maintenance:
        return None, frozenset()
    targets = {t.name: t for t in inventory.targets}
    named = {name for w in spec.maintenance for name in w.targets}
    grouped = {g for w in spec.maintenance for g in w.groups}
    maintained = named | {t.name for t in targets.values() if grouped & set(t.groups)}

    def window(name: str, at: datetime) -> str | None:
        return maintenance_window(spec, targets.get(name) or Target(name), at)

    return window, frozenset(maintained)
