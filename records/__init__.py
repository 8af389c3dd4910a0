"""The durable store: inspection runs with their findings and samples (SQLite by default).

`Store` and `open_store` load on first use, so a module of the package that needs no
SQLAlchemy (records.plan, which the agent process uses) can be imported without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from records.store import Store, open_store

__all__ = ["Store", "open_store"]


def __getattr__(name: str):
    if name in __all__:
        from records import store

        return getattr(store, name)
    raise AttributeError(f"module 'records' has no attribute {name!r}")
