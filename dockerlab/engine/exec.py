"""Looking inside a lab's containers: a command in one (exec), a probe container in one's network namespace
(for images without ping, nc or nslookup), and how one that stopped ended. Argument lists only."""

from __future__ import annotations

import os
import uuid
from typing import Any

from dockerlab.core import labels as L
from dockerlab.core.model import Lab
from dockerlab.core.observed import ObservedContainer
from dockerlab.core.waiting import wait_until
from dockerlab.engine.client import Engine
from dockerlab.errors import EngineError

TIMED_OUT = 124  # as `timeout` says it
PROBE_IMAGE = "busybox"  # has ping, nc, nslookup and timeout; DOCKERLAB_PROBE_IMAGE names another


def run(engine: Engine, container: str, argv: list[str]) -> tuple[int, str]:
    """Run argv (a list, never a shell string) in a container; return exit code and output."""
    exec_id = engine._call(f"exec in {container}", "exec_create", container, argv)
    output = engine._call(f"exec in {container}", "exec_start", exec_id)
    code = engine._call(f"exec in {container}", "exec_inspect", exec_id)["ExitCode"]
    return int(code), bytes(output).decode(errors="replace")


def probe(engine: Engine, container: str, lab: Lab, argv: list[str], limit: float) -> tuple[int, str]:
    """Run argv in a throwaway container that joins `container`'s network namespace: same interfaces,
    addresses and Docker DNS, whatever tools the container's own image has. Labelled with the lab, so that a
    probe an interrupt left behind is the lab's to remove."""
    image = os.environ.get("DOCKERLAB_PROBE_IMAGE", PROBE_IMAGE)
    api = engine.sdk.api
    name = f"dockerlab-probe-{uuid.uuid4().hex[:10]}"
    try:
        made = engine._call(f"create a probe for {container[:12]}", "create_container", image, command=argv,
                            name=name, labels={L.LAB: lab.name, L.KEY: L.PROBE, L.FILE: lab.origin or lab.path},
                            # its PID namespace too: two pings from one namespace with one PID (1 in each of two
                            # probes) share an ICMP id, and each counts the other's replies
                            host_config=api.create_host_config(network_mode=f"container:{container}",
                                                               pid_mode=f"container:{container}"))
    except EngineError as exc:
        raise EngineError(f"{exc}; the probe image '{image}' must be on the engine (or name another in "
                          "DOCKERLAB_PROBE_IMAGE)") from None
    try:
        engine._call(f"start probe {name}", "start", made["Id"])
        state: dict[str, Any] = {}

        def ended() -> bool:
            state.update(engine.reader.inspect_container(made["Id"]).get("State") or {})
            return not state.get("Running")
        done = wait_until(ended, limit, 0.05)
        logs = engine._call(f"read probe {name}", "logs", made["Id"])
        # a probe still running at its limit has no result: the code `timeout` gives
        return int(state.get("ExitCode", 1)) if done else TIMED_OUT, bytes(logs).decode(errors="replace")
    finally:
        engine.remove_container(made["Id"], name)


def last_words(engine: Engine, box: ObservedContainer) -> tuple[str, str]:
    """How a stopped container ended: ('exit code N' or 'restarts again and again (exit code N)', its last
    output lines)."""
    state = engine.reader.inspect_container(box.id).get("State") or {}
    logs = engine._call(f"read the logs of {box.name}", "logs", box.id, tail=3)
    last = " | ".join(ln.strip() for ln in bytes(logs).decode(errors="replace").splitlines() if ln.strip())
    code = f"exit code {state.get('ExitCode')}"
    return (f"restarts again and again ({code})" if state.get("Restarting") else code), last or "(none)"


def how_it_ended(engine: Engine, box: ObservedContainer) -> str:
    """A container that stopped right after its start."""
    how, last = last_words(engine, box)
    how = how if how.startswith("restarts") else f"exited right after it started, with {how}"
    return (f"container {box.name} {how}; its last output: {last}. Its command must keep running "
            "(e.g. `sleep infinity`, or a server in the foreground): fix it and apply again")
