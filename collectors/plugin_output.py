"""Pure parser (and writer) of a monitoring plugin's answer (the Nagios plugin API): exit code,
text, perfdata. `perf_item` writes what `perfdata` reads, so `inspect check` speaks the same
dialect that it parses from other plugins.

Output shape: `first line | perfdata` then long-output lines; from the first later line holding
a `|`, everything after that `|` and every following line is more perfdata. A perfdata item is
`'label'=value[UOM];[warn];[crit];[min];[max]` (a quoted label may hold spaces, `''` is a quote).
No I/O here, so real plugins' answers are table-tested (tests/test_plugin_output.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import names
from core.status import Status

SUMMARY_CHARS = 300
LONG_OUTPUT_CHARS = 4000
# UOM -> (metric, factor to the base unit); byte multiples are 1024 as check_disk means them
_UNITS: dict[str, tuple[str, float]] = {
    "s": (names.PLUGIN_SECONDS, 1.0),
    "ms": (names.PLUGIN_SECONDS, 1e-3),
    "us": (names.PLUGIN_SECONDS, 1e-6),
    "%": (names.PLUGIN_PERCENT, 1.0),
    "B": (names.PLUGIN_BYTES, 1.0),
    **{
        prefix + suffix: (names.PLUGIN_BYTES, 1024.0**power)
        for power, prefixes in ((1, ("K", "k")), (2, ("M",)), (3, ("G",)), (4, ("T",)))
        for prefix in prefixes
        for suffix in ("B", "iB")
    },
    "c": (names.PLUGIN_VALUE, 1.0),
    "": (names.PLUGIN_VALUE, 1.0),
}
_VALUE = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([A-Za-z%]*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_THRESHOLD_KEYS = ("warn", "crit", "min", "max")


@dataclass(frozen=True)
class Perf:
    """One perfdata value in its base unit; `metric` is the core.names metric for that unit."""

    label: str
    metric: str
    value: float
    unit: str
    limits: dict[str, str]  # warn, crit, min, max as the plugin wrote them (when given)


@dataclass(frozen=True)
class Answer:
    summary: str
    long_output: str
    perfdata: tuple[Perf, ...]


def status_of(exit_code: int) -> Status:
    """0-3 are OK, WARNING, CRITICAL, UNKNOWN; anything else (a crash, 127) is UNKNOWN."""
    return Status(exit_code) if 0 <= exit_code <= 3 else Status.UNKNOWN


def escape(text: str) -> str:
    """Control characters but tab and newline shown as `\\xNN`, so a hostile plugin cannot
    draw on a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def parse(output: str) -> Answer:
    lines = output.replace("\r\n", "\n").split("\n")
    first, _, perf_text = lines[0].partition("|")
    long_lines: list[str] = []
    perf_parts = [perf_text]
    in_perf = False
    for line in lines[1:]:
        if in_perf:
            perf_parts.append(line)
        elif "|" in line:
            text, _, more = line.partition("|")
            long_lines.append(text)
            perf_parts.append(more)
            in_perf = True
        else:
            long_lines.append(line)
    summary = escape(first.strip())[:SUMMARY_CHARS]
    long_output = "\n".join(long_lines).strip("\n")
    return Answer(
        summary=summary,
        long_output=escape(long_output)[:LONG_OUTPUT_CHARS],
        perfdata=tuple(p for part in perf_parts for p in perfdata(part)),
    )


def perfdata(text: str) -> list[Perf]:
    """The well-formed items of one perfdata run; a malformed or `U` (unknown) value is
    skipped, never guessed."""
    items: list[Perf] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        label, i = _label(text, i)
        if label is None or i >= n or text[i] != "=":
            i = _skip(text, i)
            continue
        end = _skip(text, i)
        item = _item(label, text[i + 1 : end])
        if item is not None:
            items.append(item)
        i = end
    return items


def _label(text: str, i: int) -> tuple[str | None, int]:
    if text[i] != "'":
        end = i
        while end < len(text) and text[end] not in "= \t":
            end += 1
        return (text[i:end] or None), end
    chars: list[str] = []
    i += 1
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                chars.append("'")
                i += 2
                continue
            return "".join(chars), i + 1
        chars.append(text[i])
        i += 1
    return None, i


def _skip(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


def _item(label: str, spec: str) -> Perf | None:
    fields = spec.split(";")
    match = _VALUE.match(fields[0])
    if not match or match[2] not in _UNITS:
        return None
    metric, factor = _UNITS[match[2]]
    limits = {k: v for k, v in zip(_THRESHOLD_KEYS, fields[1:5], strict=False) if v}
    return Perf(label, metric, float(match[1]) * factor, names.UNITS[metric], limits)


# base unit -> UOM a monitoring core graphs; counters are `c` (no check judges a raw counter,
# so `inspect check` never writes one: its values are gauges and rates)
UOM = {"%": "%", "s": "s", "B": "B"}


def perf_item(label: str, value: float, unit: str, limits: dict[str, str]) -> str:
    """`'label'=value[UOM];warn;crit;min;max`: the label always quoted, a quote doubled, `=`
    (which the guidelines forbid in a label) made `_`; empty trailing fields dropped."""
    name = " ".join(label.replace("=", "_").split()).replace("'", "''")
    fields = [f"{_number(value)}{UOM.get(unit, '')}"]
    fields += [limits.get(key, "") for key in _THRESHOLD_KEYS]
    return f"'{name}'=" + ";".join(fields).rstrip(";")


def _number(value: float) -> str:
    """Plain decimal (the guidelines allow no exponent), at most 3 decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")
