r"""Secret-bearing command forms, written as the vendors document them, compiled into regexes.

A hand-written regex per secret drifts from the syntax it guards: `authentication-key(?: \\d)?`
took the `md5` of `ntp authentication-key 1 md5 KEY` for the key. A model instead lists the
documented forms, in the documentation's own notation:

    ntp authentication-key <n> <w> [<t>] <S>
    standby [<n>] authentication md5 key-string [<t>] <S>

| token      | matches                                                                 |
|------------|-------------------------------------------------------------------------|
| `word`     | that keyword                                                            |
| `{a\|b}`   | one of the keywords                                                     |
| `<n>`      | a number (key id, group, level)                                         |
| `<t>`      | an encryption type: one digit (Cisco 0/5/6/7/8/9) or `sha512`            |
| `<w>`      | any one word (a name, an address, an algorithm)                         |
| `[ ... ]`  | the tokens inside, or nothing                                           |
| `...`      | any words; a form that starts with it may match in the middle of a line  |
| `<S>`      | the secret: one word, quotes around it kept                             |
| `<S!a\|b>`  | the secret, when it is not the keyword `a` or `b`                       |
| `<S*>`     | a secret that may hold spaces: to the end of the line or to ` secret `  |
| `<S*!a>`   | the same, when it does not start with the keyword `a`                   |

Each form becomes a regex whose group `secret` is the secret alone, so the rest of the line
(the structure) stays. `<S!md5|text>` is how `standby [<n>] authentication <S!md5|text>` (a
clear-text key) leaves `standby 1 authentication md5 key-chain NAME` alone; exclusions are per
form, because a secret may well be a keyword of another command (`snmp-agent community read
read` is a real configuration).
"""

from __future__ import annotations

import re

Pattern = re.Pattern[str]

_END = r"(?![^\s\"])"  # a word ends at whitespace, the line end or a closing quote
_SECRET = re.compile(r"<S(?P<spaces>\*)?(?:!(?P<not>[^>]+))?>")
_ATOMS = {"<n>": r"\d+", "<t>": r"(?:\d|sha512)", "<w>": r"\S+"}


def compile_forms(*forms: str) -> tuple[Pattern, ...]:
    return tuple(re.compile(_regex(form)) for form in forms)


def _regex(form: str) -> str:
    tokens = form.replace("[", " [ ").replace("]", " ] ").split()
    anchor = r"^\s*"
    if tokens[0] == "...":
        anchor, tokens = r"(?<!\S)", tokens[1:]
    body = "".join(_piece(token) for token in tokens)
    return anchor + (body[3:] if body.startswith(r"\s+") else body)


def _piece(token: str) -> str:
    """The token's regex with the whitespace before it (`[` and `]` open and close a group)."""
    if token == "[":
        return "(?:"
    if token == "]":
        return ")?"
    if token == "...":
        return r"(?:\s+\S+)*?"
    if found := _SECRET.fullmatch(token):
        excluded = "|".join(re.escape(w) for w in (found["not"] or "").split("|") if w)
        not_keyword = rf"(?!(?:{excluded}){_END})" if excluded else ""
        if found["spaces"]:
            return rf"\s+(?P<secret>{not_keyword}\S.*?)(?=\s+secret\s|\s*$)"
        return rf'\s+"?(?P<secret>{not_keyword}[^\s"]+){_END}'
    if token in _ATOMS:
        return rf"\s+{_ATOMS[token]}{_END}"
    if token.startswith("{"):
        words = "|".join(re.escape(w) for w in token.strip("{}").split("|"))
        return rf"\s+(?:{words}){_END}"
    if token.startswith("<"):
        raise ValueError(f"unknown placeholder {token!r} in a secret form")
    return rf"\s+{re.escape(token)}{_END}"
