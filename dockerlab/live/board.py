"""What the live view shows: the last snapshot's picture, the last events and the checks' last results; and the
pages that listen for more, one queue each. It lives in the server's event loop; checks run in a worker thread,
one run at a time."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import replace
from typing import Any

from dockerlab.host.host import Host
from dockerlab.live.events import LabEvent
from dockerlab.live.picture import of_snapshot
from dockerlab.live.watch import Snapshot

KEPT_EVENTS = 200


class Board:
    def __init__(self, hosts: dict[str, Host]) -> None:
        self.hosts = hosts
        self.snap: Snapshot | None = None
        self.results: dict[int, dict[str, Any]] = {}
        self.events: deque[dict[str, Any]] = deque(maxlen=KEPT_EVENTS)
        self.pages: set[asyncio.Queue[tuple[str, Any]]] = set()
        self.problem = ""  # a run of checks that failed as a whole: shown on the page
        self._checking = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    def state(self) -> dict[str, Any]:
        """All a page needs to draw, its first message: the picture, the events so far."""
        shown = of_snapshot(self.snap, self.results) if self.snap else {}
        return {**shown, "events": list(self.events), "problem": self.problem}

    def tell(self, kind: str, data: Any) -> None:
        for page in self.pages:
            page.put_nowait((kind, data))

    def seen(self, snap: Snapshot) -> None:
        before, self.snap = self.snap, snap
        if before and snap.lab.stage != before.lab.stage:
            self.results = {}  # another stage: other checks
        self.tell("state", self.state())
        if snap.fault and not (before and before.fault) and snap.lab.checks:  # its symptoms: which checks fail
            task = asyncio.get_running_loop().create_task(self._symptoms())
            self._tasks.add(task)  # kept until done: a task nobody holds may be collected mid-run
            task.add_done_callback(self._tasks.discard)

    async def _symptoms(self) -> None:
        try:
            await self.checked(None)
        except Exception as exc:  # said on the page, as a failed run of the button would be
            self.problem = f"the checks did not run: {exc}"
            self.tell("state", self.state())

    def event(self, event: LabEvent) -> None:
        self.events.append(event.to_dict())
        self.tell("event", event.to_dict())

    async def checked(self, indexes: list[int] | None) -> list[dict[str, Any]]:
        """The checks (all, or those at these places in the file) of the lab at its stage now; their results kept
        and shown to every page, unless the lab has moved to another stage meanwhile."""
        async with self._checking:
            assert self.snap is not None
            stage = self.snap.lab.stage
            results = await asyncio.get_running_loop().run_in_executor(None, self._run, self.snap, indexes)
            if self.snap.lab.stage == stage:
                self.results.update({r["index"]: r for r in results})
                self.problem = ""
                self.tell("state", self.state())
            return results

    def _run(self, snap: Snapshot, indexes: list[int] | None) -> list[dict[str, Any]]:
        from dockerlab.learn.checks import run_checks
        from dockerlab.plan.observe import look

        lab = snap.lab
        chosen = [i for i in (range(len(lab.checks)) if indexes is None else indexes) if 0 <= i < len(lab.checks)]
        results = run_checks(look(replace(lab, checks=tuple(lab.checks[i] for i in chosen)), self.hosts,
                                  swarm=False))
        return [{**r.to_dict(), "index": i, "verdict": r.verdict} for i, r in zip(chosen, results, strict=True)]
