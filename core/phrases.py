"""Words for people, kept translatable until they are shown.

A finding is stored once and read later, in Chinese by duty staff and in English by others, so
its summary and hint are not finished strings: a `Phrase` is the English template (the gettext
msgid) and its values. Only the place that shows it (CLI, report, console, notification) picks
the language and renders it. `str()` is the English rendering, so logs and old callers read as
before.

Write `phrase("memory {used} used ({clause})", used="93.1%", clause=...)`: the literal first
argument is what the catalog extraction collects (keyword `phrase`), so it must be a literal.
Values are shown as given (device text, mount points are not translated), except a value that
is itself a Phrase, which is rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Translate = Callable[[str], str]


def _english(template: str) -> str:
    return template


@dataclass(frozen=True)
class Phrase:
    template: str
    values: tuple[tuple[str, Any], ...] = ()

    def render(self, translate: Translate = _english) -> str:
        values = {
            key: value.render(translate) if isinstance(value, Phrase) else value
            for key, value in self.values
        }
        text = translate(self.template) if self.template else ""
        if not values:
            return text
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):  # a catalog entry with a wrong field
            return self.template.format(**values)

    def fill(self, **values: Any) -> Phrase:
        """The same text with more values: a hint written once whose subject comes later."""
        return Phrase(self.template, (*self.values, *values.items()))

    def __str__(self) -> str:
        return self.render()

    def __bool__(self) -> bool:
        return bool(self.template)

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "values": {
                key: value.to_json() if isinstance(value, Phrase) else value
                for key, value in self.values
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        return cls(
            str(data.get("template", "")),
            tuple(
                (key, cls.from_json(value) if _is_phrase_json(value) else value)
                for key, value in dict(data.get("values") or {}).items()
            ),
        )


def _is_phrase_json(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"template", "values"}


def phrase(template: str, /, **values: Any) -> Phrase:
    """A translatable text; `template` must be a literal so the catalog extraction finds it."""
    return Phrase(template, tuple(values.items()))


def verbatim(text: str) -> Phrase:
    """Text that is not ours to translate (a plugin's own output, a stored legacy summary)."""
    return Phrase("{text}", (("text", text),))


def as_phrase(text: str | Phrase) -> Phrase:
    return text if isinstance(text, Phrase) else verbatim(text)


def render(text: str | Phrase, translate: Translate = _english) -> str:
    return text.render(translate) if isinstance(text, Phrase) else text
