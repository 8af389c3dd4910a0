"""YAML loading that remembers where every key stood, so errors can say file:line.

The document is composed here from libyaml's events rather than by PyYAML's composer, because
that composer (C or Python) trusts its input: an alias bomb (aliases of aliases, 529 bytes)
expands to billions of values once built, a self-referencing anchor recurses forever, and
100,000 nested brackets crash libyaml's compose with a segfault. Composing ourselves bounds
nesting depth and alias expansion while the events stream in, before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from core.errors import UserError
from core.phrases import Phrase, phrase

KeyPath = tuple[str | int, ...]
# libyaml's parser is ~10x faster than the pure-Python one (40 ms of a 50-host inventory's load,
# paid at every `inspect run`); the pure-Python one where PyYAML was built without it
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64  # an inventory nests about 8 deep
# values that aliases may add beyond the document's own: a reused anchor (an ssh section on
# every host) stays far below; a bomb reaches it in milliseconds, before anything is built
MAX_ALIASED = 100_000
MERGE_TAG = "tag:yaml.org,2002:merge"
# what a plain YAML value may be once read (the safe loader's scalar types)
SCALARS = (str, int, float, bool, type(None), bytes, date)


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: KeyPath) -> int:
        """Line of the deepest known element on the path (1-based)."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:end]))
            if line is not None:
                return line
        return 1

    def where(self, key_path: KeyPath) -> str:
        return f"{printable(self.path.name)}:{self.line_of(key_path)}"

    def error(self, key_path: KeyPath, message: str | Phrase) -> UserError:
        """The one form of an error about a key: `file:line: key.path: message`."""
        return UserError(
            phrase(
                "{where}: {key}: {message}",
                where=self.where(key_path),
                key=dotted(key_path),
                message=printable_message(message),
            )
        )


