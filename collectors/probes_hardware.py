"""Hardware where the tools exist: disk health from `smartctl -j` and Linux software RAID from
/proc/mdstat.

Why these sources: smartctl's JSON (smartmontools >= 7.0) is the one stable, documented shape
for ATA, NVMe and SCSI disks alike; /proc/mdstat is the kernel's own account of every md
array. smartctl needs root to open a disk: as another user the probe says "needs privilege"
instead of guessing, and a missing smartctl is "not installed"; both become the check's
UNKNOWN "not measured" only because the profile asked for it (`hardware:`). Sleeping disks
are not woken (`-n standby`).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator, Mapping
from typing import Any

from collectors.probe_model import Probe, ProbeInput, needs_privilege
from collectors.session import Session
from core import names
from core.model import Missing, Sample
from core.phrases import phrase, verbatim
from settings.profiles import Profile

DEVICE_BYTES = 256 * 1024  # of one disk's smartctl answer (an ATA `-a` is ~30 KiB)
MDSTAT_BYTES = 64 * 1024

_SMART = r"""PATH=$PATH:/usr/sbin:/sbin
if ! command -v smartctl >/dev/null 2>&1; then echo "@@missing"
elif [ "$(id -u)" != 0 ]; then echo "@@unprivileged"
else
  devices=%(devices)s
  [ -n "$devices" ] || devices=$(smartctl --scan | sed 's/ *#.*//')
  [ -n "$devices" ] || echo "@@nodisk"
  printf '%%s\n' "$devices" | while read -r device; do
    [ -n "$device" ] || continue
    echo "@@device $device"
    smartctl -n standby -j -a $device | head -c %(limit)d
    echo
  done
fi"""


def smart_script(profile: Profile, session: Session) -> str:
    devices = "\n".join(profile.hardware.smart_devices)
    return _SMART % {"devices": shlex.quote(devices), "limit": DEVICE_BYTES}


SMART_WHY = {
    "missing": phrase("smartctl is not installed (package smartmontools)"),
    "unprivileged": needs_privilege(phrase("smartctl must run as root to read a disk")),
    "nodisk": phrase("smartctl found no disk to ask (a virtual machine's disks have no SMART)"),
}

# ATA attributes whose normalised value counts an SSD's remaining life down from 100
_WEAR_ATTRIBUTES = frozenset(
    {"Wear_Leveling_Count", "SSD_Life_Left", "Media_Wearout_Indicator", "Percent_Lifetime_Remain"}
)


def disk_figures(data: Mapping[str, Any]) -> dict[str, float]:
    """metric -> value from one disk's smartctl JSON; empty when it gave no SMART data."""
    status = data.get("smart_status")
    if not isinstance(status, Mapping) or not isinstance(status.get("passed"), bool):
        return {}
    figures = {names.SMART_PASSED: 1.0 if status["passed"] else 0.0}
    table = _mapping(data.get("ata_smart_attributes")).get("table")
    attributes = {
        a.get("id"): a for a in (table if isinstance(table, list) else []) if isinstance(a, Mapping)
    }
    for number, metric in (
        (5, names.SMART_REALLOCATED_SECTORS),
        (197, names.SMART_PENDING_SECTORS),
    ):
        raw = _mapping(_mapping(attributes.get(number)).get("raw"))
        if isinstance(raw.get("value"), int | float):
            figures[metric] = float(raw["value"])
    if data.get("rotation_rate") == 0:
        for attribute in attributes.values():
            if attribute.get("name") in _WEAR_ATTRIBUTES and isinstance(
                attribute.get("value"), int | float
            ):
                figures[names.SMART_WEAR_PERCENT] = float(max(0, 100 - attribute["value"]))
                break
    nvme = data.get("nvme_smart_health_information_log")
    if isinstance(nvme, Mapping):
        for key, metric in (
            ("percentage_used", names.SMART_WEAR_PERCENT),
            ("media_errors", names.SMART_MEDIA_ERRORS),
        ):
            if isinstance(nvme.get(key), int | float):
                figures[metric] = float(nvme[key])
    defects = data.get("scsi_grown_defect_list")
    if isinstance(defects, int | float):
        figures[names.SMART_REALLOCATED_SECTORS] = float(defects)
    return figures


def _mapping(value: Any) -> Mapping[str, Any]:
    """A JSON object, or an empty one: the answer is the target's text, any shape may come."""
    return value if isinstance(value, Mapping) else {}


def _message(data: Mapping[str, Any]) -> str:
    messages = _mapping(data.get("smartctl")).get("messages")
    listed = messages if isinstance(messages, list) else []
    texts = [str(m.get("string", "")) for m in listed if isinstance(m, Mapping)]
    return "; ".join(t for t in texts if t) or "smartctl gave no SMART status"


