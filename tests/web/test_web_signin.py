"""Signing in and out: cookies, failures, lockout, safe redirects, disabled users."""

from __future__ import annotations

from pathlib import Path

from fixtures.web import PASSWORD, World, build_world, form_token
from joinedup.domain.login_policy import LoginPolicy


def _sign_in(client, user: str, password: str, next_page: str = "/"):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": user, "password": password, "next": next_page,
                                       "csrf_token": form_token(client, "/login")})


def test_sign_in_sets_secure_httponly_samesite_cookies_and_is_audited(world: World) -> None:
    client = world.client()
    assert client.get("/").headers["location"] == "/login?next=%2F"
    response = _sign_in(client, "gp_a", PASSWORD, "/admin/audit")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/audit"
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    for name in ("joinedup_session", "joinedup_csrf"):
        assert {"httponly", "secure", "samesite=lax", "path=/"} <= {
            part.strip() for part in cookies[name].split(";")}
    home = client.get("/")
    assert home.status_code == 200
    assert "Signed in as gp_a" in home.text and "A81001" in home.text
    [entry] = [e for e in world.store.audit.read() if e.action == "login"]
    assert (entry.user_name, entry.role, entry.outcome, entry.client_address) == (
        "gp_a", "practice_user", "success", "testclient")


def test_wrong_password_unknown_user_and_blank_form_get_the_same_answer(world: World) -> None:
    client = world.client()
    answers = [_sign_in(client, "gp_a", "wrong password here"),
               _sign_in(client, "nobody", PASSWORD),
               _sign_in(client, "", "")]
    assert [a.status_code for a in answers] == [400, 400, 400]
    messages = {a.text.split('nhsuk-error-summary__list')[1][:400] for a in answers}
    assert len(messages) == 1 and "not right" in messages.pop()
    assert all("joinedup_session" not in a.headers.get("set-cookie", "") for a in answers)
    assert client.get("/").status_code == 303
    failures = [e for e in world.store.audit.read() if e.action == "login"]
    assert [e.outcome for e in failures] == ["failure"] * 3


def test_account_locks_after_five_failures_even_for_the_right_password(
    tmp_path: Path, ops_url: str, clock,  # type: ignore[no-untyped-def]
) -> None:
    world = build_world(tmp_path, ops_url, clock=clock, policy=LoginPolicy(max_account_failures=5))
    client = world.client()
    for _ in range(5):
        assert _sign_in(client, "analyst", "not the password").status_code == 400
    locked = _sign_in(client, "analyst", PASSWORD)
    assert locked.status_code == 400  # the same answer as a wrong password
    assert world.store.audit.read()[0].outcome == "refused"
    assert world.client("analyst").get("/api/me").status_code == 200  # tokens still work
    clock.advance(minutes=16)
    assert _sign_in(client, "analyst", PASSWORD).status_code == 303
    world.store.close()


def test_address_is_refused_after_many_failures_across_accounts(
    tmp_path: Path, ops_url: str, clock,  # type: ignore[no-untyped-def]
) -> None:
    policy = LoginPolicy(max_account_failures=5, max_address_failures=6)
    world = build_world(tmp_path, ops_url, clock=clock, policy=policy)
    client = world.client()
    for user in ("admin", "analyst", "lead", "board", "gp_a", "gp_b"):
        assert _sign_in(client, user, "guessing wrongly").status_code == 400
    assert _sign_in(client, "nurse", PASSWORD).status_code == 400
    world.store.close()


def test_sign_in_only_redirects_within_the_site(world: World) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "admin"):
        client = world.client()
        response = _sign_in(client, "admin", PASSWORD, target)
        assert response.headers["location"] == "/", target


def test_sign_out_ends_the_session_on_the_server(world: World) -> None:
    client = world.signed_in("lead")
    session = client.cookies.get("joinedup_session")
    assert client.get("/api/me").json()["name"] == "lead"
    response = client.post("/logout", data={"csrf_token": form_token(client, "/logout")})
    assert response.headers["location"] == "/login"
    assert client.get("/api/me").status_code == 401
    replay = world.client()
    replay.cookies.set("joinedup_session", str(session))
    assert replay.get("/api/me").status_code == 401  # the old cookie is dead, not just deleted
    assert [e.action for e in world.store.audit.read()][:2] == ["logout", "login"]


def test_a_disabled_user_is_refused_everywhere_at_once(world: World) -> None:
    browser = world.signed_in("gp_b")
    script = world.client("gp_b")
    assert browser.get("/api/me").status_code == 200
    admin = world.client("admin")
    assert admin.post("/admin/users/gp_b/disable").status_code == 303
    assert browser.get("/api/me").status_code == 401
    assert browser.get("/").headers["location"].startswith("/login")
    assert script.get("/api/me").status_code == 401
    assert _sign_in(world.client(), "gp_b", PASSWORD).status_code == 400
    assert [e.action for e in world.store.audit.read() if e.action == "user.disable"] == [
        "user.disable"]


def test_an_admin_cannot_disable_themself(world: World) -> None:
    response = world.client("admin").post("/admin/users/admin/disable")
    assert response.status_code == 400
    assert not world.store.accounts.require("admin").disabled
