"""Malformed and invalid resources get 400 or 422 with an OperationOutcome, never a 500.

Hypothesis (derandomised, so the run is the same every time) takes valid resources and breaks
them — values replaced by any JSON, elements added or dropped, whole bodies of random JSON —
and sends each to create, update and transaction. Whatever comes back must be a FHIR answer:
a success, or a 4xx OperationOutcome.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.record import inpatient, seed_record
from fixtures.web import build_world

SEEDS: list[dict[str, Any]] = [
    {"resourceType": "Patient", "id": "fz", "identifier": [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9000000009"}],
     "name": [{"family": "Fuzz", "given": ["A"]}], "birthDate": "1950-01-01", "gender": "male"},
    {"resourceType": "Observation", "id": "fz", "status": "final",
     "code": {"coding": [{"system": "http://snomed.info/sct", "code": "72313002"}]},
     "subject": {"reference": "Patient/pt-9000000009"}, "effectiveDateTime": "2026-11-01",
     "valueQuantity": {"value": 120, "unit": "mmHg"}},
    {**inpatient("fz", "pt-9000000009", "RR8"), "id": "fz"},
]
CASES = int(os.environ.get("FUZZ_CASES", 150))
"""Resources sent per run; raise FUZZ_CASES for a longer hunt."""
ALLOWED = {200, 201, 400, 403, 404, 405, 409, 412, 413, 415, 422}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["id", "value", "code", "system", "reference", "x",
                                       "resourceType", "extension", "url", "_value"]) |
                      st.text(max_size=6), inner, max_size=3),
    max_leaves=8)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def broken(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    resource = json.loads(json.dumps(draw(st.sampled_from(SEEDS))))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(resource)[1:]))
        parent = resource
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[where[-1]] = draw(json_values)
        elif action == "drop" and isinstance(parent, dict):
            parent.pop(where[-1], None)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
        if not isinstance(resource, dict):
            break
    return resource


def test_no_resource_json_makes_the_server_fail(tmp_path: Path) -> None:
    world = build_world(tmp_path, f"sqlite:///{tmp_path / 'fuzz.sqlite'}")
    seed_record(world)
    nurse = world.client("nurse")
    statuses: set[int] = set()

    @settings(max_examples=CASES, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(body=broken(), how=st.sampled_from(["create", "update", "transaction"]))
    def check(body: Any, how: str) -> None:
        kind = body.get("resourceType") if isinstance(body, dict) else "Patient"
        kind = kind if isinstance(kind, str) and kind.isalpha() else "Patient"
        if how == "create":
            answer = nurse.post(f"/fhir/{kind}", content=json.dumps(body),
                                headers={"content-type": "application/fhir+json"})
        elif how == "update":
            answer = nurse.put(f"/fhir/{kind}/fz", content=json.dumps(body),
                               headers={"content-type": "application/fhir+json"})
        else:
            answer = nurse.post("/fhir", json={"resourceType": "Bundle", "type": "transaction",
                                               "entry": [{"resource": body, "request": {
                                                   "method": "POST", "url": kind}}]})
        assert answer.status_code in ALLOWED, (answer.status_code, answer.text)
        statuses.add(answer.status_code)
        if answer.status_code >= 400:
            assert answer.json()["resourceType"] == "OperationOutcome"

    check()
    world.store.close()
    assert {400, 422} <= statuses  # the breakage did reach both kinds of refusal
