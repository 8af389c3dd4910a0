"""The switch patrol's CLI items (NTP, log buffer, err-disabled ports), sent over the netcli
collector's open connection, and only the ones the profile asks for.

Parsers are the vendors' (vendors/patrol_facts.py); this module turns their facts into
Samples. "Since the last inspection" for the log buffer is the previous run's count of
messages logged (Cisco's buffer header): the newest N - N_before entries are the new ones.
Without that count (or on the first inspection) the whole buffer is reported, judged as a
baseline. The severe lines themselves are text for the finding, kept out of the samples.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from collectors.session import Session
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import asks
from vendors import Vendor, is_error_output
from vendors.patrol_facts import CLI_ITEMS, ITEM_METRICS, SEVERE, LogEntry, PatrolFacts

LOG_SUBJECT = "log buffer"
EVIDENCE_LINES = 20  # the newest severe entries shown in the finding
SINCE_LAST, SINCE_BUFFER = "last inspection", "buffer"


def collect(connection: Any, vendor: Vendor, target: str, session: Session) -> list:
    """Samples and Missing notes for every patrol CLI item the profile asks for."""
    found: list[Sample | Missing] = []
    offered = {p.key for p in vendor.patrol}
    for key, metric in CLI_ITEMS.items():
        if asks(session.profile, key) and key not in offered:
            found.append(Missing(metric, phrase("no CLI command is known for this on {vendor}",
                                                  vendor=vendor.name)))
    for probe in vendor.patrol:
        if not asks(session.profile, probe.key):
            continue
        text = connection.send_command(probe.command, read_timeout=max(1.0, session.remaining()))
        facts = _parse(probe.parse, text)
        if facts is None:
            why = phrase("the answer to `{command}` could not be read", command=probe.command)
            found.append(Missing(ITEM_METRICS[probe.key], why))
            continue
        found.extend(samples(target, facts, datetime.now(UTC), session))
    return found


def _parse(parse: Any, text: str) -> PatrolFacts | None:
    """None when the device rejected the command or the parser could not read it (device
    text: whatever a parser raises costs only this item)."""
    if is_error_output(text):
        return None
    try:
        facts = parse(text)
    except Exception:  # noqa: BLE001 - see above
        return None
    return None if facts == PatrolFacts() else facts


def samples(target: str, facts: PatrolFacts, at: datetime, session: Session) -> Iterator[Sample]:
    if facts.ntp_synchronized is not None:
        labels = {"reference": facts.ntp_reference} if facts.ntp_reference else {}
        yield Sample(target, names.DEVICE_NTP_SYNCHRONIZED, float(facts.ntp_synchronized),
                     "count", at, labels)
    if facts.err_disabled is not None:
        yield Sample(target, names.ERR_DISABLED_PORTS, len(facts.err_disabled), "count", at)
        for port, reason in facts.err_disabled:
            yield Sample(target, names.IF_ERR_DISABLED, 1, "count", at,
                         {"interface": port, "reason": reason})
    if facts.log_entries is not None:
        yield from _log(target, facts, at, session)
    for peer in facts.bgp_peers or ():
        labels = {"peer": peer.peer, "remote_as": peer.remote_as}
        if peer.admin_stop:
            labels["admin"] = "stop"
        yield Sample(target, names.BGP_PEER_STATE, peer.state, "count", at, labels)
    for member in facts.stack_members or ():
        yield Sample(target, names.STACK_MEMBER_READY, float(member.ready), "count", at,
                     {"member": member.member, "role": member.role, "state": member.state})


def _log(target: str, facts: PatrolFacts, at: datetime, session: Session) -> Iterator[Sample]:
    entries: Sequence[LogEntry] = facts.log_entries or ()
    since = SINCE_BUFFER
    if facts.log_logged_total is not None:
        yield Sample(target, names.LOG_BUFFER_LOGGED, facts.log_logged_total, "count", at)
        before = next((s for s in session.previous.samples
                       if s.metric == names.LOG_BUFFER_LOGGED), None)
        if before is not None and facts.log_logged_total >= before.value:
            new = int(facts.log_logged_total - before.value)
            entries = entries[len(entries) - new:] if new else ()
            since = SINCE_LAST
    severe = [e.text for e in entries if e.severity <= SEVERE]
    if severe:
        session.texts[(names.CHECK_DEVICE_LOG, LOG_SUBJECT)] = {
            "entries": "\n".join(severe[-EVIDENCE_LINES:])
        }
    yield Sample(target, names.LOG_SEVERE_ENTRIES, len(severe), "count", at, {"since": since})
