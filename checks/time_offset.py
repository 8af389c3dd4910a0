"""How far the time daemon says the clock is from its time source."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

TIME_OFFSET_CHECK = ThresholdCheck(
    name=names.CHECK_TIME_OFFSET,
    metric=names.TIME_SYNC_OFFSET,
    subject=lambda _sample: "time",
    what=lambda sample, _samples, _context: phrase(
        "{daemon} offset {offset} s", daemon=sample.label("daemon", "?"),
        offset=f"{sample.value:.6f}"),
    hint=phrase(
        "A large offset that does not shrink: check the sources (`chronyc sources -v`), "
        "a step with `chronyc makestep`, and whether something else sets the clock."
    ),
)
