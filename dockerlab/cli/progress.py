"""How an apply or a check run shows its progress: on a terminal, for more than a few steps, a live bar
(rich, imported only then) with each finished step printed above it; otherwise plain lines, one per step, as
logs and CI want them. rich leaves out colour when NO_COLOR is set."""

from __future__ import annotations

import sys
import threading
from typing import Any

from dockerlab.printable import lines, say

FEW = 5  # up to this many steps, lines alone say enough


class Ticker:
    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None
        self.lock = threading.Lock()

    def start(self, total: int, title: str) -> None:
        if total <= FEW or not sys.stdout.isatty():
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), transient=True)
        self.task = self.bar.add_task(title, total=total)
        self.bar.start()

    def line(self, text: str | None) -> None:
        """A finished step: its line above the bar, or a plain line; None: the bar moves, nothing is said."""
        with self.lock:
            if self.bar is None:
                if text is not None:
                    say(text)
                return
            if text is not None:
                self.bar.console.print(lines(text), markup=False, highlight=False, soft_wrap=True)
            self.bar.advance(self.task)

    def stop(self) -> None:
        with self.lock:
            if self.bar is not None:
                self.bar.stop()
                self.bar = None
