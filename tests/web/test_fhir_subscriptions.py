"""Admission and discharge notifications (Subscriptions R5 Backport IG, STU 1.1, for R4).

A care professional at practice A81001 subscribes; the trust's nurse admits and discharges one
of the practice's patients; a real HTTP endpoint on loopback receives history Bundles whose
first entry is the backport's status Parameters. A failing endpoint is retried with growing
delays (5, 10, 20, 40, 80 s: DeliveryPolicy), dead-lettered after the sixth failure (the
patient's next event waiting behind it until then), listed for the admin, and delivered when
replayed — in order, with its original event number.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from fixtures.ops import FakeClock
from fixtures.postgres import free_port
from fixtures.record import inpatient, seed_record
from fixtures.web import PASSWORD, World, build_world
from joinedup.app.access import Role
from joinedup.app.record import RecordService

ADMISSION = "https://joinedup.invalid/fhir/SubscriptionTopic/admission"
DISCHARGE = "https://joinedup.invalid/fhir/SubscriptionTopic/discharge"
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
PATIENT = "pt-9000000017"  # registered at A81001, no relationship with the trust yet


class Endpoint:
    """A subscriber's rest-hook endpoint: records what it is sent, or fails on demand."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.failing = False
        received, headers, endpoint = self.received, self.headers, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if endpoint.failing:
                    self.send_response(503)
                else:
                    received.append(json.loads(body))
                    headers.append(dict(self.headers))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    found = Endpoint()
    yield found
    found.stop()


@pytest.fixture
def timed(tmp_path: Path, ops_url: str, clock: FakeClock) -> Iterator[World]:
    world = build_world(tmp_path, ops_url, clock=clock)
    world.store.accounts.add("district", Role.CARE_PROFESSIONAL, "A81001", PASSWORD)
    world.tokens["district"] = world.store.accounts.issue_token("district")
    seed_record(world)
    yield world
    world.store.close()


def subscription(topic: str, endpoint: str, content: str) -> dict[str, Any]:
    return {"resourceType": "Subscription", "status": "requested",
            "reason": "follow up our patients in hospital", "criteria": topic,
            "channel": {"type": "rest-hook", "endpoint": endpoint,
                        "header": ["Authorization: Bearer practice-secret"],
                        "payload": "application/fhir+json",
                        "_payload": {"extension": [{"url": BACKPORT + "backport-payload-content",
                                                    "valueCode": content}]}}}


def service_of(world: World) -> RecordService:
    found = world.app.state.services.extras["record"]
    assert isinstance(found, RecordService)
    return found


def status_of(bundle: dict[str, Any]) -> dict[str, Any]:
    first = bundle["entry"][0]["resource"]
    assert first["resourceType"] == "Parameters"
    return {p["name"]: p for p in first["parameter"]}


def test_admission_and_discharge_reach_the_practice(timed: World, endpoint: Endpoint) -> None:
    district, nurse = timed.client("district"), timed.client("nurse")
    made = district.post("/fhir/Subscription",
                         json=subscription(ADMISSION, endpoint.url, "full-resource"))
    assert made.status_code == 201 and made.json()["status"] == "active"
    admissions = made.json()["id"]
    discharges = district.post("/fhir/Subscription",
                               json=subscription(DISCHARGE, endpoint.url, "id-only")).json()["id"]
    bad = district.post("/fhir/Subscription", json=subscription("http://x/topic", endpoint.url,
                                                                 "id-only"))
    assert bad.status_code == 422

    assert nurse.put("/fhir/Encounter/stay", json=inpatient("stay", PATIENT, "RR8")
                     ).status_code == 201
    service = service_of(timed)
    assert service.delivery.deliver_due() == 1
    [note] = endpoint.received
    assert note["resourceType"] == "Bundle" and note["type"] == "history"
    status = status_of(note)
    assert status["topic"]["valueCanonical"] == ADMISSION
    assert status["type"]["valueCode"] == "event-notification"
    assert status["subscription"]["valueReference"]["reference"].endswith(
        f"/Subscription/{admissions}")
    event = {p["name"]: p for p in status["notification-event"]["part"]}
    assert event["event-number"]["valueString"] == "1"
    assert event["focus"]["valueReference"]["reference"].endswith("/Encounter/stay")
    assert note["entry"][1]["resource"]["id"] == "stay"  # full-resource
    assert endpoint.headers[0]["Authorization"] == "Bearer practice-secret"

    finished = inpatient("stay", PATIENT, "RR8", "finished", "2026-10-30T10:00:00Z",
                         "2026-11-01T12:00:00Z")
    nurse.put("/fhir/Encounter/stay", json=finished)
    nurse.put("/fhir/Encounter/stay", json={**finished, "priority": {"text": "routine"}})
    assert service.delivery.deliver_due() == 1  # the second update changed no status
    discharge = endpoint.received[1]
    assert status_of(discharge)["topic"]["valueCanonical"] == DISCHARGE
    assert "resource" not in discharge["entry"][1]  # id-only
    assert discharge["entry"][1]["fullUrl"].endswith("/Encounter/stay")

    answer = district.get(f"/fhir/Subscription/{discharges}/$status").json()
    assert answer["type"] == "searchset"
    assert status_of(answer)["events-since-subscription-start"]["valueString"] == "1"
    assert status_of(answer)["type"]["valueCode"] == "query-status"


