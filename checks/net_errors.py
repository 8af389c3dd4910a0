"""Network interface errors and drops per second between the collector's two reads: a bad
cable, duplex mismatch or full ring buffer shows as a rate long before users call."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

NET_ERROR_CHECKS = (
    ThresholdCheck(
        name=names.CHECK_NET_ERRORS,
        metric=names.NET_ERRORS_RATE,
        subject=lambda sample: sample.label("interface", "?"),
        what=lambda sample, _samples, _context: phrase(
            "{interface} {rate} errors/s", interface=sample.label("interface", "?"),
            rate=f"{sample.value:g}"),
        hint=phrase(
            "Errors are usually physical: `ethtool -S IFACE` for the kind, then the cable, "
            "the switch port (both sides' duplex and speed) and the NIC driver."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_NET_DROPS,
        metric=names.NET_DROPS_RATE,
        subject=lambda sample: sample.label("interface", "?"),
        what=lambda sample, _samples, _context: phrase(
            "{interface} {rate} drops/s", interface=sample.label("interface", "?"),
            rate=f"{sample.value:g}"),
        hint=phrase(
            "Drops are the host not keeping up or not wanting the packet: `ethtool -S IFACE` "
            "(rx_missed, fifo), ring sizes (`ethtool -g`), softirq load, or unknown VLANs."
        ),
    ),
)
