"""Kernel trouble since the last inspection, by kind: OOM kills, I/O errors, hung tasks and
machine checks. They show nowhere else until the service that met them fails."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

KINDS = {
    "oom": phrase("OOM kills"),
    "io_error": phrase("I/O errors"),
    "hung_task": phrase("hung tasks"),
    "mce": phrase("machine check errors"),
}


def _what(sample, _samples, context):
    kind = sample.label("kind", "?")
    what = KINDS.get(kind, kind)
    wrapped = context.texts.get((names.CHECK_KERNEL_EVENTS, "buffer"), {}).get("wrapped")
    if wrapped:
        return phrase("{count} kernel {what} since the last inspection (the kernel log "
                      "no longer reaches back to it)", count=f"{sample.value:.0f}", what=what)
    return phrase("{count} kernel {what} since the last inspection",
                  count=f"{sample.value:.0f}", what=what)


def _evidence(sample, context):
    return {"kind": sample.label("kind", "?"),
            **context.texts.get((names.CHECK_KERNEL_EVENTS, sample.label("kind", "?")), {})}


KERNEL_EVENTS_CHECK = ThresholdCheck(
    name=names.CHECK_KERNEL_EVENTS,
    metric=names.KERNEL_EVENTS,
    subject=lambda sample: sample.label("kind", "?"),
    what=_what,
    hint=phrase(
        "Read them with `dmesg -T | tail -n 100`: OOM kills need memory or limits, I/O errors "
        "a disk check (`smartctl -a`), hung tasks the storage they wait on, MCEs the hardware "
        "vendor."
    ),
    evidence=_evidence,
)
