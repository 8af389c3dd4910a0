"""GFS retention as a pure plan: which backups to keep and why, which may go.

Buckets follow restic's meaning: `daily: 7` keeps the newest backup of each of the 7 most
recent days that have one. The newest verified backup is always kept, whatever the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.backups import Retention


@dataclass(frozen=True)
class Candidate:
    id: str
    at: datetime
    verified: bool = False


@dataclass(frozen=True)
class Decision:
    id: str
    at: datetime
    keep: bool
    reasons: tuple[str, ...]


def plan(candidates: Sequence[Candidate], policy: Retention) -> list[Decision]:
    """Newest first; every backup gets a decision with the rules that keep it."""
    newest_first = sorted(candidates, key=lambda c: c.at, reverse=True)
    reasons: dict[str, list[str]] = {c.id: [] for c in newest_first}
    for c in newest_first[: policy.keep_last]:
        reasons[c.id].append("last")
    buckets: list[tuple[str, int, Callable[[datetime], Hashable]]] = [
        ("daily", policy.daily, lambda at: at.date()),
        ("weekly", policy.weekly, lambda at: at.isocalendar()[:2]),
        ("monthly", policy.monthly, lambda at: (at.year, at.month)),
    ]
    for label, count, bucket_of in buckets:
        seen: set[Hashable] = set()
        for c in newest_first:
            bucket = bucket_of(c.at.astimezone(UTC))
            if len(seen) >= count:
                break
            if bucket not in seen:
                seen.add(bucket)
                reasons[c.id].append(label)
    newest_verified = next((c for c in newest_first if c.verified), None)
    if newest_verified:
        reasons[newest_verified.id].append("newest verified")
    return [
        Decision(id=c.id, at=c.at, keep=bool(reasons[c.id]), reasons=tuple(reasons[c.id]))
        for c in newest_first
    ]
