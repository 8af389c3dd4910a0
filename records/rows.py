"""Rows and the plain records they store share their field names: copy by name, not by hand."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields
from functools import cache
from typing import Any


def field_values(record_type: type, source: object, skip: Collection[str] = ()) -> dict[str, Any]:
    """`record_type`'s dataclass fields read from `source` (a row or a record); the caller
    converts the `skip`ped ones itself (a status stored as its number, a JSON list)."""
    return {name: getattr(source, name) for name in _names(record_type, frozenset(skip))}


@cache
def _names(record_type: type, skip: frozenset[str]) -> tuple[str, ...]:
    """Looked up once per type: a switch's run copies ~10,000 samples field by field."""
    return tuple(f.name for f in fields(record_type) if f.name not in skip)
