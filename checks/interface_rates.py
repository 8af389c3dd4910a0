"""Traffic, error and discard rates per interface: the one owner of interface rates.

A rate comes from two readings of a counter: the collector's two polls inside this run when
the profile sets a `rate_window` (a recent rate, what the link carries now), else this run and
the previous one (the average since then, which may be hours). Only ports that are up now are
judged; a restart between two runs means no rates at all (counters started again from zero),
and the restart check says so instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from checks.counters import (
    by_interface,
    counter_rate,
    is_32_bit,
    octet_limit,
    packet_limit,
    restart_between,
    uptime,
)
from checks.threshold import describe, verdict
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile


@dataclass(frozen=True)
class RateCheck:
    """Judge max(in, out) of a per-second rate derived from two counters."""

    name: str
    threshold_metric: str
    counters: tuple[str, str]
    unit: str
    value: Callable[[float, float | None], float | None]  # (per-second rate, speed) -> value
    limit: Callable[[float | None], float | None]
    words: Callable[[float], str | Phrase]
    hint: Phrase  # may name {subject}
    family: str = DEVICE

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.counters

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(self.threshold_metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.threshold_metric)
        if thresholds is None:
            return
        window = by_interface(samples, window_start=True)
        restart = restart_between(uptime(context.previous), uptime(samples))
        restarted = restart is not None and restart.restarted
        previous = {} if restarted else by_interface(context.previous)
        for name, now in by_interface(samples).items():
            oper = now.get(names.IF_OPER_UP)
            start = window.get(name) or previous.get(name)
            if oper is None or not oper.value or start is None:
                continue
            over = "in-run window" if name in window else "since the last inspection"
            values = self._values(now, start)
            if not values:
                continue
            direction, value = max(values.items(), key=lambda item: item[1])
            status, clause = verdict(value, thresholds, self.unit)
            shown = _directions({d: self.words(v) for d, v in values.items()})
            yield Finding(
                target=target.name,
                check=self.name,
                subject=name,
                status=status,
                summary=phrase(
                    "{interface}: {rates} ({clause})", interface=name, rates=shown, clause=clause
                ),
                value=value,
                unit=self.unit,
                threshold=describe(thresholds, self.unit),
                hint=self.hint.fill(subject=name) if status != Status.OK else "",
                evidence={
                    "direction": direction, "alias": oper.label("alias"), "over": over, **values
                },
            )

    def _values(self, now: Mapping[str, Sample], before: Mapping[str, Sample]) -> dict:
        speed_sample = now.get(names.IF_SPEED)
        speed = speed_sample.value if speed_sample and speed_sample.value > 0 else None
        values: dict[str, float] = {}
        for metric in self.counters:
            current = now.get(metric)
            if current is None:
                continue
            rate = counter_rate(
                before.get(metric), current, is_32_bit(metric, current), self.limit(speed)
            )
            value = self.value(rate, speed) if rate is not None else None
            if value is not None:
                values[metric.removeprefix("if.").split("_", 1)[0]] = round(value, 3)
        return values


def _directions(words: Mapping[str, str | Phrase]) -> str | Phrase:
    """The directions that have a rate: "in 12.0%, out 3.1%"; a counter with no direction
    (FCS errors arrive only) is its rate alone."""
    if "in" in words and "out" in words:
        return phrase("in {inbound}, out {outbound}", inbound=words["in"], outbound=words["out"])
    if "in" in words:
        return phrase("in {value}", value=words["in"])
    if "out" in words:
        return phrase("out {value}", value=words["out"])
    return next(iter(words.values()))


def _utilisation(rate: float, speed: float | None) -> float | None:
    return 100 * rate * 8 / speed if speed else None


def _per_second(rate: float, _speed: float | None) -> float:
    return rate


def _percent(value: float) -> str:
    return f"{value:.1f}%"


RATE_CHECKS = (
    RateCheck(
        name=names.CHECK_IF_UTILIZATION,
        threshold_metric=names.IF_UTILIZATION_PERCENT,
        counters=(names.IF_IN_OCTETS, names.IF_OUT_OCTETS),
        unit="%",
        value=_utilisation,
        limit=octet_limit,
        words=_percent,
        hint=phrase(
            "Find the top talkers (NetFlow/sFlow, `show interfaces {subject}` rates) and check "
            "whether the link needs more capacity or a port-channel member is down."
        ),
    ),
    RateCheck(
        name=names.CHECK_IF_ERRORS,
        threshold_metric=names.IF_ERRORS_PER_SECOND,
        counters=(names.IF_IN_ERRORS, names.IF_OUT_ERRORS),
        unit="count",
        value=_per_second,
        limit=packet_limit,
        words=lambda v: phrase("{rate} errors/s", rate=f"{v:.2f}"),
        hint=phrase(
            "Errors are physical: check duplex/speed mismatch, the cable or optic (DOM levels "
            "in `show interfaces {subject} transceiver`) and the peer port's counters."
        ),
    ),
    RateCheck(
        name=names.CHECK_IF_DISCARDS,
        threshold_metric=names.IF_DISCARDS_PER_SECOND,
        counters=(names.IF_IN_DISCARDS, names.IF_OUT_DISCARDS),
        unit="count",
        value=_per_second,
        limit=packet_limit,
        words=lambda v: phrase("{rate} discards/s", rate=f"{v:.2f}"),
        hint=phrase(
            "Discards mean full queues: look for congestion or microbursts on {subject} "
            "(`show queueing interface`, QoS drops) and at its utilisation."
        ),
    ),
    RateCheck(  # EtherLike dot3StatsFCSErrors: read only when the profile sets its threshold
        name=names.CHECK_IF_FCS,
        threshold_metric=names.IF_FCS_ERRORS_PER_SECOND,
        counters=(names.IF_FCS_ERRORS,),
        unit="count",
        value=_per_second,
        limit=packet_limit,
        words=lambda v: phrase("{rate} FCS errors/s", rate=f"{v:.3f}"),
        hint=phrase(
            "FCS (CRC) errors are damaged frames arriving: replace the cable or patch lead, "
            "clean or swap the optic (`show interfaces {subject} transceiver`), and check duplex."
        ),
    ),
)
