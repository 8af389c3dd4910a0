"""The metrics cycle: this host's CPU, load, memory, swap, filesystems, disk and network
counters, spooled for export every `export.metrics_every` (the Telegraf / node_exporter
part of the agent).

Cheap on purpose: the local collector's host metrics only (no process table, no listening
sockets, no checks, no record, no plan row: a cycle is not an inspection and must not count
in the completion rate). CPU use is measured between two cycles, so nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from collectors import default_names
from collectors.local import cpu_times, host_samples
from core.model import Sample
from settings.profiles import FilesystemRule

if TYPE_CHECKING:
    from settings.inventory import Inventory


class HostMetrics:
    def __init__(self, host: str, filesystems: FilesystemRule) -> None:
        self.host = host
        self.filesystems = filesystems
        self._cpu_before = cpu_times()

    def collect(self) -> list[Sample]:
        at = datetime.now(UTC)
        host = self.host

        def sample(metric: str, value: float, unit: str, **labels: str) -> Sample:
            return Sample(host, metric, float(value), unit, at, labels)

        cpu_after = cpu_times()
        samples = list(host_samples(sample, self._cpu_before, cpu_after, self.filesystems))
        self._cpu_before = cpu_after
        return samples


def local_target(inventory: Inventory) -> tuple[str | None, FilesystemRule]:
    """The inventory's local target's name and filesystem rule, so cycles and inspections
    fill the same series; without one, no name and the standard rule."""
    for target in inventory.targets:
        if "local" in default_names(target):
            return target.name, inventory.profile(target.profile).filesystems
    return None, FilesystemRule()


def for_inventory(inventory: Inventory, hostname: str) -> HostMetrics:
    """Named and filtered like the inventory's local target, else the host name."""
    name, filesystems = local_target(inventory)
    return HostMetrics(name or hostname, filesystems)
