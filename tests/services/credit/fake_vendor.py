"""A credit bureau vendor for tests: a real HTTP server on 127.0.0.1 answering what it is told."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class FakeVendor:
    url: str = ""
    status: int = 200
    reply: bytes = b"{}"
    asked: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, reply: Any, status: int = 200) -> None:
        self.status = status
        self.reply = reply if isinstance(reply, bytes) else json.dumps(reply).encode()

    async def _report(self, request: Request) -> Response:
        self.asked.append(
            {"query": await request.json(), "auth": request.headers.get("authorization")}
        )
        return Response(self.reply, status_code=self.status, media_type="application/json")


@asynccontextmanager
async def fake_vendor() -> AsyncIterator[FakeVendor]:
    vendor = FakeVendor()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    vendor.url = f"http://127.0.0.1:{sock.getsockname()[1]}/v2/reports"
    app = Starlette(routes=[Route("/v2/reports", vendor._report, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield vendor
    finally:
        server.should_exit = True
        await task
        sock.close()
