"""A bounded pool of daemon threads where each item has its own deadline.

concurrent.futures joins its workers at exit, so one hung target would hold the whole
process; daemon threads let a timed-out target be abandoned for real.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class TimedOut(Generic[T]):
    def __init__(self, item: T, seconds: float) -> None:
        self.item = item
        self.seconds = seconds


class Failed(Generic[T]):
    """`work` raised. Delivered at once: a thread that died must not pass for a timeout."""

    def __init__(self, item: T, error: Exception) -> None:
        self.item = item
        self.error = error


def run_bounded(
    items: Sequence[T],
    work: Callable[[T], R],
    *,
    workers: int,
    timeout: float,
    on_done: Callable[[T], None] | None = None,
) -> list[R | TimedOut[T] | Failed[T]]:
    """Results in the order of `items`; an item past its deadline yields TimedOut, an item
    whose work raised yields Failed (the one exception boundary around each item's work)."""
    results: list[R | TimedOut[T] | Failed[T] | None] = [None] * len(items)
    done: queue.SimpleQueue[tuple[int, R | Failed[T]]] = queue.SimpleQueue()
    active: dict[int, float] = {}
    next_index = 0

    def run(index: int) -> None:
        try:
            result: R | Failed[T] = work(items[index])
        except Exception as exc:  # noqa: BLE001 - whatever fails is this item's result, at once
            result = Failed(items[index], exc)
        done.put((index, result))

    def start(index: int) -> None:
        active[index] = time.monotonic() + timeout
        thread = threading.Thread(
            target=run,
            args=(index,),
            daemon=True,
            name=f"inspect-{index}",
        )
        thread.start()

    def finish(index: int, result: R | TimedOut[T] | Failed[T]) -> None:
        del active[index]
        results[index] = result
        if on_done:
            on_done(items[index])

    while next_index < len(items) or active:
        while next_index < len(items) and len(active) < max(1, workers):
            start(next_index)
            next_index += 1
        wait = max(0.0, min(active.values()) - time.monotonic())
        try:
            index, result = done.get(timeout=wait)
            if index in active:
                finish(index, result)
        except queue.Empty:
            now = time.monotonic()
            for index in [i for i, deadline in active.items() if deadline <= now]:
                finish(index, TimedOut(items[index], timeout))
    return results  # type: ignore[return-value]
