"""A small ASGI middleware adding defensive HTTP headers to every response.

The pages load only their own stylesheet, script and images, so a strict Content Security
Policy costs nothing; the API docs page (/docs) is served by FastAPI from its own assets.

Every answer except the static assets carries `Cache-Control: no-store`: pages, API answers,
plots and exports hold patient data, which no browser or proxy cache may keep (a shared
clinic computer's back button or disk cache would show them to the next user).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# The diary's address holds its credential (`/diary/<token>`): no response under it, errors
# included, lets a browser send that address on as a referrer.
_DIARY_HEADERS = {**_HEADERS, "Referrer-Policy": "no-referrer"}


class SecurityHeadersMiddleware:
    """Adds nosniff, frame denial, a same-origin referrer policy (none under /diary) and a CSP
    to HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                defaults = _DIARY_HEADERS if path.startswith("/diary") else _HEADERS
                for name, value in defaults.items():
                    headers.setdefault(name, value)
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
                content_type = headers.get("content-type", "")
                if content_type.startswith("text/html") and not path.startswith("/docs"):
                    headers.setdefault("Content-Security-Policy", _CSP)
            await send(message)

        await self.app(scope, receive, send_wrapper)
