"""Protection against cross-site request forgery on every state-changing browser request.

Why: a signed-in browser sends its session cookie with any request, even one another site
triggers, so every POST, PUT, PATCH and DELETE that does not carry an `Authorization: Bearer`
header (which browsers never add by themselves, and which is then the only credential used) must
carry a token only our pages know. The scheme is OWASP's signed double-submit cookie: a random
value in an HttpOnly cookie, and in each form (field `csrf_token`) or the `X-CSRF-Token` header
its HMAC under a key kept in the operational store. The check is a dependency of the whole app,
so no route can be left out; the value is renewed at sign-in and sign-out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from joinedup.web.auth import services

CSRF_COOKIE = "joinedup_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRefused(Exception):
    """The request changes something but does not carry a valid CSRF token."""


def _sign(key: bytes, value: str) -> str:
    return hmac.new(key, b"csrf:" + value.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this browser's forms; makes the cookie value if it has none yet."""
    value = getattr(request.state, "new_csrf_cookie", None) or request.cookies.get(CSRF_COOKIE)
    if not value:
        value = renew(request)
    return _sign(services(request).csrf_key, value)


def renew(request: Request) -> str:
    """Start a new cookie value (at sign-in and sign-out); `set_cookie` sends it."""
    value = secrets.token_urlsafe(32)
    request.state.new_csrf_cookie = value
    return value


def set_cookie(request: Request, response: Response) -> None:
    """Send the cookie if this request made a new value."""
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="lax", path="/",
                            secure=services(request).settings.secure_cookies)


async def csrf_guard(request: Request) -> None:
    """App-wide dependency: refuse an unsafe browser request without a valid token."""
    if request.method not in UNSAFE_METHODS or "authorization" in request.headers:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    cookie = request.cookies.get(CSRF_COOKIE)
    if not sent or not cookie:
        raise CsrfRefused("missing")
    if not hmac.compare_digest(_sign(services(request).csrf_key, cookie), sent):
        raise CsrfRefused("mismatch")
