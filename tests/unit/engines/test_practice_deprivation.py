"""One practice deprivation quintile, whichever kind of store the practice's figures come from.

The definition (docs/inequalities.md): the practice's registration-weighted IMD 2019 score placed
among England's practices, 1 = the most deprived fifth of practices. A patient-level store and an
aggregate store of the same practice must give it the same quintile, even when the patients'
own LSOA deciles would suggest another (here: every patient in decile 10, least deprived, at a
practice whose registration-weighted score, 34.57, is in England's most deprived fifth). Only a
practice the national table does not list falls back on its patients' mean decile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from joinedup.app.imports import import_qof
from joinedup.domain.inequality import national_quintile
from joinedup.engines import aggregates
from joinedup.engines.duckdb import connect
from joinedup.engines.patient_level import practice_counts
from joinedup.engines.tables import create_contract_tables
from joinedup.programmes import load_parameters, load_programme, resolve_codelists
from joinedup.sources.imd import national_practice_imd

Writer = Callable[..., Path]
AF = load_programme("af")
END = date(2020, 3, 31)
SCORE = 34.5687225678029  # A81001, registration-weighted IMD 2019 (national practice file)
GEOGRAPHY = (
    "NAT_ONS_CODE,NAT_CODE,COUNTRY,REGION_ODS_CODE,REGION_ONS_CODE,REGION_NAME,STP_ODS_CODE,"
    "STP_ONS_CODE,STP_NAME,CCG_ODS_CODE,CCG_ONS_CODE,CCG_NAME,PCN_ODS_CODE,PCN_NAME,"
    "PRACTICE_CODE,PRACTICE_NAME",
    "E92000001,ENG,England,Y63,E40000009,North East and Yorkshire,Q99,E54000099,Q99 STP,"
    "01A,E38000999,NHS 01A CCG,U00001,U00001 PCN,A81001,The Densham Surgery",
)


def _patient(pid: int) -> dict[str, Any]:
    return {
        "patient_id": pid, "nhs_number": None, "birth_date": date(1950, 1, 1), "sex": "F",
        "ethnicity": "White", "lsoa_code": None, "imd_decile": 10, "practice_code": "A81001",
        "registered_from": date(2000, 1, 1), "registered_to": None, "date_of_death": None,
        "opted_out": False,
    }


def test_national_quintile_ranks_a_score_among_englands_practices() -> None:
    # Five practices, one per fifth: the highest score is the most deprived (1).
    national = [50.0, 40.0, 30.0, 20.0, 10.0]
    assert [national_quintile(s, national) for s in national] == [1, 2, 3, 4, 5]
    assert national_quintile(35.0, national) == 3  # two practices score higher: 1 + 5*2//5
    assert national_quintile(99.0, national) == 1 and national_quintile(0.0, national) == 5
    scores = list(national_practice_imd().values())
    assert len(scores) > 6000
    assert national_quintile(SCORE, scores) == 1  # among the highest fifth of 6,437 practices


def test_the_same_practice_gets_the_same_quintile_from_both_kinds_of_store(
    tmp_path: Path, write: Writer
) -> None:
    patient_db = tmp_path / "patients.duckdb"
    con = connect(patient_db)
    create_contract_tables(con, {
        "organisations": [{"org_code": "A81001", "name": "Densham", "org_type": "practice"}],
        "patients": [_patient(i) for i in range(1, 11)],
        "clinical_events": [], "medications": [],
    })
    (patient_row,) = practice_counts(con, AF, END, load_parameters(AF),
                                     codelists=resolve_codelists(AF))
    con.disconnect()

    aggregate_db = tmp_path / "qof.duckdb"
    import_qof(
        aggregate_db,
        prevalence=write("PREVALENCE_1920.csv",
                         "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE",
                         "A81001,AF,0,TOTAL,10"),
        geography=write("MAPPING_NHS_GEOGRAPHIES_2019_2020.csv", *GEOGRAPHY),
        imd=write("practice_imd.csv", "practice_code,imd_score,imd_decile", f"A81001,{SCORE},2"),
    )
    con = connect(aggregate_db, read_only=True)
    rows, _notes = aggregates.practice_counts(con, AF, END, load_parameters(AF))
    con.disconnect()

    # The patients' mean decile (10) would say 5; the practice's own score says 1, both ways.
    assert patient_row.imd_quintile == rows[0].imd_quintile == 1


def test_a_practice_england_does_not_list_takes_its_patients_mean_decile() -> None:
    # Practices not in the national table (Y9....) fall back on the mean national IMD decile
    # of their registered patients, read as the fifth it implies: 1 + floor((mean - 0.5) / 2).
    def patient(pid: int, practice: str, decile: int | None, **other: Any) -> dict[str, Any]:
        return _patient(pid) | {"practice_code": practice, "imd_decile": decile} | other

    left = {"registered_to": date(2019, 12, 31)}  # not registered at END: not counted
    patients = [
        # Y90001: deciles 1, 2, 4 -> mean 7/3 = 2.33 -> 1 + floor(1.83 / 2) = 1 (the patient
        # who left, decile 10, would make it 17/4 = 4.25 -> 2).
        patient(1, "Y90001", 1), patient(2, "Y90001", 2), patient(3, "Y90001", 4),
        patient(4, "Y90001", 10, **left),
        # Y90002: deciles 2, 3 -> mean 2.5, on the boundary -> 1 + floor(2 / 2) = 2.
        patient(5, "Y90002", 2), patient(6, "Y90002", 3),
        # Y90003: deciles 10, 9, 6 and one unknown -> mean 25/3 = 8.33 -> 1 + floor(3.92) = 4.
        patient(7, "Y90003", 10), patient(8, "Y90003", 9), patient(9, "Y90003", 6),
        patient(10, "Y90003", None),
        # Y90004: deciles 10, 7 -> mean 8.5 -> 1 + floor(4) = 5; the opted-out patient (decile
        # 1) is not in the analytics and would make it 18/3 = 6 -> 3.
        patient(11, "Y90004", 10), patient(12, "Y90004", 7),
        patient(13, "Y90004", 1, opted_out=True),
        # Y90005: nobody with a decile: unknown.
        patient(14, "Y90005", None),
        # A81001 is in England's table: its national score (most deprived fifth) wins over its
        # patients' deciles (10 -> 5), so one practice has one quintile whatever the store.
        patient(15, "A81001", 10),
    ]
    con = connect()
    create_contract_tables(con, {
        "organisations": [{"org_code": c, "name": c, "org_type": "practice"}
                          for c in ("Y90001", "Y90002", "Y90003", "Y90004", "Y90005", "A81001")],
        "patients": patients, "clinical_events": [], "medications": [],
    })
    rows = practice_counts(con, AF, END, load_parameters(AF), codelists=resolve_codelists(AF))
    assert {r.practice_code: r.imd_quintile for r in rows} == {
        "A81001": 1, "Y90001": 1, "Y90002": 2, "Y90003": 4, "Y90004": 5, "Y90005": None,
    }
