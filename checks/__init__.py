"""Checks judge Samples into Findings. Pure: no I/O and no clock; time comes from the samples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from checks.blocked_processes import BLOCKED_PROCESSES_CHECK
from checks.clock_offset import CLOCK_OFFSET_CHECK
from checks.config_unsaved import UnsavedConfigCheck
from checks.conntrack import CONNTRACK_CHECK
from checks.cpu import CpuCheck
from checks.db_backup import DbBackupCheck
from checks.db_cache import DbCacheHitCheck
from checks.db_deadlocks import DbDeadlockCheck
from checks.db_growth import DbGrowthCheck
from checks.db_replication import DbReplicationCheck
from checks.db_restart import DbRestartCheck
from checks.db_thresholds import DB_THRESHOLD_CHECKS
from checks.device import DEVICE_THRESHOLD_CHECKS, DeviceRestartCheck
from checks.device_log import DeviceLogCheck
from checks.disk_await import DISK_AWAIT_CHECK
from checks.disk_busy import DISK_BUSY_CHECK
from checks.empty_password import EmptyPasswordCheck
from checks.environment import COMPONENT_CHECKS, TemperatureCheck
from checks.err_disabled import ErrDisabledCheck
from checks.failed_logins import FAILED_LOGINS_CHECK
from checks.failed_units import FAILED_UNITS_CHECK
from checks.firewall import FirewallCheck
from checks.if_duplex import DuplexCheck
from checks.if_flap import FlapCheck
from checks.interface_rates import RATE_CHECKS
from checks.interfaces import InterfaceDownCheck
from checks.kernel_events import KERNEL_EVENTS_CHECK
from checks.logwatch import LogWatchCheck
from checks.mac_mode import MacModeCheck
from checks.net_errors import NET_ERROR_CHECKS
from checks.ntp_sync import NtpSyncCheck
from checks.open_files import OPEN_FILES_CHECK
from checks.optics import OpticsCheck
from checks.password_age import PasswordAgeCheck
from checks.pids import PIDS_CHECK
from checks.plugins import PluginCheck
from checks.ports import PortCheck
from checks.process_cpu import PROCESS_CPU_CHECK
from checks.process_memory import PROCESS_MEMORY_CHECK
from checks.processes import ProcessCheck
from checks.protocols import PROTOCOL_CHECKS
from checks.raid import RaidCheck
from checks.read_only_fs import READ_ONLY_FS_CHECK
from checks.reboot import RebootCheck
from checks.reboot_required import REBOOT_REQUIRED_CHECK
from checks.resources import RESOURCE_CHECKS
from checks.security_updates import SECURITY_UPDATES_CHECK
from checks.smart import SmartCheck
from checks.sshd_setting import SshdSettingCheck
from checks.stale_account import StaleAccountCheck
from checks.stp import StpChangesCheck
from checks.sudo_nopasswd import SudoNopasswdCheck
from checks.tcp_states import TCP_STATE_CHECKS
from checks.time_offset import TIME_OFFSET_CHECK
from checks.time_sync import TIME_SYNC_CHECK
from checks.uid0 import Uid0Check
from checks.unexpected_port import UnexpectedPortCheck
from checks.unmeasured import not_measured
from core.model import Finding, Sample, Target
from core.phrases import Phrase
from settings.profiles import STANDARD, Profile


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides this run's samples: the profile and the previous run.

    `previous_findings` (the target's findings in that run) lets a check keep alerting on a
    state it saw begin, e.g. a port that went down after it was seen up. `families` are what
    the target's collectors measured in full (core.model.HOST, DEVICE): the checks of those
    families that the profile asks for are owed a finding. `missing` holds the collectors'
    notes on inputs they could not read (metric -> why); `texts` the text they read for a
    check's finding ((check, subject) -> text by kind), e.g. a plugin's own summary.
    """

    profile: Profile = STANDARD
    previous: Sequence[Sample] = field(default_factory=tuple)
    previous_findings: Sequence[Finding] = field(default_factory=tuple)
    families: frozenset[str] = frozenset()
    missing: Mapping[str, str | Phrase] = field(default_factory=dict)
    texts: Mapping[tuple[str, str], Mapping[str, str | Phrase]] = field(default_factory=dict)


class Check(Protocol):
    """`family`: the targets it is for (core.model.HOST, DEVICE or DATABASE). `inputs`: the metrics
    whose presence shows it was measured. `configured`: the profile asks for it (thresholds
    or rules set)."""

    name: ClassVar[str] | str
    family: ClassVar[str] | str
    inputs: ClassVar[tuple[str, ...]] | tuple[str, ...]

    def configured(self, profile: Profile) -> bool: ...

    def evaluate(
        self, target: Target, samples: Sequence[Sample], context: CheckContext
    ) -> Iterable[Finding]: ...


