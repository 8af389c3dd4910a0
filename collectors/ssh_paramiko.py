"""paramiko, imported without `invoke` and without a voice: the one way this package imports it.

paramiko.config imports `invoke` (and with it asyncio and unittest.mock), about a tenth of a
second of CPU at every `inspect run`, only to run the `Match exec` lines of an ssh_config;
nothing here reads an ssh_config. paramiko treats a missing invoke as optional, and a later
`import invoke` elsewhere in the process still works.

paramiko logs every failed handshake at ERROR with a traceback (a device that sends no
banner, garbage, or drops the line); with no handler configured, Python's last-resort handler
would print them on stderr. Each failure already reaches the user as one finding with its
reason, so paramiko's records go nowhere, whoever configures logging later (the agent).
"""

from __future__ import annotations

import logging
import sys

if "paramiko" in sys.modules or "invoke" in sys.modules:
    import paramiko
else:
    sys.modules["invoke"] = None  # type: ignore[assignment]  # makes `import invoke` fail fast
    try:
        import paramiko
    finally:
        del sys.modules["invoke"]

_log = logging.getLogger("paramiko")
_log.addHandler(logging.NullHandler())
_log.propagate = False

__all__ = ["paramiko"]
