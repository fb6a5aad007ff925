"""What a check came to: its result (how it was probed, what it got, why), or that it could not be run."""

from __future__ import annotations

from dataclasses import dataclass

from dockerlab.core.check import Check
from dockerlab.core.expect import Got
from dockerlab.core.words import say_in
from dockerlab.errors import DockerlabError


@dataclass(frozen=True)
class CheckResult:
    check: Check
    how: str
    got: Got
    reason: str = ""
    seconds: float = 0.0  # how long it took, tries included

    @property
    def passed(self) -> bool:
        return self.got.meets(self.check.expect)

    @property
    def fails_run(self) -> bool:
        """A failure that makes the run fail: not one of `level: warn`."""
        return not self.passed and not self.check.warn

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "warn" if self.check.warn else "FAIL"

    @property
    def worth(self) -> int:
        return 1 if self.check.points is None else self.check.points

    def to_dict(self) -> dict[str, object]:
        c = self.check
        return {"name": c.name, "from": c.source, "to": c.target, "how": self.how, "expect": c.expect.value,
                "got": self.got.value, "passed": self.passed, "reason": self.reason, "line": c.line,
                "level": "warn" if c.warn else "fail", "points": self.worth if self.passed else 0,
                "of": self.worth, "hint": say_in(c.hint) if not self.passed else ""}


def score(results: list[CheckResult]) -> tuple[int, int] | None:
    """Points won and points there were, when any check of them counts points; else None."""
    if not any(r.check.points is not None for r in results):
        return None
    return sum(r.worth for r in results if r.passed), sum(r.worth for r in results)


class CheckError(DockerlabError):
    """A check could not be carried out (as opposed to: it ran and failed)."""
