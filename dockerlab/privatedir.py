"""dockerlab's directory private to the user: lock files, the validation memo, the marks of shaped containers.
Never a world-writable one such as /tmp, where another user could plant a link; refused when it is not private."""

from __future__ import annotations

import os
import stat

from dockerlab.errors import DockerlabError


def _where() -> str:
    """DOCKERLAB_LOCK_DIR (its name from when it held locks alone), else a runtime directory of this user's."""
    if override := os.environ.get("DOCKERLAB_LOCK_DIR"):
        return override
    if os.geteuid() == 0:
        return "/run/dockerlab"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return os.path.join(runtime, "dockerlab") if runtime else os.path.expanduser("~/.cache/dockerlab/locks")


def private_dir() -> str:
    """dockerlab's own directory for this user (locks, marks, the validation memo): made if missing, refused
    when someone else could write to it."""
    path = _where()
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise DockerlabError(f"cannot make dockerlab's private directory {path}: {exc.strerror}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise DockerlabError(f"dockerlab's directory {path} is not a directory private to this user (a link, another "
                             "owner, or open to others); remove it, or set DOCKERLAB_LOCK_DIR to one that is")
    return path
