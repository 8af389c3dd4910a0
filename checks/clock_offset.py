"""The target's clock against the inspecting host's, measured around one exchange: catches a
target whose time daemon is happy with a wrong source, which its own report cannot show."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _evidence(sample, context):
    return dict(context.texts.get((names.CHECK_CLOCK_OFFSET, "clock"), {}))


def _what(sample, _samples, context):
    text = _evidence(sample, context)
    return phrase(
        "clock {offset} s from the inspecting host (+- {uncertainty} s)",
        offset=text.get("offset", f"{sample.value:.3f}"), uncertainty=text.get("uncertainty", "?"),
    )


CLOCK_OFFSET_CHECK = ThresholdCheck(
    name=names.CHECK_CLOCK_OFFSET,
    metric=names.TIME_CLOCK_OFFSET,
    subject=lambda _sample: "clock",
    what=_what,
    hint=phrase(
        "One of the two clocks is wrong: compare both with a trusted NTP server "
        "(`chronyc -n tracking`, `ntpdate -q SERVER`) and fix the time source of the wrong one."
    ),
    evidence=_evidence,
)