REGISTRY: dict[str, Check] = {
    CpuCheck.name: CpuCheck(),
    **{check.name: check for check in RESOURCE_CHECKS},
    ProcessCheck.name: ProcessCheck(),
    PROCESS_CPU_CHECK.name: PROCESS_CPU_CHECK,
    PROCESS_MEMORY_CHECK.name: PROCESS_MEMORY_CHECK,
    PortCheck.name: PortCheck(),
    RebootCheck.name: RebootCheck(),
    **{check.name: check for check in DEVICE_THRESHOLD_CHECKS},
    DeviceRestartCheck.name: DeviceRestartCheck(),
    **{check.name: check for check in COMPONENT_CHECKS},
    TemperatureCheck.name: TemperatureCheck(),
    OpticsCheck.name: OpticsCheck(),
    InterfaceDownCheck.name: InterfaceDownCheck(),
    **{check.name: check for check in RATE_CHECKS},
    DuplexCheck.name: DuplexCheck(),
    FlapCheck.name: FlapCheck(),
    StpChangesCheck.name: StpChangesCheck(),
    **{check.name: check for check in PROTOCOL_CHECKS},
    UnsavedConfigCheck.name: UnsavedConfigCheck(),
    NtpSyncCheck.name: NtpSyncCheck(),
    DeviceLogCheck.name: DeviceLogCheck(),
    ErrDisabledCheck.name: ErrDisabledCheck(),
    PluginCheck.name: PluginCheck(),
    DbRestartCheck.name: DbRestartCheck(),
    **{check.name: check for check in DB_THRESHOLD_CHECKS},
    DbCacheHitCheck.name: DbCacheHitCheck(),
    DbReplicationCheck.name: DbReplicationCheck(),
    DbDeadlockCheck.name: DbDeadlockCheck(),
    DbGrowthCheck.name: DbGrowthCheck(),
    DbBackupCheck.name: DbBackupCheck(),
    # the patrol sheet's system health (opt-in: docs/patrol.md)
    READ_ONLY_FS_CHECK.name: READ_ONLY_FS_CHECK,
    TIME_SYNC_CHECK.name: TIME_SYNC_CHECK,
    TIME_OFFSET_CHECK.name: TIME_OFFSET_CHECK,
    CLOCK_OFFSET_CHECK.name: CLOCK_OFFSET_CHECK,
    FAILED_UNITS_CHECK.name: FAILED_UNITS_CHECK,
    KERNEL_EVENTS_CHECK.name: KERNEL_EVENTS_CHECK,
    OPEN_FILES_CHECK.name: OPEN_FILES_CHECK,
    PIDS_CHECK.name: PIDS_CHECK,
    **{check.name: check for check in TCP_STATE_CHECKS},
    CONNTRACK_CHECK.name: CONNTRACK_CHECK,
    REBOOT_REQUIRED_CHECK.name: REBOOT_REQUIRED_CHECK,
    BLOCKED_PROCESSES_CHECK.name: BLOCKED_PROCESSES_CHECK,
    DISK_BUSY_CHECK.name: DISK_BUSY_CHECK,
    DISK_AWAIT_CHECK.name: DISK_AWAIT_CHECK,
    **{check.name: check for check in NET_ERROR_CHECKS},
    LogWatchCheck.name: LogWatchCheck(),
    SmartCheck.name: SmartCheck(),
    RaidCheck.name: RaidCheck(),
    # the security baseline (docs/inventory.md): a profile's `security:` / `ports_allowed:`
    Uid0Check.name: Uid0Check(),
    EmptyPasswordCheck.name: EmptyPasswordCheck(),
    PasswordAgeCheck.name: PasswordAgeCheck(),
    StaleAccountCheck.name: StaleAccountCheck(),
    SshdSettingCheck.name: SshdSettingCheck(),
    FAILED_LOGINS_CHECK.name: FAILED_LOGINS_CHECK,
    SudoNopasswdCheck.name: SudoNopasswdCheck(),
    SECURITY_UPDATES_CHECK.name: SECURITY_UPDATES_CHECK,
    FirewallCheck.name: FirewallCheck(),
    MacModeCheck.name: MacModeCheck(),
    UnexpectedPortCheck.name: UnexpectedPortCheck(),
}

def evaluate_all(target: Target, samples: Sequence[Sample], context: CheckContext) -> list[Finding]:
    """Every enabled check with input judges the samples (no input proves nothing, so a check
    without is not run). A check without input that the target is owed (its family was
    measured, the profile configures it) is one UNKNOWN "not measured: <why>", never silence;
    one whose family was not measured (another kind of target, or its collector failed and
    said so in its own finding) is skipped."""
    collected = {s.metric for s in samples}
    findings: list[Finding] = []
    for name, check in REGISTRY.items():
        if not context.profile.enabled(name):
            continue
        if not collected.isdisjoint(check.inputs):
            findings.extend(check.evaluate(target, samples, context))
        elif check.family in context.families and check.configured(context.profile):
            findings.append(not_measured(target, check, context.missing))
    return findings

