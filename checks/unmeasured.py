"""The one shape of "not measured: why" a check owes when its input was not collected.

Apart from checks/__init__.py so that a check which must decide it itself (a protocol check
whose table is empty now but was not before) says it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from core.model import Finding, Target
from core.phrases import Phrase, phrase

NOT_MEASURED_HINT = phrase(
    "The profile asks for this check but its input was not collected, so it cannot alert: "
    "fix the cause on the target, or disable the check in the target's profile."
)


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def inputs(self) -> Sequence[str]: ...


def not_measured(
    target: Target, check: Named, missing: Mapping[str, str | Phrase]
) -> Finding:
    notes = [missing[metric] for metric in check.inputs if metric in missing]
    why = (
        notes[0]
        if notes
        else phrase("no {metrics} was collected", metrics=" or ".join(check.inputs))
    )
    return Finding.not_measured(
        target.name, check.name, check.name, why, NOT_MEASURED_HINT, inputs=list(check.inputs)
    )
