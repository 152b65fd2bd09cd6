"""Every contract encounter kind has a FHIR Encounter class, and a class alone reads back as the
kind first declared for it (a GP consultation shares AMB with outpatients)."""

from __future__ import annotations

from datetime import datetime

from joinedup.domain.contract import ENCOUNTER_KINDS
from joinedup.record import synthetic
from joinedup.record.export import KIND_OF_CLASS


def test_every_kind_but_discharge_becomes_an_encounter_with_its_kind_coded() -> None:
    for kind in ENCOUNTER_KINDS:
        row = {"encounter_id": 7, "patient_id": 3, "org_code": "Y90001", "kind": kind,
               "start": datetime(2026, 1, 5, 9, 30), "end": datetime(2026, 1, 5, 9, 39, 13),
               "snomed_code": None}
        made = synthetic.encounter(row)
        if kind == "discharge":
            assert made is None
            continue
        assert made is not None
        assert made["type"][0]["coding"][0]["code"] == kind
    gp = synthetic.encounter({"encounter_id": 1, "patient_id": 1, "org_code": "Y90001",
                              "kind": "gp_consultation", "start": datetime(2026, 1, 5, 9, 30),
                              "end": None, "snomed_code": None})
    assert gp is not None and gp["class"]["code"] == "AMB"


def test_a_class_alone_reads_back_as_the_first_kind_of_that_class() -> None:
    assert KIND_OF_CLASS == {"IMP": "admission", "EMER": "ae_attendance", "AMB": "outpatient",
                             "HH": "community_visit"}