def smart_parse(found: ProbeInput) -> Iterator[Sample | Missing]:
    flags, devices = _smart_sections(found.text)
    for flag, why in SMART_WHY.items():
        if flag in flags:
            yield Missing(names.SMART_PASSED, why)
            return
    reasons = []
    measured = 0
    for device, text in devices.items():
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        figures = disk_figures(data) if isinstance(data, Mapping) else {}
        if not figures:
            why = _message(data) if isinstance(data, Mapping) and data else "no JSON answer"
            found.session.texts[(names.CHECK_SMART, device)] = {"why": why}
            reasons.append(why if why.startswith(device) else f"{device}: {why}")
            continue
        measured += 1
        model = str(data.get("model_name") or "")
        found.session.texts[(names.CHECK_SMART, device)] = {"model": model}
        for metric, value in figures.items():
            yield found.sample(metric, value, names.UNITS[metric], device=device)
    if not measured:
        yield Missing(names.SMART_PASSED,
                      verbatim("; ".join(reasons)) if reasons else SMART_WHY["nodisk"])


def _smart_sections(text: str) -> tuple[set[str], dict[str, str]]:
    flags: set[str] = set()
    devices: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        if line.startswith("@@device "):
            words = line[len("@@device "):].split()
            current = devices.setdefault(words[0] if words else "?", [])
        elif line.startswith("@@"):
            flags.add(line[2:].strip())
        elif current is not None:
            current.append(line)
    return flags, {device: "\n".join(lines) for device, lines in devices.items()}


SMART = Probe(
    "smart",
    smart_script,
    lambda profile: profile.hardware.smart,
    smart_parse,
    metrics=(names.SMART_PASSED,),
)


def raid_script(profile: Profile, session: Session) -> str:
    return (
        f'if [ -r /proc/mdstat ]; then echo "@@present"; head -c {MDSTAT_BYTES} /proc/mdstat; '
        'else echo "@@absent"; fi'
    )


_ARRAY = re.compile(r"^(md[\w/.-]*)\s*:\s*(\S+)\s*(.*)$")
_COUNTS = re.compile(r"\[(\d+)/(\d+)\]\s*\[([U_]+)\]")
_SYNC = re.compile(r"\b(resync|recovery|reshape|check|repair)\s*=\s*([\d.]+)%")
_DELAYED = re.compile(r"\b(resync|recovery|reshape)\s*=\s*(DELAYED|PENDING)")


def arrays(text: str) -> dict[str, dict[str, str | float]]:
    """Each md array of /proc/mdstat: state, level, members, and what its status lines say."""
    found: dict[str, dict[str, str | float]] = {}
    current: dict[str, str | float] | None = None
    for line in text.splitlines():
        head = _ARRAY.match(line)
        if head:
            state, rest = head[2], head[3].split()
            members = [w for w in rest if "[" in w]
            levels = [w for w in rest if "[" not in w and not w.startswith("(")]
            level = levels[0] if state == "active" and levels else ""
            current = found[head[1]] = {
                "state": state,
                "level": level,
                "members": " ".join(members),
                "failed": float(sum("(F)" in m for m in members)),
            }
            if state != "active":  # inactive: none of its members is working
                current["total"], current["working"] = float(len(members)), 0.0
            continue
        if not line[:1].isspace():  # "Personalities", "unused devices": no array's line
            current = None
        if current is None:
            continue
        counts = _COUNTS.search(line)
        if counts:
            current["total"], current["working"] = float(counts[1]), float(counts[2])
            current["map"] = counts[3]
        sync = _SYNC.search(line)
        if sync:
            current["sync"], current["sync_percent"] = sync[1], float(sync[2])
        delayed = _DELAYED.search(line)
        if delayed:
            current["sync"], current["sync_percent"] = f"{delayed[1]} {delayed[2]}", 0.0
    return found


def raid_parse(found: ProbeInput) -> Iterator[Sample | Missing]:
    lines = found.text.split("\n", 1)
    if lines[0].strip() == "@@absent":
        yield found.sample(names.RAID_ARRAYS, 0, "count")
        return
    if lines[0].strip() != "@@present":
        yield Missing(names.RAID_ARRAYS, phrase("the probe gave no answer about /proc/mdstat"))
        return
    table = arrays(lines[1] if len(lines) > 1 else "")
    yield found.sample(names.RAID_ARRAYS, len(table), "count")
    for name, array in table.items():
        # raid0 and linear arrays have no [n/m] count: only a failed member tells
        total, working = float(array.get("total", 0)), float(array.get("working", 0))
        missing = max(total - working, float(array["failed"]))
        yield found.sample(names.RAID_MISSING_MEMBERS, missing, "count", array=name)
        if "sync_percent" in array:
            yield found.sample(
                names.RAID_SYNC_PERCENT, float(array["sync_percent"]), "%", array=name
            )
        found.session.texts[(names.CHECK_RAID, name)] = {
            key: str(array[key]) for key in ("state", "level", "members", "map", "sync")
            if key in array
        }


RAID = Probe(
    "raid",
    raid_script,
    lambda profile: profile.hardware.raid,
    raid_parse,
    metrics=(names.RAID_ARRAYS,),
)
