"""Data placed into Markdown (CommonMark with GFM tables) without changing the page's structure.

Reports, `inspect run -f markdown` and notification messages put names and text from devices
and people into Markdown. A line break in a value would end its list item or table row, a `|`
would split a table cell, a backtick would end a code span early and `<` would open raw HTML in
a viewer. These are the one place that knows how to keep a value inside its spot.
"""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_BACKTICK_RUNS = re.compile(r"`+")
_PIPE_IN_CODE = re.compile(r"(\\*)\|")


def one_line(value: object) -> str:
    """The value's text on one line: any line break becomes one space."""
    return _LINE_BREAKS.sub(" ", str(value))


def text(value: object) -> str:
    """Plain text for a table cell, list item or heading: one line, no table split, no HTML.

    Backslashes are escaped first so that a `\\` in the value cannot undo the escape of the `|`
    after it (GFM parsers split a row at a pipe after an escaped backslash).
    """
    return one_line(value).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def code(value: object, in_table: bool = False) -> str:
    """The value as one code span, shown verbatim whatever backticks it holds.

    CommonMark closes a code span at a backtick run as long as the opening one, so the fence is
    one backtick longer than the longest run inside. A value that starts or ends with a backtick
    or a space is padded with one space each side, which the parser strips again. In a GFM
    table a `|` still ends the cell inside a code span, so there it is escaped as `\\|`, which the
    table parser turns back into `|` (backslashes right before it are doubled so that no parser
    reads the escape as an escaped backslash). The one value no encoding shows verbatim there in
    both cmark-gfm and markdown-it is a backslash right before a pipe: the cell stays whole and
    those backslashes show doubled.
    """
    content = one_line(value)
    if not content:
        return ""
    if in_table:
        content = _PIPE_IN_CODE.sub(lambda m: m[1] * 2 + "\\|", content)
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if content.strip(" ") and (content[0] in "` " or content[-1] in "` "):
        content = f" {content} "
    return f"{fence}{content}{fence}"
