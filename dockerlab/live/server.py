"""`dockerlab view`: one page on 127.0.0.1 that draws the lab and follows it (aiohttp, imported only here).

The page's stream (/stream, server-sent events) brings the whole picture first, then each new one and each
event; POST /check runs checks, the only thing the page can ask that touches the lab. Every request must name
this server as its Host (a DNS name rebound to 127.0.0.1 does not), one that carries an Origin must come from
this server's own (a POST must carry it), and all but the page's own files must carry the token of the address
it printed: another user of the machine reaches 127.0.0.1 too.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from dockerlab.errors import DockerlabError
from dockerlab.host.host import Host
from dockerlab.live.board import Board
from dockerlab.live.events import LabEvent
from dockerlab.live.static import STATIC, page_file
from dockerlab.live.watch import Snapshot, Watch

HEADERS = {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Door:
    """Where the server listens and the token its address carries."""

    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    def hosts(self) -> set[str]:
        names = ("127.0.0.1", "localhost")
        return {f"{n}:{self.port}" for n in names} | (set(names) if self.port == 80 else set())

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"


def app_for(board: Board, door: Door) -> web.Application:
    app = web.Application(middlewares=[_guard(door)])
    app.add_routes([web.get("/", _page), web.get("/static/{name}", _static), web.get("/stream", _stream(board)),
                    web.post("/check", _check(board))])
    return app


def _guard(door: Door) -> Any:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if request.headers.get("Host") not in door.hosts():
            return _refuse(403, "dockerlab view answers only to 127.0.0.1 and localhost")
        if (origin is not None or request.method != "GET") and origin not in {f"http://{h}" for h in door.hosts()}:
            return _refuse(403, "dockerlab view takes requests from its own page only")
        if not request.path.startswith("/static/") and not secrets.compare_digest(
                request.query.get("token", ""), door.token):
            return _refuse(403, "dockerlab view needs the token of the address it printed")
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(HEADERS)
            raise
        response.headers.update(HEADERS)
        return response
    return guard


def _refuse(status: int, why: str) -> web.Response:
    return web.Response(status=status, text=why + "\n", headers=HEADERS)


async def _page(request: web.Request) -> web.StreamResponse:
    return web.Response(text=page_file("index.html"), content_type="text/html")


async def _static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(text=page_file(name), content_type=STATIC[name])


def _stream(board: Board) -> Handler:
    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        response.headers.update(HEADERS)
        await response.prepare(request)
        page: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        page.put_nowait(("state", board.state()))  # first, the whole of it: a page that reconnects is current
        board.pages.add(page)
        try:
            while True:
                kind, data = await page.get()
                await response.write(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode())
                if kind == "bye":
                    return response
        except ConnectionResetError:  # the page was closed
            return response
        finally:
            board.pages.discard(page)
    return stream


def _check(board: Board) -> Handler:
    async def check(request: web.Request) -> web.StreamResponse:
        try:
            indexes = (await request.json()).get("checks")
        except (ValueError, AttributeError):
            indexes = "?"
        if not (indexes is None or isinstance(indexes, list) and all(type(i) is int for i in indexes)):
            raise web.HTTPBadRequest(text='POST {"checks": [index, ...]}, or {"checks": null} for all')
        if board.snap is None:
            raise web.HTTPServiceUnavailable(text="the lab is still being read")
        try:
            return web.json_response(await board.checked(indexes))
        except DockerlabError as exc:  # a check that cannot be carried out, an engine gone: said on the page
            raise web.HTTPConflict(text=str(exc)) from None
        except Exception as exc:  # a fault of dockerlab's own: one line on the page, not a traceback here
            raise web.HTTPInternalServerError(text=f"dockerlab could not run the checks: {exc!r}") from None
    return check


def serve(watch: Watch, hosts: dict[str, Host], port: int, said: Callable[[str], None]) -> None:
    """Until Ctrl-C: the page on 127.0.0.1:port (0: a free port), `said` its address once it listens."""
    asyncio.run(_serve(watch, hosts, Door(port), said))


async def _serve(watch: Watch, hosts: dict[str, Host], door: Door, said: Callable[[str], None]) -> None:
    board = Board(hosts)
    runner = web.AppRunner(app_for(board, door), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", door.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise DockerlabError(f"dockerlab view cannot listen on 127.0.0.1:{door.port}: {exc.strerror}; choose "
                             "another --port, or 0 for a free one") from None
    door.port = runner.addresses[0][1]
    failed: list[BaseException] = []
    thread = threading.Thread(target=_follow, args=(watch, board, asyncio.get_running_loop(), failed), daemon=True)
    thread.start()
    said(door.url())
    try:
        while thread.is_alive():
            await asyncio.sleep(0.2)
    finally:
        watch.stop.set()
        board.tell("bye", None)  # each page's stream ends, and the page says the view has stopped
        await asyncio.sleep(0.1)
        await runner.cleanup()
    if failed:
        raise failed[0]


def _follow(watch: Watch, board: Board, loop: asyncio.AbstractEventLoop, failed: list[BaseException]) -> None:
    def told(event: LabEvent) -> None:
        loop.call_soon_threadsafe(board.event, event)

    def seen(snap: Snapshot) -> None:
        loop.call_soon_threadsafe(board.seen, snap)
    try:
        watch.follow(told, seen)
    except Exception as exc:  # a host gone: the command ends with it, and says why
        failed.append(exc)
