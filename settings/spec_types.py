"""Numbers, patterns, zones and secret references of the YAML files, defined once: a port is a
port everywhere.

pydantic's lax mode reads `true` as 1 and accepts `.inf`, `.nan` and 20-digit ports; each of
those passed `inventory validate` and failed (or hung) at run time. These types take a real
integer or number in range and nothing else, and say so with the value in the message.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo
from pydantic_core import PydanticCustomError

from core import names
from core.paths import path_problem
from core.phrases import Phrase, phrase
from settings import secrets
from settings.durations import DURATION_HELP, parse_duration

# the error type settings.validation shows as "expected <what>, got <value>"
EXPECTED = "expected"


def _expected(what: str | Phrase) -> PydanticCustomError:
    return PydanticCustomError(EXPECTED, "{what}", {"what": what})


def integer(low: int, high: int, what: Phrase | None = None) -> Any:
    """An int from low to high; a bool, float or string is refused rather than converted."""
    what = what or phrase("an integer from {low} to {high}", low=low, high=high)

    def check(value: object) -> int:
        if type(value) is not int or not low <= value <= high:
            raise _expected(what)
        return value

    return Annotated[int, BeforeValidator(check)]


def number(above: float, high: float, what: Phrase) -> Any:
    """A finite int or float in (above, high]: no bool, no .nan, no .inf."""

    def check(value: object) -> float:
        if (
            type(value) not in (int, float)
            or not math.isfinite(value)  # type: ignore[arg-type]
            or not above < value <= high  # type: ignore[operator]
        ):
            raise _expected(what)
        return float(value)  # type: ignore[arg-type]

    return Annotated[float, BeforeValidator(check)]


def _check_key(value: str) -> str:
    """A profile's `checks:` key: a typo would silently keep the default or never disable."""
    if value in names.METRICS or value in names.CHECKS:
        return value
    close = difflib.get_close_matches(value, sorted(names.METRICS | names.CHECKS), n=1)
    hint = phrase("; did you mean {name}?", name=repr(close[0])) if close else ""
    raise ValueError(
        phrase("no metric or check is called {name}{hint}", name=repr(value), hint=hint)
    )


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(
            phrase("not a valid regular expression ({error})", error=str(exc))
        ) from None
    except (OverflowError, RecursionError):  # a{99999999999}, or thousands of nested groups
        raise ValueError(phrase("not a usable regular expression (too large)")) from None
    return value


def _path(value: str) -> str:
    problem = path_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _duration(value: object) -> timedelta:
    """Parsed here, at load: every consumer gets a timedelta and never reads the text again."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | timedelta):
        raise _expected(DURATION_HELP)
    return parse_duration(value)


Port = integer(1, 65535, phrase("a port number from 1 to 65535"))
Seconds = number(0, 86400, phrase("a number of seconds above 0, at most 86400"))
Regex = Annotated[str, AfterValidator(_regex)]
CheckKey = Annotated[str, AfterValidator(_check_key)]  # a metric (thresholds) or a check name
FilePath = Annotated[str, AfterValidator(_path)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]  # `90s`, `4h`, `1d12h`, a bare 60


class Strict(BaseModel):
    """A section of a YAML file: an unknown key is a typo to report, not to ignore."""

    model_config = ConfigDict(extra="forbid", strict=False)


def _zone(value: str) -> str:
    """A zone names a broker queue (`opsinspect.zone.<zone>`): plain letters, digits, - _ ."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", value):
        raise ValueError(phrase("a zone is letters, digits, '-', '_' or '.' (up to 63), like dc-b"))
    return value


Zone = Annotated[str, AfterValidator(_zone)]


def _credential(value: str, info: ValidationInfo) -> str:
    """A reference; one that must resolve here is checked now. A target of another zone is
    polled by that zone's workers, which resolve its credentials from their own env, files
    and keyring (docs/central.md): the server need not have them."""
    if not secrets.is_reference(value):
        raise ValueError(secrets.NOT_A_REFERENCE)
    context = info.context or {}
    elsewhere = context.get("zone") not in (None, context.get("here"))
    reason = None if elsewhere else secrets.problem(value)
    if reason:
        raise ValueError(reason)
    return value


Credential = Annotated[str, AfterValidator(_credential)]
