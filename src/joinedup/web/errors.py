"""How refusals and mistakes are answered: as a page, as JSON, or (later) as a FHIR outcome.

Why: the same refusal (not signed in, not allowed, a bad CSRF token, a user's mistake) must be
answered in the form the caller understands. Pages send a browser to sign in or show an NHS.UK
error page; `/api` answers JSON with the right status (401 with `WWW-Authenticate: Bearer`, 403,
400); the FHIR engineer registers a renderer for `/fhir` in `RENDERERS` that answers with an
OperationOutcome. No answer repeats patient values; a fault in joinedup is a plain 500.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from joinedup.app.access import Refused
from joinedup.app.errors import UserError
from joinedup.web.auth import NotAuthenticated
from joinedup.web.csrf import CsrfRefused
from joinedup.web.templating import render

Renderer = Callable[[Request, int, str], Response]


def json_error(request: Request, status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def page_error(request: Request, status: int, message: str) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    titles = {403: "You do not have access to this page", 404: "Page not found",
              400: "There is a problem", 405: "Page not found"}
    return render(request, "error.html",
                  {"title": titles.get(status, "Sorry, there is a problem with the service"),
                   "message": message}, status_code=status)


RENDERERS: dict[str, Renderer] = {"/api": json_error, "/fhir": json_error}
"""Error renderer by path prefix; anything else is a page. The FHIR API (web/fhir.py) registers
its OperationOutcome renderer for `/fhir` here."""


def _renderer(request: Request) -> Renderer:
    path = request.url.path
    for prefix, renderer in RENDERERS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return renderer
    return page_error


def install(app: FastAPI) -> None:
    async def not_authenticated(request: Request, exc: Exception) -> Response:
        return _renderer(request)(request, 401, str(exc) or "sign in first")

    async def refused(request: Request, exc: Exception) -> Response:
        return _renderer(request)(request, 403, "you do not have permission to do this")

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        return _renderer(request)(request, 403, "the form has expired; go back and try again")

    async def user_error(request: Request, exc: Exception) -> Response:
        request.state.error = exc  # a renderer may show more than the message (FHIR issues)
        return _renderer(request)(request, getattr(exc, "status", 400), str(exc))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = sorted({".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()})
        return _renderer(request)(request, 422, f"invalid request: {', '.join(fields)}")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = _renderer(request)(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    app.add_exception_handler(NotAuthenticated, not_authenticated)
    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(UserError, user_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
