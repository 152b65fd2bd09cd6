"""FHIR R4 4.0.1 validation edge cases (http://hl7.org/fhir/R4/json.html) and index ranges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from joinedup.record.search_params import index_rows, parse_span
from joinedup.record.validation import problems

GOOD: dict[str, Any] = {"resourceType": "Patient", "id": "p-1", "active": True,
                        "name": [{"family": "Jones", "given": ["Ann"]}],
                        "birthDate": "1950-02", "multipleBirthInteger": 2}


def where(resource: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(i.code, i.expression) for i in problems(resource)]


def test_a_valid_patient_has_no_problems() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"active": "true"}, ("value", "Patient.active")),                 # a string for a boolean
    ({"multipleBirthInteger": True}, ("value", "Patient.multipleBirthInteger")),
    ({"multipleBirthInteger": 2**31}, ("value", "Patient.multipleBirthInteger")),
    ({"birthDate": "1950-02-30T"}, ("value", "Patient.birthDate")),
    ({"birthDate": ""}, ("value", "Patient.birthDate")),              # no empty strings
    ({"name": []}, ("structure", "Patient.name")),                    # nor empty arrays
    ({"name": {"family": "x"}}, ("structure", "Patient.name")),       # repeating means an array
    ({"gender": None}, ("structure", "Patient.gender")),              # no nulls
    ({"colour": "blue"}, ("structure", "Patient.colour")),
    ({"id": "has space"}, ("value", "Patient.id")),
    ({"deceasedBoolean": True, "deceasedDateTime": "2020"}, ("structure", "Patient.deceased[x]")),
    ({"gender": "robot"}, ("code-invalid", "Patient.gender")),
    ({"contact": [{}]}, ("structure", "Patient.contact[0]")),
])
def test_breaches_name_the_element(change: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in where({**GOOD, **change})


def test_required_elements_and_contained_resources() -> None:
    observation = {"resourceType": "Observation", "code": {"text": "bp"},
                   "contained": [{"resourceType": "Patient", "gender": 7}]}
    found = where(observation)
    assert ("required", "Observation.status") in found
    assert ("value", "Observation.contained[0].gender") in found


def test_primitive_extensions_ride_beside_their_value() -> None:
    ext = {"extension": [{"url": "http://example.org/x", "valueString": "y"}]}
    assert problems({**GOOD, "_birthDate": ext}) == []
    assert problems({**GOOD, "name": [{"given": [None, "B"], "_given": [ext, None]}]}) == []
    assert ("structure", "Patient._colour") in where({**GOOD, "_colour": ext})


def test_uk_core_identifiers_and_codes() -> None:
    bad = {**GOOD, "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number",
                                   "value": "9000000008"}]}
    assert ("value", "Patient.identifier[0].value") in where(bad)
    coded = {"resourceType": "Condition", "subject": {"reference": "Patient/p-1"},
             "code": {"coding": [{"system": "http://snomed.info/sct", "code": "49436005"}]}}
    assert ("code-invalid", "Condition.code.coding[0].code") in where(coded)


def test_date_ranges_follow_precision_and_zone() -> None:
    assert parse_span("2026") == (datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert parse_span("2026-12") == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert parse_span("2026-02-28") == (datetime(2026, 2, 28), datetime(2026, 3, 1))
    low, high = parse_span("2026-03-01T10:00:00+01:00") or (None, None)
    assert low == datetime(2026, 3, 1, 9, 0) and high == datetime(2026, 3, 1, 9, 0, 1)
    assert parse_span("2026-02-30") is None


def test_index_rows_for_a_patient() -> None:
    rows = {(r.param, r.system, r.value) for r in index_rows(
        {**GOOD, "identifier": [{"system": "s", "value": "v"}],
         "name": [{"family": "Ñúñez", "given": ["Ann"]}]})}
    assert ("identifier", "s", "v") in rows
    assert ("family", None, "nunez") in rows  # case and accents folded
    assert ("active", None, "true") in rows
