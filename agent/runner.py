"""Inspect targets in a bounded pool under per-target deadlines and build the InspectionRun."""

from __future__ import annotations

import getpass
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import checks
import collectors
from agent.pool import TimedOut, run_bounded
from core.errors import CollectError, UserError
from core.inventory import Inventory
from core.model import Finding, InspectionRun, Sample, Target
from core.session import Session
from core.status import Status

PreviousSamples = Callable[[str], Sequence[Sample]]


@dataclass(frozen=True)
class RunOptions:
    trigger: str = "manual"
    operator: str = ""
    workers: int = 32
    timeout: float = 60.0


@dataclass(frozen=True)
class TargetResult:
    samples: tuple[Sample, ...]
    findings: tuple[Finding, ...]


def inspect(
    inventory: Inventory,
    targets: Sequence[Target],
    options: RunOptions = RunOptions(),
    previous: PreviousSamples = lambda _name: (),
    on_target_done: Callable[[Target], None] | None = None,
) -> InspectionRun:
    started = datetime.now(UTC)

    def work(target: Target) -> TargetResult:
        return inspect_target(inventory, target, previous, options.timeout)

    results = run_bounded(
        targets, work, workers=options.workers, timeout=options.timeout, on_done=on_target_done
    )
    samples: list[Sample] = []
    findings: list[Finding] = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, TimedOut):
            findings.append(
                unknown(
                    target,
                    "reachability",
                    "target",
                    "timeout",
                    f"no answer within the {result.seconds:g} s deadline",
                )
            )
            continue
        samples.extend(result.samples)
        findings.extend(result.findings)
    return InspectionRun(
        id=uuid.uuid4().hex[:16],
        trigger=options.trigger,
        operator=options.operator or _operator(),
        started_at=started,
        finished_at=datetime.now(UTC),
        targets=tuple(t.name for t in targets),
        findings=tuple(findings),
        samples=tuple(samples),
    )


def inspect_target(
    inventory: Inventory, target: Target, previous: PreviousSamples, timeout: float
) -> TargetResult:
    """Collect then judge one target. The one place where a collector's failure is caught."""
    session = Session(
        profile=inventory.profile(target.profile), deadline=time.monotonic() + timeout
    )
    samples: list[Sample] = []
    findings: list[Finding] = []
    try:
        chosen = collectors.for_target(target)
    except UserError as exc:
        return TargetResult((), (unknown(target, "collector", "config", "", str(exc)),))
    for collector in chosen:
        try:
            samples.extend(collector.collect(target, session))
        except CollectError as exc:
            findings.append(unknown(target, "reachability", collector.name, exc.reason, str(exc)))
        except Exception as exc:  # noqa: BLE001 - any collector bug becomes UNKNOWN, never a crash
            findings.append(
                unknown(
                    target,
                    "collector",
                    collector.name,
                    "",
                    f"{collector.name} collector failed: {type(exc).__name__}: {exc}",
                )
            )
    context = checks.CheckContext(profile=session.profile, previous=previous(target.name))
    findings.extend(checks.evaluate_all(target, samples, context))
    return TargetResult(tuple(samples), tuple(findings))


def unknown(target: Target, check: str, subject: str, reason: str, message: str) -> Finding:
    summary = f"{reason}: {message}" if reason else message
    return Finding(
        target=target.name,
        check=check,
        subject=subject,
        status=Status.UNKNOWN,
        summary=summary,
        hint=_REACHABILITY_HINTS.get(reason, "Run the command by hand with -v and read the error."),
        evidence={"reason": reason} if reason else {},
    )


_REACHABILITY_HINTS = {
    "unreachable": "Ping the address and check the port from this host (`nc -vz ADDRESS PORT`); "
    "then routing, firewall and whether the service runs.",
    "timeout": "The target accepted or dropped the connection but did not answer in time: "
    "check its load and the service on it, and firewall rules that drop silently.",
    "auth failed": "Check the username and the credential reference in the inventory, and "
    "whether the account is locked or the key is authorised on the target.",
    "host key changed": "Do not accept blindly: confirm with the target's owner that the host "
    "was reinstalled, then replace its entry in known_hosts.",
}


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
