"""How dockerlab reaches an engine through the Docker SDK (imported late): a remote engine's reads and changes, and
a local one's less frequent calls (exec, logs, pulls, the swarm); the engine's refusals as EngineErrors, once.
A local engine's reads and the changes an apply makes most go over its socket without the SDK (socketapi).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from dockerlab.engine.explain import explain_connection_error, refusal
from dockerlab.errors import DockerlabError, EngineError, EngineGone, NetworkNotFound

if TYPE_CHECKING:
    import docker

Json = Any


@cache
def read_timeout() -> float:
    """Seconds without a reply before a read counts as hung: DOCKERLAB_TIMEOUT, 30 by default."""
    text = os.environ.get("DOCKERLAB_TIMEOUT", "30")
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0.1 <= seconds <= 3600:  # also nan
        raise DockerlabError(f"DOCKERLAB_TIMEOUT={text!r} is not a number of seconds between 0.1 and 3600 (the "
                             "wait for an engine's reply to a read; 30 when unset)")
    return seconds


def write_timeout() -> float:
    """A change may wait on the daemon's locks: three times as long as a read."""
    return 3 * read_timeout()


class Reader(Protocol):
    """The engine's read calls: a fixed set, each one request."""

    def version(self) -> Json: ...
    def networks(self) -> Json: ...
    def containers(self) -> Json: ...
    def images(self) -> Json: ...
    def info(self) -> Json: ...
    def inspect_container(self, ref: str) -> Json: ...
    def inspect_network(self, ref: str) -> Json | None: ...
    def swarm(self) -> Json: ...  # managers only
    def nodes(self) -> Json: ...
    def services(self) -> Json: ...
    def events(self, filters: dict[str, list[str]], since: str | None, until: str | None,
               stop: threading.Event) -> Iterator[Json]:
        """The engine's events that match `filters`, from `since` (unix seconds; None: now), one at a time, until
        `stop` is set or `until` passes."""
        ...


class SdkReader:
    """The same reads through the SDK's public API, for remote engines."""

    def __init__(self, sdk: Sdk) -> None:
        self.sdk = sdk

    def version(self) -> Json:
        return self.sdk.call("read engine version", lambda api: api.version(), read=True)

    def networks(self) -> Json:
        return self.sdk.call("list networks", lambda api: api.networks(), read=True)

    def containers(self) -> Json:
        return self.sdk.call("list containers", lambda api: api.containers(all=True), read=True)

    def images(self) -> Json:
        return self.sdk.call("list images", lambda api: api.images(), read=True)

    def info(self) -> Json:
        return self.sdk.call("read engine info", lambda api: api.info(), read=True)

    def inspect_container(self, ref: str) -> Json:
        return self.sdk.call(f"inspect container {ref}", lambda api: api.inspect_container(ref), read=True)

    def inspect_network(self, ref: str) -> Json | None:
        return self.sdk.call(f"inspect network {ref}", lambda api: api.inspect_network(ref), missing_ok=True, read=True)

    def swarm(self) -> Json:
        return self.sdk.call("inspect the swarm", lambda api: api.inspect_swarm(), read=True)

    def nodes(self) -> Json:
        return self.sdk.call("list swarm nodes", lambda api: api.nodes(), read=True)

    def services(self) -> Json:
        return self.sdk.call("list swarm services", lambda api: api.services(), read=True)  # type: ignore[no-untyped-call]

    def events(self, filters: dict[str, list[str]], since: str | None, until: str | None,
               stop: threading.Event) -> Iterator[Json]:
        stream = self.sdk.call("read engine events", lambda api: api.events(
            _whole(since), _whole(until), filters, decode=True))
        closer = threading.Thread(target=lambda: (stop.wait(), stream.close()), daemon=True)
        closer.start()  # the SDK's stream blocks in a read: closing it from here ends the loop below
        try:
            yield from stream
        except Exception as exc:  # the SDK's and requests' errors, imported late: a closed stream ends quietly
            if not stop.is_set():
                raise EngineGone(explain_connection_error(exc, self.sdk.address)) from None


class Writer(Protocol):
    """The changes an apply makes most, as the API takes them: one request each."""

    def send(self, what: str, method: str, path: str, query: dict[str, str] | None = None,
             body: Json = None, subject: object = None, missing_ok: bool = False) -> Json: ...


class SdkWriter:
    """The same requests through the SDK's request helpers (its transport, TLS and ssh), for remote engines."""

    def __init__(self, sdk: Sdk) -> None:
        self.sdk = sdk

    def send(self, what: str, method: str, path: str, query: dict[str, str] | None = None,
             body: Json = None, subject: object = None, missing_ok: bool = False) -> Json:
        def request(api: Any) -> Json:  # the SDK's APIClient, whose request helpers its stubs do not declare
            url = api._url(path)
            done = api._post_json(url, data=body, params=query) if method == "POST" else api._delete(url, params=query)
            api._raise_for_status(done)
            return done.json() if done.content else None
        return self.sdk.call(what, request, subject, missing_ok)


