"""Shared page snapshots (web/snapshots.py): rendered once while fresh, forgotten after a
change, bounded in number, and a reader never waits when there is a last one to show."""

from __future__ import annotations

import threading

from web.snapshots import Snapshots


def counter():
    made = []

    def render() -> str:
        made.append(1)
        return f"v{len(made)}"

    return render, made


def test_a_fresh_snapshot_is_rendered_once_and_shared():
    render, made = counter()
    snapshots = Snapshots(fresh_for=3600)
    assert [snapshots.get("k", render) for _ in range(5)] == ["v1"] * 5
    assert len(made) == 1
    assert snapshots.get("other", render) == "v2"  # each key its own


def test_a_change_through_the_server_is_seen_at_the_next_request():
    render, _ = counter()
    snapshots = Snapshots(fresh_for=3600)
    assert snapshots.get("k", render) == "v1"
    snapshots.forget()
    assert snapshots.get("k", render) == "v2"


def test_a_stale_snapshot_is_shown_while_the_next_one_is_rendered_behind():
    render, _ = counter()
    snapshots = Snapshots(fresh_for=0)
    assert snapshots.get("k", render) == "v1"
    assert snapshots.get("k", render) == "v1"  # stale, shown at once; v2 renders behind
    with snapshots._rendering:  # the render behind is done
        pass
    assert snapshots.get("k", lambda: "not this one") == "v2"


def test_the_number_kept_is_bounded():
    render, made = counter()
    snapshots = Snapshots(fresh_for=3600, kept=2)
    for key in ("a", "b", "c"):
        snapshots.get(key, render)
    assert snapshots.get("c", render) == "v3"
    assert snapshots.get("a", render) == "v4"  # the oldest went, so it is made again
    assert len(made) == 4


def test_while_the_next_one_renders_every_reader_gets_the_last_one():
    snapshots = Snapshots(fresh_for=0)
    assert snapshots.get("k", lambda: "old") == "old"
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "new"

    assert snapshots.get("k", slow) == "old"
    assert started.wait(10)
    assert snapshots.get("k", lambda: "not this one") == "old"
    release.set()


def test_the_first_readers_wait_for_one_render():
    render, made = counter()
    snapshots = Snapshots(fresh_for=3600)
    readers = [threading.Thread(target=snapshots.get, args=("k", render)) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(10)
    assert len(made) == 1


def test_a_render_begun_before_a_change_is_not_kept():
    snapshots = Snapshots(fresh_for=3600)

    def changed_meanwhile() -> str:
        snapshots.forget()
        return "before the change"

    assert snapshots.get("k", changed_meanwhile) == "before the change"
    assert snapshots.get("k", lambda: "after") == "after"
