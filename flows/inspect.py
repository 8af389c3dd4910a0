"""One inspection: the targets in a bounded pool under per-target deadlines build the
InspectionRun; each target collected, then judged. Storing it is flows/recording.py's job."""

from __future__ import annotations

import getpass
import random
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import checks
import collectors
from collectors.session import Session
from core import names
from core.errors import CollectError, UserError
from core.failures import FAILURES
from core.model import Finding, InspectionRun, PreviousRun, Sample, Target, new_run_id
from core.phrases import Phrase, phrase
from flows.db_facts import RecordedSamples, no_records
from flows.pool import Failed, TimedOut, run_bounded

if TYPE_CHECKING:  # the inventory's pydantic and YAML (~0.2 s): only the caller that reads one
    from settings.inventory import Inventory

PreviousRuns = Callable[[str], PreviousRun]
MIN_ATTEMPT = 0.5  # seconds a retry must still have before the deadline to be worth it


@dataclass(frozen=True)
class RunOptions:
    """`jitter`: up to this many seconds of random delay before each target starts (spreads
    the handshakes that hit a shared bastion or AAA server); counted inside the deadline.
    `retries`: extra attempts for transient failures only, `backoff` seconds doubling.
    `run_id`: given by the agent (its plan knows it before the run); else a new one."""

    trigger: str = "manual"
    operator: str = ""
    workers: int = 32
    timeout: float = 60.0
    jitter: float = 0.2
    retries: int = 2
    backoff: float = 0.25
    run_id: str = ""


@dataclass(frozen=True)
class TargetResult:
    samples: tuple[Sample, ...]
    findings: tuple[Finding, ...]


class Zones(Protocol):
    """Targets of other network zones, inspected by their zone's workers (flows/zones.py):
    `publish` sends their tasks now and returns the wait for their results, by target name:
    one for each target, `no_poller` for those whose result did not come back in time."""

    def publish(
        self, targets: Sequence[Target], options: RunOptions, previous: PreviousRuns
    ) -> Callable[[], Mapping[str, TargetResult]]: ...


def inspect(
    inventory: Inventory,
    targets: Sequence[Target],
    options: RunOptions = RunOptions(),
    previous: PreviousRuns = lambda _name: PreviousRun(),
    on_target_done: Callable[[Target], None] | None = None,
    recorded: RecordedSamples = no_records,
    zones: Zones | None = None,
) -> InspectionRun:
    """`recorded`: samples from this tool's records for a target (flows/db_facts.py). With
    `zones`, a target with a `zone:` goes to that zone's workers and the rest are inspected
    here, meanwhile; the run records each target once, in inventory order."""
    started = datetime.now(UTC)
    remote = [t for t in targets if t.zone] if zones else []
    here = [t for t in targets if not (zones and t.zone)]
    waiting = zones.publish(remote, options, previous) if zones and remote else dict
    inspected = inspect_each(inventory, here, options, previous, on_target_done, recorded)
    results = {t.name: result for t, result in zip(here, inspected, strict=True)}
    results.update(waiting())
    if on_target_done:  # the progress bar counts zone targets as their results come in
        for target in remote:
            on_target_done(target)
    samples: list[Sample] = []
    findings: list[Finding] = []
    for target in targets:
        samples.extend(results[target.name].samples)
        findings.extend(results[target.name].findings)
    return InspectionRun(
        id=options.run_id or new_run_id(),
        trigger=options.trigger,
        operator=options.operator or _operator(),
        started_at=started,
        finished_at=datetime.now(UTC),
        targets=tuple(t.name for t in targets),
        findings=tuple(findings),
        samples=tuple(samples),
    )


def inspect_each(
    inventory: Inventory,
    targets: Sequence[Target],
    options: RunOptions,
    previous: PreviousRuns,
    on_target_done: Callable[[Target], None] | None = None,
    recorded: RecordedSamples = no_records,
) -> list[TargetResult]:
    """Each target's `inspect_target` in the bounded pool under its deadline: a target past
    it or stopped by a defect of ours is one UNKNOWN. A zone's worker runs the same (without
    `recorded`: the records are the server's)."""
    jitter = min(options.jitter, options.timeout / 10) if len(targets) > 1 else 0.0

    def work(target: Target) -> TargetResult:
        began = time.monotonic()
        if jitter > 0:
            time.sleep(random.uniform(0, jitter))
        return inspect_target(
            inventory,
            target,
            previous,
            options.timeout,
            began=began,
            retries=options.retries,
            backoff=options.backoff,
            recorded=recorded,
        )

    results = run_bounded(
        targets, work, workers=options.workers, timeout=options.timeout, on_done=on_target_done
    )
    return [_settled(target, result) for target, result in zip(targets, results, strict=True)]


def _settled(target: Target, result: TargetResult | TimedOut | Failed) -> TargetResult:
    if isinstance(result, TimedOut):
        seconds = f"{result.seconds:g}"
        finding = unknown(
            target,
            names.CHECK_REACHABILITY,
            "target",
            "timeout",
            phrase("no answer within the {seconds} s deadline", seconds=seconds),
        )
        return TargetResult((), (finding,))
    if isinstance(result, Failed):
        return TargetResult((), (internal_failure(target, result.error),))
    return result


def no_poller(target: Target, waited: float) -> TargetResult:
    """A zone target whose result did not come back by the run's deadline."""
    finding = unknown(
        target,
        names.CHECK_REACHABILITY,
        "target",
        "no poller",
        phrase(
            "zone {zone} had no worker to take it within {seconds} s",
            zone=target.zone,
            seconds=f"{waited:.0f}",
        ),
    )
    return TargetResult((), (finding,))


