"""`python -m cli ...` is `inspect ...` (for systemd units and tests without the entry point)."""

from cli.main import main

main()
