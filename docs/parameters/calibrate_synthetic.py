"""Recompute the calibrated tables of the synthetic parameter set (docs/parameters/synthetic.md).

Run from the repository root::

    .venv/bin/python docs/parameters/calibrate_synthetic.py

Where no published table exists, the generator uses an assumed *shape* scaled to a published
*anchor*. This script is that calibration, kept so anyone can check or redo it. It reads the
sourced tables already in the parameter folder (Census 2021 age shares, the AF programme's
prevalence table) and writes, overwriting:

* ``sex_by_age.csv``: female share by age, rising at older ages, scaled to Census 2021 51.0%.
* ``conditions.csv``: recorded diabetes, heart failure, stroke/TIA and vascular disease by age and
  sex (logistic shapes scaled to QOF 2019-20 England prevalence) and true hypertension (HSE 2022).
* ``hypertension_diagnosis.csv``: diagnosed share of true hypertension by age and sex, shaped by
  the HSE 2022 untreated share and scaled to QOF 2019-20 HYP 14.10%.
* ``af_comorbidity.csv``: odds ratios of each CHA2DS2-VASc condition among people with AF, one
  common scale solved so that 84.5% of people with AF score 2 or more (Holt et al. 2012).
* ``encounter_rates.csv``: encounter rates by age, shapes scaled to their anchors.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from joinedup.sources.synthetic.sampling import marginal_preserving

HERE = Path(__file__).resolve()
PARAMS = HERE.parents[2] / "src" / "joinedup" / "sources" / "synthetic" / "parameters"
AF_PARAMS = HERE.parents[2] / "src" / "joinedup" / "programmes" / "af" / "parameters"

BANDS = [(5 * i, 5 * i + 4) for i in range(18)] + [(90, None)]
MID = np.array([2.5 + 5 * i for i in range(18)] + [93.0])
SEXES = ("F", "M")

CALIBRATED = (
    "joinedup calibration (docs/parameters/synthetic.md; docs/parameters/calibrate_synthetic.py)"
)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with (PARAMS / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def band_label(i: int) -> tuple[int, str]:
    lo, hi = BANDS[i]
    return lo, "" if hi is None else str(hi)


def census_shares() -> np.ndarray:
    rows = read(PARAMS / "age_structure.csv")
    share = np.array([float(r["share"]) for r in rows])
    return share / share.sum()


FEMALE_SHAPE = np.array(
    [0.488] * 4
    + [0.495, 0.500]
    + [0.508] * 4
    + [0.507, 0.506, 0.51, 0.52, 0.53, 0.545, 0.57, 0.62, 0.70]
)


def sex_by_age(share: np.ndarray) -> np.ndarray:
    """Shape: boys outnumber girls at birth (~105:100), women outlive men from the 60s.

    Scaled about 0.5 so that the Census 2021 age shares give 51.0% female overall.
    """
    lo, hi = -0.05, 0.05
    for _ in range(60):
        shift = (lo + hi) / 2
        total = float((share * (FEMALE_SHAPE + shift)).sum())
        lo, hi = (shift, hi) if total < 0.510 else (lo, shift)
    return np.round(FEMALE_SHAPE + (lo + hi) / 2, 4)


def logistic(mid: float, scale: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(MID - mid) / scale))


# condition -> (shape, female/male ratio, anchor, population the anchor is measured on, note)
SHAPES: dict[str, tuple[np.ndarray, float, float, str, str]] = {
    "diabetes": (
        logistic(52, 9) * (1 - 0.2 * np.clip((MID - 80) / 10, 0, 1)),
        0.75,
        0.0708,
        "17+",
        "QOF 2019-20 DM register 7.08% of the 17+ list (NHS Digital PREVALENCE_1920.csv, derived)",
    ),
    "heart_failure": (
        logistic(83, 7),
        0.70,
        0.0090,
        "all",
        "QOF 2019-20 HF register 0.90% of the list (NHS Digital PREVALENCE_1920.csv, derived)",
    ),
    "stroke_tia": (
        logistic(80, 9),
        0.85,
        0.0180,
        "all",
        "QOF 2019-20 STIA register 1.80% of the list (NHS Digital PREVALENCE_1920.csv, derived)",
    ),
    "vascular_disease": (
        logistic(76, 9),
        0.50,
        0.5 * 0.0309 + 0.0060,
        "all",
        "QOF 2019-20 CHD 3.09% x 0.5 (assumed share of CHD with a myocardial infarction) + PAD "
        "0.60% (NHS Digital PREVALENCE_1920.csv, derived)",
    ),
}
CHILD_DIABETES = 0.002  # type 1 diabetes in children: assumption (no sourced figure)


def england_weights(share: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Population weights [sex, band] for England (Census 2021 shares x female share)."""
    return np.vstack([share * female, share * (1 - female)])


