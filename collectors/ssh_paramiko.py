"""paramiko, imported without `invoke`: the one way this package imports it.

paramiko.config imports `invoke` (and with it asyncio and unittest.mock), about a tenth of a
second of CPU at every `inspect run`, only to run the `Match exec` lines of an ssh_config;
nothing here reads an ssh_config. paramiko treats a missing invoke as optional, and a later
`import invoke` elsewhere in the process still works.
"""

from __future__ import annotations

import sys

if "paramiko" in sys.modules or "invoke" in sys.modules:
    import paramiko
else:
    sys.modules["invoke"] = None  # type: ignore[assignment]  # makes `import invoke` fail fast
    try:
        import paramiko
    finally:
        del sys.modules["invoke"]

__all__ = ["paramiko"]
