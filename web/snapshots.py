"""Parts of pages that every reader sees alike (the dashboard panel, a page of the ticket
list), rendered once and shared for a few seconds.

Why: for an estate of thousands of targets the dashboard costs ~150 ms of CPU to gather and
render, so 50 people watching it would queue for seconds on two cores (docs/performance.md,
"Web console"). Shared for FRESH_FOR seconds it costs what a static file does. A change made
through this server forgets every snapshot at once (web.app), so its own writes show at
the next request; changes from elsewhere (an agent's run, the CLI) show within FRESH_FOR.
A stale snapshot is served while a background thread renders the next, so a reader waits
only for the first one (after start or a change): one reader paying ~0.5 s every 5 s was
the whole of the 1-user p95 under wrk's latency correction.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

FRESH_FOR = 5.0  # seconds; the pages say "as of" and refresh every 30 s
KEPT = 64  # snapshots at most (the ticket list's filters are the reader's input)


class Snapshots:
    def __init__(self, fresh_for: float = FRESH_FOR, kept: int = KEPT) -> None:
        self.fresh_for, self.kept = fresh_for, kept
        self._made: OrderedDict[Hashable, tuple[float, int, str]] = OrderedDict()
        self._generation = 0  # raised by forget(): a render begun before it is not kept
        self._lock = threading.Lock()  # guards the dict; renders run outside it
        self._rendering = threading.Lock()  # one render at a time: they are CPU-bound anyway

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        current = self._current(key)
        if current is not None:
            if not current[0] and self._rendering.acquire(blocking=False):
                threading.Thread(target=self._render, args=(key, render), daemon=True).start()
            return current[1]  # stale or not: nobody waits while the next one is rendered
        with self._rendering:  # nothing to show yet: wait for the render under way, or do it
            again = self._current(key)
            return again[1] if again is not None else self._make(key, render)

    def _render(self, key: Hashable, render: Callable[[], str]) -> None:
        try:
            self._make(key, render)
        finally:
            self._rendering.release()

    def _make(self, key: Hashable, render: Callable[[], str]) -> str:
        generation = self._generation
        made = render()
        with self._lock:
            if generation == self._generation:  # no change was made while it rendered
                self._made[key] = (time.monotonic(), generation, made)
                self._made.move_to_end(key)
                while len(self._made) > self.kept:
                    self._made.popitem(last=False)
        return made

    def _current(self, key: Hashable) -> tuple[bool, str] | None:
        """(fresh?, snapshot) of this generation, or None."""
        with self._lock:
            found = self._made.get(key)
            if found is None or found[1] != self._generation:
                return None
            return time.monotonic() - found[0] < self.fresh_for, found[2]

    def forget(self) -> None:
        """After a change made through this server: every reader sees it at once."""
        with self._lock:
            self._generation += 1
            self._made.clear()
