"""Subcommands that load only when they run.

`inspect --help` lists every command; importing each command's module to learn its one-line
help would bring in SQLAlchemy, pydantic and the tickets code just to print a list. So a lazy
command is named together with its help line, and its module is imported only when the
command itself is asked for. `tests/test_cli_startup.py` holds the help line equal to the
command's docstring, so the two cannot drift.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import NamedTuple

import click
from click.utils import make_default_short_help


class Lazy(NamedTuple):
    """Where a command lives (`module:attribute`) and the first sentence of its docstring."""

    target: str
    help: str

    def load(self) -> click.Command:
        module, attribute = self.target.split(":")
        return getattr(importlib.import_module(module), attribute)


class LazyGroup(click.Group):
    """A group whose `lazy` subcommands are listed from their `Lazy` entry, loaded when run."""

    def __init__(self, *args, lazy: Mapping[str, Lazy] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = self.lazy[name].load() if name in self.lazy else super().get_command(ctx, name)
        if command is not None:
            _hand_on(command, self.context_class)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's own layout and truncation; a lazy command's help comes from its entry."""
        shown = [
            name
            for name in self.list_commands(ctx)
            if name in self.lazy or not self.commands[name].hidden
        ]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name in shown)
        with formatter.section("Commands"):
            formatter.write_dl([(name, self._short_help(name, limit)) for name in shown])

    def _short_help(self, name: str, limit: int) -> str:
        if name in self.lazy:
            return make_default_short_help(self.lazy[name].help, limit)
        return self.commands[name].get_short_help_str(limit)


def _hand_on(command: click.Command, context_class: type[click.Context]) -> None:
    """A loaded command, and the commands under it, make the contexts of the group that loaded
    it (`inspect`'s: their help in the reader's language, cli/help.py)."""
    command.context_class = context_class
    for sub in getattr(command, "commands", {}).values():
        _hand_on(sub, context_class)
