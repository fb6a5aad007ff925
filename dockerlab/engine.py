"""The engine adapter: the only module that talks to Docker.

The Docker SDK is imported here, late, so that `--help` and `validate` start fast.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import EngineError
from .explain import explain_api_error, explain_connection_error
from .model import PREDEFINED_NETWORKS, STANDALONE_NETWORKS, Attachment, ContainerSpec, NetworkSpec
from .observed import Observed, container_from_api, network_from_api

if TYPE_CHECKING:
    import docker


class Engine:
    def __init__(self, api: docker.APIClient) -> None:
        self.api = api
        self.api_version: str = api.api_version

    @classmethod
    def from_env(cls) -> Engine:
        import docker
        from docker.errors import DockerException

        try:
            client = docker.from_env(version="auto", timeout=int(os.environ.get("DOCKERLAB_TIMEOUT", "120")))
        except DockerException as exc:
            raise EngineError(explain_connection_error(exc)) from None
        return cls(client.api)

    @property
    def host(self) -> str:
        return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")

    @property
    def is_local(self) -> bool:
        return self.api.base_url.startswith("http+docker://local")

    def at_least(self, version: str) -> bool:
        return tuple(map(int, self.api_version.split("."))) >= tuple(map(int, version.split(".")))

    # -- reading: a fixed number of calls whatever the lab's size

    def observe(self) -> Observed:
        networks = self._call("list networks", self.api.networks)
        containers = self._call("list containers", self.api.containers, all=True)
        return Observed(tuple(network_from_api(n) for n in networks),
                        tuple(container_from_api(c) for c in containers), self.api_version)

    def with_endpoint_details(self, observed: Observed, names: list[str]) -> Observed:
        """Fill in aliases, which only inspect shows, for the few containers that need them."""
        if not names:
            return observed
        boxes = []
        for box in observed.containers:
            if box.name in names:
                raw = self._call(f"inspect container {box.name}", self.api.inspect_container, box.id)
                noise = {box.id[:12], raw["Config"].get("Hostname"), box.key}
                nets = raw["NetworkSettings"]["Networks"] or {}
                endpoints = {name: replace(ep, aliases=tuple(a for a in (nets.get(name, {}).get("Aliases") or ())
                                                             if a not in noise))
                             for name, ep in box.endpoints.items()}
                box = replace(box, endpoints=endpoints)
            boxes.append(box)
        return replace(observed, containers=tuple(boxes))

    def local_images(self) -> set[str]:
        names: set[str] = set()
        for image in self._call("list images", self.api.images):
            names.update(image.get("RepoTags") or ())
            names.update(image.get("RepoDigests") or ())
            names.add(image["Id"])
        return names

    def swarm_state(self) -> tuple[str, bool]:
        """(LocalNodeState, is a manager)"""
        swarm = self._call("read engine info", self.api.info).get("Swarm") or {}
        return swarm.get("LocalNodeState", "inactive"), bool(swarm.get("ControlAvailable"))

    # -- writing

    def pull(self, image: str) -> None:
        repo, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "latest")
        try:
            self._call(f"pull image {image}", self.api.pull, repo, tag=tag or "latest")
            self._call(f"inspect image {image}", self.api.inspect_image, image)
        except EngineError as exc:
            raise EngineError(f"image '{image}' is not on this engine and pulling it failed ({exc}). Build or "
                              "load it locally (`make image` builds busybox from Debian's busybox-static), "
                              "or check its name") from None

    def create_network(self, spec: NetworkSpec, labels: dict[str, str]) -> str:
        from docker.types import IPAMConfig, IPAMPool

        ipam = None
        if spec.pools:
            ipam = IPAMConfig(pool_configs=[IPAMPool(
                subnet=str(p.subnet), gateway=str(p.gateway) if p.gateway else None,
                iprange=str(p.ip_range) if p.ip_range else None,
                aux_addresses={k: str(v) for k, v in p.aux_addresses} or None) for p in spec.pools])
        result = self._call(f"create network {spec.name}", self.api.create_network, spec.name,
                            driver=spec.driver, options=spec.driver_options() or None, ipam=ipam,
                            check_duplicate=True, internal=spec.internal, labels=labels,
                            enable_ipv6=spec.ipv6, attachable=spec.attachable or None, subject=spec)
        return result["Id"]

    def remove_network(self, name_or_id: str, label: str, scope: str = "local") -> None:
        self._call(f"remove network {label}", self.api.remove_network, name_or_id, missing_ok=True)
        if scope == "swarm":  # the manager removes swarm networks asynchronously: wait until gone
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self._call(
                    f"inspect network {label}", self.api.inspect_network, name_or_id, missing_ok=True):
                time.sleep(0.1)

    def create_container(self, spec: ContainerSpec, labels: dict[str, str], networks: dict[str, str]) -> str:
        """Create in the first network; Docker < 25 takes only one at create. `networks`: key -> Docker name."""
        api = self.api
        first = spec.attachments[0]
        mode = networks.get(first.network, first.network)
        bindings: dict[str, list] = {}
        for p in spec.ports:
            bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append(
                (p.host_ip, p.host_port) if p.host_ip else p.host_port)
        host_config = api.create_host_config(network_mode=mode, port_bindings=bindings or None,
                                             cap_add=list(spec.cap_add) or None)
        networking = None
        if mode not in PREDEFINED_NETWORKS:
            networking = api.create_networking_config({mode: self.api.create_endpoint_config(
                **self._endpoint_args(first, spec.key, primary=True))})
        result = self._call(
            f"create container {spec.name}", api.create_container, spec.image,
            command=list(spec.command) if spec.command is not None else None, name=spec.name,
            hostname=spec.hostname, environment=dict(spec.env) or None, labels=labels,
            ports=[(p.container_port, p.protocol) for p in spec.ports] or None, host_config=host_config,
            networking_config=networking, mac_address=first.mac if mode not in STANDALONE_NETWORKS
            and not self.at_least("1.44") else None, detach=True, subject=spec)
        return result["Id"]

    def _endpoint_args(self, att: Attachment, dns_name: str, primary: bool) -> dict[str, Any]:
        """The container's lab key is an alias too, so lab checks and users can say `ping four`."""
        if att.mac and not primary and not self.at_least("1.44"):
            raise EngineError(f"network {att.network}: this engine (API {self.api_version}) sets a MAC address "
                              "only on a container's first network; list that network first, or use Docker 25+")
        return {"ipv4_address": str(att.ipv4) if att.ipv4 else None,
                "ipv6_address": str(att.ipv6) if att.ipv6 else None,
                "aliases": list(dict.fromkeys([*att.aliases, dns_name]))
                if att.network not in PREDEFINED_NETWORKS else None,
                "mac_address": att.mac if self.at_least("1.44") else None}

    def connect(self, container: str, network: str, att: Attachment, dns_name: str) -> None:
        self._call(f"connect {container} to {network}", self.api.connect_container_to_network, container, network,
                   subject=att, **self._endpoint_args(att, dns_name, primary=False))

    def disconnect(self, container: str, network: str) -> None:
        self._call(f"disconnect {container} from {network}", self.api.disconnect_container_from_network,
                   container, network, force=True, missing_ok=True)

    def start(self, container: str, label: str) -> None:
        self._call(f"start container {label}", self.api.start, container)

    def remove_container(self, container: str, label: str) -> None:
        self._call(f"remove container {label}", self.api.remove_container, container, force=True, v=True,
                   missing_ok=True)

    def exec(self, container: str, argv: list[str]) -> tuple[int, str]:
        """Run argv (a list, never a shell string) in a container; return exit code and output."""
        exec_id = self._call(f"exec in {container}", self.api.exec_create, container, argv)
        output = self._call(f"exec in {container}", self.api.exec_start, exec_id)
        code = self._call(f"exec in {container}", self.api.exec_inspect, exec_id)["ExitCode"]
        return code, output.decode(errors="replace")

    def _call(self, what: str, fn: Any, *args: Any, subject: Any = None, missing_ok: bool = False,
              **kwargs: Any) -> Any:
        from docker.errors import APIError, DockerException, NotFound
        from requests.exceptions import ConnectionError as RequestsConnectionError

        try:
            return fn(*args, **kwargs)
        except NotFound:
            if missing_ok:
                return None
            raise EngineError(f"{what}: not found on the engine") from None
        except APIError as exc:
            if missing_ok and "not found" in str(exc.explanation or ""):  # swarm objects answer 500
                return None
            raise EngineError(explain_api_error(what, exc, subject)) from None
        except (DockerException, RequestsConnectionError) as exc:
            raise EngineError(explain_connection_error(exc)) from None