def anchor_weights(weights: np.ndarray, population: str) -> np.ndarray:
    w = weights.copy()
    if population == "17+":
        w[:, :3] = 0
        w[:, 3] *= 3 / 5  # ages 17-19 of the 15-19 band
    return w


def calibrated_condition(
    weights: np.ndarray, shape: np.ndarray, ratio: float, anchor: float, population: str
) -> np.ndarray:
    base = np.vstack([shape * ratio, shape])
    w = anchor_weights(weights, population)
    top = anchor * w.sum() / float((w * base).sum())
    return np.clip(base * top, 0, 0.6)


HSE_BANDS = [(16, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, None)]
HSE_ALL = {"M": [5, 23, 31, 50, 61, 66], "F": [3, 6, 22, 31, 54, 71]}
HSE_UNTREATED = {"M": [4, 14, 19, 23, 20, 20], "F": [3, 5, 16, 15, 18, 22]}


def hse_by_band(values: dict[str, list[int]]) -> np.ndarray:
    """HSE 2022 bands mapped to five-year bands: 0-14 none, 15-19 at 4/5 of the 16-34 value."""
    out = np.zeros((2, len(BANDS)))
    for s, sex in enumerate(SEXES):
        for i, (lo, _hi) in enumerate(BANDS):
            if lo < 15:
                continue
            j = next(k for k, (a, b) in enumerate(HSE_BANDS) if b is None or lo <= b)
            out[s, i] = values[sex][j] / 100 * (0.8 if lo == 15 else 1.0)
    return out


