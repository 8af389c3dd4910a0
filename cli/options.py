"""Options shared by several commands, defined once (the pip-tools way).

Every command that reads the inventory or the records takes `-i/--inventory`, `--db` and
`--lang` through `sources_options`; a test walks the command tree to keep it so. `--lang` is
also an option of `inspect` itself (`inspect --lang zh-CN run`): one `Sources` per invocation
holds what either level was given.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import click
from click.core import ParameterSource

from core.paths import default_database_url, default_inventory_path


@dataclass
class Sources:
    """Where a command's inventory and records come from. Each opens (and imports its
    libraries) on first use: a command that needs only the inventory never loads SQLAlchemy,
    one that needs only the records never loads pydantic or YAML."""

    inventory_path: Path | None = None
    db_url: str | None = None
    lang: str | None = None

    @property
    def language(self):
        """The language to show things in: `--lang`, else INSPECT_LANG, else the locale."""
        from core.catalog import language, language_from_environment

        return language(
            self.lang or os.environ.get("INSPECT_LANG") or language_from_environment()
        )

    @property
    def shown_language(self):
        """`language`; English when the choice itself is what failed (its error is shown)."""
        from core.catalog import ENGLISH
        from core.errors import UserError

        try:
            return self.language
        except UserError:
            return ENGLISH

    @property
    def path(self) -> Path | None:
        """The inventory file; None means the built-in localhost-only inventory."""
        return self.inventory_path or default_inventory_path()

    @cached_property
    def inventory(self):
        from settings.inventory import load

        return load(self.path)

    @property
    def url(self) -> str:
        return self.db_url or default_database_url()

    @cached_property
    def store(self):
        from records import open_store

        return open_store(self.url)

    @property
    def engine(self):
        return self.store.engine


def current_sources(ctx: click.Context | None = None) -> Sources:
    """One Sources per invocation, shared by a group and its subcommand (`agent -i X status`):
    the root context's object (cli.main gives it one, so its error boundary knows the
    language)."""
    ctx = ctx or click.get_current_context()
    return ctx.find_root().ensure_object(Sources)


def _remember(field: str):
    """Keep the value; a value typed on the command line beats one from the environment."""

    def callback(ctx: click.Context, param: click.Parameter, value):
        if value is None:
            return
        chosen = current_sources(ctx)
        typed = ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
        if typed or getattr(chosen, field) is None:
            setattr(chosen, field, value)

    return callback


inventory_option = click.option(
    "-i",
    "--inventory",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="INSPECT_INVENTORY",
    expose_value=False,
    callback=_remember("inventory_path"),
    help="Inventory YAML (env INSPECT_INVENTORY). Default: ~/.config/opsinspect/inventory.yaml "
    "if present, else localhost only.",
)

db_option = click.option(
    "--db",
    envvar="INSPECT_DB",
    expose_value=False,
    callback=_remember("db_url"),
    help="Records database URL, e.g. postgresql://user@host/db (env INSPECT_DB). "
    "Default: SQLite under ~/.local/share/opsinspect/.",
)


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Only a typed value arrives here (INSPECT_LANG is read by `Sources.language`, so a
    language typed on either level beats it); the command's own beats `inspect --lang`."""
    if value is not None:
        from core.catalog import check_language

        current_sources(ctx).lang = check_language(value)


lang_option = click.option(
    "--lang",
    expose_value=False,
    is_eager=True,  # before an eager --help that follows it: `inspect run --lang zh-CN --help`
    callback=_choose_language,
    help="Language of findings, messages and reports: en or zh-CN (env INSPECT_LANG). "
    "Default: from the locale (LC_ALL, LC_MESSAGES, LANG; zh_CN.UTF-8 gives zh-CN), else en.",
)


def sources_options(func):
    """`-i/--inventory`, `--db` and `--lang` on a command, which receives them as `sources`."""

    @functools.wraps(func)
    def command(*args, **kwargs):
        return func(*args, sources=current_sources(), **kwargs)

    return inventory_option(db_option(lang_option(command)))


def format_option(*choices: str, default: str = "table"):
    return click.option(
        "-f",
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )
