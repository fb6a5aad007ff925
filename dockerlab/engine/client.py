"""One Docker engine's calls: the lab model mapped onto Docker's API. The only module that changes an engine.

Reads go through a Reader and the apply's frequent changes through a Writer: the local socket without the SDK,
or the SDK for a remote engine; the rarer calls through the SDK. What the engine's version allows is asked of its
Capabilities.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dockerlab.core.capabilities import Capabilities, Feature
from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import SHARED, STANDALONE_NETWORKS, ContainerSpec, NetworkSpec
from dockerlab.core.observed import (
    Endpoint,
    Observed,
    ObservedNetwork,
    container_from_api,
    inspected_endpoint,
    membership_from_api,
    network_from_api,
)
from dockerlab.core.waiting import wait_until
from dockerlab.engine.address import unix_socket_path
from dockerlab.engine.bodies import container_body, endpoint_body, network_body
from dockerlab.engine.exec import InsideCalls
from dockerlab.engine.explain import busy_network
from dockerlab.engine.socketapi import SocketReader, SocketWriter
from dockerlab.engine.swarmcalls import SWARM_TASKS_GONE, SwarmCalls
from dockerlab.engine.transport import Reader, Sdk, SdkReader, SdkWriter, Writer
from dockerlab.errors import (
    AttachFailed,
    EngineError,
    NetworkInUse,
    NetworkInUseByTask,
    NetworkNotFound,
    NotConnected,
    RemovalInProgress,
    SettingsInUse,
)

if TYPE_CHECKING:
    import docker


ATTACH_TRIES = 4
ATTACH_PAUSE = 1.0  # seconds, growing: a worker learns a swarm network from the manager's gossip


class Engine(SwarmCalls, InsideCalls):
    def __init__(self, address: str, api: docker.APIClient | None = None, tls: Any = None) -> None:
        """With `api`, everything goes through that SDK client; else a local socket is read without the SDK.
        tls: a Docker context's TLS settings for a tcp:// engine."""
        self.address = address
        self.sdk = Sdk(address, api, tls=tls)
        socket_path = unix_socket_path(address) if api is None else None
        self.reader: Reader = SocketReader(address, socket_path) if socket_path else SdkReader(self.sdk)
        server = self.reader.version()
        self.caps = Capabilities(server["ApiVersion"])
        self.release = str(server.get("Version") or "unknown")
        self.sdk.version = self.caps.api_version
        self.writer: Writer = SocketWriter(address, socket_path, self.caps.api_version) if socket_path else \
            SdkWriter(self.sdk)

    def describe(self) -> str:
        return f"Docker {self.release} (API {self.caps.api_version}) at {self.address}"

    def _call(self, what: str, method: str, *args: Any, subject: object = None, missing_ok: bool = False,
              **kwargs: Any) -> Any:
        return self.sdk.call(what, lambda api: getattr(api, method)(*args, **kwargs), subject, missing_ok)

    # -- reading: a fixed number of calls whatever the lab's size

    def observe(self) -> Observed:
        return Observed(tuple(network_from_api(n) for n in self.reader.networks()),
                        tuple(container_from_api(c) for c in self.reader.containers()))

    def with_endpoint_details(self, observed: Observed, names: list[str]) -> Observed:
        """Fill in aliases and start times, which only inspect shows, for the few containers that need them."""
        if not names:
            return observed
        boxes = []
        for box in observed.containers:
            if box.name in names:
                raw = self.reader.inspect_container(box.id)
                endpoints = {name: inspected_endpoint(raw, name, box.key) for name in box.endpoints}
                box = replace(box, endpoints=endpoints, started=(raw.get("State") or {}).get("StartedAt") or "")
            boxes.append(box)
        return replace(observed, containers=tuple(boxes))

    def endpoint_of(self, container: str, network: str) -> Endpoint | None:
        """A container's endpoint on a network as it is now; None when it has none (or is gone)."""
        try:
            raw = self.reader.inspect_container(container) if container else None
        except EngineError:  # gone already: removed right after it joined
            return None
        if not raw or network not in ((raw.get("NetworkSettings") or {}).get("Networks") or {}):
            return None
        return inspected_endpoint(raw, network, None)

    def membership(self, container: str, network: str) -> Attachment | None:
        """A container's membership of a network as it is now, to put back (see observed.membership_from_api)."""
        return membership_from_api(self.reader.inspect_container(container), network,
                                   self.caps.has(Feature.ENDPOINT_MAC))

    def local_images(self) -> set[str]:
        names: set[str] = set()
        for image in self.reader.images():
            names.update(image.get("RepoTags") or ())
            names.update(image.get("RepoDigests") or ())
            names.add(image["Id"])
        return names

    def events(self, wanted: dict[str, tuple[str, ...]], since: float | None, until: float | None,
               stop: threading.Event) -> Iterator[dict[str, Any]]:
        """The engine's events of these types and actions ({"container": ("start", ...)}), as it reports them, from
        `since` (unix seconds; None: from now) until `stop` is set or `until` passes."""
        filters = {"type": list(wanted), "event": sorted({a for actions in wanted.values() for a in actions})}
        return self.reader.events(filters, _stamp(since), _stamp(until), stop)

    @cached_property
    def info(self) -> dict[str, Any]:
        found: dict[str, Any] = self.reader.info()
        return found

    @property
    def identity(self) -> str:
        """The engine's own ID: one engine, however its address is spelled. Engines that share a key file (two
        daemons on one machine) share an ID too; their data roots tell them apart."""
        return f"{self.info.get('ID') or self.address}:{self.info.get('DockerRootDir', '')}"

    # -- networks

    def create_network(self, spec: NetworkSpec, labels: dict[str, str]) -> str:
        result = self.writer.send(f"create network {spec.name}", "POST", "/networks/create",
                                  body=network_body(spec, labels), subject=spec)
        return str(result["Id"])

    def network(self, name_or_id: str) -> ObservedNetwork | None:
        raw = self.reader.inspect_network(name_or_id)
        return network_from_api(raw) if raw else None

    def remove_network(self, name_or_id: str, label: str, scope: str = "local") -> None:
        try:
            self._remove_network(name_or_id, label, scope)
        except NetworkInUse:
            self._clear_stale_endpoints(name_or_id, label)
            self._delete(f"remove network {label}", f"/networks/{quote(name_or_id, safe='')}")
        if scope == "swarm":  # the manager removes swarm networks asynchronously: wait until gone
            wait_until(lambda: not self.reader.inspect_network(name_or_id), 15, 0.1)

    def _remove_network(self, name_or_id: str, label: str, scope: str) -> None:
        """A swarm network stays 'in use by task' for a while after containers on other hosts left it: the
        swarm removes their attachment tasks asynchronously."""
        refusals: list[EngineError] = []

        def removed() -> bool:
            try:
                self._delete(f"remove network {label}", f"/networks/{quote(name_or_id, safe='')}")
                return True
            except NetworkInUseByTask as exc:
                if scope != "swarm" and not isinstance(exc, SettingsInUse):
                    raise
                refusals.append(exc)
                return False
        if not wait_until(removed, SWARM_TASKS_GONE, 0.25):
            held = ("a network still takes its settings (one outside the lab?); remove that network"
                    if isinstance(refusals[-1], SettingsInUse) else
                    "a container on a host of the swarm is still attached to it (one outside the lab?); remove it")
            raise EngineError(f"{refusals[-1]}: after {SWARM_TASKS_GONE:.0f}s {held} there and run again")

    def _clear_stale_endpoints(self, network: str, label: str) -> None:
        """Docker can keep an endpoint after its container is gone (moby#17217); only those are cleared."""
        users = (self.reader.inspect_network(network) or {}).get("Containers") or {}
        live = {c["Id"] for c in self.reader.containers()}
        verdict = busy_network(label, {cid: ep.get("Name", cid) for cid, ep in users.items()}, live)
        if isinstance(verdict, str):
            raise EngineError(verdict)
        for endpoint in verdict:
            self.disconnect(endpoint, network)

    def _delete(self, what: str, path: str) -> None:
        self.writer.send(what, "DELETE", path, missing_ok=True)

    # -- containers

    def pull(self, image: str) -> None:
        repo, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "latest")
        try:
            self._call(f"pull image {image}", "pull", repo, tag=tag or "latest")
            self._call(f"inspect image {image}", "inspect_image", image)
        except EngineError as exc:
            raise EngineError(f"image '{image}' is not on this engine and pulling it failed ({exc}). Build or "
                              "load it locally (`make image` builds busybox from Debian's busybox-static), "
                              "or check its name") from None

    def create_container(self, spec: ContainerSpec, labels: dict[str, str], networks: dict[str, str],
                         joined: tuple[Attachment, ...], shares: str | None = None) -> str:
        """Create it on the networks `joined`, the first its network mode (the engine takes one, or from API 1.44
        several). `networks`: key -> Docker name; by name, not id, because a recreated network keeps its name
        and Docker 28 refuses to connect a container whose network mode names a network that is gone.
        shares: the name of the container whose network stack it joins instead (it then joins no network)."""
        mode = f"{SHARED}{shares}" if shares else networks.get(joined[0].network, joined[0].network)
        endpoints = None
        if joined and mode not in STANDALONE_NETWORKS:  # bridge too: its endpoint has the MAC from API 1.44
            endpoints = {networks[a.network]: self._endpoint(a, spec.key, primary=i == 0) for i, a in enumerate(joined)}
        container_mac = joined[0].mac if joined and mode not in STANDALONE_NETWORKS and not self.caps.has(
            Feature.ENDPOINT_MAC) else None
        result = self.writer.send(f"create container {spec.name}", "POST", "/containers/create", {"name": spec.name},
                                  container_body(spec, labels, mode, endpoints, container_mac), subject=spec)
        return str(result["Id"])

    def _endpoint(self, att: Attachment, dns_name: str | None, primary: bool) -> dict[str, Any]:
        """Before API 1.44 a container has one MAC, given at create: then only its first network may name it."""
        per_endpoint_mac = self.caps.has(Feature.ENDPOINT_MAC)
        if att.mac and not primary and not per_endpoint_mac:
            raise EngineError(f"network {att.network}: {self.caps.lacks(Feature.ENDPOINT_MAC)}; "
                              "list the network with the MAC first")
        return endpoint_body(att, dns_name, att.mac if per_endpoint_mac else None)

    def connect(self, container: str, network: str, att: Attachment, dns_name: str | None, label: str = "") -> None:
        """container: its id (or name); label: its name, for messages. The endpoint as create sends it."""
        body = {"Container": container, "EndpointConfig": self._endpoint(att, dns_name, primary=False)}
        self.writer.send(f"connect {label or container} to {network}", "POST",
                         f"/networks/{quote(network, safe='')}/connect", body=body, subject=att)

    def disconnect(self, container: str, network: str, label: str = "") -> None:
        """Not connected (any more) is what was asked: a network made anew took its endpoints with it."""
        with suppress(NotConnected):
            self.writer.send(f"disconnect {label or container} from {network}", "POST",
                             f"/networks/{quote(network, safe='')}/disconnect",
                             body={"Container": container, "Force": True}, missing_ok=True)

    def networks_named(self, name: str) -> list[dict[str, Any]]:
        """Exactly this name: the engine's own name filter matches substrings."""
        return [n for n in self.reader.networks() if n.get("Name") == name]

    def park(self, container: str, parked_name: str) -> bool:
        """Stop a container at once and rename it out of the way; returns whether it was running."""
        running = bool((self.reader.inspect_container(container).get("State") or {}).get("Running"))
        self.stop(container, container[:12])
        self.writer.send(f"rename container {container[:12]}", "POST",
                         f"/containers/{quote(container, safe='')}/rename", {"name": parked_name})
        return running

    def stop(self, container: str, label: str) -> None:
        """At once: a lab's containers hold no state worth a grace period."""
        self.writer.send(f"stop container {label}", "POST", f"/containers/{quote(container, safe='')}/stop",
                         {"t": "0"})

    def unpark(self, container: str, name: str, start: bool) -> None:
        self.writer.send(f"rename container {container[:12]} back to {name}", "POST",
                         f"/containers/{quote(container, safe='')}/rename", {"name": name})
        if start:
            self.start(container, name)

    def start(self, container: str, label: str) -> None:
        """On a swarm worker the manager must allocate the overlay attachment first; a busy manager misses
        Docker's own deadline now and then (moby#41841), and the next start usually succeeds. A worker that
        has just joined may not know the overlay yet (Docker 28 answers 404): it learns it within seconds."""
        for attempt in range(ATTACH_TRIES):
            try:
                self.writer.send(f"start container {label}", "POST", f"/containers/{quote(container, safe='')}/start")
                return
            except (AttachFailed, NetworkNotFound):
                if attempt == ATTACH_TRIES - 1:
                    raise
                time.sleep(ATTACH_PAUSE * (attempt + 1))

    def remove_container(self, container: str, label: str) -> None:
        """A removal already in progress (a destroy killed halfway) is waited for, not failed."""
        try:
            self.writer.send(f"remove container {label}", "DELETE", f"/containers/{quote(container, safe='')}",
                             {"force": "1", "v": "1"}, missing_ok=True)
        except RemovalInProgress as exc:
            if not wait_until(lambda: not self._exists(container), SWARM_TASKS_GONE, 0.2):
                raise EngineError(f"{exc}; it was still there after {SWARM_TASKS_GONE:.0f}s") from None

    def _exists(self, container: str) -> bool:
        return self.sdk.call(f"inspect container {container}", lambda api: api.inspect_container(container),
                             missing_ok=True) is not None


def _stamp(seconds: float | None) -> str | None:
    """Unix seconds as the events API takes them: seconds.nanoseconds."""
    return None if seconds is None else f"{seconds:.9f}"
