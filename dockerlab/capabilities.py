"""What an engine can do, from its API version: every version gate of dockerlab is a row here
(as docker-py's `minimum_version` keeps its gates beside the calls they guard)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Feature(Enum):
    ENDPOINT_MAC = ("1.44", "25.0", "a MAC address per network endpoint (before: one MAC, set at create)")
    SAFE_ENDPOINT_COUNT = ("1.49", "28.1", "parallel endpoint deletes keep a network's endpoint count right "
                           "(before: moby/moby#42119, a network that cannot be removed until the daemon restarts)")

    def __init__(self, api: str, release: str, what: str) -> None:
        self.api, self.release, self.what = api, release, what


def _number(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Capabilities:
    api_version: str

    def has(self, feature: Feature) -> bool:
        return _number(self.api_version) >= _number(feature.api)

    def lacks(self, feature: Feature) -> str | None:
        """None when the engine has the feature; else a sentence naming the Docker release that brings it."""
        if self.has(feature):
            return None
        return f"this engine (API {self.api_version}) lacks {feature.what}; Docker {feature.release} has it"
