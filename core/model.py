"""The frozen records that flow one way: Target -> Sample -> Finding -> InspectionRun."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.change_windows import ChangeWindow
from core.status import Status, worst

LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Target:
    """One thing to inspect. Credentials are references (`env:NAME`), never secrets."""

    name: str
    kind: str = "server"
    address: str = "localhost"
    port: int | None = None
    platform: str = "linux"
    groups: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    profile: str = "standard"
    collectors: tuple[str, ...] = ()
    ssh: Mapping[str, Any] | None = None
    snmp: Mapping[str, Any] | None = None
    cli: Mapping[str, Any] | None = None
    interfaces: Mapping[str, Any] | None = None  # important ports: {important, description_pattern}
    parents: tuple[str, ...] = ()
    change_windows: tuple[ChangeWindow, ...] = ()

    @property
    def is_local(self) -> bool:
        return self.address in LOCAL_ADDRESSES and self.ssh is None


@dataclass(frozen=True)
class Sample:
    """One measured value in base units (B, s, %, count), stamped when it was taken (UTC)."""

    target: str
    metric: str
    value: float
    unit: str
    at: datetime
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str, default: str = "") -> str:
        return self.labels.get(key, default)


@dataclass(frozen=True)
class Missing:
    """A collector's note that an input could not be read, and why ("no socket table: ...").

    Not a Sample (nothing was measured, nothing is stored or exported): the checks that judge
    `metric` report "not measured: <why>" instead of staying silent.
    """

    metric: str
    why: str


# What a collector measures and a check judges: a host's operating system (local, ssh) or a
# network device (snmp, netcli). A check is only owed to a target whose collectors measure
# its family, so a Linux server is never told that its interfaces were not measured.
HOST = "host"
DEVICE = "device"
NOT_MEASURED = "not measured"  # the summary of an owed check that had no input: "not measured: why"


@dataclass(frozen=True)
class Finding:
    """A judgement on one subject of one target, with the value and threshold behind it."""

    target: str
    check: str
    subject: str
    status: Status
    summary: str
    value: float | None = None
    unit: str = ""
    threshold: str = ""
    hint: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return f"{self.target}|{self.check}|{self.subject}"

    @property
    def unmeasured(self) -> bool:
        """The check had no input: it says nothing about the problems it would judge."""
        return self.status == Status.UNKNOWN and self.summary.startswith(f"{NOT_MEASURED}:")


def new_run_id() -> str:
    """The one form of a run id; the agent assigns it before a job starts, so a run stored
    by a job whose agent then died is still found for its plan slot."""
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class InspectionRun:
    id: str
    trigger: str
    operator: str
    started_at: datetime
    finished_at: datetime
    targets: tuple[str, ...]
    findings: tuple[Finding, ...]
    samples: tuple[Sample, ...] = ()

    @property
    def status(self) -> Status:
        return worst(f.status for f in self.findings)


@dataclass(frozen=True)
class PreviousRun:
    """A target's part of its latest stored run, for checks that judge change."""

    samples: tuple[Sample, ...] = ()
    findings: tuple[Finding, ...] = ()
