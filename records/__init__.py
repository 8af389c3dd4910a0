"""The durable store: inspection runs with their findings and samples (SQLite by default)."""

from records.store import Store, open_store

__all__ = ["Store", "open_store"]
