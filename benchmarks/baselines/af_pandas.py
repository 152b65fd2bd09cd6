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
    anticoagulant_codes,
    prevalence_bands,
    prevalence_by_age,
    snomed_members,
    zero_row,
)

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
                "SELECT patient_id, date, snomed_code FROM clinical_events"
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

    # Anticoagulant issued in the 6 months up to and including the date.
    meds = tables["medications"]
    meds_date = pd.to_datetime(meds["date"])
    issued = meds[
        (meds_date <= ref) & (meds_date > months_6) & meds["dmd_code"].isin(anticoagulant_codes())
    ]
    pop["anticoagulated"] = pop["patient_id"].isin(issued["patient_id"].unique())

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
    pop["eligible"] = pop["on_register"] & (pop["score"] >= 2)
    pop["treated"] = pop["eligible"] & pop["anticoagulated"]
    adjusted = (pop["anticoag_declined"] > months_12) | pop["anticoag_contraindicated"].notna()
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
