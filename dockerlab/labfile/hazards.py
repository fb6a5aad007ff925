"""Values that YAML accepts and Docker would misread: checked before anything reaches the engine. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dockerlab.core.labels import RESERVED_PREFIX
from dockerlab.core.model import Lab
from dockerlab.labfile.yamlsource import Path

Found = Iterator[tuple[Path, str]]


def hazards(lab: Lab, data: Any) -> Found:
    yield from _nul_bytes(data, ())
    for kind, specs in (("networks", lab.networks), ("containers", lab.containers)):
        for spec in specs:
            for key, _ in spec.labels:
                if key.startswith(RESERVED_PREFIX):
                    yield ((kind, spec.key, "labels", key),
                           f"labels starting with '{RESERVED_PREFIX}' are dockerlab's own record of what it made; "
                           "name yours otherwise")
    for box in lab.containers:
        for name, _ in box.env:
            if not name or "=" in name:
                yield (("containers", box.key, "env", name),
                       f"'{name}' cannot be an environment variable name: Docker splits 'NAME=value' at the "
                       "first '='")


def _nul_bytes(data: Any, path: Path) -> Found:
    """A NUL byte ends a string in the kernel and in Docker's C parts: never a value of a lab."""
    if isinstance(data, str):
        if "\0" in data:
            yield path, "this text holds a NUL byte (\\0), which Docker would cut the value at; remove it"
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and "\0" in key:
                yield path, "a key holds a NUL byte (\\0); remove it"
            else:
                yield from _nul_bytes(value, path + (str(key),))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _nul_bytes(item, path + (i,))
