"""Validate a YAML document with a pydantic model; the error names file:line and key path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import UserError
from settings.spec_types import EXPECTED
from settings.yamlsource import KeyPath, YamlDocument, dotted, printable

M = TypeVar("M", bound=BaseModel)


def validate(doc: YamlDocument, model: type[M], context: dict[str, Any] | None = None) -> M:
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        raise UserError(_first_error(exc, doc)) from None


SECRET_KEYS = frozenset(
    {"password", "passphrase", "secret", "community", "auth_key", "priv_key", "token"}
)


def _first_error(exc: ValidationError, doc: YamlDocument) -> str:
    """The error that reaches deepest into the file (the most telling branch of a union)."""
    located = [(_known_prefix(tuple(e["loc"]), doc), e) for e in exc.errors()]
    loc, error = max(located, key=lambda pair: len(pair[0]))
    # a whole file that is not YAML keys (a wrong path, /etc/passwd) is described, not echoed
    hidden = not loc or loc[-1] in SECRET_KEYS
    return f"{doc.where(loc)}: {dotted(loc)}: {printable(_describe(error, hidden), 500)}"


def _known_prefix(loc: tuple, doc: YamlDocument) -> KeyPath:
    """Drop pydantic's union-branch tags: keep the path elements that exist in the file."""
    kept: list[str | int] = []
    for part in loc:
        candidate = (*kept, part)
        if candidate in doc.lines:
            kept.append(part)
    return tuple(kept)


def _describe(error: Mapping[str, Any], hidden: bool) -> str:
    kind = error["type"]
    value = _show(error.get("input")) if not hidden else _kind(error.get("input"))
    expected = {
        "int_parsing": "an integer",
        "int_type": "an integer",
        "float_parsing": "a number",
        "float_type": "a number",
        "bool_parsing": "true or false",
        "bool_type": "true or false",
        "string_type": "a string",
        "dict_type": "a mapping",
        "list_type": "a list",
        "model_type": "a mapping",
    }
    if kind in expected:
        return f"expected {expected[kind]}, got {value}"
    if kind == EXPECTED:
        return f"expected {error['msg']}, got {value}"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return f"required key {error['loc'][-1]!r} is missing"
    if kind == "literal_error":
        choices, given = error["ctx"]["expected"], error.get("input")
        # YAML reads `version: 3` as a number; the choice is the text '3'
        hint = f" (quote it: '{given}')" if f"'{given}'" in choices and not hidden else ""
        return f"expected {choices}, got {value}{hint}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{message}, got {value}" if kind != "value_error" else message


SHOWN_MAX = 60  # characters of a wrong value quoted back: enough to find it, never a file


def _show(value: Any) -> str:
    """The value as written in YAML, made safe for one line."""
    if isinstance(value, str):
        return f'"{printable(value, SHOWN_MAX)}"'
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return printable(value, SHOWN_MAX)


def _kind(value: Any) -> str:
    """What a value is, without showing it: a secret, or a whole file's content."""
    if isinstance(value, str):
        return "a string (hidden)"
    return _show(value) if isinstance(value, dict | list) else "a value (hidden)"
