"""Pure parsers return Samples and `Missing` notes; a collector hands the notes to the session
here, so the checks owed those inputs say "not measured" instead of staying silent. Apart from
the registry (collectors/__init__.py), which imports the collectors that use it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.model import Missing, Sample
from core.session import Session


def noted(items: Iterable[Sample | Missing], session: Session) -> Iterator[Sample]:
    """The Samples of a pure parser's output; its Missing notes go to the session."""
    for item in items:
        if isinstance(item, Missing):
            session.note_missing(item.metric, item.why)
        else:
            yield item
