"""One check alone, as a monitoring core calls it every minute (`inspect check`).

Here (no target named): only the part of the local sweep the check reads, judged by the
built-in profile with the caller's thresholds; no inventory, no records, no network library,
so the plugin starts in about the time Python itself takes. A named target: the inventory's
target inspected as `inspect run` does (every collector it has), then only this check's
findings kept; with a store the whole run is saved, so its tickets stay right.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import checks
from collectors.local import focused_samples
from collectors.session import Session
from core import names
from core.errors import UserError
from core.model import HOST, Finding, Target
from core.phrases import phrase
from core.status import Status, worst
from settings.profiles import STANDARD, Profile, Thresholds
from settings.thresholds import Range

if TYPE_CHECKING:  # pydantic, YAML and SQLAlchemy: only a named target or --save needs them
    from records import Store
    from settings.inventory import Inventory

# What this machine can judge without an inventory: the threshold checks on host gauges.
LOCAL_CHECKS = (
    names.CHECK_CPU,
    names.CHECK_LOAD,
    names.CHECK_MEMORY,
    names.CHECK_SWAP,
    names.CHECK_DISK,
    names.CHECK_INODES,
    names.CHECK_ZOMBIES,
)
MOUNT_CHECKS = (names.CHECK_DISK, names.CHECK_INODES)  # subjects that are mount points
# written by the runner when a target or collector could not be inspected: they say why the
# check has no finding of its own
FAILURE_CHECKS = (names.CHECK_REACHABILITY, names.CHECK_COLLECTOR, names.CHECK_INSPECTION)


@dataclass(frozen=True)
class CheckRequest:
    """`subjects`: only these (mount points, interfaces, processes); none means all.
    `warning`/`critical`: replace the profile's range for the check's judged value."""

    check: str
    subjects: tuple[str, ...] = ()
    warning: Range | None = None
    critical: Range | None = None
    timeout: float = 30.0

    @property
    def sets_thresholds(self) -> bool:
        return self.warning is not None or self.critical is not None


@dataclass(frozen=True)
class CheckResult:
    """`thresholds`: the ranges the check's judged value was held to (the perfdata's warn and
    crit), None for a check judged by rules."""

    check: str
    findings: tuple[Finding, ...]
    thresholds: Thresholds | None = None

    @property
    def status(self) -> Status:
        return worst(f.status for f in self.findings) if self.findings else Status.UNKNOWN


def check_here(request: CheckRequest) -> CheckResult:
    """Judge this machine. Any failure of ours becomes the one UNKNOWN finding."""
    known(request.check)
    if request.check not in LOCAL_CHECKS:
        raise UserError(
            phrase(
                "check {check} needs --target NAME from an inventory (its rules are in the "
                "target's profile); here, without one: {local}",
                check=repr(request.check),
                local=", ".join(LOCAL_CHECKS),
            )
        )
    check = checks.REGISTRY[request.check]
    target = Target(name="localhost")
    profile = with_thresholds(STANDARD, check, request)
    session = Session(profile=profile, deadline=time.monotonic() + request.timeout)
    mounts = request.subjects if request.check in MOUNT_CHECKS else ()
    try:
        samples = focused_samples(target, check.reads, session, mounts)
        if {s.metric for s in samples}.isdisjoint(check.inputs):
            found = [checks.not_measured(target, check, session.missing)]
        else:
            context = checks.CheckContext(profile=profile, families=frozenset({HOST}))
            found = list(check.evaluate(target, samples, context)) or [_nothing(target, check)]
    except Exception as exc:  # noqa: BLE001 - a plugin answers UNKNOWN, never a traceback
        found = [_stopped(target.name, request.check, exc)]
    return CheckResult(request.check, _only(found, request, target.name), _judged(profile, check))


def check_target(
    inventory: Inventory, name: str, request: CheckRequest, store: Store | None = None
) -> CheckResult:
    """Inspect the inventory's target `name` (every collector, as `inspect run`) and keep
    this check's findings, or the failures that explain why it has none. With `store` the
    whole run is saved and turned into tickets."""
    from flows.inspect import RunOptions
    from flows.recording import run_and_record

    known(request.check)
    (target,) = inventory.select([name])
    check = checks.REGISTRY[request.check]
    profile = with_thresholds(inventory.profile(target.profile), check, request)
    inventory = replace(inventory, profiles={**inventory.profiles, target.profile: profile})
    run = run_and_record(inventory, [target], RunOptions(timeout=request.timeout), store)
    own = [f for f in run.findings if f.check == request.check]
    if not own:
        own = [f for f in run.findings if f.check in FAILURE_CHECKS] or [
            _absent(target.name, request.check)
        ]
    return CheckResult(request.check, _only(own, request, target.name), _judged(profile, check))


def known(check: str) -> None:
    if check not in checks.REGISTRY:
        raise UserError(
            phrase(
                "unknown check {check} (known: {known})",
                check=repr(check),
                known=", ".join(sorted(checks.REGISTRY)),
            )
        )


def local_target(inventory: Inventory) -> str:
    """The inventory's one target on this machine: what `--save` without `--target` stores."""
    local = [t.name for t in inventory.targets if t.is_local and t.kind == "server"]
    if len(local) != 1:
        raise UserError(
            phrase(
                "--save: the inventory has {count} targets on this machine; name one with "
                "--target NAME",
                count=len(local),
            )
        )
    return local[0]


