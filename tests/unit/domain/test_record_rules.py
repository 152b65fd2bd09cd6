"""Pure rules of the shared care record: SNOMED CT ids, NHS number ranges, relationship windows,
break glass, admission and discharge events, delivery backoff and carers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from joinedup.domain.care_access import (
    AccessPolicy,
    BreakGlassRefused,
    Relationship,
    break_glass_expiry,
    is_active,
    valid_until,
)
from joinedup.domain.carers import CONSENT_EXTENSION, consent_problem, is_carer
from joinedup.domain.nhs_number import range_problem
from joinedup.domain.sctid import concept_id_problem, verhoeff_valid
from joinedup.domain.subscription_topics import (
    ADMISSION,
    DISCHARGE,
    DeliveryPolicy,
    encounter_events,
)


@pytest.mark.parametrize("code", ["73211009", "38341003", "1091811000000102", "319799004",
                                  "133932002"])
def test_published_concept_ids_pass(code: str) -> None:
    assert concept_id_problem(code) is None


@pytest.mark.parametrize(("code", "why"), [
    ("73211008", "check digit"),         # last digit changed
    ("073211009", "leading zero"),
    ("12345", "6 to 18 digits"),
    ("7321100X", "6 to 18 digits"),
    ("900000000000441003"[:-3] + "110", "partition"),  # a description-partition id shape
])
def test_impossible_ids_are_refused(code: str, why: str) -> None:
    assert why in (concept_id_problem(code) or "")


def test_verhoeff_by_hand() -> None:
    # Verhoeff's own worked example: the check digit of 236 is 3
    assert verhoeff_valid("2363") and not verhoeff_valid("2364")


@pytest.mark.parametrize(("number", "ok"), [
    # issued range 4: 4*10+0*9+1*8+0*7+2*6+3*5+2*4+1*3+3*2 = 92; 92 % 11 = 4; 11 - 4 = 7
    ("4010232137", True),
    ("9000000009", True),    # the test range
    ("9912003888", True),    # UK Core's RichardSmith
    ("3120000009", False),   # Northern Ireland / CHI: not issued in England
    ("9912003890", False),   # check digit wrong (UK Core's BabyPatient)
    ("401023213", False),    # nine digits
])
def test_nhs_number_ranges(number: str, ok: bool) -> None:
    assert (range_problem(number) is None) is ok


def test_relationship_windows() -> None:
    policy = AccessPolicy(recent_days=90)
    ended = datetime(2026, 1, 1)
    until = valid_until(Relationship.ENCOUNTER, ended, policy)
    assert until == ended + timedelta(days=90)
    assert is_active(None, until, ended + timedelta(days=90))
    assert not is_active(None, until, ended + timedelta(days=90, seconds=1))
    assert valid_until(Relationship.REGISTERED, ended, policy) == ended  # no grace period
    assert valid_until(Relationship.CASELOAD, None, policy) is None
    assert not is_active(datetime(2026, 2, 1), None, datetime(2026, 1, 31))


def test_break_glass_needs_a_reason_and_lasts_four_hours() -> None:
    now = datetime(2026, 11, 2, 9, 0)
    assert break_glass_expiry("unconscious in A&E", now) == datetime(2026, 11, 2, 13, 0)
    for reason in ("", "   ", "urgent"):
        with pytest.raises(BreakGlassRefused):
            break_glass_expiry(reason, now)


def _encounter(status: str, klass: str = "IMP") -> dict[str, object]:
    return {"status": status, "class": {"system":
                                        "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                        "code": klass}}


def test_admission_and_discharge_events() -> None:
    assert encounter_events(None, _encounter("in-progress")) == [ADMISSION]
    assert encounter_events(_encounter("planned"), _encounter("in-progress")) == [ADMISSION]
    assert encounter_events(_encounter("in-progress"), _encounter("in-progress")) == []
    assert encounter_events(_encounter("in-progress"), _encounter("finished")) == [DISCHARGE]
    assert encounter_events(None, _encounter("finished", "AMB")) == []  # an outpatient visit
    assert encounter_events(None, _encounter("planned")) == []


def test_backoff_doubles_and_gives_up() -> None:
    policy = DeliveryPolicy(max_attempts=4, first_delay_seconds=5, max_delay_seconds=30)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [5, 10, 20, 30]
    assert not policy.gives_up(3) and policy.gives_up(4)


def test_a_carer_needs_consent() -> None:
    carer = {"relationship": [{"coding": [{"system": "http://snomed.info/sct",
                                           "code": "133932002"}]}]}
    assert is_carer(carer)
    assert "consent" in (consent_problem(carer) or "")
    consented = {**carer, "extension": [{"url": CONSENT_EXTENSION,
                                         "valueDateTime": "2026-10-01"}]}
    assert consent_problem(consented) is None
    assert consent_problem({"relationship": [{"text": "neighbour"}]}) is None
