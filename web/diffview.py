"""A unified diff as side-by-side rows: removed lines on the left, added on the right, paired
in order within each change, context on both sides; the console's config-diff view."""

from __future__ import annotations

import re
from dataclasses import dataclass

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class Row:
    kind: str  # context, change, hunk
    left_no: int | None
    left: str | None
    right_no: int | None
    right: str | None


def side_by_side(unified: str) -> list[Row]:
    rows: list[Row] = []
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    left_no = right_no = 0

    def flush() -> None:
        for index in range(max(len(removed), len(added))):
            old = removed[index] if index < len(removed) else (None, None)
            new = added[index] if index < len(added) else (None, None)
            rows.append(Row("change", old[0], old[1], new[0], new[1]))
        removed.clear()
        added.clear()

    for line in unified.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if match := HUNK.match(line):
            flush()
            left_no, right_no = int(match[1]), int(match[2])
            rows.append(Row("hunk", None, line, None, None))
        elif line.startswith("-"):
            removed.append((left_no, line[1:]))
            left_no += 1
        elif line.startswith("+"):
            added.append((right_no, line[1:]))
            right_no += 1
        elif line.startswith(" "):
            flush()
            rows.append(Row("context", left_no, line[1:], right_no, line[1:]))
            left_no += 1
            right_no += 1
    flush()
    return rows
