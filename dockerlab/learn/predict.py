"""Predict, then verify: before the checks run, the learner says what each will find (one of the two answers its
probe gives); after, each prediction is scored against what was found, and the wrong ones explained."""

from __future__ import annotations

from dataclasses import dataclass

from dockerlab.core.check import Check
from dockerlab.core.expect import Expect, Got
from dockerlab.core.model import Lab
from dockerlab.errors import DockerlabError
from dockerlab.learn.checkresult import CheckResult
from dockerlab.learn.diagnose import blocked

Predictions = dict[str, Expect]  # a check's label -> what the learner said it would find


def question(check: Check) -> str:
    """What a check looks at, without what it expects: `one -> three by name, port 80/tcp`."""
    where = f"{check.source} -> {check.target}" if check.target else check.source
    details = [f"by {check.by}" if check.by else "",
               f"port {check.port}/{check.protocol or 'tcp'}" if check.port else "",
               *(f"{field} {getattr(check, field)}" for field in ("interface", "address", "via", "resolver",
                                                                  "sysctl", "mtu") if getattr(check, field)),
               f"= {check.value}" if check.value is not None else ""]
    first, second = check.expect.outcomes
    return f"{where} {' '.join(d for d in details if d)}".strip() + f": {first} or {second}?"


def read_predictions(lab: Lab, data: object, source: str) -> Predictions:
    """A predictions file's content (YAML: a map of check name, or `line N`, to an answer); a check it does not
    name, or an answer the check cannot give, is an error that says which."""
    if not isinstance(data, dict):
        raise DockerlabError(f"{source}: a predictions file maps each check's name to an answer, as "
                             f"`{lab.checks[0].label}: {lab.checks[0].expect.outcomes[0]}`")
    checks = {c.label: c for c in lab.checks}
    problems, found = [], {}
    for label, answer in data.items():
        check = checks.get(str(label))
        if check is None:
            problems.append(f"no check is called {str(label)!r} (its checks: {', '.join(checks)})")
            continue
        said = next((e for e in check.expect.outcomes if e.value == str(answer).strip()), None)
        if said is None:
            problems.append(f"{label}: {answer!r} is not an answer; say {' or '.join(map(str, check.expect.outcomes))}")
        else:
            found[check.label] = said
    if missing := [label for label in checks if label not in found and str(label) not in data]:
        problems.append(f"no prediction for {', '.join(missing)}")
    if problems:
        raise DockerlabError(f"{source}: " + "; ".join(problems))
    return found


@dataclass(frozen=True)
class Scored:
    result: CheckResult
    said: Expect
    why: str  # what the check found, explained where that can be known: the lesson of a wrong prediction

    @property
    def found(self) -> str:
        """What the check found, as one of its two answers: what it got where that is one, else (a round trip
        too slow) its expectation if it held and the other answer if not."""
        expect, pair = self.result.check.expect, [str(e) for e in self.result.check.expect.outcomes]
        if str(self.result.got) in pair:
            return str(self.result.got)
        return str(expect) if self.result.passed else next(p for p in pair if p != str(expect))

    @property
    def counted(self) -> bool:
        """A check that could not run proves nothing: neither right nor wrong."""
        return self.result.got is not Got.ERROR

    @property
    def right(self) -> bool:
        return self.counted and str(self.said) == self.found


def scored(lab: Lab, results: list[CheckResult], predictions: Predictions) -> list[Scored]:
    return [Scored(r, predictions[r.check.label], _why(lab, r)) for r in results]


def _why(lab: Lab, result: CheckResult) -> str:
    found = blocked(lab, result.check, result.got)
    if not found or found in result.reason:  # a failed check's reason has it already
        return result.reason
    return f"{found} ({result.reason})" if result.reason else found
