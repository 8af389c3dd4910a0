"""Shapes and helpers every vendor's CLI parsers share. Pure: text in, facts out."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

_UNIT_SECONDS = {
    "year": 365 * 86400,
    "week": 7 * 86400,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "second": 1,
}
_DURATION_PART = re.compile(r"(\d+)\s*(year|week|day|hour|minute|second)s?\b", re.IGNORECASE)
# Every vendor answers an unknown or unauthorised command with one of these lines instead of
# failing: the CLI collector skips such an answer, config backup refuses to store it.
REFUSED = re.compile(
    r"^\s*(%\s*(invalid|incomplete|ambiguous|unrecognized|unknown)"
    r"|error:|syntax error|unknown command|unrecognized command|\^\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class InterfaceState:
    """One port as the CLI shows it; counters are raw metric name -> value (samples.md names)."""

    name: str
    oper_up: bool
    admin_up: bool | None = None
    speed_bps: float | None = None
    description: str = ""
    counters: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What one command told us; facts from several commands are merged with `merge`."""

    uptime_s: float | None = None
    model: str = ""
    version: str = ""
    cpu_percent: float | None = None
    cpu_per_unit: Mapping[str, float] = field(default_factory=dict)
    memory_used_percent: float | None = None
    interfaces: tuple[InterfaceState, ...] = ()

    @property
    def empty(self) -> bool:
        return self == Facts()


Parser = Callable[[str], Facts]


def merge(first: Facts, second: Facts) -> Facts:
    """Fields already known win: commands run in order of trust."""
    changes: dict[str, Any] = {}
    for name in Facts.__dataclass_fields__:
        mine, theirs = getattr(first, name), getattr(second, name)
        if mine in (None, "", (), {}) and theirs not in (None, "", (), {}):
            changes[name] = theirs
    return replace(first, **changes) if changes else first


def is_error_output(text: str) -> bool:
    """True when the device rejected the command (unknown command, syntax error, ...)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return not lines or any(REFUSED.match(line) for line in lines[:3])


def duration_seconds(text: str) -> float | None:
    """'1 year, 18 weeks, 5 days, 1 hour, 11 minutes' (any vendor's spelling) -> seconds."""
    parts = _DURATION_PART.findall(text)
    if not parts:
        return None
    return float(sum(int(n) * _UNIT_SECONDS[unit.lower()] for n, unit in parts))


class ParseError(ValueError):
    """The output did not have the shape the parser knows (a template's state error, ...)."""


def ntc(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """ntc-templates TextFSM rows (lower-case keys); imported here so parsing stays lazy."""
    from ntc_templates.parse import parse_output
    from textfsm import TextFSMError

    try:
        return parse_output(platform=platform, command=command, data=text)
    except TextFSMError as exc:
        raise ParseError(f"ntc-templates {platform} {command!r}: {exc}") from None


def number(text: str | None) -> float | None:
    """'1,234' or '12.5%' -> float; None for '', '-' or anything else not numeric."""
    if not text:
        return None
    cleaned = text.strip().rstrip("%").replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def percent(used: float | None, total: float | None) -> float | None:
    if used is None or not total:
        return None
    return round(100.0 * used / total, 2)


_SPEED = re.compile(r"^(?:a-)?(\d+(?:\.\d+)?)\s*([kmgt]?)(?:b(?:ps|it/s)?)?$", re.IGNORECASE)
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}


def speed_bps(text: str | None, default_unit: str = "") -> float | None:
    """'1G', 'a-10M', '1000mbps', '10Gbps', '100' -> bit/s; 'auto' and the like -> None."""
    if not text:
        return None
    cleaned = re.sub(r"\(.*?\)", "", text).strip()
    match = _SPEED.match(cleaned)
    if not match:
        return None
    value, unit = match.groups()
    return float(value) * _SCALE[(unit or default_unit).lower()]
