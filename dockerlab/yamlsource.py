"""Safe YAML loading that remembers the line of every key, for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """containers.web.ports[0]"""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Source:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of path, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def load(text: str) -> tuple[Source, list[Problem]]:
    """Parse text safely (no tags that build Python objects); report syntax errors and duplicate keys."""
    loader = SafeLoader(text)
    try:  # parse once: the node tree gives lines, the same tree gives the data
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return Source(None), [Problem(mark.line + 1 if mark else 1, "", f"not valid YAML: {reason}")]
    finally:
        loader.dispose()
    source = Source(data)
    problems: list[Problem] = []
    if node is not None:
        _index(node, (), source.lines, problems)
    return source, problems


def _index(node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[Problem]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(Problem(key_node.start_mark.line + 1, format_path(path + (key,)),
                                        "this key is given twice; keep one"))
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _index(value_node, path + (key,), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), lines, problems)
