"""The agent's cheap listening-port table must say exactly what psutil's full walk says."""

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
