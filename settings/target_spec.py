"""A target's sections (defaults, groups, a host): how to reach it and what it is."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, ValidationInfo, model_validator

from core.model import CliSettings, SnmpSettings, SshSettings
from core.phrases import phrase
from settings.spec_types import (
    Credential,
    Duration,
    FilePath,
    Port,
    Regex,
    Seconds,
    Strict,
    Zone,
    integer,
    number,
)
from settings.tickets_spec import Cron, TimeZone

Kind = Literal["server", "switch", "router", "firewall", "database"]

_JUMP_HOST = re.compile(
    r"^(?:(?P<user>[^@\s]+)@)?"
    r"(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:@\s\[\]]+))"
    r"(?::(?P<port>\d+))?$"
)


def parse_jump_host(value: str) -> tuple[str | None, str, int]:
    """`[user@]host[:port]` (IPv6 as `[::1]:22`) -> (user or None, host, port)."""
    match = _JUMP_HOST.match(value)
    if not match or not 0 < int(match["port"] or 22) < 65536:
        raise ValueError(phrase("expected a jump host as [user@]host[:port]"))
    return match["user"], match["v6"] or match["host"], int(match["port"] or 22)


def _jump_host(value: str) -> str:
    parse_jump_host(value)
    return value


Retries = integer(0, 10)
AnswerLimit = number(0, 4096, phrase("a number of MiB above 0, at most 4096"))
JumpHost = Annotated[str, AfterValidator(_jump_host)]

# The sections below are layers (defaults, groups, a host) merged into core.model's typed
# settings at load; those own the defaults, shown here for the reader.
SSH, SNMP, CLI = SshSettings(), SnmpSettings(), CliSettings()


class HostKeySettings(Strict):
    """How an SSH server's key is trusted: known_hosts only, or recorded on first use."""

    host_key_policy: Literal["strict", "tofu"] = SSH.host_key_policy
    known_hosts: FilePath | None = None


class SshSpec(HostKeySettings):
    port: Port = SSH.port
    username: str | None = None
    password: Credential | None = None
    key_file: FilePath | None = None
    passphrase: Credential | None = None
    use_agent: bool = SSH.use_agent
    jump_host: JumpHost | None = None
    timeout: Seconds = SSH.timeout


class SnmpSpec(Strict):
    version: Literal["1", "2c", "3"] = SNMP.version
    port: Port = SNMP.port
    community: Credential | None = None
    username: str | None = None
    auth_protocol: Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] | None = None
    auth_key: Credential | None = None
    priv_protocol: Literal["DES", "AES", "AES192", "AES256"] | None = None
    priv_key: Credential | None = None
    timeout: Seconds = SNMP.timeout
    retries: Retries = SNMP.retries


class CliSpec(HostKeySettings):
    port: Port = CLI.port
    username: str | None = None
    password: Credential | None = None
    secret: Credential | None = None
    key_file: FilePath | None = None
    timeout: Seconds = CLI.timeout
    fast_cli: bool = CLI.fast_cli


class ChangeWindowSpec(Strict):
    """Recurring (`cron` + `duration`) or one-off (`start` + `end`, with a UTC offset)."""

    cron: Cron | None = None
    duration: Duration | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    timezone: TimeZone = "UTC"

    @model_validator(mode="after")
    def _one_kind(self) -> ChangeWindowSpec:
        recurring = self.cron is not None or self.duration is not None
        fixed = self.start is not None or self.end is not None
        if recurring == fixed:
            raise ValueError(phrase("give either cron and duration, or start and end"))
        if recurring and (self.cron is None or self.duration is None):
            raise ValueError(phrase("a recurring window needs both cron and duration"))
        if fixed and (self.start is None or self.end is None or self.end <= self.start):
            raise ValueError(phrase("a fixed window needs start and a later end"))
        return self


class InterfacesSpec(Strict):
    """Ports whose every down state is an alert (uplinks), not only a change seen since."""

    important: list[str] = []
    description_pattern: Regex | None = None


class DatabaseTargetSpec(Strict):
    """How to read a database server's health (docs/databases.md): a read-only monitoring
    account (`pg_monitor`; MySQL PROCESS, REPLICATION CLIENT), its password a reference.
    `backups`: names under `databases:` whose last good backup this target reports; by
    default those of the same engine on the same address and port."""

    engine: Literal["postgresql", "mariadb", "mysql"]
    port: Port | None = None
    user: str | None = None
    password: Credential | None = None
    database: str | None = None
    timeout: Seconds = 10.0
    backups: list[str] | None = None


class TargetSpec(Strict):
    """Everything a host, a group or the defaults may set; merged host > groups > defaults."""

    address: str | None = None
    kind: Kind | None = None
    port: Port | None = None
    platform: str | None = None
    labels: dict[str, str] | None = None
    profile: str | None = None
    collectors: list[Literal["local", "ssh", "snmp", "netcli", "postgres", "mysql"]] | None = None
    ssh: SshSpec | None = None
    snmp: SnmpSpec | None = None
    cli: CliSpec | None = None
    database: DatabaseTargetSpec | None = None
    interfaces: InterfacesSpec | None = None
    parents: list[str] | None = None
    change_windows: list[ChangeWindowSpec] | None = None
    # the cap on what the target may send in one SSH, CLI or SNMP session (core.model)
    answer_limit_mb: AnswerLimit | None = None
    # the network zone whose `inspect worker --zone` polls it (default: the server's own)
    zone: Zone | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _in_its_zone(cls, data: Any, handler: Any, info: ValidationInfo) -> Any:
        """The credentials of a host or group that names a zone are checked in that zone
        (`_credential`): the zone stays in the validation context while they are read."""
        context = info.context
        if context is None or not isinstance(data, dict) or not isinstance(data.get("zone"), str):
            return handler(data)
        outer = context.get("zone")
        context["zone"] = data["zone"]
        try:
            return handler(data)
        finally:
            context["zone"] = outer


class HostSpec(TargetSpec):
    groups: list[str] = []
