"""The generated population, compared with the parameter files within stated tolerances.

Most checks read only the written files and apply the AF programme's own rules (QOF register
logic, CHA2DS2-VASc from what is coded, an anticoagulant issued in the last 6 months), so they
test what a user of the files sees. True AF is not in the files, so its checks use the in-memory
run (`synthesise`) with the same options.

Tolerances are about four standard errors at 50,000 patients plus practice-level variation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.sources.synthetic import SynthResult, generate
from joinedup.sources.synthetic.generator import Synthesis, synthesise
from joinedup.sources.synthetic.population import CURRENT
from joinedup.sources.synthetic.rates import MAX_AGE, load_rates

REFERENCE = pd.Timestamp(date(2026, 3, 31))
SEED = 5
PATIENTS = 50_000
RATES = load_rates()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return generate(tmp_path_factory.mktemp("measures"), patients=PATIENTS, seed=SEED)


@pytest.fixture(scope="module")
def memory() -> Synthesis:
    return synthesise(patients=PATIENTS, seed=SEED)


@pytest.fixture(scope="module")
def data(run: SynthResult) -> dict[str, pd.DataFrame]:
    frames = {name: pd.read_parquet(path) for name, path in run.paths.items()}
    p = frames["patients"]
    p["birth_date"] = pd.to_datetime(p["birth_date"])
    born = p["birth_date"]
    p["age"] = (
        REFERENCE.year
        - born.dt.year
        - (
            (born.dt.month > REFERENCE.month)
            | ((born.dt.month == REFERENCE.month) & (born.dt.day > REFERENCE.day))
        )
    )
    for name in ("clinical_events", "medications"):
        frames[name]["date"] = pd.to_datetime(frames[name]["date"])
    return frames


def current(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    p = data["patients"]
    return p[p["registered_to"].isna()]


def coded(data: dict[str, pd.DataFrame], name: str, months: int | None = None) -> set[int]:
    """Patients with a code from the SNOMED codelist (in the last `months`, if given)."""
    events = data["clinical_events"]
    rows = events[events["snomed_code"].isin(load_codelist(name).codes)]
    if months is not None:
        rows = rows[rows["date"] > REFERENCE - pd.DateOffset(months=months)]
    return set(rows["patient_id"])


def issued(data: dict[str, pd.DataFrame], names: tuple[str, ...], months: int) -> set[int]:
    meds = data["medications"]
    codes: set[str] = set()
    for name in names:
        codes |= load_codelist(name, CodeSystem.DMD).codes
    rows = meds[
        meds["dmd_code"].isin(codes) & (meds["date"] > REFERENCE - pd.DateOffset(months=months))
    ]
    return set(rows["patient_id"])


def register(data: dict[str, pd.DataFrame], name: str, resolved: str) -> set[int]:
    """QOF register logic: latest code not followed by a later resolved code."""
    events = data["clinical_events"]
    last = (
        events[events["snomed_code"].isin(load_codelist(name).codes)]
        .groupby("patient_id")["date"]
        .max()
    )
    res = events[events["snomed_code"].isin(load_codelist(resolved).codes)]
    last_res = res.groupby("patient_id")["date"].max().reindex(last.index)
    keep = last_res.isna() | (last_res <= last)
    return set(last.index[keep])


def expected_rate(people: pd.DataFrame, table: str, column: str, **where: str) -> float:
    by_age = RATES.by_age(table, column, where=where or None)
    sex = (people["sex"] == "M").to_numpy().astype(int)
    age = np.minimum(people["age"].to_numpy(), MAX_AGE)
    return float(by_age[sex, age].mean())


# --- population ---------------------------------------------------------------------------


def test_age_structure_is_census_2021(data: dict[str, pd.DataFrame]) -> None:
    people = current(data)
    band = np.minimum(people["age"].to_numpy() // 5, 18)
    got = np.bincount(band, minlength=19) / len(people)
    census = np.array(RATES.table("age_structure").floats("share"))
    np.testing.assert_allclose(got, census / census.sum(), atol=0.006)
    assert (people["sex"] == "F").mean() == pytest.approx(0.510, abs=0.01)


def test_opt_out_follows_the_age_sex_table(data: dict[str, pd.DataFrame]) -> None:
    people = current(data)
    expected = expected_rate(people, "opt_out", "rate")
    assert people["opted_out"].mean() == pytest.approx(expected, abs=0.006)
    assert 0.04 < people["opted_out"].mean() < 0.065


def test_practices_span_every_imd_quintile_and_deprived_ones_are_younger(
    data: dict[str, pd.DataFrame],
) -> None:
    people = current(data)
    practice = people.groupby("practice_code").agg(
        decile=("imd_decile", "mean"), old=("age", lambda a: (a >= 65).mean())
    )
    quintile = np.clip(np.ceil(practice["decile"] / 2), 1, 5)
    assert set(quintile) == {1, 2, 3, 4, 5}
    assert practice["decile"].corr(practice["old"]) > 0.2


def test_ethnicity_follows_place_and_deprivation(
    data: dict[str, pd.DataFrame], memory: Synthesis
) -> None:
    people = current(data)
    orgs = data["organisations"].set_index("org_code")["parent_code"]
    place = (
        people["practice_code"].map(orgs).map(orgs).map(orgs)
    )  # practice -> pcn -> sub-ICB -> place
    known = people["ethnicity"] != "Unknown"
    leeds = people[(place == "PL-LDS") & known]
    assert (leeds["ethnicity"] == "White").mean() == pytest.approx(0.7905, abs=0.03)
    bradford = people[(place == "PL-BDC") & known]
    assert (bradford["ethnicity"] == "Asian").mean() > 0.25
    deprived = people[known & (people["imd_decile"] <= 2)]
    affluent = people[known & (people["imd_decile"] >= 9)]
    assert (deprived["ethnicity"] != "White").mean() > 2 * (affluent["ethnicity"] != "White").mean()


# --- AF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lo", "hi"), [(45, 64), (65, 74), (75, 84), (85, MAX_AGE)])
@pytest.mark.parametrize("sex", ["F", "M"])
def test_true_af_prevalence_follows_the_programme_table(
    memory: Synthesis, lo: int, hi: int, sex: str
) -> None:
    pop, truth = memory.population, memory.conditions.af_true
    table = RATES.by_age("af_prevalence", "prevalence")
    s = 0 if sex == "F" else 1
    group = (pop.status == CURRENT) & (pop.sex == s) & (pop.age >= lo) & (pop.age <= hi)
    expected = float(table[s, np.minimum(pop.age[group], MAX_AGE)].mean())
    n = int(group.sum())
    se = np.sqrt(expected * (1 - expected) / n)
    assert truth[group].mean() == pytest.approx(expected, abs=4 * se + 0.002)


def test_about_four_fifths_of_true_af_is_on_the_register(
    memory: Synthesis, data: dict[str, pd.DataFrame]
) -> None:
    pop, c = memory.population, memory.conditions
    now = pop.status == CURRENT
    share = c.af_register[now].sum() / c.af_true[now].sum()
    assert share == pytest.approx(0.79, abs=0.035)
    # The files agree with the in-memory register (QOF logic over the written codes).
    on_register = register(data, "af", "af_resolved") & set(current(data)["patient_id"])
    assert len(on_register) == int(c.af_register[now].sum())
    # Some were resolved, and some of those coded again.
    assert coded(data, "af_resolved")
    assert coded(data, "af_resolved") & on_register


def _af_register_scores(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    people = current(data).set_index("patient_id")
    reg = people.loc[sorted(register(data, "af", "af_resolved") & set(people.index))]
    score = np.where(reg["age"] >= 75, 2, np.where(reg["age"] >= 65, 1, 0))
    score = score + (reg["sex"] == "F").to_numpy()
    for name, points in (
        ("heart_failure", 1),
        ("hypertension", 1),
        ("diabetes", 1),
        ("stroke_tia_te", 2),
        ("vascular_disease", 1),
    ):
        score = score + points * reg.index.isin(list(coded(data, name)))
    return reg.assign(score=score)


def test_cha2ds2vasc_two_or_more_for_845_per_thousand(data: dict[str, pd.DataFrame]) -> None:
    reg = _af_register_scores(data)
    assert (reg["score"] >= 2).mean() == pytest.approx(0.845, abs=0.03)


def test_treated_share_of_eligible_and_doac_share(data: dict[str, pd.DataFrame]) -> None:
    reg = _af_register_scores(data)
    eligible = set(reg.index[reg["score"] >= 2])
    treated = issued(data, ("doac", "vka"), months=6) & eligible
    assert len(treated) / len(eligible) == pytest.approx(0.88, abs=0.03)
    doac = issued(data, ("doac",), months=6) & treated
    assert len(doac) / len(treated) == pytest.approx(0.85, abs=0.04)
    untreated = eligible - treated
    exceptions = (
        coded(data, "anticoag_declined", months=12) | coded(data, "anticoag_contraindicated")
    ) & untreated
    assert 0.15 < len(exceptions) / len(untreated) < 0.5
    stopped = issued(data, ("doac", "vka"), months=24) & untreated
    assert stopped  # some stopped more than six months ago


def test_most_af_patients_on_a_vka_have_a_doac_unsuitable_reason(
    data: dict[str, pd.DataFrame],
) -> None:
    # QOF AF008 counts a VKA as treatment only where a DOAC is unsuitable: the generator records
    # a reason for a share of the AF register on a VKA (an assumption in rates.csv), on or before
    # their first VKA issue, so the reason is there whenever the VKA is.
    af_any = coded(data, "af")
    on_vka = issued(data, ("vka",), months=6) & af_any
    reasons = data["clinical_events"].loc[
        lambda e: e["snomed_code"].isin(load_codelist("doac_unsuitable").codes)
    ]
    with_reason = set(reasons["patient_id"])
    share = len(with_reason & on_vka) / len(on_vka)
    assert share == pytest.approx(RATES.scalar("vka_doac_unsuitable_share"), abs=0.15)
    assert with_reason <= af_any  # no reason recorded for people without AF
    meds = data["medications"]
    vka = meds[meds["dmd_code"].isin(load_codelist("vka", CodeSystem.DMD).codes)]
    first_vka = vka.groupby("patient_id")["date"].min()
    reason_day = reasons.groupby("patient_id")["date"].min()
    both = reason_day.index.intersection(first_vka.index)
    assert len(both) > 0 and (reason_day[both] <= first_vka[both]).all()


def test_case_finding_signals_exist(data: dict[str, pd.DataFrame]) -> None:
    people = set(current(data)["patient_id"])
    af_any = coded(data, "af")
    oac_no_af = issued(data, ("doac", "vka"), months=6) & people - af_any
    irregular_no_af = coded(data, "irregular_pulse") & people - af_any
    assert len(oac_no_af) > 10 and len(irregular_no_af) > 10
    older = set(current(data).loc[lambda p: p["age"] >= 65, "patient_id"])
    checked = coded(data, "pulse_check", months=12) & older
    assert 0.25 < len(checked) / len(older) < 0.45


# --- other conditions and blood pressure -----------------------------------------------------


@pytest.mark.parametrize(
    ("codelist", "condition", "resolved", "adults"),
    [
        ("diabetes", "diabetes", "diabetes_resolved", True),
        ("heart_failure", "heart_failure", None, False),
        ("stroke_tia_te", "stroke_tia", None, False),
        ("vascular_disease", "vascular_disease", None, False),
    ],
)
def test_recorded_prevalence_matches_the_tables(
    data: dict[str, pd.DataFrame], codelist: str, condition: str, resolved: str | None, adults: bool
) -> None:
    people = current(data)
    if adults:
        people = people[people["age"] >= 17]
    found = register(data, codelist, resolved) if resolved else coded(data, codelist)
    got = people["patient_id"].isin(list(found)).mean()
    expected = expected_rate(people, "conditions", "prevalence", condition=condition)
    assert got == pytest.approx(expected, rel=0.1)


def test_hypertension_register_matches_hse_truth_times_diagnosis(
    data: dict[str, pd.DataFrame],
) -> None:
    people = current(data)
    found = register(data, "hypertension", "hypertension_resolved")
    got = people["patient_id"].isin(list(found)).mean()
    sex = (people["sex"] == "M").to_numpy().astype(int)
    age = np.minimum(people["age"].to_numpy(), MAX_AGE)
    true = RATES.by_age("conditions", "prevalence", where={"condition": "hypertension"})
    diagnosed = RATES.by_age("hypertension_diagnosis", "diagnosed_share")
    expected = float((true[sex, age] * diagnosed[sex, age]).mean())
    assert got == pytest.approx(expected, rel=0.06)
    assert got == pytest.approx(0.141, abs=0.015)  # QOF 2019-20, England


def _latest_readings(data: dict[str, pd.DataFrame], months: int) -> pd.DataFrame:
    events = data["clinical_events"]
    events = events[events["date"] > REFERENCE - pd.DateOffset(months=months)]
    out = {}
    for name in ("systolic_bp", "diastolic_bp"):
        rows = events[events["snomed_code"].isin(load_codelist(name).codes)]
        # QOF: the latest reading; on the latest day, the lowest value.
        ordered = rows.sort_values(
            ["patient_id", "date", "numeric_value"], ascending=[True, False, True]
        )
        last = ordered.groupby("patient_id").first()
        out[name] = last["numeric_value"]
    return pd.DataFrame(out).dropna()


def test_blood_pressure_recording_and_control(data: dict[str, pd.DataFrame]) -> None:
    people = current(data).set_index("patient_id")
    on_register = sorted(
        register(data, "hypertension", "hypertension_resolved") & set(people.index)
    )
    readings = _latest_readings(data, 12)
    with_reading = readings.index.intersection(on_register)
    assert len(with_reading) / len(on_register) == pytest.approx(0.88, abs=0.03)
    r = readings.loc[with_reading]
    threshold = np.where(people.loc[with_reading, "age"] >= 80, 150, 140)
    controlled = (r["systolic_bp"] <= threshold) & (r["diastolic_bp"] <= 90)
    assert controlled.mean() == pytest.approx(0.74, abs=0.03)
    adults = people[people["age"] >= 18]
    high = readings[(readings["systolic_bp"] >= 140) | (readings["diastolic_bp"] >= 90)]
    high_24 = _latest_readings(data, 24)
    high_24 = high_24[(high_24["systolic_bp"] >= 140) | (high_24["diastolic_bp"] >= 90)]
    undiagnosed = high_24.index.difference(list(coded(data, "hypertension"))).intersection(
        adults.index
    )
    assert len(undiagnosed) / len(adults) == pytest.approx(0.0198, abs=0.004)
    assert len(high) > 0


# --- encounters ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["admission", "ae_attendance", "outpatient", "community_visit"])
def test_encounter_rates_follow_the_age_table(data: dict[str, pd.DataFrame], kind: str) -> None:
    people = current(data)
    enc = data["encounters"]
    rows = enc[(enc["kind"] == kind) & enc["patient_id"].isin(people["patient_id"])]
    if kind == "admission":
        rows = rows[rows["snomed_code"].isna()]  # stroke admissions come on top
    per_year = len(rows) / len(people) / 2
    expected = expected_rate(people, "encounter_rates", "rate_per_year", kind=kind)
    assert per_year == pytest.approx(expected, rel=0.08)


def test_overrides_change_the_run_and_its_version(tmp_path: Path) -> None:
    source = RATES.table("rates").path.read_text(encoding="utf-8").splitlines()
    lines = [
        "doac_share,0.2,share of OAC,test override,test" if line.startswith("doac_share,") else line
        for line in source
    ]
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "rates.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = generate(tmp_path / "out", patients=20_000, seed=1, parameters_dir=tmp_path / "params")
    assert result.parameter_versions["synthetic"].startswith("2026.3+local.")
    meds = pd.read_parquet(result.paths["medications"])
    doac = meds["dmd_code"].isin(load_codelist("doac", CodeSystem.DMD).codes)
    vka = meds["dmd_code"].isin(load_codelist("vka", CodeSystem.DMD).codes)
    patients_doac = meds.loc[doac, "patient_id"].nunique()
    patients_vka = meds.loc[vka, "patient_id"].nunique()
    assert patients_doac / (patients_doac + patients_vka) == pytest.approx(0.2, abs=0.06)
