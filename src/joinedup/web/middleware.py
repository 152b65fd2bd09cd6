"""Security headers on every answer, and a request log that carries no identifiable data.

Why: the headers make the browser refuse what the pages never need — scripts or styles from
anywhere but this server (so no inline script, which an injected one would be), framing by other
sites, MIME sniffing, leaking the address of a page in a Referer — and keep pages holding
patient data out of caches. The log line names the route's template (`/fhir/Patient/{id}`), never
the path as sent, because paths and query strings can carry NHS numbers; uvicorn's own access log
is switched off for the same reason (`joinedup.app.serve.run_server`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("joinedup.web")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_CACHEABLE_PREFIXES = ("/static/", "/assets/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(_CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control" or cacheable]
                headers.extend(_HEADERS)
                if not cacheable:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLog:
    """One INFO line per request: method, route template, status, milliseconds.

    `templates` maps a route object to its full path template (prefix included), as the app
    factory knows it; requests matching no route log "(no route)", never their path.
    """

    def __init__(self, app: ASGIApp, templates: dict[int, str]) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = self.templates.get(id(route), "(no route)")
            log.info("%s %s %s %.0fms", scope["method"], template, status["code"],
                     (time.perf_counter() - started) * 1000)
