"""Updates installed that only a reboot applies (a new kernel, glibc): until then the host runs
the old, often vulnerable code while the package list says it is patched."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

SOURCES = {
    "debian": phrase("/run/reboot-required"),
    "rhel": phrase("needs-restarting -r"),
    "kernel": phrase("running kernel against the newest installed"),
}


def _evidence(sample, context):
    return {"source": sample.label("source", "?"),
            **context.texts.get((names.CHECK_REBOOT_REQUIRED, "reboot"), {})}


def _what(sample, _samples, _context):
    source = SOURCES.get(sample.label("source", "?"), sample.label("source", "?"))
    if sample.value:
        return phrase("a reboot is required ({source})", source=source)
    return phrase("no reboot required ({source})", source=source)


REBOOT_REQUIRED_CHECK = ThresholdCheck(
    name=names.CHECK_REBOOT_REQUIRED,
    metric=names.REBOOT_REQUIRED,
    subject=lambda _sample: "reboot",
    what=_what,
    hint=phrase(
        "Plan a reboot in a change window; `cat /run/reboot-required.pkgs` or "
        "`needs-restarting` lists what asks for it."
    ),
    evidence=_evidence,
)