def hypertension_tables(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    true = hse_by_band(HSE_ALL)
    untreated = hse_by_band(HSE_UNTREATED)
    u = np.divide(untreated, true, out=np.ones_like(true), where=true > 0)
    lo, hi = 0.0, 1.5
    for _ in range(60):
        k = (lo + hi) / 2
        diagnosed = np.clip(1 - k * u, 0.02, 1)
        total = float((weights * true * diagnosed).sum() / weights.sum())
        lo, hi = (k, hi) if total > 0.1410 else (lo, k)
    return true, np.round(np.clip(1 - (lo + hi) / 2 * u, 0.02, 1), 4)


BASE_ODDS = {
    "heart_failure": 5.0,
    "hypertension": 2.5,
    "diabetes": 1.6,
    "stroke_tia": 2.5,
    "vascular_disease": 2.0,
}
POINTS = {
    "heart_failure": 1,
    "hypertension": 1,
    "diabetes": 1,
    "stroke_tia": 2,
    "vascular_disease": 1,
}


def af_prevalence() -> np.ndarray:
    out = np.zeros((2, len(BANDS)))
    for row in read(AF_PARAMS / "af_prevalence.csv"):
        i = int(row["age_from"]) // 5
        out[SEXES.index(row["sex"]), min(i, 18)] = float(row["prevalence"])
    return out


def share_score_two(
    weights: np.ndarray,
    af: np.ndarray,
    coded: dict[str, np.ndarray],
    scale: float,
    diagnosed: np.ndarray,
) -> float:
    """Share of people with AF whose CHA2DS2-VASc is 2 or more, components independent.

    As in the generator, each condition's prevalence is split into (without AF, with AF) with the
    odds ratio so the overall prevalence is kept; the odds ratio raises *true* hypertension,
    which is then diagnosed at the age/sex diagnosed share.
    """
    total = eligible = 0.0
    for s in range(2):
        for b in range(len(BANDS)):
            lo = BANDS[b][0]
            base = (2 if lo >= 75 else 1 if lo >= 65 else 0) + (1 if SEXES[s] == "F" else 0)
            dist = np.zeros(12)
            dist[base] = 1.0
            for name, p in coded.items():
                _p0, p1 = marginal_preserving(
                    np.array([p[s, b]]), np.array([af[s, b]]), BASE_ODDS[name] ** scale
                )
                q = float(p1[0])
                if name == "hypertension":
                    q *= float(diagnosed[s, b])
                shifted = np.roll(dist, POINTS[name])
                dist = dist * (1 - q) + shifted * q
            n = weights[s, b] * af[s, b]
            total += n
            eligible += n * dist[2:].sum()
    return eligible / total


def encounter_rates(weights: np.ndarray) -> list[list[object]]:
    persons = weights.sum(axis=0)
    shapes: dict[str, tuple[list[float], float | None, str, str]] = {
        "admission": (
            [
                0.25,
                0.07,
                0.07,
                0.10,
                0.18,
                0.19,
                0.20,
                0.20,
                0.20,
                0.22,
                0.25,
                0.29,
                0.35,
                0.42,
                0.52,
                0.65,
                0.80,
                0.95,
                1.10,
            ],
            0.2926,
            "HSCIC HES APC 2014-15: 15.9m admissions, 29,260 per 100,000 (via gmjournal.co.uk); "
            "Hertfordshire Cohort 59-73: 327-391 per 1,000 PY (PMID 24598084)",
            "calibrated: age shape assumed, scaled to 0.2926 per person-year in England",
        ),
        "ae_attendance": (
            [
                0.55,
                0.30,
                0.30,
                0.40,
                0.42,
                0.38,
                0.33,
                0.30,
                0.28,
                0.27,
                0.27,
                0.28,
                0.30,
                0.33,
                0.38,
                0.45,
                0.60,
                0.80,
                1.10,
            ],
            0.30,
            "derived: ~18m HES A&E attendance records 2012-13 (HSCIC, via dementianews) / 60.4m "
            "registered patients (QOF 2019-20 list total); the years differ",
            "calibrated: U-shaped age shape assumed (no sourced rate by age), scaled to 0.30",
        ),
        "outpatient": (
            [
                0.50,
                0.45,
                0.45,
                0.55,
                0.70,
                0.80,
                0.85,
                0.90,
                1.00,
                1.10,
                1.30,
                1.50,
                1.80,
                2.10,
                2.40,
                2.60,
                2.70,
                2.60,
                2.30,
            ],
            None,
            "assumption: no sourced outpatient rate by age in PARAMETERS.md",
            "assumption: rises with age to ~2.7 per person-year at 80-84",
        ),
        "community_visit": (
            [
                0.05,
                0.02,
                0.02,
                0.02,
                0.02,
                0.03,
                0.03,
                0.03,
                0.04,
                0.05,
                0.06,
                0.08,
                0.12,
                0.20,
                0.35,
                0.70,
                1.40,
                2.80,
                4.50,
            ],
            None,
            "assumption: no sourced community contact rate by age in PARAMETERS.md",
            "assumption: concentrated in the over-75s (district nursing)",
        ),
    }
    rows: list[list[object]] = []
    for kind, (shape, anchor, source, note) in shapes.items():
        rate = np.array(shape)
        if anchor is not None:
            rate = rate * anchor / float((persons * rate).sum() / persons.sum())
        for i in range(len(BANDS)):
            lo, hi = band_label(i)
            rows.append([kind, lo, hi, round(float(rate[i]), 4), source, note])
    return rows


def main() -> None:
    share = census_shares()
    female = sex_by_age(share)
    write(
        "sex_by_age.csv",
        ["age_from", "age_to", "female_share", "source", "note"],
        [
            [
                *band_label(i),
                female[i],
                "ONS Census 2021 England: 51.0% female (tom-draper/persona README citing ONS)",
                "calibrated: shape assumed (more boys at birth, more women "
                "from the 60s), shifted so England's age shares give 51.0% female",
            ]
            for i in range(len(BANDS))
        ],
    )
    weights = england_weights(share, female)

    rows: list[list[object]] = []
    coded: dict[str, np.ndarray] = {}
    for name, (shape, ratio, anchor, population, source) in SHAPES.items():
        table = calibrated_condition(weights, shape, ratio, anchor, population)
        if name == "diabetes":
            table[:, :3] = CHILD_DIABETES
        coded[name] = table
        note = (
            f"calibrated: logistic age shape assumed (women x{ratio} of men), scaled so England's "
            f"Census 2021 age/sex structure gives the anchor ({anchor:.4%} of {population})"
        )
        for s, sex in enumerate(SEXES):
            for i in range(len(BANDS)):
                rows.append([name, *band_label(i), sex, round(float(table[s, i]), 5), source, note])
    true, diagnosed = hypertension_tables(weights)
    for s, sex in enumerate(SEXES):
        for i in range(len(BANDS)):
            rows.append(
                [
                    "hypertension",
                    *band_label(i),
                    sex,
                    round(float(true[s, i]), 4),
                    "NHS England Health Survey for England 2022, all with hypertension by age "
                    "and sex (data/cvd/hse_estimate.csv)",
                    "true prevalence: HSE bands mapped to five-year bands; under-15s 0 and 15-19 "
                    "at 4/5 of the 16-34 value (assumption)",
                ]
            )
    write(
        "conditions.csv",
        ["condition", "age_from", "age_to", "sex", "prevalence", "source", "note"],
        rows,
    )
    write(
        "hypertension_diagnosis.csv",
        ["age_from", "age_to", "sex", "diagnosed_share", "source", "note"],
        [
            [
                *band_label(i),
                sex,
                float(diagnosed[s, i]),
                "QOF 2019-20 HYP register 14.10% of the list (NHS Digital, derived); HSE 2022 "
                "untreated share of hypertensives by age and sex (data/cvd/hse_estimate.csv)",
                "calibrated: 1 - k x HSE untreated share, one k so England's recorded prevalence "
                "is 14.10%",
            ]
            for s, sex in enumerate(SEXES)
            for i in range(len(BANDS))
        ],
    )

    coded["hypertension"] = true
    af = af_prevalence()
    lo, hi = 0.0, 3.0
    for _ in range(60):
        scale = (lo + hi) / 2
        if share_score_two(weights, af, coded, scale, diagnosed) < 0.845:
            lo = scale
        else:
            hi = scale
    scale = (lo + hi) / 2
    achieved = share_score_two(weights, af, coded, scale, diagnosed)
    print(f"odds-ratio scale {scale:.4f}: share >=2 {achieved:.4f}")
    write(
        "af_comorbidity.csv",
        ["condition", "odds_ratio", "source", "note"],
        [
            [
                name,
                round(BASE_ODDS[name] ** scale, 4),
                "Holt et al. BJGP 2012;62:e710: 84.5% of UK AF patients score CHA2DS2-VASc >= 2",
                f"calibrated: relative odds assumed ({BASE_ODDS[name]} before scaling), raised to "
                f"the power {scale:.4f} so that 84.5% of people with AF score 2 or more",
            ]
            for name in BASE_ODDS
        ],
    )
    write(
        "encounter_rates.csv",
        ["kind", "age_from", "age_to", "rate_per_year", "source", "note"],
        encounter_rates(weights),
    )


if __name__ == "__main__":
    main()
