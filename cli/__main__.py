"""`python -m cli` runs the same entry point as the `inspect` script."""

from cli.main import main

main()
