"""Render a report's data in one of the output formats, in one language.

Templates live in reports/templates as `<kind>.html.j2` and `<kind>.md.j2`; HTML templates are
autoescaped; Markdown ones put data through the `cell` (text) and `code` (code span) filters of
core.markdown, and a line that ends in a tag after its text keeps its line break with `+%}`
(trim_blocks would eat it and join the next list item or heading). Labels go through the
Jinja2 i18n extension (`{% trans %}`, `_()`), never string concatenation; a finding's stored
texts (summary, hint: `core.phrases.Phrase`) through the `say` filter.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core import markdown
from core.catalog import Language
from core.errors import UserError
from core.phrases import phrase
from reports import svg
from reports.i18n import Formatter, check_language, translations
from reports.model import STATUS_ORDER, as_json

TEMPLATES = Path(__file__).with_name("templates")
FORMATS = ("html", "pdf", "md", "json")


def render(report: Any, output_format: str, lang: str) -> bytes:
    """The report as the bytes of a file in the chosen format."""
    if output_format == "json":
        return (json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n").encode()
    if output_format == "md":
        return render_text(report, "md", lang).encode()
    if output_format == "html":
        return render_text(report, "html", lang).encode()
    if output_format == "pdf":
        from reports.pdf import html_to_pdf

        return html_to_pdf(render_text(report, "html", lang))
    raise UserError(
        phrase(
            "--format {format} is not one of {known}",
            format=repr(output_format),
            known=", ".join(FORMATS),
        )
    )


def render_text(report: Any, extension: str, lang: str) -> str:
    template = environment(check_language(lang)).get_template(f"{report.kind}.{extension}.j2")
    return template.render(
        report=report,
        fmt=Formatter(lang, ZoneInfo(report.timezone)),
        lang=lang,
        status_order=STATUS_ORDER,
    )


@lru_cache
def environment(lang: str) -> Environment:
    """One environment per language: the i18n extension binds its catalog to the environment."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.globals.update(
        bar_chart=svg.bar_chart,
        column_chart=svg.column_chart,
        status_strip=svg.status_strip,
        Bar=svg.Bar,
        Cell=svg.Cell,
        timedelta=timedelta,
    )
    env.filters["say"] = Language(lang).text  # a finding's phrase in the report's language
    env.filters["cell"] = markdown.text
    env.filters["code"] = markdown.code
    return env
