"""Looking inside a lab's containers (a part of `client.Engine`): a command in one (exec), a probe container in
one's network namespace (for images without ping, nc or nslookup), its state and logs, and how one that stopped
ended. Argument lists only."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

from dockerlab.core import labels as L
from dockerlab.core.model import SHARED, Lab
from dockerlab.core.observed import ObservedContainer
from dockerlab.core.waiting import wait_until
from dockerlab.engine.calls import Calls
from dockerlab.errors import EngineError

if TYPE_CHECKING:
    pass

TIMED_OUT = 124  # as `timeout` says it
PROBE_IMAGE = "busybox"  # has ping, nc, nslookup and timeout; DOCKERLAB_PROBE_IMAGE names another


class InsideCalls(Calls):
    def remove_container(self, container: str, label: str) -> None:
        raise NotImplementedError

    def inspect_container(self, ref: str) -> dict[str, Any]:
        """The container as the engine has it (its Id, State, NetworkSettings)."""
        found: dict[str, Any] = self.reader.inspect_container(ref)
        return found

    def state(self, ref: str) -> dict[str, Any]:
        return self.inspect_container(ref).get("State") or {}

    def logs(self, ref: str, label: str, tail: int | str = "all") -> str:
        return bytes(self._call(f"read the logs of {label}", "logs", ref, tail=tail)).decode(errors="replace")

    def exec_in(self, container: str, argv: list[str]) -> tuple[int, str]:
        """Run argv (a list, never a shell string) in a container; return exit code and output."""
        exec_id = self._call(f"exec in {container}", "exec_create", container, argv)
        output = self._call(f"exec in {container}", "exec_start", exec_id)
        code = self._call(f"exec in {container}", "exec_inspect", exec_id)["ExitCode"]
        return int(code), bytes(output).decode(errors="replace")

    def probe(self, container: str, lab: Lab, argv: list[str], limit: float) -> tuple[int, str]:
        """Run argv in a throwaway container that joins `container`'s network namespace: same interfaces,
        addresses and Docker DNS, whatever tools the container's own image has. Labelled with the lab, so that a
        probe an interrupt left behind is the lab's to remove."""
        name = f"dockerlab-probe-{uuid.uuid4().hex[:10]}"
        made = self._make_probe(container, lab, argv, name)
        try:
            self._call(f"start probe {name}", "start", made)
            state: dict[str, Any] = {}

            def ended() -> bool:
                state.update(self.state(made))
                return not state.get("Running")
            done = wait_until(ended, limit, 0.05)
            # a probe still running at its limit has no result: the code `timeout` gives
            return int(state.get("ExitCode", 1)) if done else TIMED_OUT, self.logs(made, f"probe {name}")
        finally:
            self.remove_container(made, name)

    def _make_probe(self, container: str, lab: Lab, argv: list[str], name: str) -> str:
        image = os.environ.get("DOCKERLAB_PROBE_IMAGE", PROBE_IMAGE)
        try:
            made = self._call(f"create a probe for {container[:12]}", "create_container", image, command=argv,
                              name=name, labels={L.LAB: lab.name, L.KEY: L.PROBE, L.FILE: lab.origin or lab.path},
                              # its PID namespace too: two pings from one namespace with one PID (1 in each of two
                              # probes) share an ICMP id, and each counts the other's replies
                              host_config=self.sdk.api.create_host_config(network_mode=f"{SHARED}{container}",
                                                                          pid_mode=f"{SHARED}{container}"))
        except EngineError as exc:
            raise EngineError(f"{exc}; the probe image '{image}' must be on the engine (or name another in "
                              "DOCKERLAB_PROBE_IMAGE)") from None
        return str(made["Id"])

    def last_words(self, box: ObservedContainer) -> tuple[str, str]:
        """How a stopped container ended: ('exit code N' or 'restarts again and again (exit code N)', its last
        output lines)."""
        state = self.state(box.id)
        last = " | ".join(ln.strip() for ln in self.logs(box.id, box.name, tail=3).splitlines() if ln.strip())
        code = f"exit code {state.get('ExitCode')}"
        return (f"restarts again and again ({code})" if state.get("Restarting") else code), last or "(none)"

    def how_it_ended(self, box: ObservedContainer) -> str:
        """A container that stopped right after its start."""
        how, last = self.last_words(box)
        how = how if how.startswith("restarts") else f"exited right after it started, with {how}"
        return (f"container {box.name} {how}; its last output: {last}. Its command must keep running "
                "(e.g. `sleep infinity`, or a server in the foreground): fix it and apply again")
