"""Waiting for Docker's asynchronous work: one poll loop for every wait with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(ready: Callable[[], bool], seconds: float, every: float) -> bool:
    """Poll for Docker's asynchronous work: True once ready() says so, False when `seconds` passed first."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True
