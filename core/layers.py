"""Where a host's merged setting was written: its own entry, its last group, or defaults.

A host's settings merge defaults < groups (in order) < host; an error about the merged value
must point at the line that set it, which is often a group's, not the host's.
"""

from __future__ import annotations

from typing import Any

from core.inventory_spec import InventorySpec
from core.yamlsource import KeyPath


def origin(spec: InventorySpec, host: str, keys: KeyPath) -> KeyPath:
    """The key path of the layer that gave `hosts.<host>.<keys>` its value."""
    entry = spec.hosts[host]
    layers: list[tuple[KeyPath, Any]] = [(("hosts", host), entry)]
    layers += [(("groups", g), spec.groups[g]) for g in reversed(entry.groups)]
    layers.append((("defaults",), spec.defaults))
    for prefix, layer in layers:
        if _has(layer.model_dump(exclude_unset=True, exclude_none=True), keys):
            return (*prefix, *keys)
    return ("hosts", host, *keys)


def _has(data: Any, keys: KeyPath) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True
