"""Validate a YAML document with a pydantic model; the error names file:line and key path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import UserError
from core.phrases import Phrase, phrase, verbatim
from settings.spec_types import EXPECTED
from settings.yamlsource import KeyPath, YamlDocument, dotted, printable, printable_message

M = TypeVar("M", bound=BaseModel)


def validate(doc: YamlDocument, model: type[M], context: dict[str, Any] | None = None) -> M:
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        raise UserError(_first_error(exc, doc)) from None


SECRET_KEYS = frozenset(
    {"password", "passphrase", "secret", "community", "auth_key", "priv_key", "token"}
)


def _first_error(exc: ValidationError, doc: YamlDocument) -> Phrase:
    """The error that reaches deepest into the file (the most telling branch of a union)."""
    located = [(_known_prefix(tuple(e["loc"]), doc), e) for e in exc.errors()]
    loc, error = max(located, key=lambda pair: len(pair[0]))
    # a whole file that is not YAML keys (a wrong path, /etc/passwd) is described, not echoed
    hidden = not loc or loc[-1] in SECRET_KEYS
    return phrase(
        "{where}: {key}: {message}",
        where=doc.where(loc),
        key=dotted(loc),
        message=printable_message(_describe(error, hidden)),
    )


def _known_prefix(loc: tuple, doc: YamlDocument) -> KeyPath:
    """Drop pydantic's union-branch tags: keep the path elements that exist in the file."""
    kept: list[str | int] = []
    for part in loc:
        candidate = (*kept, part)
        if candidate in doc.lines:
            kept.append(part)
    return tuple(kept)


def _describe(error: Mapping[str, Any], hidden: bool) -> Phrase:
    """Our words for pydantic's common errors; a validator's own message as it wrote it."""
    kind = error["type"]
    value = _show(error.get("input")) if not hidden else _kind(error.get("input"))
    context = error.get("ctx") or {}
    expected = {
        "int_parsing": phrase("an integer"),
        "int_type": phrase("an integer"),
        "float_parsing": phrase("a number"),
        "float_type": phrase("a number"),
        "bool_parsing": phrase("true or false"),
        "bool_type": phrase("true or false"),
        "string_type": phrase("a string"),
        "dict_type": phrase("a mapping"),
        "list_type": phrase("a list"),
        "model_type": phrase("a mapping"),
    }
    if kind in expected:
        return phrase("expected {what}, got {value}", what=expected[kind], value=value)
    if kind == EXPECTED:
        what = context.get("what", error["msg"])
        return phrase("expected {what}, got {value}", what=what, value=value)
    if kind == "extra_forbidden":
        return phrase("unknown key")
    if kind == "missing":
        return phrase("required key {key} is missing", key=repr(error["loc"][-1]))
    if kind == "literal_error":
        choices, given = context["expected"], error.get("input")
        # YAML reads `version: 3` as a number; the choice is the text '3'
        hint = (
            phrase(" (quote it: '{given}')", given=given)
            if f"'{given}'" in choices and not hidden
            else ""
        )
        return phrase(
            "expected {choices}, got {value}{hint}", choices=choices, value=value, hint=hint
        )
    raised = context.get("error")  # a validator of ours raises ValueError(phrase(...))
    if isinstance(raised, ValueError) and raised.args and isinstance(raised.args[0], Phrase):
        return raised.args[0]
    message = error["msg"].removeprefix("Value error, ")  # pydantic's own words stay English
    if kind == "value_error":
        return verbatim(message)
    return phrase("{message}, got {value}", message=message, value=value)


SHOWN_MAX = 60  # characters of a wrong value quoted back: enough to find it, never a file


def _show(value: Any) -> str | Phrase:
    """The value as written in YAML, made safe for one line."""
    if isinstance(value, str):
        return f'"{printable(value, SHOWN_MAX)}"'
    if isinstance(value, dict | list):
        return phrase("a mapping") if isinstance(value, dict) else phrase("a list")
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return printable(value, SHOWN_MAX)


def _kind(value: Any) -> str | Phrase:
    """What a value is, without showing it: a secret, or a whole file's content."""
    if isinstance(value, str):
        return phrase("a string (hidden)")
    return _show(value) if isinstance(value, dict | list) else phrase("a value (hidden)")
