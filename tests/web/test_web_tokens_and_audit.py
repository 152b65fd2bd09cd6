"""Bearer tokens, the audit API and pages, patient-level access audited, and no way to edit it."""

from __future__ import annotations

import csv
import io
import logging

import pytest

from fixtures.web import World
from joinedup.web.app import route_table


def test_bearer_token_authentication(world: World) -> None:
    assert world.client("nurse").get("/api/me").json() == {
        "name": "nurse", "role": "care_professional", "org_code": "RR8",
        "permissions": ["account:read", "aggregates:published:read", "record:read",
                        "record:write"]}
    anonymous = world.client().get("/api/me")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    for header in ("Bearer", "Basic YWRtaW46cGFzcw==", "Bearer jdu_made-up", "Token abc"):
        response = world.client().get("/api/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    old = world.tokens["lead"]
    world.store.accounts.issue_token("lead")
    assert world.client().get("/api/me", headers={"Authorization": f"Bearer {old}"}
                              ).status_code == 401


def test_patient_level_views_are_audited_with_their_patients(world: World) -> None:
    world.client("gp_a").get("/api/test/practices/A81001/patients")
    world.client("nurse").get("/api/test/records/9000000009")
    assert world.client("nurse").get("/api/test/records/9000000025").status_code == 403
    page = world.client("admin").get("/api/audit", params={"action": "patient.view"}).json()
    views = [(e["user_name"], e["org_code"], e["patients"], e["reason"])
             for e in page["entries"]]
    assert views == [
        ("nurse", "RR8", ["9000000009"], "direct care"),
        ("gp_a", "A81001", ["9000000009", "9000000017"], "worklist review"),
    ]
    by_patient = world.client("admin").get("/api/audit", params={"patient": "9000000017"})
    assert [e["user_name"] for e in by_patient.json()["entries"]] == ["gp_a"]


def test_audit_api_pages_backwards_and_reading_is_itself_audited(world: World) -> None:
    for _ in range(3):
        world.client("gp_a").get("/api/test/practices/A81001/patients")
    admin = world.client("admin")
    first = admin.get("/api/audit", params={"limit": 2, "action": "patient.view"}).json()
    assert len(first["entries"]) == 2
    rest = admin.get("/api/audit", params={"limit": 2, "action": "patient.view",
                                           "before_id": first["next_before_id"]}).json()
    assert len(rest["entries"]) == 1 and rest["next_before_id"] is None
    reads = admin.get("/api/audit", params={"action": "audit.read"}).json()["entries"]
    assert len(reads) == 2  # the two reads above (this one is written after it is read)


def test_admin_pages_show_users_and_the_log_and_export_csv(world: World) -> None:
    world.client("gp_a").get("/api/test/practices/A81001/patients")
    admin = world.signed_in("admin")
    users_page = admin.get("/admin").text
    assert all(name in users_page for name in ("gp_a", "gp_b", "nurse", "practice_user"))
    assert "9000000009" in admin.get("/admin/audit").text
    export = admin.get("/admin/audit.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    view = next(r for r in rows if r["action"] == "patient.view")
    assert view["patients"] == "9000000009 9000000017" and view["user_name"] == "gp_a"
    assert rows[-1]["action"] == "audit.export"


def test_the_app_offers_no_way_to_change_the_audit_log(world: World) -> None:
    audit_routes = {(m, p) for m, p, _ in route_table(world.app) if "audit" in p}
    assert audit_routes == {("GET", "/api/audit"), ("GET", "/admin/audit"),
                            ("GET", "/admin/audit.csv")}
    admin = world.client("admin")
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert admin.request(method, "/api/audit").status_code == 405


@pytest.mark.parametrize("path", ["/api/test/records/9000000009", "/api/audit?patient=9000000009"])
def test_log_lines_carry_route_templates_never_nhs_numbers(
    world: World, caplog: pytest.LogCaptureFixture, path: str,
) -> None:
    user = "nurse" if "records" in path else "admin"
    with caplog.at_level(logging.INFO, logger="joinedup.web"):
        assert world.client(user).get(path).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "joinedup.web"]
    assert lines and all("9000000009" not in line for line in lines)
    assert any(line.startswith("GET /api/") and " 200 " in line for line in lines)


def test_security_headers_on_pages_and_api(world: World) -> None:
    for path in ("/login", "/api/health"):
        headers = world.client().get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
    css = world.client().get("/static/vendor/nhsuk-frontend.min.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("cache-control", "")
    assert world.client().get("/assets/images/favicon.svg").status_code == 200
    page = world.client().get("/login").text
    assert "<script>" not in page and 'src="/static/js/init.js"' in page
