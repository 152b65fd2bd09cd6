"""Who is asking, and the guard every route uses: `Depends(require(Permission.X))`.

Why: one dependency resolves the caller — a bearer token (`Authorization: Bearer jdu_…`) for
scripts and the APIs, else the session cookie of a signed-in browser — and one guard checks the
permission through the access policy, so no route can authorise in its own way. A route open to
everyone declares `Depends(public)` instead; a test walks every route and fails if one declares
neither. Routes whose data belongs to an organisation (a practice's patients, a patient's care
relationships) take the principal from `require` and call `authorise(principal, permission,
orgs)` with the organisations the data belongs to, or use `require(permission, org_param=…)`
when the organisation is a path parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from joinedup.app.access import Permission, Principal, Refused, Scope, authorise
from joinedup.app.auth import principal_for_session, principal_for_token
from joinedup.app.serve import Services

SESSION_COOKIE = "joinedup_session"


class NotAuthenticated(Exception):
    """No valid credentials: pages answer by sending the browser to sign in, APIs with 401."""


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header; a malformed header is refused outright."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def current_principal(request: Request) -> Principal | None:
    """The signed-in principal, or None. A bearer token, when sent, is the only credential used."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    store = services(request).store
    token = bearer_token(request)
    principal: Principal | None
    if token is not None:
        principal = principal_for_token(store, token)
        if principal is None:
            raise NotAuthenticated("the API token is not valid (revoked, or its user disabled)")
    else:
        session_id = request.cookies.get(SESSION_COOKIE)
        principal = principal_for_session(store, session_id) if session_id else None
    request.state.principal = principal
    return principal


def public(request: Request) -> Principal | None:
    """Marks a route open to everyone; yields the principal if someone is signed in."""
    return current_principal(request)


public.__joinedup_access__ = "public"  # type: ignore[attr-defined]


def require(permission: Permission, org_param: str | None = None) -> Callable[..., Principal]:
    """A dependency that yields the principal if they hold `permission`, else refuses.

    With `org_param`, the route's path parameter of that name is the organisation the data
    belongs to (e.g. a practice code), and the principal must belong to it.
    """

    def guard(request: Request) -> Principal:
        principal = current_principal(request)
        if principal is None:
            raise NotAuthenticated("sign in first")
        if org_param is not None:
            authorise(principal, permission, {str(request.path_params[org_param]).upper()})
        elif permission.scope is Scope.GLOBAL:
            authorise(principal, permission)
        elif not principal.can(permission):
            raise Refused(permission, f"the {principal.role.value} role does not have it")
        # else: the route calls authorise() with the organisations its data belongs to
        return principal

    guard.__joinedup_access__ = permission  # type: ignore[attr-defined]
    return guard


def access_of(dependency: Any) -> Permission | str | None:
    """What a dependency declares about access (`public`, a permission), for the route test."""
    return getattr(dependency, "__joinedup_access__", None)
