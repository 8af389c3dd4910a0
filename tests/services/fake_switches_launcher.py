"""Run one fake-switches device on 127.0.0.1 (its own launcher binds 0.0.0.0 and passes the
enable password as bytes, which the Cisco model never matches).

Usage: python fake_switches_launcher.py MODEL HOSTNAME USERNAME PORT
Passwords come from the environment (FAKE_SWITCH_PASSWORD, FAKE_SWITCH_ENABLE), not argv.
"""

import os
import sys

from fake_switches import switch_factory
from fake_switches.transports.ssh_service import SwitchSshService
from twisted.internet import reactor


def main() -> None:
    model, hostname, username, port = sys.argv[1:5]
    password = os.environ["FAKE_SWITCH_PASSWORD"]
    enable = os.environ["FAKE_SWITCH_ENABLE"]
    core = switch_factory.SwitchFactory().get(model, hostname, enable)
    service = SwitchSshService(
        ip="127.0.0.1", port=int(port), switch_core=core, users={username: password.encode()}
    )
    service.hook_to_reactor(reactor)
    reactor.run()


if __name__ == "__main__":
    main()
