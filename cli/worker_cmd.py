"""`inspect worker --zone Z`: poll one network zone's targets for the server (docs/central.md)."""

from __future__ import annotations

import click

from cli.options import Sources, sources_options


@click.command()
@click.option(
    "--zone",
    required=True,
    help="The zone whose queue this worker consumes (the targets' `zone:` in the inventory).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Targets inspected at once by this worker.",
)
@sources_options
def worker(zone: str, concurrency: int, sources: Sources) -> int:
    """Inspect the targets of one network zone for the server: a Celery worker on the broker.

    Reads the same inventory as the server (-i or INSPECT_INVENTORY) and resolves credentials
    here; runs until stopped. SIGTERM finishes the tasks in hand; a worker killed outright
    leaves them to another worker of the zone.
    """
    from workers.worker import serve

    return serve(sources.path, zone, concurrency)
