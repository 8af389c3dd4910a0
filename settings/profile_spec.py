"""A check profile's section: thresholds, processes, ports, plugins, logs, security."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, model_validator

from core.phrases import phrase
from settings.profiles import LogRule
from settings.spec_types import (
    CheckKey,
    Duration,
    FilePath,
    Port,
    Regex,
    Strict,
    integer,
)
from settings.thresholds import Range


def _range(value: str | int | float) -> str:
    Range.parse(value)
    return str(value)


RATE_WINDOW_MAX = timedelta(seconds=60)


def _rate_window(value: timedelta) -> timedelta:
    if value > RATE_WINDOW_MAX:  # spent inside every device's deadline
        raise ValueError(
            phrase(
                "at most {seconds}s (it is spent on every device)",
                seconds=RATE_WINDOW_MAX.seconds,
            )
        )
    return value


RateWindow = Annotated[Duration, AfterValidator(_rate_window)]
RangeText = Annotated[str | int | float, AfterValidator(_range)]
LOG = LogRule("")  # settings.profiles owns a log rule's defaults, shown below for the reader


class ThresholdSpec(Strict):
    warning: RangeText | None = None
    critical: RangeText | None = None
    enabled: bool = True


class LimitSpec(Strict):
    warning: RangeText | None = None
    critical: RangeText | None = None


class ProcessSpec(Strict):
    name: str | None = None
    cmdline: Regex | None = None
    user: str | None = None
    subject: str | None = None
    warning: RangeText | None = None
    critical: RangeText = "1:"
    cpu_percent: LimitSpec | None = None  # of one core, since the last inspection
    rss_mb: LimitSpec | None = None  # MiB, all matching processes together


class PortSpec(Strict):
    port: Port
    address: str | None = None


class FilesystemSpec(Strict):
    exclude_types: list[str] | None = None
    exclude_mounts: list[str] = []


_PLUGIN_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _plugin_name(value: str) -> str:
    if not _PLUGIN_NAME.match(value):
        raise ValueError(phrase("a plugin name is 1-64 letters, digits, `_`, `.` or `-`"))
    return value


def _argv(value: list[str]) -> list[str]:
    if not value:
        raise ValueError(
            phrase("expected a command as a list: [/absolute/path/to/plugin, arg, ...]")
        )
    if not value[0].startswith("/"):
        raise ValueError(
            phrase("the plugin {name} must be given by its absolute path", name=repr(value[0]))
        )
    return value


def _plugin_timeout(value: timedelta) -> timedelta:
    if not timedelta(0) < value <= timedelta(hours=1):
        raise ValueError(phrase("a plugin timeout must be above 0 and at most 1h"))
    return value


class PluginSpec(Strict):
    """A monitoring plugin run as a check (docs/plugins.md)."""

    name: Annotated[str, AfterValidator(_plugin_name)]
    command: Annotated[list[str], AfterValidator(_argv)]
    timeout: Annotated[Duration, AfterValidator(_plugin_timeout)] = timedelta(seconds=10)


_UNIT = re.compile(r"^[A-Za-z0-9@._:-]{1,256}$")


def _unit(value: str) -> str:
    if not _UNIT.match(value):
        raise ValueError(phrase("a systemd unit name is 1-256 letters, digits and `@._:-`"))
    return value


MaxLogBytes = integer(1, 4 * 1024 * 1024, phrase("a number of bytes from 1 to 4194304 (4 MiB)"))
MaxLogLines = integer(1, 1000)


class LogWatchSpec(Strict):
    """A log to watch (docs/patrol.md): a `file` or a systemd unit's `journal`."""

    file: FilePath | None = None
    journal: Annotated[str, AfterValidator(_unit)] | None = None
    critical: list[Regex] = []
    warning: list[Regex] = []
    exclude: list[Regex] = []
    max_bytes: MaxLogBytes = LOG.max_bytes
    max_lines: MaxLogLines = LOG.max_lines
    from_start: bool = LOG.from_start

    @model_validator(mode="after")
    def _one_source_some_patterns(self) -> LogWatchSpec:
        if (self.file is None) == (self.journal is None):
            raise ValueError(phrase("give exactly one of `file` or `journal`"))
        if self.file is not None and not self.file.startswith("/"):
            raise ValueError(
                phrase(
                    "the log file {path} must be given by its absolute path",
                    path=repr(self.file),
                )
            )
        if not self.critical and not self.warning:
            raise ValueError(phrase("give at least one `critical` or `warning` pattern"))
        if self.journal is not None and self.from_start:
            raise ValueError(
                phrase("`from_start` is for files: a journal is read from its first look")
            )
        return self

    @property
    def subject(self) -> str:
        return self.file or f"journal:{self.journal}"


class HardwareSpec(Strict):
    """Disk health by smartctl (`smart`, optionally only `smart_devices`) and software RAID."""

    smart: bool = False
    smart_devices: list[FilePath] = []
    raid: bool = False
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def port_range(value: int | str) -> tuple[int, int]:
    """`22` or `"30000-32767"` -> an inclusive (low, high) of valid ports."""
    match = _PORT_RANGE.match(value) if isinstance(value, str) else None
    low, high = (int(match[1]), int(match[2])) if match else (value, value)
    if type(low) is not int or not 1 <= low <= high <= 65535:
        raise ValueError(
            phrase("expected a port (22) or a port range (\"30000-32767\") within 1-65535")
        )
    return low, high


def _port_range_text(value: int | str) -> int | str:
    port_range(value)
    return value


PortRangeText = Annotated[int | str, AfterValidator(_port_range_text)]
SSHD_OPTION = re.compile(r"^[a-z0-9]+$")


def _sshd_expected(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for option, allowed in value.items():
        if not SSHD_OPTION.match(option):
            raise ValueError(
                phrase(
                    "an sshd option is written as `sshd -T` prints it: {option}",
                    option=repr(option),
                )
            )
        if not allowed:
            raise ValueError(
                phrase("give at least one allowed value for {option}", option=repr(option))
            )
    return value


class SecuritySpec(Strict):
    """The host security baseline; its presence asks for the security checks."""

    uid0_allowed: list[str] = ["root"]
    password_max_days: integer(1, 100000, phrase("a number of days from 1 to 100000")) = 90
    sshd_config: FilePath | None = None
    sshd_expected: Annotated[dict[str, list[str]], AfterValidator(_sshd_expected)] | None = None
    weak_algorithms: list[str] | None = None
    refresh_updates: bool = False
    mac_required: bool = True
    first_window: Duration = timedelta(days=1)


class ProfileSpec(Strict):
    checks: dict[CheckKey, ThresholdSpec] = {}
    processes: list[str | ProcessSpec] = []
    ports: list[Port | PortSpec] = []
    filesystems: FilesystemSpec = FilesystemSpec()
    plugins: list[PluginSpec] = []
    logwatch: list[LogWatchSpec] = []
    hardware: HardwareSpec = HardwareSpec()
    security: SecuritySpec | None = None
    ports_allowed: list[PortRangeText] | None = None
    # two polls of a device's counters this far apart inside one run: recent rates (0: off)
    rate_window: RateWindow = timedelta(0)

    @model_validator(mode="after")
    def _names_unique(self) -> ProfileSpec:
        for said, seen in (
            (phrase("plugin name {name} is given twice"), [p.name for p in self.plugins]),
            (phrase("log {name} is given twice"), [rule.subject for rule in self.logwatch]),
        ):
            twice = sorted({n for n in seen if seen.count(n) > 1})
            if twice:
                raise ValueError(said.fill(name=repr(twice[0])))
        return self
