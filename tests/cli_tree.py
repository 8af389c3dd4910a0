"""Every command of `inspect`, found by walking the click tree, so a new one is covered."""

from __future__ import annotations

from collections.abc import Iterator

import click

from cli.main import cli


def commands() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """(path, command) of every command a user can call; groups that run on their own too."""

    def walk(path: tuple[str, ...], command: click.Command) -> Iterator:
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=path[-1] if path else "inspect")
            if path and command.invoke_without_command:
                yield path, command
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from walk((*path, name), sub)
        else:
            yield path, command

    yield from walk((), cli)


def option_names(command: click.Command) -> set[str]:
    return {name for p in command.params for name in (*p.opts, *p.secondary_opts)}
