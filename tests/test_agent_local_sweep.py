"""The cheap parts of the local sweep (for the agent) must agree with psutil's full walk."""

from __future__ import annotations

import socket

import psutil

from collectors.local_processes import _proc_net_listeners


def test_proc_net_listeners_match_psutil_on_this_host():
    with socket.socket(socket.AF_INET6) as v6, socket.socket() as v4:
        v4.bind(("127.0.0.1", 0))
        v4.listen()
        v6.bind(("::1", 0))
        v6.listen()
        mine = {("127.0.0.1", v4.getsockname()[1]), ("::1", v6.getsockname()[1])}
        ours = set(_proc_net_listeners())
        theirs = {
            (c.laddr.ip, c.laddr.port)
            for c in psutil.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN
        }
    assert mine <= ours and mine <= theirs
    # other programs' sockets may come and go between the two reads: allow a little churn
    assert len(ours ^ theirs) <= max(2, len(theirs) // 20)


def test_zombies_are_read_from_proc():
    import subprocess
    import time

    from collectors.local_processes import _proc_zombies, _zombie_pids

    child = subprocess.Popen(["true"])  # exits at once; a zombie until we reap it
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert child.pid in _zombie_pids()
        assert _proc_zombies() >= 1
    finally:
        child.wait()
    assert child.pid not in _zombie_pids()
