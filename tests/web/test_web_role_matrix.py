"""Every route × every role: allowed, or refused with the right status (401 or 403).

Why: the access policy is only as good as its use. ROUTES lists every route the server answers and
who may use it, written by hand from the policy; a route missing from this list fails the first
test, so a new page or endpoint cannot ship without its row here. Practice users are tested
against each other's data, and the care professional against patients with and without a care
relationship with their organisation.
"""

from __future__ import annotations

import pytest

from fixtures.web import (
    PATIENTS_BY_PRACTICE,
    PRACTICE_A,
    PRACTICE_B,
    WORLD_USERS,
    World,
    form_token,
)
from joinedup.app.access import Role
from joinedup.web.app import route_table
from joinedup.web.auth import access_of

ANYONE = "anyone"
EVERY_ROLE = frozenset(WORLD_USERS)
ADMIN = frozenset({"admin"})
LEAD = frozenset({"lead"})
GP_A, GP_B = frozenset({"gp_a"}), frozenset({"gp_b"})
FAT = "/find-and-treat/{programme}"
WORKLIST = "/practices/{practice_code}/worklists/{programme}/{kind}"
NURSE = frozenset({"nurse"})

# (method, path as requested, route template, who may use it, page or api)
ROUTES: list[tuple[str, str, str, frozenset[str] | str, str]] = [
    ("GET", "/", "/", EVERY_ROLE, "page"),
    ("GET", "/login", "/login", ANYONE, "page"),
    ("POST", "/login", "/login", ANYONE, "page"),
    ("GET", "/logout", "/logout", ANYONE, "page"),
    ("POST", "/logout", "/logout", ANYONE, "page"),
    ("GET", "/admin", "/admin", ADMIN, "page"),
    ("POST", "/admin/users/leaver/disable", "/admin/users/{name}/disable", ADMIN, "page"),
    ("GET", "/admin/audit", "/admin/audit", ADMIN, "page"),
    ("GET", "/admin/audit.csv", "/admin/audit.csv", ADMIN, "page"),
    ("GET", "/api/me", "/api/me", EVERY_ROLE, "api"),
    ("GET", "/api/health", "/api/health", ANYONE, "api"),
    ("GET", "/api/audit", "/api/audit", ADMIN, "api"),
    ("GET", f"/api/test/practices/{PRACTICE_A}/patients",
     "/api/test/practices/{practice_code}/patients", frozenset({"gp_a"}), "api"),
    ("GET", f"/api/test/practices/{PRACTICE_B}/patients",
     "/api/test/practices/{practice_code}/patients", frozenset({"gp_b"}), "api"),
    ("GET", "/api/test/records/9000000009", "/api/test/records/{patient}",
     frozenset({"nurse"}), "api"),
    ("GET", "/api/test/records/9000000025", "/api/test/records/{patient}", frozenset(), "api"),
    # the dashboard: published or exact figures for every role; the plan editor for leads
    ("GET", "/find-and-treat", "/find-and-treat", EVERY_ROLE, "page"),
    ("GET", "/find-and-treat/af", FAT, EVERY_ROLE, "page"),
    ("GET", "/find-and-treat/af/ranking", FAT + "/ranking", EVERY_ROLE, "page"),
    ("GET", "/find-and-treat/hypertension/inequalities", FAT + "/inequalities", EVERY_ROLE,
     "page"),
    ("GET", "/find-and-treat/af/progress", FAT + "/progress", EVERY_ROLE, "page"),
    ("GET", "/find-and-treat/af/areas/PL-N", FAT + "/areas/{code}", EVERY_ROLE, "page"),
    ("GET", f"/find-and-treat/af/practices/{PRACTICE_B}", FAT + "/practices/{code}", EVERY_ROLE,
     "page"),
    ("GET", "/find-and-treat/af/download/practices.xlsx", FAT + "/download/{table}.{fmt}",
     EVERY_ROLE, "page"),
    ("GET", "/find-and-treat/af/willing", FAT + "/willing", LEAD, "page"),
    ("POST", "/find-and-treat/af/willing", FAT + "/willing", LEAD, "page"),
    ("GET", "/api/plan", "/api/plan", EVERY_ROLE, "api"),
    ("GET", "/api/programmes", "/api/programmes", EVERY_ROLE, "api"),
    ("GET", "/api/programmes/af", "/api/programmes/{programme}", EVERY_ROLE, "api"),
    ("GET", "/api/programmes/af/areas/PCN-N1", "/api/programmes/{programme}/areas/{code}",
     EVERY_ROLE, "api"),
    ("GET", f"/api/programmes/af/practices/{PRACTICE_A}",
     "/api/programmes/{programme}/practices/{code}", EVERY_ROLE, "api"),
    ("GET", "/api/programmes/af/tables/practices", "/api/programmes/{programme}/tables/{table}",
     EVERY_ROLE, "api"),
    ("GET", "/api/programmes/af/progress", "/api/programmes/{programme}/progress", EVERY_ROLE,
     "api"),
    ("GET", "/api/programmes/af/willing", "/api/programmes/{programme}/willing", EVERY_ROLE,
     "api"),
    ("PUT", "/api/programmes/af/willing", "/api/programmes/{programme}/willing", LEAD, "api"),
    # worklists: each practice's own users, and nobody else
    ("GET", f"/practices/{PRACTICE_A}/worklists", "/practices/{practice_code}/worklists", GP_A,
     "page"),
    ("GET", f"/practices/{PRACTICE_B}/worklists", "/practices/{practice_code}/worklists", GP_B,
     "page"),
    ("GET", f"/practices/{PRACTICE_A}/worklists/af/to-treat", WORKLIST, GP_A, "page"),
    ("GET", f"/practices/{PRACTICE_B}/worklists/af/to-find", WORKLIST, GP_B, "page"),
    ("GET", f"/practices/{PRACTICE_A}/worklists/af/to-find/download.csv",
     WORKLIST + "/download.{fmt}", GP_A, "page"),
    ("GET", f"/practices/{PRACTICE_B}/worklists/af/to-treat/download.xlsx",
     WORKLIST + "/download.{fmt}", GP_B, "page"),
    ("GET", f"/api/practices/{PRACTICE_A}/worklists/af/to-treat", "/api" + WORKLIST, GP_A,
     "api"),
    ("GET", f"/api/practices/{PRACTICE_B}/worklists/hypertension/to-assess", "/api" + WORKLIST,
     GP_B, "api"),
    ("GET", "/record/hospital", "/record/hospital", frozenset({"gp_a", "gp_b"}), "page"),
    ("GET", f"/api/record/practices/{PRACTICE_A}/hospital-activity",
     "/api/record/practices/{practice_code}/hospital-activity", frozenset({"gp_a"}), "api"),
    ("GET", "/api/record/break-glass", "/api/record/break-glass", ADMIN, "api"),
    ("POST", "/api/record/break-glass/1/review", "/api/record/break-glass/{grant_id}/review",
     ADMIN, "api"),
    ("GET", "/api/record/dead-letters", "/api/record/dead-letters", ADMIN, "api"),
    ("POST", "/api/record/dead-letters/replay", "/api/record/dead-letters/replay", ADMIN, "api"),
    ("GET", "/fhir/metadata", "/fhir/metadata", ANYONE, "api"),
    ("POST", "/fhir", "/fhir", NURSE, "api"),
    ("GET", "/fhir/Patient/p1/$everything", "/fhir/Patient/{res_id}/$everything", NURSE, "api"),
    ("POST", "/fhir/Patient/p1/$break-glass", "/fhir/Patient/{res_id}/$break-glass", NURSE,
     "api"),
    ("GET", "/fhir/Subscription/s1/$status", "/fhir/Subscription/{res_id}/$status", NURSE,
     "api"),
    ("GET", "/fhir/AuditEvent", "/fhir/AuditEvent", ADMIN, "api"),
    ("GET", "/fhir/AuditEvent/a1", "/fhir/AuditEvent/{res_id}", ADMIN, "api"),
    ("GET", "/fhir/Patient", "/fhir/{res_type}", NURSE, "api"),
    ("POST", "/fhir/Patient/_search", "/fhir/{res_type}/_search", NURSE, "api"),
    ("POST", "/fhir/Patient", "/fhir/{res_type}", NURSE, "api"),
    ("GET", "/fhir/Patient/_history", "/fhir/{res_type}/_history", NURSE, "api"),
    ("GET", "/fhir/Patient/p1", "/fhir/{res_type}/{res_id}", NURSE, "api"),
    ("PUT", "/fhir/Patient/p1", "/fhir/{res_type}/{res_id}", NURSE, "api"),
    ("GET", "/fhir/Patient/p1/_history", "/fhir/{res_type}/{res_id}/_history", NURSE, "api"),
    ("GET", "/fhir/Patient/p1/_history/1", "/fhir/{res_type}/{res_id}/_history/{version}",
     NURSE, "api"),
]


