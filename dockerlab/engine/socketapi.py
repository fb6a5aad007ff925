"""A local engine over its unix socket without the SDK: HTTP/1.0, one connection per request, which the daemon
answers with a plain body and closes. Reads, and the changes an apply makes most (create, start, connect,
remove): the SDK's import and its per-request work are a good share of a small lab's apply."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from dockerlab.engine.explain import explain_connection_error
from dockerlab.engine.transport import Json, read_timeout, refused, stopped_answering, write_timeout
from dockerlab.errors import EngineGone

STREAM_TICK = 0.25  # seconds between looks at a stream's stop flag


class _Socket:
    def __init__(self, address: str, socket_path: str, api_version: str | None = None) -> None:
        self.address, self.socket_path = address, socket_path
        self.api_version = api_version  # the reader pins it once it has read the version, as the SDK does

    def _request(self, what: str, method: str, path: str, query: dict[str, Any] | None, body: Json,
                 subject: object, missing_ok: bool, timeout: float) -> Json:
        url = (f"/v{self.api_version}{path}" if self.api_version else path) + (
            f"?{urlencode(query)}" if query else "")
        try:
            status, answer = _unix_request(self.socket_path, method, url, body, timeout)
        except TimeoutError:
            raise EngineGone(stopped_answering(self.address, what, timeout)) from None
        except (OSError, ValueError, IndexError) as exc:  # no engine, or not an HTTP answer
            raise EngineGone(explain_connection_error(exc, self.address)) from None
        if status < 400:
            return json.loads(answer) if answer.strip() else None
        return refused(what, status, _message(answer), missing_ok, subject)


class SocketReader(_Socket):
    """The engine's reads (transport.Reader)."""

    def version(self) -> Json:
        found = self._get("read engine version", "/version")
        self.api_version = found["ApiVersion"]
        return found

    def networks(self) -> Json:
        return self._get("list networks", "/networks")

    def containers(self) -> Json:
        return self._get("list containers", "/containers/json", {"all": 1})

    def images(self) -> Json:
        return self._get("list images", "/images/json")

    def info(self) -> Json:
        return self._get("read engine info", "/info")

    def inspect_container(self, ref: str) -> Json:
        return self._get(f"inspect container {ref}", f"/containers/{quote(ref)}/json")

    def inspect_network(self, ref: str) -> Json | None:
        return self._get(f"inspect network {ref}", f"/networks/{quote(ref)}", missing_ok=True)

    def swarm(self) -> Json:
        return self._get("inspect the swarm", "/swarm")

    def nodes(self) -> Json:
        return self._get("list swarm nodes", "/nodes")

    def services(self) -> Json:
        return self._get("list swarm services", "/services")

    def events(self, filters: dict[str, list[str]], since: str | None, until: str | None,
               stop: threading.Event) -> Iterator[Json]:
        query = {"filters": json.dumps(filters)} | ({"since": since} if since else {}) | (
            {"until": until} if until else {})
        url = (f"/v{self.api_version}" if self.api_version else "") + f"/events?{urlencode(query)}"
        try:
            yield from _stream(self.socket_path, url, stop)
        except TimeoutError:
            raise EngineGone(stopped_answering(self.address, "read engine events", read_timeout())) from None
        except (OSError, ValueError, IndexError) as exc:
            raise EngineGone(explain_connection_error(exc, self.address)) from None

    def _get(self, what: str, path: str, query: dict[str, Any] | None = None, missing_ok: bool = False) -> Json:
        return self._request(what, "GET", path, query, None, None, missing_ok, read_timeout())


class SocketWriter(_Socket):
    """The apply's frequent changes (transport.Writer), at the API version the reader agreed."""

    def send(self, what: str, method: str, path: str, query: dict[str, str] | None = None,
             body: Json = None, subject: object = None, missing_ok: bool = False) -> Json:
        return self._request(what, method, path, query, body, subject, missing_ok, write_timeout())


def _stream(socket_path: str, url: str, stop: threading.Event) -> Iterator[Json]:
    """A streamed answer (HTTP/1.0: no chunks, the body until the daemon closes), one JSON value per line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(read_timeout())
        sock.connect(socket_path)
        sock.sendall(f"GET {url} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            if not (chunk := sock.recv(1 << 16)):
                raise ValueError("the engine closed the event stream before it answered")
            buffer += chunk
        reply, _, buffer = buffer.partition(b"\r\n\r\n")
        if (status := _status(reply)) >= 400:
            refused("read engine events", status, _message(buffer), False)
        sock.settimeout(STREAM_TICK)  # so that `stop` is looked at while no event comes
        while not stop.is_set():
            lines = buffer.split(b"\n")
            buffer = lines.pop()
            yield from (json.loads(line) for line in lines if line.strip())
            try:
                chunk = sock.recv(1 << 16)
            except TimeoutError:
                continue
            if not chunk:
                return
            buffer += chunk


def _unix_request(socket_path: str, method: str, url: str, body: Json, timeout: float) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {url} HTTP/1.0\r\nHost: docker\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(socket_path)
        sock.sendall(head.encode() + b"\r\n" + data)
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    reply, _, answer = b"".join(chunks).partition(b"\r\n\r\n")
    return _status(reply), answer


def _status(reply: bytes) -> int:
    """The status code of an HTTP reply's head."""
    return int(reply.split(b" ", 2)[1])


def _message(answer: bytes) -> str:
    """What the daemon says of a refusal: its JSON's message, else its text."""
    return str(json.loads(answer).get("message", "")) if answer.startswith(b"{") else answer.decode(errors="replace")
