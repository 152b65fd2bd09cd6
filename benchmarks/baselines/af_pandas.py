"""The AF practice counts in plain pandas: the straightforward analyst's implementation.

Why: issue 3 asks that `run af` be at least 10x faster than this. It is written the way an analyst
would write it, not to be slow: read the tables the rules need into DataFrames, keep events up
to the reference date that are in the codelists (one merge), take each patient's latest date per
codelist (one group-by), merge the flags onto the registered population and group by practice.
The rules are docs/programmes.md's, the same as the SQL baseline's (see af_sql.py's docstring).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from baselines.af_inputs import (
    EXPECTED_DIGITS,
    OLDEST_AGE,
    PracticeRow,
    anticoagulant_members,
    prevalence_bands,
    prevalence_by_age,
    snomed_members,
    zero_row,
)

# QOF AF008 (a VKA counts only where a DOAC is unsuitable) replaced AF007 on this day (2023-24).
AF008_FROM = date(2023, 4, 1)

PATIENT_COLUMNS = (
    "patient_id, practice_code, sex, birth_date, registered_from, registered_to, "
    "date_of_death, opted_out"
)


def read_tables(db_path: str) -> dict[str, pd.DataFrame]:
    """The store's tables the AF rules read, whole, as DataFrames (as `pd.read_sql` gives)."""
    with duckdb.connect(db_path, read_only=True) as con:
        return {
            "patients": con.sql(f"SELECT {PATIENT_COLUMNS} FROM patients").df(),
            "clinical_events": con.sql(
                "SELECT patient_id, date, snomed_code, numeric_value FROM clinical_events"
            ).df(),
            "medications": con.sql("SELECT patient_id, date, dmd_code FROM medications").df(),
            "organisations": con.sql("SELECT * FROM organisations").df(),
        }


