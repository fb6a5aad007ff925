"""What a check came to: its result (how it was probed, what it got, why), or that it could not be run."""

from __future__ import annotations

from dataclasses import dataclass

from dockerlab.core.check import Check
from dockerlab.core.expect import Got
from dockerlab.errors import DockerlabError


@dataclass(frozen=True)
class CheckResult:
    check: Check
    how: str
    got: Got
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.got.meets(self.check.expect)

    def to_dict(self) -> dict[str, object]:
        c = self.check
        return {"name": c.name, "from": c.source, "to": c.target, "how": self.how, "expect": c.expect.value,
                "got": self.got.value, "passed": self.passed, "reason": self.reason, "line": c.line}


class CheckError(DockerlabError):
    """A check could not be carried out (as opposed to: it ran and failed)."""
