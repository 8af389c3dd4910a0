"""The agent's log lines, the same for the daemon and its job children (which share its stderr)."""

from __future__ import annotations

import logging
import os
import sys


def log_to_stderr() -> None:
    """One line per event; journald adds its own timestamps when it captures stderr."""
    stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s "
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(f"{stamp}%(levelname)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z")
    )
    ours = logging.getLogger("opsinspect")
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
