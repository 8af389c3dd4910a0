"""The parent graph (a host reached through another) must be a forest: checked at load.

Ticket suppression skips a host whose parent is down; a host that is its own parent (often
through a group that names the group's own core switch) or a cycle of parents would then
suppress its own outage, and nobody would ever get a ticket for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.inventory_spec import InventorySpec
from core.model import Target
from core.yamlsource import KeyPath, YamlDocument


def check_parents(spec: InventorySpec, targets: Sequence[Target], doc: YamlDocument) -> None:
    names = {t.name for t in targets}
    for t in targets:
        origin = parents_origin(spec, t.name)
        for i, parent in enumerate(t.parents):
            if parent not in names:
                raise doc.error((*origin, i), f"unknown host {parent!r}")
            if parent == t.name:
                raise doc.error((*origin, i), _self_parent(t.name, origin))
    cycle = find_cycle({t.name: t.parents for t in targets})
    if cycle:
        origin = parents_origin(spec, cycle[0])
        raise doc.error(
            (*origin, list(_parents_of(spec, cycle[0], origin)).index(cycle[1])),
            "parent cycle " + " -> ".join(cycle) + " (a host must not be reached through itself)",
        )


def _self_parent(name: str, origin: KeyPath) -> str:
    if origin[0] == "hosts":
        return f"host {name!r} lists itself as its parent"
    return (
        f"host {name!r} would be its own parent (it inherits this list); give hosts.{name} "
        "its own `parents:` (e.g. [])"
    )


def parents_origin(spec: InventorySpec, name: str) -> KeyPath:
    """Where the host's merged `parents` list was written: the host, its last group, defaults."""
    host = spec.hosts[name]
    if "parents" in host.model_fields_set:
        return ("hosts", name, "parents")
    for group in reversed(host.groups):
        if "parents" in spec.groups[group].model_fields_set:
            return ("groups", group, "parents")
    return ("defaults", "parents")


def _parents_of(spec: InventorySpec, name: str, origin: KeyPath) -> list[str]:
    layer = spec.defaults if origin[0] == "defaults" else spec.hosts[name]
    if origin[0] == "groups":
        layer = spec.groups[str(origin[1])]
    return list(layer.parents or ())


def find_cycle(graph: dict[str, Sequence[str]]) -> list[str] | None:
    """A cycle as [a, b, ..., a], in file order, or None (iterative: no recursion limit)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for start in graph:
        if start in state:
            continue
        path: list[str] = [start]
        pending = [iter(graph.get(start, ()))]
        state[start] = 1
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(graph.get(nxt, ())))
    return None
