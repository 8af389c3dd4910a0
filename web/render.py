"""Pages in the reader's language: the product's gettext catalogs, escaping on for every
template, times in the tickets calendar's zone."""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core import phrases
from reports.i18n import Formatter, languages, translations
from web.auth import CSRF_FIELD, Principal

TEMPLATES = Path(__file__).with_name("templates")
DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    """Looked up once (a directory scan): the catalogs are installed with the product."""
    return languages()


def language(request: Request, who: Principal | None) -> str:
    """The user's own choice, else the browser's first language we have (zh → zh-CN)."""
    have = _languages()
    if who is not None and who.lang in have:
        return who.lang
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        for lang in have:
            if tag and (lang.lower() == tag or lang.lower().split("-")[0] == tag.split("-")[0]):
                return lang
    return DEFAULT_LANGUAGE


@lru_cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        auto_reload=False,  # installed with the product: no stat of every template per page
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["say"] = partial(phrases.render, translate=translations(lang).gettext)
    return env


def page(
    request: Request, template: str, who: Principal | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    return HTMLResponse(fragment(request, template, who, **values), status_code=status_code)


def fragment(request: Request, template: str, who: Principal | None, **values: Any) -> str:
    """A template rendered in the reader's language: a page, or a part of one."""
    lang = language(request, who)
    config = request.app.state.config
    zone = ZoneInfo(config.inventory.tickets.calendar.timezone)
    return environment(lang).get_template(template).render(
        request=request,
        who=who,
        lang=lang,
        fmt=Formatter(lang, zone),
        csrf_field=CSRF_FIELD,
        csrf=who.csrf if who else "",
        **values,
    )
