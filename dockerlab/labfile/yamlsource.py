"""Safe, bounded YAML loading that remembers the line of every key, for error messages.

Bounded before any work: the text's size, and the size and depth the document reaches once its aliases
are expanded (a file of a few hundred bytes can otherwise expand to billions of values).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from dockerlab.errors import Problem

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it
MAX_BYTES = 1 << 20
MAX_VALUES = 100_000  # after alias expansion; the largest real lab is a few thousand
MAX_DEPTH = 64
MERGE = "tag:yaml.org,2002:merge"
TEXT = "tag:yaml.org,2002:str"
INT, FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"

Path = tuple[str | int, ...]
Found = Iterator[tuple[Path, str]]  # what meaning checks yield: where, and what is wrong


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

    def problem(self, path: Path, message: str) -> Problem:
        """A problem at path: its line, and where the file says it."""
        return Problem(self.line(path), format_path(self.said_at(path)), message)

    def said_at(self, path: Path) -> Path:
        return path

    def line(self, path: Path) -> int:
        """The line of path, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    """Lab files are UTF-8 text of a bounded size."""
    if len(raw) > MAX_BYTES:
        return None, Problem(0, "", f"the file has {len(raw)} bytes; a lab file may have {MAX_BYTES} at most")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, Problem(line, "", f"byte 0x{raw[exc.start]:02x} is not UTF-8 text; save the file as UTF-8")


def load(text: str) -> tuple[Source, list[Problem]]:
    """Parse text safely (no tags that build Python objects); report syntax errors, duplicate keys, and
    documents too large or deep once expanded."""
    loader = SafeLoader(text)
    problems: list[Problem] = []
    lines: dict[Path, int] = {}
    try:  # parse once: the node tree gives lines, the same tree gives the data
        node = loader.get_single_node()
        if node is None:
            return Source(None), []
        if too_big := _measure(node):
            return Source(None), [too_big]
        _index(node, (), lines, problems)  # before construction, which folds merge keys in
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return Source(None), [Problem(mark.line + 1 if mark else 1, "", f"not valid YAML: {reason}")]
    except RecursionError:
        return Source(None), [Problem(1, "", f"the document is nested more than {MAX_DEPTH} levels deep")]
    finally:
        loader.dispose()
    return Source(data, lines), problems


def _measure(root: yaml.Node) -> Problem | None:
    """How many values and levels the document has once aliases are expanded, without expanding them."""
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def measure(node: yaml.Node) -> tuple[int, int]:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_nodes:  # an alias to an ancestor: a document without end
            raise _Endless(node)
        open_nodes.add(id(node))
        count, depth = 1, 0
        for child in _children(node):
            child_count, child_depth = measure(child)
            count, depth = min(count + child_count, MAX_VALUES + 1), max(depth, child_depth)
        open_nodes.discard(id(node))
        sizes[id(node)] = (count, depth + 1)
        if depth + 1 > MAX_DEPTH:
            raise _Endless(node)
        return sizes[id(node)]

    try:
        count, _ = measure(root)
    except _Endless as exc:
        return Problem(exc.node.start_mark.line + 1, "",
                       f"the document is nested more than {MAX_DEPTH} levels deep (or an alias refers to itself)")
    if count > MAX_VALUES:
        return Problem(1, "", f"the document expands to more than {MAX_VALUES} values through its aliases; "
                              "a lab file needs far fewer: write the repeated parts out, or repeat them less")
    return None


class _Endless(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _index(node: yaml.Node, path: Path, lines: dict[Path, int], problems: list[Problem]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node, explicit in _entries(node):
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != TEXT:
                shown = f"'{key_node.value}'" if isinstance(key_node, yaml.ScalarNode) else "a list or a map"
                problems.append(Problem(key_node.start_mark.line + 1, format_path(path),
                                        f"the key {shown} is not read as text; keys are names (quote it)"))
                continue
            key = key_node.value
            if key in seen:
                if explicit:
                    problems.append(Problem(key_node.start_mark.line + 1, format_path(path + (key,)),
                                            "this key is given twice; keep one"))
                continue
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _index(value_node, path + (key,), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), lines, problems)
    elif node.tag in (INT, FLOAT) and ":" in node.value:
        node.tag = TEXT  # YAML 1.1's base 60 ("22:22" is 1342): text, as YAML 1.2 and Compose read it


def _entries(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
    """A map's own keys, then what its merge keys (`<<: *base`) bring: as YAML merges, its own keys win."""
    merged = []
    for key, value in node.value:
        if key.tag == MERGE:
            merged.append(value)
        else:
            yield key, value, True
    for value in merged:
        for source in value.value if isinstance(value, yaml.SequenceNode) else [value]:
            if isinstance(source, yaml.MappingNode):
                for key, item, _ in _entries(source):
                    yield key, item, False
