"""`--help` in the reader's language.

Click formats a command's help only when it is asked for, so the texts written in the
commands (docstrings, `help=` of options, the lazy commands' lines in cli/main.py) stay
English source text, and are gettext msgids translated here, at that moment, in the language
`--lang` (typed before `--help`), INSPECT_LANG or the locale chose. Their translations live in
`help.po`; tests/test_i18n.py walks the command tree for them. What click adds itself
(`[default: 30]`, metavars, its usage errors) stays as click writes it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import click
from click.utils import make_default_short_help

from cli.options import current_sources

# click's own words around the texts, as msgids of ours (help.po)
HEADINGS = ("Usage:", "Options:", "Commands:")


class HelpContext(click.Context):
    """Every context of `inspect` formats its help with HelpFormatter (cli.lazy hands this
    class on to each command it loads)."""

    def make_formatter(self) -> click.HelpFormatter:
        return HelpFormatter(self, width=self.terminal_width, max_width=self.max_content_width)


class HelpFormatter(click.HelpFormatter):
    def __init__(self, ctx: click.Context, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx
        self.say = current_sources(ctx).shown_language.gettext
        self.section_name = ""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or f"{self.say('Usage:')} ")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{self.say(f'{heading}:')}\n")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        self.section_name = name
        with super().section(name):
            yield

    def write_text(self, text: str) -> None:
        super().write_text(self.say(text))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        if self.section_name == "Commands":
            limit = self.width - 6 - max((len(name) for name, _ in rows), default=0)
            rows = [(name, self._short_help(name, limit)) for name, _ in rows]
        else:
            rows = [(term, self._option_help(text)) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)

    def _option_help(self, text: str) -> str:
        """`Only this database.  [default: x]`: the help translated, click's brackets kept."""
        help_text, bracket, extra = text.rpartition("  [")
        if bracket and help_text and extra.endswith("]"):
            return f"{self.say(help_text)}  [{extra}"
        return self.say(text)

    def _short_help(self, name: str, limit: int) -> str:
        """A subcommand's line from its whole help, translated, then shortened (a shortened
        English text is no msgid)."""
        group = self.ctx.command
        lazy = getattr(group, "lazy", {})
        if name in lazy:
            text = lazy[name].help
        else:
            command = group.get_command(self.ctx, name) if isinstance(group, click.Group) else None
            text = (command.short_help or command.help or "") if command else ""
        shown = self.say(inspect.cleandoc(text).partition("\f")[0]) if text else ""
        first, stop, _rest = shown.partition("。")  # a Chinese sentence has no ". "
        if stop:
            return " ".join(first.split()) + stop
        return make_default_short_help(shown, limit)