def practice_counts_pandas(
    tables: dict[str, pd.DataFrame], reference_date: date
) -> dict[str, PracticeRow]:
    """Per-practice AF counts computed from the DataFrames with merges and group-bys."""
    ref = pd.Timestamp(reference_date)
    months_6 = ref - pd.DateOffset(months=6)  # clamps to the month's end, as the rules say
    months_12 = ref - pd.DateOffset(months=12)

    # The population at the date: registered (the last day counts), alive, not opted out.
    p = tables["patients"]
    registered_to = pd.to_datetime(p["registered_to"])
    died = pd.to_datetime(p["date_of_death"])
    pop = p[
        (pd.to_datetime(p["registered_from"]) <= ref)
        & (registered_to.isna() | (registered_to >= ref))
        & (died.isna() | (died > ref))
        & ~p["opted_out"].fillna(False).astype(bool)
    ].copy()
    born = pd.to_datetime(pop["birth_date"])
    before_birthday = (born.dt.month * 100 + born.dt.day) > (ref.month * 100 + ref.day)
    pop["age"] = ref.year - born.dt.year - before_birthday.astype(int)

    # Each patient's latest date per codelist, from events on or before the date.
    members = pd.DataFrame(snomed_members(), columns=["snomed_code", "list"])
    events = tables["clinical_events"]
    events = events[pd.to_datetime(events["date"]) <= ref]
    coded = events.merge(members, on="snomed_code")
    coded["date"] = pd.to_datetime(coded["date"])
    latest = coded.groupby(["patient_id", "list"])["date"].max().unstack("list")
    for name in members["list"].unique():
        if name not in latest.columns:
            latest[name] = pd.NaT
    pop = pop.merge(latest, left_on="patient_id", right_index=True, how="left")

    # The latest recorded CHA2DS2-VASc score: the lowest value on the latest day with one.
    scores = coded[(coded["list"] == "cha2ds2vasc_score") & coded["numeric_value"].notna()]
    scores = scores.sort_values(["patient_id", "date", "numeric_value"],
                                ascending=[True, False, True])
    recorded_score = scores.drop_duplicates("patient_id").set_index("patient_id")["numeric_value"]
    pop["recorded_score"] = pop["patient_id"].map(recorded_score)

    # DOAC and VKA issues in the 6 months up to and including the date.
    meds = tables["medications"].merge(
        pd.DataFrame(anticoagulant_members(), columns=["dmd_code", "drug"]), on="dmd_code"
    )
    meds_date = pd.to_datetime(meds["date"])
    issued = meds[(meds_date <= ref) & (meds_date > months_6)]
    on_doac = pop["patient_id"].isin(issued.loc[issued["drug"] == "doac", "patient_id"])
    on_vka = pop["patient_id"].isin(issued.loc[issued["drug"] == "vka", "patient_id"])
    doac_unsuitable = pop["doac_unsuitable"].notna()
    if reference_date < AF008_FROM:  # QOF AF007: any anticoagulant
        pop["anticoagulated"] = on_doac | on_vka
    else:  # QOF AF008: a DOAC, or a VKA where a DOAC is unsuitable
        pop["anticoagulated"] = on_doac | (on_vka & doac_unsuitable)

    # Register: latest AF code with no strictly later resolved code.
    pop["on_register"] = pop["af"].notna() & (
        pop["af_resolved"].isna() | (pop["af_resolved"] <= pop["af"])
    )
    age = pop["age"]
    pop["score"] = (
        pop["heart_failure"].notna().astype(int)
        + pop["hypertension"].notna().astype(int)
        + np.where(age >= 75, 2, np.where(age >= 65, 1, 0))
        + pop["diabetes"].notna().astype(int)
        + 2 * pop["stroke_tia_te"].notna().astype(int)
        + pop["vascular_disease"].notna().astype(int)
        + (pop["sex"] == "F").astype(int)
    )
    # Eligible by the latest recorded score (QOF AF008's denominator); the computed score
    # finds the patients with none recorded who need assessing.
    pop["eligible"] = pop["on_register"] & (pop["recorded_score"] >= 2)
    pop["to_assess"] = pop["on_register"] & pop["recorded_score"].isna() & (pop["score"] >= 2)
    pop["treated"] = pop["eligible"] & pop["anticoagulated"]
    # Care adjustments: declined or not indicated within 12 months, contraindicated ever; a
    # VKA-only code (contraindicated ever, declined within 12 months) only with a DOAC unsuitable.
    vka_only = pop["vka_contraindicated"].notna() | (pop["vka_declined"] > months_12)
    adjusted = (
        (pop["anticoag_declined"] > months_12)
        | (pop["anticoag_not_indicated"] > months_12)
        | pop["anticoag_contraindicated"].notna()
        | (vka_only & doac_unsuitable)
    )
    pop["exception"] = pop["eligible"] & ~pop["anticoagulated"] & adjusted

    # Expected: each patient's prevalence by sex and single year of age.
    prevalence = pd.DataFrame(
        prevalence_by_age(prevalence_bands()), columns=["sex", "age_key", "prevalence"]
    )
    pop["age_key"] = pop["age"].clip(upper=OLDEST_AGE)
    pop = pop.merge(prevalence, on=["sex", "age_key"], how="left")
    pop["prevalence"] = pop["prevalence"].fillna(0.0)

    totals = pop.groupby("practice_code").agg(
        list_size=("patient_id", "size"),
        expected=("prevalence", "sum"),
        recorded=("on_register", "sum"),
        eligible=("eligible", "sum"),
        treated=("treated", "sum"),
        exceptions=("exception", "sum"),
        to_assess=("to_assess", "sum"),
    )
    by_score = (
        pop[pop["eligible"]]
        .groupby(["practice_code", "score"])
        .agg(eligible=("eligible", "sum"), treated=("treated", "sum"))
    )

    out: dict[str, PracticeRow] = {}
    for code, row in totals.iterrows():
        out[str(code)] = PracticeRow(
            list_size=int(row["list_size"]),
            expected=round(float(row["expected"]), EXPECTED_DIGITS),
            recorded=int(row["recorded"]),
            eligible=int(row["eligible"]),
            treated=int(row["treated"]),
            exceptions=int(row["exceptions"]),
            to_assess=int(row["to_assess"]),
            risk_counts={},
        )
    for code, score, eligible, treated in by_score.reset_index().itertuples(index=False):
        out[str(code)]["risk_counts"][int(score)] = (int(eligible), int(treated))

    # Practice organisations valid at the date appear even with no population.
    orgs = tables["organisations"]
    valid_from = pd.to_datetime(orgs["valid_from"])
    valid_to = pd.to_datetime(orgs["valid_to"])
    practices = orgs[
        (orgs["org_type"] == "practice")
        & (valid_from.isna() | (valid_from <= ref))
        & (valid_to.isna() | (valid_to >= ref))
    ]
    for code in practices["org_code"]:
        out.setdefault(str(code), zero_row())
    return dict(sorted(out.items()))


def measure(db_path: str, reference_date: str) -> dict[str, Any]:
    """The benchmark's measured step: read the tables into pandas, then compute."""
    tables = read_tables(db_path)
    return {"practices": practice_counts_pandas(tables, date.fromisoformat(reference_date))}
