"""The translations of every text we show, and the choice of language.

English is the source language: a text's English template is its gettext msgid
(`core.phrases.phrase("disk {mount} {used} used", ...)`, the reports' `_("...")`). The other
languages live as gettext .po sources in `core/locale/<ll_CC>/LC_MESSAGES/*.po`, and every .po
file of a language is merged into its one catalog, compiled in memory on first use (no .mo
build step, no stale .mo that disagrees with its source).

One file per area, each owned by one part of the code (`findings.po` for the built-in checks'
findings, `backup.po`, `cli.po` for the CLI's own words, `settings.po`, `tickets.po`,
`reports.po` and `patrol.po` for report labels, `web.po` for the console; a new check family
its own file such as `switch.po`): people working on different areas add translations without
editing the same file. A msgid translated in two files must be translated
alike (tests/test_i18n.py); the first file by name wins otherwise. See docs/i18n.md.

Languages are BCP 47 tags (`zh-CN`); `language_from_environment` maps the POSIX locale
(`LC_ALL`, `LC_MESSAGES`, `LANG`: `zh_CN.UTF-8`) to one of them, English when none fits.
Babel is imported only when a language other than English is used.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.errors import UserError
from core.phrases import Phrase, phrase

LOCALE_DIR = Path(__file__).with_name("locale")
SOURCE_LANGUAGE = "en"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _directory(lang: str) -> Path:
    return LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES"


def languages() -> tuple[str, ...]:
    """The source language plus every language with a catalog, as BCP 47 tags (`zh-CN`)."""
    found = sorted(
        {po.parent.parent.name.replace("_", "-") for po in LOCALE_DIR.glob("*/LC_MESSAGES/*.po")}
    )
    return (SOURCE_LANGUAGE, *[tag for tag in found if tag != SOURCE_LANGUAGE])


def check_language(lang: str) -> str:
    """`lang` itself when it has a catalog; else the one-line error the CLI prints (exit 3)."""
    if lang not in languages():
        raise UserError(
            phrase(
                "--lang {lang}: no such language; available: {known}",
                lang=repr(lang),
                known=", ".join(languages()),
            )
        )
    return lang


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the POSIX locale asks for (the first of LC_ALL, LC_MESSAGES, LANG that is
    set, as gettext reads them): `zh_CN.UTF-8` gives zh-CN; anything without a catalog, en."""
    environ = os.environ if environ is None else environ
    value = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    tag = value.split(".", 1)[0].split("@", 1)[0].replace("_", "-")
    available = {known.casefold(): known for known in languages()}
    return available.get(tag.casefold()) or available.get(tag.split("-")[0].casefold()) or (
        SOURCE_LANGUAGE
    )


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    """The merged catalog of `lang` (gettext, ngettext, pgettext), compiled in memory."""
    check_language(lang)
    files = sorted(_directory(lang).glob("*.po"))
    if not files:
        return gettext.NullTranslations()
    from io import BytesIO

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    locale = lang.replace("-", "_")
    merged: Catalog | None = None
    for po in files:
        with po.open("rb") as source:
            catalog = read_po(source, locale=locale)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.id not in merged:
                merged[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, merged, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


@dataclass(frozen=True)
class Language:
    """One chosen language: renders phrases and plain msgids in it."""

    tag: str = SOURCE_LANGUAGE

    def gettext(self, msgid: str) -> str:
        if self.tag == SOURCE_LANGUAGE or not msgid:
            return msgid
        return translations(self.tag).gettext(msgid)

    def text(self, value: str | Phrase) -> str:
        """A Phrase translated; a plain string (device or user text) as it is."""
        return value.render(self.gettext) if isinstance(value, Phrase) else value


def language(tag: str) -> Language:
    return Language(check_language(tag))


ENGLISH = Language()