def test_every_route_is_in_the_matrix(world: World) -> None:
    listed = {(method, template) for method, _, template, _, _ in ROUTES}
    served = {(method, path) for method, path, _ in route_table(world.app)}
    assert served - listed == set(), "routes with no row in ROUTES"
    assert listed - served == set(), "rows in ROUTES for routes that do not exist"


def test_every_route_declares_its_access(world: World) -> None:
    undeclared = []
    for method, path, route in route_table(world.app):
        declared = [access_of(d.call) for d in route.dependant.dependencies
                    if access_of(d.call) is not None]
        if len(declared) != 1:
            undeclared.append((method, path, declared))
    assert undeclared == []
    assert len(route_table(world.app)) == len({(m, t) for m, _, t, _, _ in ROUTES})


def _expected(allowed: frozenset[str] | str, user: str | None, kind: str) -> str:
    if allowed == ANYONE:
        return "allowed"
    if user is None:
        return "401" if kind == "api" else "login"
    return "allowed" if user in allowed else "403"


def _outcome(status: int, location: str | None) -> str:
    if status == 401:
        return "401"
    if status == 403:
        return "403"
    if status == 303 and location and location.startswith("/login?next="):
        return "login"
    return "allowed" if status < 500 else f"error {status}"


@pytest.mark.parametrize("credentials", ["token", "session"])
def test_every_route_for_every_role(world: World, credentials: str) -> None:
    world.store.accounts.add("leaver", Role.BOARD_VIEWER)  # the one an admin disables
    wrong = []
    for user in [None, *WORLD_USERS]:
        if user is None:
            client = world.client()
        elif credentials == "token":
            client = world.client(user)
        else:
            client = world.signed_in(user)
        for method, path, _, allowed, kind in ROUTES:
            if method == "POST" and path == "/logout" and user is not None:
                continue  # signing out would end the session the next rows need
            headers = {}
            if method in ("POST", "PUT") and (user is None or credentials == "session"):
                headers["X-CSRF-Token"] = form_token(client, "/logout" if user else "/login")
            response = client.request(method, path, headers=headers)
            got = _outcome(response.status_code, response.headers.get("location"))
            want = _expected(allowed, user, kind)
            if got != want:
                wrong.append(f"{user or 'anonymous'} {method} {path}: {got}, expected {want}")
    assert wrong == []


def test_a_practice_user_never_sees_another_practices_patients(world: World) -> None:
    for user, own, other in (("gp_a", PRACTICE_A, PRACTICE_B), ("gp_b", PRACTICE_B, PRACTICE_A)):
        client = world.client(user)
        mine = client.get(f"/api/test/practices/{own}/patients")
        assert mine.json() == {"patients": list(PATIENTS_BY_PRACTICE[own])}
        for spelling in (other, other.lower()):
            theirs = client.get(f"/api/test/practices/{spelling}/patients")
            assert theirs.status_code == 403
            assert not set(PATIENTS_BY_PRACTICE[other]) & set(theirs.text.split('"'))
