"""Switch and router hardware: power supplies, fans and boards by the device's own status, and
temperatures against the device's own limits (else the profile's). Inputs: collectors.snmp_env.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from checks.threshold import judge
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile, Thresholds, asks
from settings.thresholds import Range

# state sample value (collectors.snmp_env) -> status
LEVELS = {0: Status.OK, 1: Status.WARNING, 2: Status.CRITICAL, 3: Status.UNKNOWN}
DEVICE_STATUS = phrase("the device's own status")


@dataclass(frozen=True)
class ComponentCheck:
    """One finding per component; its status is the device's own word for it."""

    name: str
    metric: str
    hint: Phrase
    family: str = DEVICE

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.metric,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        for sample in samples:
            if sample.metric != self.metric:
                continue
            status = LEVELS.get(int(sample.value), Status.UNKNOWN)
            component, state = sample.label("name"), sample.label("state")
            yield Finding(
                target=target.name,
                check=self.name,
                subject=component,
                status=status,
                summary=phrase("{component}: {state}", component=component, state=state),
                value=sample.value,
                unit="count",
                threshold=DEVICE_STATUS,
                hint=self.hint if status in (Status.WARNING, Status.CRITICAL) else "",
                evidence=dict(sample.labels),
            )


COMPONENT_CHECKS = (
    ComponentCheck(
        name=names.CHECK_DEVICE_PSU,
        metric=names.ENV_PSU_STATE,
        hint=phrase(
            "A power supply failed or lost its input: check its power cord, breaker and LEDs "
            "(`show environment power` / `display power`), then replace the module; the "
            "device now runs without redundancy."
        ),
    ),
    ComponentCheck(
        name=names.CHECK_DEVICE_FAN,
        metric=names.ENV_FAN_STATE,
        hint=phrase(
            "A fan failed or runs at full speed: read `show environment fan` / `display fan`, "
            "reseat or replace the fan tray, and watch the temperatures until it is fixed."
        ),
    ),
    ComponentCheck(
        name=names.CHECK_DEVICE_BOARD,
        metric=names.ENV_BOARD_STATE,
        hint=phrase(
            "A board or module is not in its normal state: read `show module` / `display "
            "device` and the device log, reseat or replace it; its ports are out of service."
        ),
    ),
)

TEMPERATURE_HINT = phrase(
    "Too hot: check the fans, the air flow (blanking panels, blocked vents) and the room's "
    "cooling (`show environment temperature` / `display temperature all`)."
)


def device_limits(sample: Sample) -> Thresholds | None:
    """The device's own limits from the sample's labels: `warning_high`, `critical_low`, ..."""

    def level(name: str) -> Range | None:
        low, high = sample.label(f"{name}_low"), sample.label(f"{name}_high")
        if not low and not high:
            return None
        start, end = float(low) if low else -math.inf, float(high) if high else math.inf
        text = f"{low or '~'}:{high}"
        return Range(start=start, end=end, text=text)

    warning, critical = level("warning"), level("critical")
    return Thresholds(warning, critical) if warning or critical else None


def limits_for(sample: Sample, profile: Profile) -> tuple[Thresholds | None, Phrase]:
    """The device's own limits where it publishes them, else the profile's."""
    own = device_limits(sample)
    if own:
        return own, phrase("the device's own limits")
    return profile.thresholds_for(sample.metric), phrase("profile")


def describe(thresholds: Thresholds, unit: str, source: Phrase) -> Phrase:
    """e.g. 'warning > 60 C, critical > 70 C (the device's own limits)'."""
    warning = thresholds.warning.describe(unit) if thresholds.warning else "-"
    critical = thresholds.critical.describe(unit) if thresholds.critical else "-"
    return phrase(
        "warning {warning}, critical {critical} ({source})",
        warning=warning,
        critical=critical,
        source=source,
    )


class TemperatureCheck:
    """Each temperature against its limits; a device that calls the reading abnormal itself
    (CISCO-ENVMON state) is believed even below the limits."""

    name = names.CHECK_DEVICE_TEMPERATURE
    family = DEVICE
    inputs = (names.ENV_TEMPERATURE,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        for sample in samples:
            if sample.metric == names.ENV_TEMPERATURE:
                yield self.finding(target, sample, context.profile)

    def finding(self, target: Target, sample: Sample, profile: Profile) -> Finding:
        thresholds, source = limits_for(sample, profile)
        status, _ = judge(sample.value, thresholds) if thresholds else (Status.OK, "")
        sensor, value = sample.label("name"), f"{sample.value:g}"
        summary = phrase("{sensor} {value} °C", sensor=sensor, value=value)
        state = sample.label("state")
        said = {"warning": Status.WARNING, "critical": Status.CRITICAL, "shutdown": Status.CRITICAL}
        if said.get(state, Status.OK) > status:
            status = said[state]
            summary = phrase(
                "{sensor} {value} °C: the device reports {state}",
                sensor=sensor,
                value=value,
                state=state,
            )
        return Finding(
            target=target.name,
            check=self.name,
            subject=sensor,
            status=status,
            summary=summary,
            value=sample.value,
            unit="C",
            threshold=describe(thresholds, "C", source) if thresholds else "",
            hint=TEMPERATURE_HINT if status in (Status.WARNING, Status.CRITICAL) else "",
            evidence=dict(sample.labels),
        )
