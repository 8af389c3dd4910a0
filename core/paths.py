"""Where the tool keeps its data and config (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "opsinspect"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "opsinspect"


def default_database_url() -> str:
    """INSPECT_DB, else an embedded SQLite file under the XDG data dir."""
    url = os.environ.get("INSPECT_DB")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'inspect.db'}"
