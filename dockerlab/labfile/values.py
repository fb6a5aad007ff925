"""The values a lab file holds, parsed: a value that cannot be parsed becomes a problem, not an exception."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any

from dockerlab.core.addresses import IPAddress, Pairs
from dockerlab.core.bridge import BY_KEY
from dockerlab.errors import Problem
from dockerlab.labfile.yamlsource import Path, Source


class ValueReader:
    """What every part of the builder shares: the source, the problems found, addresses."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.first_host = next(iter(source.data.get("hosts") or {}), "")  # where containers go by default

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(self.source.problem(path, message))

    def address(self, path: Path, text: str | None, version: int | None = None) -> IPAddress | None:
        if text is None:
            return None
        try:
            value = ip_address(text)
        except ValueError:
            self.fail(path, f"'{text}' is not an IP address")
            return None
        if version and value.version != version:
            self.fail(path, f"'{text}' is not an IPv{version} address")
            return None
        return value


def pairs(raw: dict[str, Any] | None) -> Pairs:
    """A label/option map as sorted string pairs; true and "true" are one value."""
    def text(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)
    return tuple(sorted((str(k), text(v)) for k, v in (raw or {}).items()))


def bridge_options(raw: dict[str, Any] | None) -> Pairs:
    """bridge: {...} as Docker's options (core.bridge): a list of interfaces joined by ':'."""
    return pairs({BY_KEY[k].option: ":".join(map(str, v)) if isinstance(v, list) else v
                  for k, v in (raw or {}).items()})
