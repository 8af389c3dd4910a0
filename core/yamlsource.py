"""YAML loading that remembers where every key stood, so errors can say file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import UserError

KeyPath = tuple[str | int, ...]
_CONSTRUCTOR = yaml.SafeLoader("")
# libyaml's parser gives the same nodes and marks ~10x faster (40 ms of a 50-host inventory's
# load, paid at every `inspect run`); the pure-Python one where PyYAML was built without it
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        return f"{self.path.name}:{self.line_of(key_path)}"


def load_yaml(path: Path) -> YamlDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise UserError(f"{path.name}:{line}: invalid YAML: {exc.problem or exc}") from None
    except yaml.reader.ReaderError:  # a control character or invalid code point
        # found again here: libyaml reports its position in bytes, the Python reader in
        # characters, and the text may hold Chinese comments before the bad character
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
        line = text.count("\n", 0, bad.start()) + 1 if bad else 1
        what = f"character U+{ord(bad.group()):04X}" if bad else "a character"
        raise UserError(f"{path.name}:{line}: invalid YAML: {what} is not allowed") from None
    doc = YamlDocument(path=path, data=None)
    doc.data = {} if node is None else _build(node, (), doc)
    return doc


def _build(node: yaml.Node, key_path: KeyPath, doc: YamlDocument) -> Any:
    doc.lines.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc)
            child = (*key_path, str(key))
            if key in result:
                raise UserError(
                    f"{doc.path.name}:{key_node.start_mark.line + 1}: {dotted(child)}: "
                    f"duplicate key (first defined on line {doc.lines[child]})"
                )
            doc.lines[child] = key_node.start_mark.line + 1
            result[key] = _build(value_node, child, doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*key_path, i), doc) for i, item in enumerate(node.value)]
    return _scalar(node, doc)


def _scalar(node: yaml.Node, doc: YamlDocument) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise UserError(f"{doc.path.name}:{node.start_mark.line + 1}: keys must be plain values")
    return _CONSTRUCTOR.construct_object(node)


def dotted(key_path: KeyPath) -> str:
    return ".".join(str(p) for p in key_path) or "(top level)"
