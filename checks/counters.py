"""Counter arithmetic between two runs: per-interface lookup, wrap, device restart.

Rates use each sample's own `at`, never a clock, so checks stay pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import names
from core.model import Sample

WRAP_32 = 2**32
# sysUpTime is TimeTicks (1/100 s) in 32 bits: it wraps after 497 days without a restart
UPTIME_WRAP_SECONDS = WRAP_32 / 100
# uptime parsed from CLI text has minute granularity, and device clocks drift a little
RESTART_TOLERANCE_SECONDS = 120.0
RESTART_TOLERANCE_RATIO = 0.005
# the most packets a link can carry per bit/s of speed (64-byte frames + 20 bytes of overhead)
MAX_PACKETS_PER_BIT = 1 / (84 * 8)

def by_interface(
    samples: Sequence[Sample], window_start: bool = False
) -> dict[str, dict[str, Sample]]:
    """{interface name: {metric: sample}} for the if.* samples: the latest reading, or with
    `window_start` the counters the collector read at the start of its in-run rate window."""
    table: dict[str, dict[str, Sample]] = {}
    for s in samples:
        if not s.metric.startswith("if.") or not s.label("interface"):
            continue
        if (s.label(names.LABEL_POLL) == names.POLL_WINDOW_START) == window_start:
            table.setdefault(s.label("interface"), {})[s.metric] = s
    return table


def uptime(samples: Sequence[Sample]) -> Sample | None:
    return next((s for s in samples if s.metric == names.SYSTEM_UPTIME), None)


@dataclass(frozen=True)
class Restart:
    """How the device's boot moved between two runs (boot = sample time - uptime)."""

    restarted: bool
    boot_shift: float


def restart_between(before: Sample | None, now: Sample | None) -> Restart | None:
    """None when either run lacks an uptime; sysUpTime wrap is not a restart."""
    if before is None or now is None:
        return None
    elapsed = (now.at - before.at).total_seconds()
    shift = (now.at.timestamp() - now.value) - (before.at.timestamp() - before.value)
    tolerance = max(RESTART_TOLERANCE_SECONDS, RESTART_TOLERANCE_RATIO * abs(elapsed))
    wrapped = abs(shift - UPTIME_WRAP_SECONDS) <= tolerance
    return Restart(restarted=shift > tolerance and not wrapped, boot_shift=shift)


def counter_rate(
    before: Sample | None, now: Sample | None, wraps_at_32: bool, limit: float | None
) -> float | None:
    """Per-second increase, or None when it cannot be known.

    A counter that went down wrapped (32-bit) or was reset (cleared, or the device restarted).
    A 32-bit wrap is believed only when the rate it implies stays under `limit` (what the link
    can carry); a 64-bit counter never wraps in practice, so going down means a reset.
    """
    if before is None or now is None:
        return None
    elapsed = (now.at - before.at).total_seconds()
    if elapsed <= 0:
        return None
    delta = now.value - before.value
    if delta < 0:
        if not wraps_at_32:
            return None
        delta += WRAP_32
        if limit is not None and delta / elapsed > limit:
            return None
    return delta / elapsed


def is_32_bit(metric: str, sample: Sample) -> bool:
    """IF-MIB error/discard counters are Counter32; octets say so with `bits: "32"`."""
    return not metric.endswith("_octets") or sample.label("bits") == "32"


def octet_limit(speed: float | None) -> float | None:
    """Bytes per second a link of `speed` bit/s can carry, with 10 % headroom."""
    return speed * 1.1 / 8 if speed else None


def packet_limit(speed: float | None) -> float | None:
    return speed * MAX_PACKETS_PER_BIT * 1.1 if speed else None
