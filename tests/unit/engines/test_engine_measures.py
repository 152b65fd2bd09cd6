"""The measures engine's own pieces: portability, what it reads from events."""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from joinedup.domain.codelists import CodeSystem
from joinedup.domain.programme import prevalence_bands
from joinedup.engines.criteria import EventNeeds
from joinedup.engines.duckdb import connect
from joinedup.engines.measures import patient_flags, practice_score_totals
from joinedup.engines.patient_level import practice_counts
from joinedup.engines.tables import create_contract_tables
from joinedup.programmes import load_parameters, load_programme, resolve_codelists

AF = load_programme("af")
REF = date(2025, 3, 31)


def test_event_needs_group_codelists_by_the_table_they_are_matched_against():
    needs = EventNeeds.of(AF.criteria(), resolve_codelists(AF))
    assert needs.last[CodeSystem.DMD] == {"doac", "vka"}
    assert needs.last[CodeSystem.SNOMED_CT] == {
        "af",
        "af_resolved",
        "heart_failure",
        "hypertension",
        "hypertension_resolved",
        "diabetes",
        "stroke_tia_te",
        "vascular_disease",
        "anticoag_declined",
        "anticoag_not_indicated",
        "anticoag_contraindicated",
        "vka_declined",
        "vka_contraindicated",
        "doac_unsuitable",
        "pulse_check",
        "irregular_pulse",
    }
    # Eligibility reads the latest recorded CHA2DS2-VASc score (QOF AF008), at any date.
    assert needs.values == {("cha2ds2vasc_score", None)}


@pytest.mark.parametrize("dialect", ["postgres", "trino", "snowflake"])
def test_the_measures_compile_for_other_engines_with_no_duckdb_only_operations(dialect):
    con = connect()
    create_contract_tables(con, {})
    flags = patient_flags(con, AF, REF, codelists=resolve_codelists(AF))
    totals = practice_score_totals(flags, prevalence_bands(load_parameters(AF)["af_prevalence"]))
    sql = ibis.to_sql(totals, dialect=dialect)
    assert "GROUP BY" in sql.upper()


def test_a_store_with_only_the_required_tables_still_counts(tmp_path):
    con = connect()
    # Build just organisations and patients: the loader may leave event tables out.
    full = connect()
    create_contract_tables(full, {})
    for name in ("organisations", "patients"):
        con.create_table(name, schema=full.table(name).schema())
    con.insert(
        "organisations",
        [{"org_code": "P1", "name": "P", "org_type": "practice", "parent_code": None,
          "valid_from": None, "valid_to": None}],
    )  # fmt: skip
    rows = practice_counts(con, AF, REF, load_parameters(AF), codelists=resolve_codelists(AF))
    assert [(r.practice_code, r.list_size, r.recorded) for r in rows] == [("P1", 0, 0)]
