"""The one shape of "not measured: why" a check owes when its input was not collected.

Apart from checks/__init__.py so that a check which must decide it itself (a protocol check
whose table is empty now but was not before) says it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from core.model import Finding, Target

NOT_MEASURED_HINT = (
    "The profile asks for this check but its input was not collected, so it cannot alert: "
    "fix the cause on the target, or disable the check in the target's profile."
)


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def inputs(self) -> Sequence[str]: ...


def not_measured(target: Target, check: Named, missing: Mapping[str, str]) -> Finding:
    notes = [missing[metric] for metric in check.inputs if metric in missing]
    why = notes[0] if notes else f"no {' or '.join(check.inputs)} was collected"
    return Finding.not_measured(
        target.name, check.name, check.name, why, NOT_MEASURED_HINT, inputs=list(check.inputs)
    )
