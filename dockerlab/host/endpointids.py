"""The endpoint ids a lab's containers had when dockerlab last left the lab in sync, kept in the private
directory (a file per lab). The list call shows each endpoint's id but not its aliases: a membership made anew
since (a hand `docker network disconnect` and `connect`) has a new id, and only those containers are inspected,
so observing stays a fixed number of calls. No file (another user applied it, a reboot emptied /run): nothing
is known to have moved, as before there were files."""

from __future__ import annotations

import json
import os
from contextlib import suppress
from typing import TYPE_CHECKING

from dockerlab.core.model import lab_name
from dockerlab.errors import DockerlabError
from dockerlab.privatedir import private_dir

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dockerlab.core.observed import Observed

Ids = dict[str, dict[str, str]]  # container id -> network name -> endpoint id


def _path(lab: str) -> str:
    return os.path.join(private_dir(), f"endpoints-{lab_name(lab)}.json")


def recorded(lab: str) -> Ids:
    try:
        fd = os.open(_path(lab), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except (OSError, DockerlabError):
        return {}
    with os.fdopen(fd) as file:
        try:
            found = json.load(file)
        except ValueError:
            return {}
    return found if isinstance(found, dict) else {}


def record(lab: str, observed: Iterable[Observed]) -> None:
    """The lab's containers' endpoint ids on every host, as they are now (in sync with the file)."""
    ids = {c.id: {n: ep.endpoint_id for n, ep in c.endpoints.items() if ep.endpoint_id}
           for seen in observed for c in seen.containers if c.lab == lab}
    try:
        path = _path(lab)
        made = f"{path}.{os.getpid()}"  # one a killed run of this pid left is written over
        fd = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(ids, file)
        os.replace(made, path)
    except (OSError, DockerlabError):
        return  # not kept: hand changes to aliases go unseen, as without the file


def forget(lab: str) -> None:
    """The lab is gone: nothing of it to recognise."""
    with suppress(OSError, DockerlabError):
        os.unlink(_path(lab))


def moved(lab: str, observed: Observed, ids: Ids) -> list[str]:
    """The lab's containers with a membership whose endpoint is not the one recorded. Pure."""
    return [c.name for c in observed.containers if c.lab == lab and c.id in ids
            and any(ep.endpoint_id and ids[c.id].get(n, ep.endpoint_id) != ep.endpoint_id
                    for n, ep in c.endpoints.items())]