def test_other_practices_are_not_told(timed: World, endpoint: Endpoint) -> None:
    district = timed.client("district")
    district.post("/fhir/Subscription", json=subscription(ADMISSION, endpoint.url, "id-only"))
    timed.client("nurse").put("/fhir/Encounter/other",
                              json=inpatient("other", "pt-9000000025", "RR8"))  # at A81002
    assert service_of(timed).delivery.deliver_due() == 0
    assert endpoint.received == []


def test_a_failing_endpoint_is_retried_dead_lettered_and_replayed(
        timed: World, endpoint: Endpoint, clock: FakeClock) -> None:
    district, nurse, admin = (timed.client(u) for u in ("district", "nurse", "admin"))
    district.post("/fhir/Subscription", json=subscription(ADMISSION, endpoint.url, "id-only"))
    district.post("/fhir/Subscription", json=subscription(DISCHARGE, endpoint.url, "id-only"))
    endpoint.failing = True
    nurse.put("/fhir/Encounter/stay", json=inpatient("stay", PATIENT, "RR8"))
    nurse.put("/fhir/Encounter/stay", json=inpatient(
        "stay", PATIENT, "RR8", "finished", "2026-10-30T10:00:00Z", "2026-11-02T08:00:00Z"))
    delivery = service_of(timed).delivery
    waits = [5, 10, 20, 40, 80]  # DeliveryPolicy: 5 s, doubling
    assert delivery.deliver_due() == 0  # the admission's attempt 1 fails
    for topic in (ADMISSION, DISCHARGE):  # the discharge waits until the admission is dead
        for failures, wait in enumerate(waits, 1):
            clock.advance(seconds=wait - 1)
            assert delivery.deliver_due() == 0
            head = next(x for x in delivery.letters("pending") if x.topic == topic)
            assert head.attempts == failures  # not tried again before its time
            clock.advance(seconds=1)
            assert delivery.deliver_due() == 0  # tried again, failed again
        assert [x.topic for x in delivery.letters("dead")][-1] == topic
    dead = admin.get("/api/record/dead-letters").json()
    assert [(d["topic"], d["attempts"]) for d in dead] == [(ADMISSION, 6), (DISCHARGE, 6)]
    assert "503" in dead[0]["last_error"]
    assert endpoint.received == []

    endpoint.failing = False
    assert timed.client("nurse").post("/api/record/dead-letters/replay").status_code == 403
    assert admin.post("/api/record/dead-letters/replay").json() == {"replayed": 2}
    assert delivery.deliver_due() == 2
    topics = [status_of(b)["topic"]["valueCanonical"] for b in endpoint.received]
    assert topics == [ADMISSION, DISCHARGE]  # in order for the patient
    assert admin.get("/api/record/dead-letters").json() == []


def test_events_for_one_patient_wait_behind_a_failing_one(
        timed: World, endpoint: Endpoint, clock: FakeClock) -> None:
    timed.client("district").post("/fhir/Subscription",
                                  json=subscription(ADMISSION, endpoint.url, "id-only"))
    timed.client("district").post("/fhir/Subscription",
                                  json=subscription(DISCHARGE, endpoint.url, "id-only"))
    nurse = timed.client("nurse")
    endpoint.failing = True
    nurse.put("/fhir/Encounter/stay", json=inpatient("stay", PATIENT, "RR8"))
    delivery = service_of(timed).delivery
    assert delivery.deliver_due() == 0
    endpoint.failing = False
    nurse.put("/fhir/Encounter/stay", json=inpatient(
        "stay", PATIENT, "RR8", "finished", "2026-10-30T10:00:00Z", "2026-11-02T08:00:00Z"))
    assert delivery.deliver_due() == 0  # the discharge waits behind the admission's retry
    clock.advance(seconds=5)
    assert delivery.deliver_due() == 2
    topics = [status_of(b)["topic"]["valueCanonical"] for b in endpoint.received]
    assert topics == [ADMISSION, DISCHARGE]
