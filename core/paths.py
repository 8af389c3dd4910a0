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


def path_problem(value: str) -> str | None:
    """Why a path from the file cannot be used (`~user` of no such user, a NUL), or None."""
    if "\0" in value:
        return "a path cannot hold a NUL character"
    try:
        Path(value).expanduser()
    except RuntimeError:  # ~name where no user `name` exists
        return f"no home directory for {value.split('/')[0]}"
    return None


def default_inventory_path() -> Path | None:
    """INSPECT_INVENTORY, else the user's config dir if it has an inventory, else none."""
    env = os.environ.get("INSPECT_INVENTORY")
    if env:
        return Path(env)
    candidate = config_dir() / "inventory.yaml"
    return candidate if candidate.is_file() else None
