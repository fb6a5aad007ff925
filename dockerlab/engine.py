"""The engine adapter: the only module that talks to Docker.

Reads go over the local socket with a few lines of HTTP/1.0, so that a plan with nothing to do never imports the
Docker SDK (0.1 s of imports, a third of a no-op apply). Writes, and remote engines, use the SDK, imported late.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from .errors import EngineError
from .explain import NETWORK_IN_USE, busy_network, explain_api_error, explain_connection_error
from .hostfacts import docker_host, unix_socket_path
from .model import PREDEFINED_NETWORKS, STANDALONE_NETWORKS, Attachment, ContainerSpec, NetworkSpec
from .observed import Observed, container_from_api, network_from_api

if TYPE_CHECKING:
    import docker

TIMEOUT = int(os.environ.get("DOCKERLAB_TIMEOUT", "120"))


class Engine:
    def __init__(self, api: docker.APIClient | None = None, socket_path: str | None = None) -> None:
        """With `api`, everything goes through the SDK; with `socket_path`, reads do not need it."""
        self._api, self.socket_path = api, socket_path
        self._api_lock = threading.Lock()
        self.api_version: str = api.api_version if api else self._get("read engine version", "/version",
                                                                       versioned=False)["ApiVersion"]

    @classmethod
    def from_env(cls) -> Engine:
        path = unix_socket_path(docker_host())
        return cls(socket_path=path) if path else cls(_sdk_client(None))

    @property
    def api(self) -> docker.APIClient:
        with self._api_lock:  # executor threads may ask for it at once
            if self._api is None:
                self._api = _sdk_client(self.api_version)
            return self._api

    @property
    def host(self) -> str:
        return docker_host()

    @property
    def is_local(self) -> bool:
        return unix_socket_path(self.host) is not None

    def at_least(self, version: str) -> bool:
        return tuple(map(int, self.api_version.split("."))) >= tuple(map(int, version.split(".")))

    # -- reading: a fixed number of calls whatever the lab's size

    def observe(self) -> Observed:
        networks = self._get("list networks", "/networks")
        containers = self._get("list containers", "/containers/json", {"all": 1})
        return Observed(tuple(network_from_api(n) for n in networks),
                        tuple(container_from_api(c) for c in containers), self.api_version)

    def with_endpoint_details(self, observed: Observed, names: list[str]) -> Observed:
        """Fill in aliases, which only inspect shows, for the few containers that need them."""
        if not names:
            return observed
        boxes = []
        for box in observed.containers:
            if box.name in names:
                raw = self._get(f"inspect container {box.name}", f"/containers/{box.id}/json")
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
        for image in self._get("list images", "/images/json"):
            names.update(image.get("RepoTags") or ())
            names.update(image.get("RepoDigests") or ())
            names.add(image["Id"])
        return names

    def swarm_state(self) -> tuple[str, bool]:
        """(LocalNodeState, is a manager)"""
        swarm = self._get("read engine info", "/info").get("Swarm") or {}
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
        try:
            self._call(f"remove network {label}", self.api.remove_network, name_or_id, missing_ok=True)
        except EngineError as exc:
            if not str(exc).endswith(NETWORK_IN_USE):
                raise
            self._clear_stale_endpoints(name_or_id, label)
            self._call(f"remove network {label}", self.api.remove_network, name_or_id, missing_ok=True)
        if scope == "swarm":  # the manager removes swarm networks asynchronously: wait until gone
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self._get(
                    f"inspect network {label}", f"/networks/{quote(name_or_id)}", missing_ok=True):
                time.sleep(0.1)

    def _clear_stale_endpoints(self, network: str, label: str) -> None:
        """Docker can keep an endpoint after its container is gone (moby#17217); only those are cleared."""
        users = (self._get(f"inspect network {label}", f"/networks/{quote(network)}", missing_ok=True)
                 or {}).get("Containers") or {}
        live = {c["Id"] for c in self._get("list containers", "/containers/json", {"all": 1})}
        verdict = busy_network(label, {cid: ep.get("Name", cid) for cid, ep in users.items()}, live)
        if isinstance(verdict, str):
            raise EngineError(verdict)
        for endpoint in verdict:
            self.disconnect(endpoint, network)

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
        from docker.errors import APIError, DockerException
        from requests.exceptions import ConnectionError as RequestsConnectionError

        try:
            return fn(*args, **kwargs)
        except APIError as exc:
            return _refused(what, exc.status_code or 500, str(exc.explanation or exc), missing_ok, subject)
        except (DockerException, RequestsConnectionError) as exc:
            raise EngineError(explain_connection_error(exc)) from None

    def _get(self, what: str, path: str, query: dict[str, Any] | None = None, missing_ok: bool = False,
             versioned: bool = True) -> Any:
        """GET a JSON document: over the unix socket with the standard library, else through the SDK."""
        if self.socket_path is None:
            api = self.api
            return self._call(what, lambda: api._result(api._get(api._url(path), params=query), json=True),
                              missing_ok=missing_ok)
        url = (f"/v{self.api_version}{path}" if versioned else path) + (f"?{urlencode(query)}" if query else "")
        try:
            status, body = _unix_get(self.socket_path, url)
        except (OSError, ValueError, IndexError) as exc:  # no engine, or not an HTTP answer
            raise EngineError(explain_connection_error(exc)) from None
        if status < 400:
            return json.loads(body)
        message = json.loads(body).get("message", "") if body.startswith(b"{") else body.decode(errors="replace")
        return _refused(what, status, message, missing_ok)


def _refused(what: str, status: int, message: str, missing_ok: bool, subject: Any = None) -> None:
    """The engine said no: None where a missing object is fine, else an EngineError that says what to do."""
    if missing_ok and (status == 404 or "not found" in message):  # swarm objects answer 500
        return None
    if status == 404:
        raise EngineError(f"{what}: not found on the engine")
    raise EngineError(explain_api_error(what, message, subject))


def _unix_get(socket_path: str, url: str) -> tuple[int, bytes]:
    """One HTTP/1.0 GET: the daemon answers with a plain body and closes, so no HTTP library is needed."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.connect(socket_path)
        sock.sendall(f"GET {url} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _sdk_client(version: str | None) -> docker.APIClient:
    import docker
    from docker.errors import DockerException

    try:
        return docker.from_env(version=version or "auto", timeout=TIMEOUT).api
    except DockerException as exc:
        raise EngineError(explain_connection_error(exc)) from None
