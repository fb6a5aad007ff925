"""One apply or destroy of a lab at a time, per engine: a lock file, released when the process ends."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import DockerlabError


@contextmanager
def lab_lock(lab: str, engine: str) -> Iterator[None]:
    digest = hashlib.sha256(f"{engine} {lab}".encode()).hexdigest()[:12]
    path = os.path.join(tempfile.gettempdir(), f"dockerlab-{lab}-{digest}.lock")
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise DockerlabError(f"lab '{lab}' is being changed by {holder} on this engine; wait for it to "
                                 f"finish (lock: {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"dockerlab pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
