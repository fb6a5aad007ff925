"""Locks between dockerlab processes on one engine: one apply or destroy of a lab at a time, and one
network creation at a time (Docker's own duplicate-name check races).

Lock files live in a directory private to the user (never a world-writable one such as /tmp, where another
user could plant a link or hold the lock), are opened without following links, are keyed on the engine's
identity (however its address is spelled), and are removed when released.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from dockerlab.core.model import lab_name
from dockerlab.errors import DockerlabError
from dockerlab.privatedir import private_dir

HOLDER = "dockerlab pid "  # what a lock file says of its holder, followed by its pid
FRESH = 5.0  # seconds: a lock file not written yet is its holder's for this long


def _path(engine_id: str, what: str) -> str:
    digest = hashlib.sha256(engine_id.encode()).hexdigest()[:16]
    return os.path.join(private_dir(), f"{digest}-{what}.lock")


def _lab_path(lab: str, engine_id: str) -> str:
    return _path(engine_id, f"lab-{lab_name(lab)}")


@contextmanager
def lab_lock(lab: str, engine_id: str) -> Iterator[None]:
    """Fails at once, naming the holder, when another process changes this lab on this engine."""
    path = _lab_path(lab, engine_id)
    try:
        with _locked(path, blocking=False):
            yield
    except BlockingIOError as exc:
        raise DockerlabError(f"lab '{lab}' is being changed by {exc.args[0]} on this engine; wait for it to "
                             f"finish (lock: {path})") from None


def lab_busy(lab: str, engine_id: str) -> bool:
    """Whether a dockerlab process holds the lab's lock on this engine, asked without taking it (so no apply ever
    finds it taken by the asker): its file is there only while held, and names a process that is alive (one
    killed with SIGKILL leaves the file behind)."""
    try:
        fd = os.open(_lab_path(lab, engine_id), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        holder, age = _holder(fd), time.time() - os.fstat(fd).st_mtime
    finally:
        os.close(fd)
    if not holder.startswith(HOLDER):
        return age < FRESH  # not written yet: its holder has just taken it (or was killed right then, long ago)
    try:
        os.kill(int(holder.removeprefix(HOLDER)), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # another user's process: alive
        pass
    return True


def _holder(fd: int) -> str:
    return os.read(fd, 200).decode(errors="replace").strip()


@contextmanager
def engine_lock(engine_id: str, what: str) -> Iterator[None]:
    """Waits for its turn: a short critical section shared by every dockerlab process on this engine."""
    with _locked(_path(engine_id, what), blocking=True):
        yield


@contextmanager
def _locked(path: str, blocking: bool) -> Iterator[None]:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:  # ELOOP: someone made it a link
            raise DockerlabError(f"cannot open the lock file {path} ({exc.strerror}); it should be a plain file "
                                 "that only dockerlab makes: remove it") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = _holder(fd) or "another process"
            os.close(fd)
            raise BlockingIOError(holder) from None
        if _same_file(fd, path):
            break
        os.close(fd)  # its holder removed it between our open and our lock: take the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{HOLDER}{os.getpid()}".encode())
        yield
    finally:
        os.unlink(path)  # while still holding it, so no one locks a file that is gone
        os.close(fd)


def _same_file(fd: int, path: str) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
    except FileNotFoundError:
        return False


def clear_stale() -> int:
    """Remove the lock files no process holds (a dockerlab killed with SIGKILL leaves its file; the lock itself
    went with the process). Returns how many went."""
    gone = 0
    for name in os.listdir(private_dir()):
        if not name.endswith(".lock"):
            continue
        try:
            with _locked(os.path.join(private_dir(), name), blocking=False):
                gone += 1  # taken: nobody held it; released, it is unlinked
        except (BlockingIOError, DockerlabError):
            continue
    return gone
