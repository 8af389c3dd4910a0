"""Linux software RAID: an array missing a member is degraded (CRITICAL: one more failure
may lose data); one resyncing or recovering is WARNING until it finishes. Read from
/proc/mdstat by collectors/probes_hardware.py; a host without md arrays is OK, said so."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status

SUBJECT_NONE = "mdstat"  # the subject of "no array on this host"


class RaidCheck:
    name: ClassVar[str] = names.CHECK_RAID
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.RAID_ARRAYS,)

    def configured(self, profile) -> bool:
        return profile.hardware.raid

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        count = next((s.value for s in samples if s.metric == names.RAID_ARRAYS), None)
        if count == 0:
            yield Finding(target.name, self.name, SUBJECT_NONE, Status.OK,
                          phrase("no Linux software RAID array on this host"), value=0,
                          unit="count")
            return
        missing = {s.label("array"): s.value for s in samples
                   if s.metric == names.RAID_MISSING_MEMBERS}
        syncing = {s.label("array"): s.value for s in samples
                   if s.metric == names.RAID_SYNC_PERCENT}
        for array in sorted(missing.keys() | syncing.keys()):
            yield self.finding(target, array, missing.get(array, 0.0), syncing.get(array),
                               context.texts.get((self.name, array), {}))

    def finding(self, target: Target, array: str, missing: float, sync: float | None,
                text: dict) -> Finding:
        state = text.get("state", "active")
        shape = {"level": text.get("level", ""), "map": text.get("map", ""),
                 "members": text.get("members", "")}
        if state != "active":
            status = Status.CRITICAL
            summary = phrase("{array} is {state}: no member is working", array=array,
                             state=state)
        elif missing:
            status = Status.CRITICAL
            summary = phrase("{array} ({level}) degraded: {missing} member(s) missing [{map}]",
                             array=array, missing=int(missing), **_shape(shape))
        elif sync is not None:
            status = Status.WARNING
            summary = phrase("{array} ({level}) {sync} at {percent}%", array=array,
                             sync=text.get("sync", "resync"), percent=f"{sync:g}",
                             **_shape(shape))
        else:
            status = Status.OK
            summary = phrase("{array} ({level}) healthy [{map}]", array=array, **_shape(shape))
        return Finding(
            target=target.name,
            check=self.name,
            subject=array,
            status=status,
            summary=summary,
            value=missing,
            unit="count",
            threshold=phrase("degraded or inactive: critical; resync or recovery: warning"),
            hint=phrase(
                "See `mdadm --detail /dev/{array}` and `dmesg` for the failed member; replace "
                "it and add the new disk (`mdadm --manage /dev/{array} --add ...`).", array=array,
            ) if status == Status.CRITICAL else phrase(
                "The array is rebuilding: avoid heavy I/O and a reboot until it finishes."
            ) if status == Status.WARNING else "",
            evidence={k: v for k, v in shape.items() if v},
        )


def _shape(shape: dict[str, str]) -> dict[str, str]:
    return {"level": shape["level"] or "md", "map": shape["map"]}