_IMPORTING = threading.Lock()


class Sdk:
    """The Docker SDK's low-level client for one address, made on first use (threads may ask at once)."""

    def __init__(self, address: str, api: docker.APIClient | None = None, version: str | None = None,
                 tls: Any = None) -> None:
        self.address, self._api, self.version, self.tls = address, api, version, tls
        self._reads: docker.APIClient | None = api  # one given (a test's) serves both
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._api is not None

    @staticmethod
    def load() -> None:
        """Import the SDK whole, one thread at a time: its modules import each other, and importing them from
        several threads at once fails ("partially initialized module 'docker.types'"). Every way to the SDK comes
        here first, so the first step that needs it loads it, and an apply that does not never pays for it."""
        with _IMPORTING:
            import docker.errors
            import docker.types  # noqa: F401
            import requests.exceptions  # noqa: F401

    @property
    def api(self) -> docker.APIClient:
        self.load()
        with self._lock:
            if self._api is None:
                self._api = _sdk_client(self.address, self.version, self.tls, write_timeout())
            return self._api

    @property
    def reads(self) -> docker.APIClient:
        """A client for reads, which wait as long as a read may: made at the version the first one agreed."""
        api = self.api
        with self._lock:
            if self._reads is None:
                self._reads = _sdk_client(self.address, api.api_version, self.tls, read_timeout())
            return self._reads

    def call(self, what: str, fn: Callable[[docker.APIClient], Any], subject: object = None,
             missing_ok: bool = False, read: bool = False) -> Any:
        self.load()
        from docker.errors import APIError, DockerException
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import Timeout

        try:
            return fn(self.reads if read else self.api)
        except Timeout:
            waited = read_timeout() if read else write_timeout()
            raise EngineGone(stopped_answering(self.address, what, waited)) from None
        except APIError as exc:
            return refused(what, exc.status_code or 500, str(exc.explanation or exc), missing_ok, subject)
        except (DockerException, RequestsConnectionError) as exc:
            raise EngineGone(explain_connection_error(exc, self.address)) from None


def _whole(stamp: str | None) -> int | None:
    """The SDK takes whole unix seconds: the next one, so that nothing from before is told again."""
    return None if stamp is None else math.ceil(float(stamp))


def stopped_answering(address: str, what: str, seconds: float) -> str:
    return (f"{what}: the engine at {address} stopped answering (no reply in {seconds:g} s); it may be hung or "
            "overloaded: `docker info` tells, and DOCKERLAB_TIMEOUT sets how long dockerlab waits")


# the engine's words (the swarm's, the drivers', the API's), not a network's name
NETWORK_UNKNOWN = re.compile(r"network \S+ not found|network not found|no such network", re.I)


def refused(what: str, status: int, message: str, missing_ok: bool, subject: object = None) -> None:
    """The engine said no: None where a missing object is fine, else an EngineError that says what to do."""
    if missing_ok and (status == 404 or "not found" in message):  # swarm objects answer 500
        return None
    if status == 404 and NETWORK_UNKNOWN.search(message):
        raise NetworkNotFound(f"{what}: not found on the engine (Docker says: {message})")
    if status == 404:
        raise EngineError(f"{what}: not found on the engine")
    raise refusal(what, message, subject)


def _sdk_client(address: str, version: str | None, tls: Any, timeout: float) -> docker.APIClient:
    """tls: a Docker context's TLS settings; ssh:// goes through the system's ssh (its config, keys, agent)."""
    import docker
    from docker.errors import DockerException

    first: Any = read_timeout()  # requests takes seconds as a float (0.5 stays 0.5); the SDK's stubs say int
    try:  # the first contact (the version) waits as long as a read does; then calls wait `timeout`
        if tls is not None or address.startswith("ssh://"):
            api = docker.APIClient(base_url=address, version=version or "auto", timeout=first,
                                   tls=tls or False, use_ssh_client=address.startswith("ssh://"))
        else:  # from_env keeps DOCKER_TLS_VERIFY / DOCKER_CERT_PATH for a tcp:// address
            api = docker.from_env(version=version or "auto", timeout=first,
                                  environment={**os.environ, "DOCKER_HOST": address}).api
    except DockerException as exc:
        raise EngineGone(explain_connection_error(exc, address)) from None
    except ValueError as exc:  # an address docker-py cannot parse
        raise EngineGone(f"{address} is not an engine address: {exc}") from None
    api.timeout = timeout  # type: ignore[assignment]  # a float, as above
    return api
