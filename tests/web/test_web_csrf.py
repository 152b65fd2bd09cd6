"""CSRF: every state-changing browser request needs the token from our own pages."""

from __future__ import annotations

from fixtures.web import PASSWORD, World, form_token
from joinedup.web.app import route_table


def test_a_form_post_without_a_token_is_refused(world: World) -> None:
    client = world.client()
    form_token(client, "/login")  # the browser has the cookie, but the form lacks the field
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "joinedup_session" not in response.headers.get("set-cookie", "")


def test_a_token_from_another_browser_is_refused(world: World) -> None:
    attacker = world.client()
    stolen = form_token(attacker, "/login")
    victim = world.client()
    form_token(victim, "/login")
    response = victim.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "csrf_token": stolen})
    assert response.status_code == 403


def test_a_forged_post_from_a_signed_in_browser_changes_nothing(world: World) -> None:
    admin = world.signed_in("admin")
    for data in ({}, {"csrf_token": "0" * 64}):
        assert admin.post("/admin/users/board/disable", data=data).status_code == 403
    assert not world.store.accounts.require("board").disabled
    ok = admin.post("/admin/users/board/disable",
                    data={"csrf_token": form_token(admin, "/admin")})
    assert ok.status_code == 303
    assert world.store.accounts.require("board").disabled


def test_bearer_requests_need_no_csrf_token_and_ignore_cookies(world: World) -> None:
    script = world.client("admin")
    assert script.post("/admin/users/board/disable").status_code == 303
    mixed = world.signed_in("admin")
    mixed.headers["Authorization"] = "Bearer jdu_wrong"
    assert mixed.get("/api/me").status_code == 401  # the cookie does not rescue a bad token


def test_every_unsafe_route_is_csrf_guarded(world: World) -> None:
    client = world.client()
    form_token(client, "/login")
    unsafe = [(m, p) for m, p, _ in route_table(world.app) if m not in ("GET", "HEAD")]
    assert unsafe  # login, logout, disable …
    for method, path in unsafe:
        concrete = path.replace("{name}", "board")
        assert client.request(method, concrete).status_code == 403, (method, path)