def load_yaml(path: Path) -> YamlDocument:
    name = printable(path.name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(phrase("{path}: no such file", path=printable(path))) from None
    except OSError as exc:
        raise UserError(
            phrase("{path}: cannot read: {error}", path=printable(path), error=exc.strerror)
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UserError(
            phrase(
                "{where}: not UTF-8 text (byte {byte}); save the file as UTF-8",
                where=f"{name}:{line}",
                byte=f"0x{raw[exc.start]:02x}",
            )
        ) from None
    parser = _PARSER(text)
    try:
        node = _Composer(parser, name).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise UserError(
            phrase(
                "{where}: invalid YAML: {problem}",
                where=f"{name}:{line}",
                problem=printable(exc.problem or exc),
            )
        ) from None
    except yaml.reader.ReaderError:  # a control character or invalid code point
        # found again here: libyaml reports its position in bytes, the Python reader in
        # characters, and the text may hold Chinese comments before the bad character
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
        line = text.count("\n", 0, bad.start()) + 1 if bad else 1
        where = f"{name}:{line}"
        said = (
            phrase(
                "{where}: invalid YAML: character {character} is not allowed",
                where=where,
                character=f"U+{ord(bad.group()):04X}",
            )
            if bad
            else phrase("{where}: invalid YAML: a character is not allowed", where=where)
        )
        raise UserError(said) from None
    finally:
        parser.dispose()
    doc = YamlDocument(path=path, data=None)
    doc.data = {} if node is None else _Builder(doc, parser).build(node, ())
    return doc


class _Composer:
    """Nodes from parser events, refusing too deep nesting and runaway alias expansion."""

    def __init__(self, parser: Any, name: str) -> None:
        self.parser = parser
        self.name = name
        self.anchors: dict[str, tuple[yaml.Node, int]] = {}  # anchor -> (node, expanded size)
        self.open: list[list[Any]] = []  # [node, expanded size, pending key, anchor]
        self.own = 0
        self.aliased = 0

    def fail(self, mark: Any, message: Phrase) -> UserError:
        return UserError(
            phrase(
                "{where}: invalid YAML: {problem}",
                where=f"{self.name}:{mark.line + 1}",
                problem=message,
            )
        )

    def document(self) -> yaml.Node | None:
        self.parser.get_event()  # stream start
        if self.parser.check_event(yaml.StreamEndEvent):
            return None
        self.parser.get_event()  # document start
        root = self.node()
        self.parser.get_event()  # document end
        if not self.parser.check_event(yaml.StreamEndEvent):
            extra = self.parser.get_event()
            raise self.fail(extra.start_mark, phrase("expected one document, found another (---)"))
        return root

    def node(self) -> yaml.Node:
        root: yaml.Node | None = None
        while root is None or self.open:
            event = self.parser.get_event()
            if isinstance(event, yaml.AliasEvent):
                done = self.alias(event)
            elif isinstance(event, yaml.ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.parser.resolve(yaml.ScalarNode, event.value, event.implicit)
                node = yaml.ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, style=event.style
                )
                self.own += 1
                done = self.close(node, 1, event.anchor)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self.start(event)
                continue
            else:  # sequence or mapping end
                node, size, _, anchor = self.open.pop()
                node.end_mark = event.end_mark
                done = self.close(node, size, anchor)
            if done is not None:
                root = done
        return root

    def start(self, event: Any) -> None:
        if len(self.open) >= MAX_DEPTH:
            raise self.fail(
                event.start_mark, phrase("nested more than {depth} levels deep", depth=MAX_DEPTH)
            )
        sequence = isinstance(event, yaml.SequenceStartEvent)
        kind = yaml.SequenceNode if sequence else yaml.MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.parser.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        self.own += 1
        self.open.append([node, 1, None, event.anchor])

    def alias(self, event: Any) -> yaml.Node | None:
        if event.anchor not in self.anchors:
            if any(entry[3] == event.anchor for entry in self.open):
                raise self.fail(
                    event.start_mark,
                    phrase("alias *{anchor} refers to itself", anchor=printable(event.anchor)),
                )
            raise self.fail(
                event.start_mark,
                phrase("alias *{anchor} has no anchor before it", anchor=printable(event.anchor)),
            )
        node, size = self.anchors[event.anchor]
        self.aliased += size
        if self.aliased > MAX_ALIASED + self.own:
            raise self.fail(
                event.start_mark,
                phrase(
                    "aliases expand to more than {count} values (aliases of aliases?)",
                    count=f"{MAX_ALIASED + self.own:,}",
                ),
            )
        return self.close(node, size, None)

    def close(self, node: yaml.Node, size: int, anchor: str | None) -> yaml.Node | None:
        """Attach a finished node to its parent; the root when nothing is open."""
        if anchor is not None:
            self.anchors[anchor] = (node, size)
        if not self.open:
            return node
        parent = self.open[-1]
        parent[1] += size
        if isinstance(parent[0], yaml.SequenceNode):
            parent[0].value.append(node)
        elif parent[2] is None:
            parent[2] = node
        else:
            parent[0].value.append((parent[2], node))
            parent[2] = None
        return None


class _Builder:
    """Python values from nodes, recording each key path's line; `<<` merge keys applied."""

    def __init__(self, doc: YamlDocument, parser: Any) -> None:
        self.doc = doc
        self.constructor = parser  # a fresh one per document: it caches every node it reads

    def build(self, node: yaml.Node, key_path: KeyPath) -> Any:
        self.doc.lines.setdefault(key_path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*key_path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, key_path: KeyPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged = [value for key, value in node.value if key.tag == MERGE_TAG]
        for source in reversed(merged):  # the first merged mapping wins over later ones
            sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
            for each in reversed(sources):
                if not isinstance(each, yaml.MappingNode):
                    raise UserError(
                        phrase(
                            "{where}: invalid YAML: `<<` merges mappings only",
                            where=self.doc.where(key_path),
                        )
                    )
                result.update(self.mapping(each, key_path))
        explicit: set[Any] = set()
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.scalar(key_node)
            child = (*key_path, str(key))
            line = key_node.start_mark.line + 1
            if key in explicit:
                raise UserError(
                    phrase(
                        "{where}: {key}: duplicate key (first defined on line {first})",
                        where=f"{printable(self.doc.path.name)}:{line}",
                        key=dotted(child),
                        first=self.doc.lines[child],
                    )
                )
            explicit.add(key)
            self.doc.lines[child] = line
            result[key] = self.build(value_node, child)
        return result

    def scalar(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        name = printable(self.doc.path.name)
        if not isinstance(node, yaml.ScalarNode):
            raise UserError(phrase("{where}: keys must be plain values", where=f"{name}:{line}"))
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            value = None
        else:
            if isinstance(value, SCALARS):
                return value
        # a collection tag on a plain value (`!!set x`) gives a collection: unusable as well.
        # Never the value itself in the message: it may be a secret written where it should not
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        said = phrase(
            "{where}: invalid YAML: a value tagged {tag} cannot be read",
            where=f"{name}:{line}",
            tag=printable(tag),
        )
        if tag == "!!timestamp":
            said = phrase("{error} (it looks like a date but is not one)", error=said)
        raise UserError(said)


def dotted(key_path: KeyPath) -> str:
    return printable(".".join(str(p) for p in key_path)) or "(top level)"


def printable(text: object, limit: int = 200) -> str:
    """Text safe for a one-line message: control characters escaped, long text cut short."""
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable_message(message: str | Phrase, limit: int = 500) -> str | Phrase:
    """`printable` for a message that may be a Phrase: its values made safe, its words left
    to be translated where it is shown."""
    if not isinstance(message, Phrase):
        return printable(message, limit)
    return Phrase(
        message.template,
        tuple(
            (key, printable_message(value, limit) if isinstance(value, str | Phrase) else value)
            for key, value in message.values
        ),
    )
