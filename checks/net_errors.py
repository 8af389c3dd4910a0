"""Network interface errors and drops per second between the collector's two reads: a bad
cable, duplex mismatch or full ring buffer shows as a rate long before users call."""

from __future__ import annotations

from checks.summaries import label, says
from checks.threshold import ThresholdCheck
from core import names
from core.phrases import Phrase, phrase


def _per_interface(name: str, metric: str, words: Phrase, hint: Phrase) -> ThresholdCheck:
    """`words` names the {interface} and its {rate} per second."""
    return ThresholdCheck(
        name=name, metric=metric, subject=label("interface"), hint=hint,
        what=says(words, interface=label("interface"), rate=lambda sample: f"{sample.value:g}"),
    )


NET_ERROR_CHECKS = (
    _per_interface(
        names.CHECK_NET_ERRORS,
        names.NET_ERRORS_RATE,
        phrase("{interface} {rate} errors/s"),
        phrase(
            "Errors are usually physical: `ethtool -S IFACE` for the kind, then the cable, "
            "the switch port (both sides' duplex and speed) and the NIC driver."
        ),
    ),
    _per_interface(
        names.CHECK_NET_DROPS,
        names.NET_DROPS_RATE,
        phrase("{interface} {rate} drops/s"),
        phrase(
            "Drops are the host not keeping up or not wanting the packet: `ethtool -S IFACE` "
            "(rx_missed, fifo), ring sizes (`ethtool -g`), softirq load, or unknown VLANs."
        ),
    ),
)
