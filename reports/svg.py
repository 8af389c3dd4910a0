"""Tiny inline-SVG charts: the report stays one file with no script, font or network fetch.

Colours come from CSS classes (`s-critical`, ...) in the page's stylesheet, so screen and print
share one palette. Every text is escaped; callers pass already translated labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css_class: str


@dataclass(frozen=True)
class Cell:
    title: str  # shown as the cell's tooltip
    css_class: str


def bar_chart(bars: Sequence[Bar], title: str, width: int = 420, bar_height: int = 22) -> Markup:
    """Horizontal bars with the label left and the count right of each bar."""
    label_width, value_width, gap = 110, 48, 8
    track = width - label_width - value_width
    top = max((bar.value for bar in bars), default=0) or 1
    height = len(bars) * (bar_height + gap) + gap
    parts = [_open(width, height, title)]
    for i, bar in enumerate(bars):
        y = gap + i * (bar_height + gap)
        length = round(track * bar.value / top) if bar.value else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="track" x="{label_width}" y="{y}" width="{track}" '
            f'height="{bar_height}" rx="3"/>'
            f'<rect class="{escape(bar.css_class)}" x="{label_width}" y="{y}" width="{length}" '
            f'height="{bar_height}" rx="3"><title>{escape(bar.label)}: {bar.value}</title></rect>'
            f'<text class="value" x="{label_width + track + 6}" y="{y + bar_height * 0.7:.1f}">'
            f"{bar.value}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def status_strip(cells: Sequence[Cell], title: str, size: int = 12, gap: int = 2) -> Markup:
    """One square per inspection, oldest left: a target's day at a glance."""
    width = max(len(cells) * (size + gap) - gap, size)
    parts = [_open(width, size, title)]
    for i, cell in enumerate(cells):
        parts.append(
            f'<rect class="{escape(cell.css_class)}" x="{i * (size + gap)}" y="0" '
            f'width="{size}" height="{size}" rx="2"><title>{escape(cell.title)}</title></rect>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def column_chart(
    bars: Sequence[Bar], title: str, width: int = 640, height: int = 160, every: int = 1
) -> Markup:
    """Vertical columns over time (days of a month, months of a half-year), oldest left;
    only every `every`-th label is written so thirty-one days stay readable."""
    top_pad, label_band, gap = 16, 18, 2
    plot = height - top_pad - label_band
    slot = width / max(len(bars), 1)
    top = max((bar.value for bar in bars), default=0) or 1
    parts = [_open(width, height, title)]
    parts.append(
        f'<line class="axis" x1="0" y1="{top_pad + plot}" x2="{width}" y2="{top_pad + plot}"/>'
    )
    for i, bar in enumerate(bars):
        x = i * slot + gap / 2
        length = plot * bar.value / top
        y = top_pad + plot - length
        parts.append(
            f'<rect class="{escape(bar.css_class)}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{slot - gap:.1f}" height="{length:.1f}">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
        if bar.value and len(bars) <= 12:
            parts.append(
                f'<text class="value" x="{x + (slot - gap) / 2:.1f}" y="{y - 3:.1f}" '
                f'text-anchor="middle">{bar.value}</text>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + (slot - gap) / 2:.1f}" y="{height - 4}" text-anchor="middle">'
                f"{escape(bar.label)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
