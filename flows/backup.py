"""`inspect backup run` and the agent's backup job: device configs and databases in one call."""

from __future__ import annotations

from collections.abc import Sequence

from backup import KINDS
from core.backups import Database, select_databases
from core.errors import UserError
from core.model import BeforeSave, Target
from core.phrases import phrase
from flows.config_backups import config_targets, run_config_backups
from flows.db_backups import JobReport, run_db_backups
from records import Store
from settings.inventory import Inventory


def run_backup_job(
    inventory: Inventory,
    store: Store,
    kinds: Sequence[str] = KINDS,
    names: Sequence[str] = (),
    due_only: bool = False,
    init: bool = False,
    before_save: BeforeSave | None = None,
) -> list[JobReport]:
    """Each kind asked for, on the named devices/databases (all of the kind when none).

    With both kinds a name may be either; `due_only` applies to databases (a config backup
    is cheap and always runs). One report per kind that had work. `init` lets a missing config
repository be created although records say one existed (flows/config_backups.py).
    """
    devices, databases = _split(inventory, kinds, names)
    reports = []
    if devices:
        reports.append(run_config_backups(inventory, devices, store, init=init,
                                          before_save=before_save))
    if databases:
        reports.append(run_db_backups(databases, store, due_only, inventory=inventory,
                                      before_save=before_save))
    if not reports:
        raise UserError(_nothing_to_back_up(inventory, kinds))
    return reports


def _split(
    inventory: Inventory, kinds: Sequence[str], names: Sequence[str]
) -> tuple[tuple[Target, ...], tuple[Database, ...]]:
    if not names:
        devices = config_targets(inventory) if "config" in kinds else ()
        databases = tuple(inventory.databases.values()) if "db" in kinds else ()
        return devices, databases
    db_names = [n for n in names if n in inventory.databases] if "db" in kinds else []
    device_names = [n for n in names if n not in db_names] if "config" in kinds else []
    unknown = [n for n in names if n not in db_names and n not in device_names]
    if unknown:
        select_databases(inventory.databases, unknown)  # raises, naming the known ones
    if len(kinds) > 1:
        _check_known(inventory, device_names)
    devices = config_targets(inventory, device_names) if device_names else ()
    databases = select_databases(inventory.databases, db_names) if db_names else ()
    return devices, databases


def _check_known(inventory: Inventory, names: Sequence[str]) -> None:
    """With both kinds a name may be either, so an unknown one is told against both lists."""
    hosts = {t.name for t in inventory.targets}
    for name in names:
        if name not in hosts:
            devices = ", ".join(t.name for t in config_targets(inventory)) or phrase("none")
            databases = ", ".join(sorted(inventory.databases)) or phrase("none")
            raise UserError(
                phrase(
                    "unknown device or database {name} (databases: {databases}; devices: "
                    "{devices})",
                    name=repr(name),
                    databases=databases,
                    devices=devices,
                )
            )


def _nothing_to_back_up(inventory: Inventory, kinds: Sequence[str]) -> str:
    where = inventory.source or "the built-in inventory"
    wanted = []
    if "db" in kinds:
        wanted.append("a `databases:` section")
    if "config" in kinds:
        wanted.append("a switch, router or firewall with a `cli:` section")
    return f"nothing to back up in {where}: add {' or '.join(wanted)} (see docs/backup.md)"
