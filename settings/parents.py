"""The parent graph (a host reached through another) must be a forest: checked at load.

Ticket suppression skips a host whose parent is down; a host that is its own parent (often
through a group that names the group's own core switch) or a cycle of parents would then
suppress its own outage, and nobody would ever get a ticket for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.model import Target
from core.phrases import Phrase, phrase
from settings import layers
from settings.inventory_spec import InventorySpec
from settings.yamlsource import KeyPath, YamlDocument


def check_parents(spec: InventorySpec, targets: Sequence[Target], doc: YamlDocument) -> None:
    names = {t.name for t in targets}
    for t in targets:
        origin = layers.origin(spec, t.name, ("parents",))
        for i, parent in enumerate(t.parents):
            if parent not in names:
                raise doc.error((*origin, i), phrase("unknown host {name}", name=repr(parent)))
            if parent == t.name:
                raise doc.error((*origin, i), _self_parent(t.name, origin))
    parents = {t.name: t.parents for t in targets}
    cycle = find_cycle(parents)
    if cycle:
        origin = layers.origin(spec, cycle[0], ("parents",))
        raise doc.error(
            (*origin, parents[cycle[0]].index(cycle[1])),
            phrase(
                "parent cycle {cycle} (a host must not be reached through itself)",
                cycle=" -> ".join(cycle),
            ),
        )


def _self_parent(name: str, origin: KeyPath) -> Phrase:
    if origin[0] == "hosts":
        return phrase("host {name} lists itself as its parent", name=repr(name))
    return phrase(
        "host {name} would be its own parent (it inherits this list); give hosts.{host} "
        "its own `parents:` (e.g. [])",
        name=repr(name),
        host=name,
    )


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
