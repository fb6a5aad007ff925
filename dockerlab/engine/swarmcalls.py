"""The swarm calls of one engine (a part of `engine.Engine`): membership read with a fixed number of calls, on a
manager three more; init, join and leave."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockerlab.core import labels as L
from dockerlab.core.observed import Membership, membership
from dockerlab.core.waiting import wait_until
from dockerlab.engine.calls import Calls
from dockerlab.errors import EngineError

if TYPE_CHECKING:
    from dockerlab.core.observed import Observed

SWARM_TASKS_GONE = 30.0  # seconds: for the swarm's asynchronous work (a node ready, attachments gone)


class SwarmCalls(Calls):
    def swarm_membership(self, lab: str, observed: Observed) -> Membership:
        info = self.reader.info()
        if not (info.get("Swarm") or {}).get("ControlAvailable"):
            return membership(info)
        services = [f"service {s['Spec']['Name']}" for s in self.reader.services()]
        others = [f"network {n.name} (lab {n.lab})" if n.lab else f"network {n.name}" for n in observed.networks
                  if n.scope == "swarm" and n.name != "ingress" and n.lab != lab]
        return membership(info, self.reader.swarm(), self.reader.nodes(), tuple(services + others))

    def swarm_init(self, advertise: str | None, lab: str) -> None:
        spec = self.sdk.api.create_swarm_spec(labels={L.SWARM_FORMED_BY: lab})
        self._call("init the swarm", "init_swarm", advertise_addr=advertise,
                   listen_addr=f"{advertise}:2377" if advertise else "0.0.0.0:2377", swarm_spec=spec)

    def swarm_join(self, manager: SwarmCalls, at: str, advertise: str | None) -> None:
        token = manager._call("read the join token", "inspect_swarm")["JoinTokens"]["Worker"]
        self._call(f"join the swarm at {at}:2377", "join_swarm", [f"{at}:2377"], token, advertise_addr=advertise,
                   listen_addr=f"{advertise}:2377" if advertise else "0.0.0.0:2377")
        # joined is not yet ready: a container that attaches to an overlay before the manager counts the node
        # ready fails with "attaching to network failed ... context deadline exceeded"
        node = (self.reader.info().get("Swarm") or {}).get("NodeID")
        if not wait_until(lambda: any(n.get("ID") == node and (n.get("Status") or {}).get("State") == "ready"
                                      for n in manager.reader.nodes()), SWARM_TASKS_GONE, 0.2):
            raise EngineError(f"joined the swarm at {at}:2377, but the manager does not count this node ready "
                              f"after {SWARM_TASKS_GONE:.0f}s")

    def swarm_leave(self) -> None:
        self._call("leave the swarm", "leave_swarm", force=True)
