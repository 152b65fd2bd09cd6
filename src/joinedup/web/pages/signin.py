"""Signing in and out.

Why: the sign-in form is the one place a password arrives. It is throttled and audited by the use
case (`joinedup.app.auth.sign_in`), answers every failure with the same words, starts a
server-side session in an HttpOnly, SameSite cookie, renews the CSRF cookie, and only ever
redirects to a path on this site.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.app.access import Principal
from joinedup.app.auth import SignInRefused, sign_in, sign_out
from joinedup.web import csrf
from joinedup.web.auth import SESSION_COOKIE, client_address, public, services
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no `//`), else the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: Annotated[Principal | None, Depends(public)],
               next: str = "/") -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, _: Annotated[Principal | None, Depends(public)],
          username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    store = services(request).store
    try:
        _principal, session_id = sign_in(store, username, password, client_address(request))
    except SignInRefused as refusal:
        return render(request, "login.html", {"next": safe_next(next), "error": str(refusal),
                                              "username": username[:64]}, status_code=400)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="lax", path="/",
                        secure=services(request).settings.secure_cookies)
    csrf.renew(request)
    csrf.set_cookie(request, response)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request,
                principal: Annotated[Principal | None, Depends(public)]) -> Response:
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "logout.html")


@router.post("/logout")
def logout(request: Request, principal: Annotated[Principal | None, Depends(public)]) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        sign_out(services(request).store, session_id, principal, client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=services(request).settings.secure_cookies)
    csrf.renew(request)
    csrf.set_cookie(request, response)
    return response
