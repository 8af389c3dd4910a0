"""The inventory file's shape, validated with pydantic at the edge (only here): its sections
are owned by target_spec, profile_spec, backup_spec, agent_spec and tickets_spec."""

from __future__ import annotations

from settings.agent_spec import CentralSpec, ExportSpec, ScheduleSpec
from settings.backup_spec import ConfigBackupsSpec, DatabaseSpec
from settings.profile_spec import ProfileSpec
from settings.spec_types import Strict
from settings.target_spec import HostSpec, TargetSpec
from settings.tickets_spec import TicketsSpec


class InventorySpec(Strict):
    defaults: TargetSpec = TargetSpec()
    groups: dict[str, TargetSpec] = {}
    hosts: dict[str, HostSpec] = {}
    profiles: dict[str, ProfileSpec] = {}
    schedules: dict[str, ScheduleSpec] = {}
    databases: dict[str, DatabaseSpec] = {}
    tickets: TicketsSpec = TicketsSpec()
    export: ExportSpec | None = None
    config_backups: ConfigBackupsSpec = ConfigBackupsSpec()
    central: CentralSpec | None = None