def inspect_target(
    inventory: Inventory,
    target: Target,
    previous: PreviousRuns,
    timeout: float,
    *,
    began: float | None = None,
    retries: int = 0,
    backoff: float = 0.25,
    recorded: RecordedSamples = no_records,
) -> TargetResult:
    """Collect then judge one target. The one place where a collector's failure is caught.

    The collectors' deadline ends a little before the pool's, so a collector that honours it
    reports its own reason ("no SSH banner") rather than the pool's bare timeout.
    """
    grace = min(1.0, timeout * 0.05)
    deadline = (began if began is not None else time.monotonic()) + timeout - grace
    before = previous(target.name)
    session = Session(profile=inventory.profile(target.profile), deadline=deadline, previous=before)
    samples: list[Sample] = []
    findings: list[Finding] = []
    complete: list[collectors.Collector] = []
    try:
        chosen = collectors.for_target(target)
    except UserError as exc:
        return TargetResult(
            (), (unknown(target, names.CHECK_COLLECTOR, "config", "configuration", exc.message),)
        )
    for collector in chosen:
        try:
            samples.extend(_collect(collector, target, session, retries, backoff))
            complete.append(collector)
        except CollectError as exc:
            findings.append(collect_failure(target, collector.name, exc))
        except UserError as exc:  # e.g. a credential reference that does not resolve
            findings.append(
                unknown(
                    target, names.CHECK_COLLECTOR, collector.name, "configuration", exc.message
                )
            )
        except Exception as exc:  # noqa: BLE001 - any collector bug becomes UNKNOWN, never a crash
            finding = unknown(
                target,
                names.CHECK_COLLECTOR,
                collector.name,
                "internal error",
                phrase(
                    "the {collector} collector stopped on an unexpected error",
                    collector=collector.name,
                ),
            )
            error = f"{type(exc).__name__}: {exc}"
            findings.append(replace(finding, evidence={**finding.evidence, "error": error}))
    samples.extend(carried_state(before.samples, samples))
    samples.extend(recorded(target))  # read whether or not the target answered
    context = checks.CheckContext(
        profile=session.profile,
        previous=before.samples,
        previous_findings=before.findings,
        # a family is measured when none of its collectors failed: a failure is already
        # the one UNKNOWN that says why its checks have no input
        families=frozenset(c.family for c in complete)
        - {c.family for c in chosen if c not in complete},
        missing=session.missing,
        texts=session.texts,
    )
    findings.extend(checks.evaluate_all(target, samples, context))
    return TargetResult(tuple(samples), tuple(findings))


def carried_state(before: Sequence[Sample], now: Sequence[Sample]) -> list[Sample]:
    """The previous run's state samples (core.names.STATE: a log watch's positions) that this
    run did not renew. The next inspection reads only the latest run, so a run that did not
    read a log (another profile's schedule, a probe cut short) must still hand its position on,
    or the lines logged meanwhile would never be judged."""
    renewed = {(s.metric, tuple(sorted(s.labels.items()))) for s in now if s.metric in names.STATE}
    return [
        s for s in before
        if s.metric in names.STATE and (s.metric, tuple(sorted(s.labels.items()))) not in renewed
    ]


def _collect(
    collector: collectors.Collector,
    target: Target,
    session: Session,
    retries: int,
    backoff: float,
) -> list[Sample]:
    """Retry only what may pass a moment later, with exponential backoff and jitter; never
    auth failures or host key problems (retrying those locks accounts or hides an attack)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return list(collector.collect(target, session))
        except CollectError as exc:
            exc.attempts = attempt
            pause = backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
            if not exc.transient or attempt > retries:
                raise
            if session.remaining() < pause + MIN_ATTEMPT:
                raise
            time.sleep(pause)


def internal_failure(target: Target, error: Exception) -> Finding:
    """A failure of ours (a check, the history lookup), not the target's: named with the place
    it was raised, so the report says what broke instead of a timeout. The exception's type
    goes to the evidence, never into the summary."""
    frames = traceback.extract_tb(error.__traceback__)
    first_line = str(error).strip().split("\n", 1)[0][:300]  # SQL errors append the statement
    said = first_line or phrase("no message")
    if frames:
        where = f"{_relative(frames[-1].filename)}:{frames[-1].lineno}"
        message = phrase("the inspection stopped at {where}: {error}", where=where, error=said)
    else:
        message = phrase("the inspection stopped: {error}", error=said)
    finding = unknown(target, names.CHECK_INSPECTION, "target", "internal error", message)
    error_text = f"{type(error).__name__}: {first_line}"
    return replace(finding, evidence={**finding.evidence, "error": error_text})


def _relative(filename: str) -> str:
    """`checks/resources.py`: the package and module, enough to find it, no home directory."""
    return "/".join(Path(filename).parts[-2:])


def collect_failure(target: Target, collector: str, exc: CollectError) -> Finding:
    attempts = exc.attempts
    message = (
        phrase("{error} (after {attempts} attempts)", error=exc.detail, attempts=attempts)
        if attempts > 1
        else exc.detail
    )
    finding = unknown(target, names.CHECK_REACHABILITY, collector, exc.reason, message)
    return replace(finding, evidence={**finding.evidence, "attempts": attempts})


def unknown(
    target: Target, check: str, subject: str, reason: str, message: str | Phrase
) -> Finding:
    """A target or collector that could not be judged: summary, hint and status from the one
    table of failures (core.failures)."""
    failure = FAILURES[reason]
    return Finding(
        target=target.name,
        check=check,
        subject=subject,
        status=failure.status,
        summary=phrase("{reason}: {detail}", reason=failure.label, detail=message),
        hint=failure.hint,
        evidence={"reason": reason},
    )


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