def with_thresholds(profile: Profile, check, request: CheckRequest) -> Profile:
    """The profile with the check's judged value held to the caller's ranges; a range not
    given keeps the profile's."""
    if not request.sets_thresholds:
        return profile
    metric = getattr(check, "metric", None)  # threshold checks judge one value; rules do not
    if metric is None:
        raise UserError(
            phrase(
                "check {check} takes no -w/-c: its rules are in the target's profile",
                check=repr(request.check),
            )
        )
    current = profile.thresholds.get(metric) or Thresholds()
    chosen = Thresholds(request.warning or current.warning, request.critical or current.critical)
    return replace(profile, thresholds={**profile.thresholds, metric: chosen})


def _judged(profile: Profile, check) -> Thresholds | None:
    metric = getattr(check, "metric", None)
    return profile.thresholds_for(metric) if metric else None


def _only(found: Sequence[Finding], request: CheckRequest, target: str) -> tuple[Finding, ...]:
    """The findings on the asked subjects; an asked subject nothing was said about is an
    UNKNOWN of its own (a typo in a mount point must not read as OK)."""
    if not request.subjects:
        return tuple(found)
    failures = [f for f in found if f.check in FAILURE_CHECKS]
    kept = [f for f in found if f.subject in request.subjects]
    said = {f.subject for f in kept}
    missing = [
        Finding.not_measured(
            target,
            request.check,
            subject,
            phrase("no {check} finding on {subject}", check=request.check, subject=subject),
            phrase("Check the name: it must be exactly as measured (a mount point, an "
                   "interface or a process rule's name)."),
        )
        for subject in request.subjects
        if subject not in said
    ]
    return tuple(failures or (*kept, *missing))


def _nothing(target: Target, check) -> Finding:
    """Measured, and nothing there to judge (no swap configured): that is no fault."""
    return Finding(
        target=target.name,
        check=check.name,
        subject=check.name,
        status=Status.OK,
        summary=phrase("no {check} to judge on this machine", check=check.name),
    )


def _absent(target: str, check: str) -> Finding:
    return Finding.not_measured(
        target,
        check,
        check,
        phrase("target {target} gave no {check} finding", target=target, check=check),
        phrase("The target's profile disables this check or sets no rule for it (processes, "
               "ports), or it does not apply to this kind of target."),
    )


def _stopped(target: str, check: str, exc: Exception) -> Finding:
    first_line = (str(exc).strip().split("\n", 1)[0] or type(exc).__name__)[:300]
    return Finding(
        target=target,
        check=check,
        subject=check,
        status=Status.UNKNOWN,
        summary=phrase("the {check} check stopped: {error}", check=check, error=first_line),
        evidence={"error": f"{type(exc).__name__}: {first_line}"},
    )
