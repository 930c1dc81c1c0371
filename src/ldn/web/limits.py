"""Request body limits, applied before routing, authentication and body parsing.

`BodyLimitMiddleware` refuses a request whose body is larger than its limit with 413: at once
when `Content-Length` says so (nothing is read), else as soon as the streamed body passes the
limit. Ordinary requests (JSON, forms) may carry `MAX_BODY_BYTES`; the two CSV upload routes
`MAX_UPLOAD_BYTES` plus room for the multipart framing. So an anonymous 50 MiB JSON body costs
the server nothing before its 401.
"""

from __future__ import annotations

import json
from typing import Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ldn.web.data_io import MAX_UPLOAD_BYTES

MAX_BODY_BYTES: Final = 64 * 1024
UPLOAD_PATHS: Final = frozenset({"/api/v1/import", "/data/import"})
MULTIPART_OVERHEAD_BYTES: Final = 64 * 1024


def body_limit(path: str) -> int:
    """The largest body accepted on `path`."""
    if path in UPLOAD_PATHS:
        return MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    return MAX_BODY_BYTES


class _TooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit; the app's HTTP error
    handler turns it into the usual 413 answer (JSON for the API, the error page else)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_message(limit))


def _message(limit: int) -> str:
    mib = 1024 * 1024
    size = f"{limit // mib} MiB" if limit >= mib else f"{limit // 1024} KiB"
    return f"the request body is larger than {size}; send less (split an import file)"


class BodyLimitMiddleware:
    """413 for bodies over `body_limit(path)` (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = body_limit(path)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    await _refuse(path, limit, send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def watch_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watch_send)
        except _TooLarge:
            if not started:
                await _refuse(path, limit, send)


async def _refuse(path: str, limit: int, send: Send) -> None:
    text = _message(limit)
    if path.startswith("/api/"):
        body = json.dumps({"detail": text}).encode()
        content_type = b"application/json"
    else:
        body = text.encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
