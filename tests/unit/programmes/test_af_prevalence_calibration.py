"""The AF expected-prevalence table reproduces the sourced anchors it was calibrated to.

No published age x sex table was available (PARAMETERS.md, "Known gap"), so the packaged table is a
calibration: these tests are its acceptance criteria. Applied to England's Census 2021 age
structure it must give the sourced overall prevalence, sex split and age profile of AF.
"""

from __future__ import annotations

from importlib.resources import files

import pytest

from joinedup.domain.parameters import ParameterSet

# England, Census 2021, % of persons by five-year band 0-4 ... 85-89, 90+ (PARAMETERS.md §4).
CENSUS_2021_SHARES = [5.4, 5.9, 6.0, 5.7, 6.0, 6.6, 7.0, 6.7, 6.3, 6.4, 6.9, 6.7, 5.8, 4.9, 5.0,
                      3.6, 2.5, 1.5, 0.9]  # fmt: skip


def _female_share(age_from: int) -> float:
    # Women outlive men: a rising female share at older ages (see docs/parameters/af_prevalence.md).
    return 0.49 if age_from < 65 else 0.52 if age_from < 75 else 0.56 if age_from < 85 else 0.64


@pytest.fixture(scope="module")
def england() -> dict[str, float]:
    params = ParameterSet.from_dir(files("joinedup") / "programmes" / "af" / "parameters")
    table = params["af_prevalence"]
    rate = {(int(r["age_from"]), r["sex"]): float(r["prevalence"]) for r in table}
    cases = men = women = pop_m = pop_f = over65 = under45 = 0.0
    for i, share in enumerate(CENSUS_2021_SHARES):
        age = i * 5
        m, f = share * (1 - _female_share(age)), share * _female_share(age)
        cm, cf = m * rate[(age, "M")], f * rate[(age, "F")]
        cases += cm + cf
        men, women, pop_m, pop_f = men + cm, women + cf, pop_m + m, pop_f + f
        over65 += (cm + cf) if age >= 65 else 0
        under45 += (cm + cf) if age < 45 else 0
    return {
        "overall": cases / 100,
        "men": men / pop_m,
        "women": women / pop_f,
        "share_65_plus": over65 / cases,
        "share_under_45": under45 / cases,
    }


def test_overall_prevalence_between_phe_and_rcgp_anchors(england: dict[str, float]) -> None:
    # PHE 2015: 2.4% of England; RCGP RSC: 2.73%.
    assert 0.024 <= england["overall"] <= 0.0273


def test_men_have_more_af_than_women_as_observed(england: dict[str, float]) -> None:
    # RCGP RSC: men 3.18%, women 2.29% (ratio 1.39); accept 1.2-1.5.
    assert 1.2 <= england["men"] / england["women"] <= 1.5
    assert 0.025 <= england["men"] <= 0.033
    assert 0.019 <= england["women"] <= 0.024


def test_age_profile_of_cases(england: dict[str, float]) -> None:
    # PHE-derived split of estimated AF cases: 80.5% aged over 65, 2.9% under 45.
    assert 0.78 <= england["share_65_plus"] <= 0.84
    assert england["share_under_45"] <= 0.04


def test_table_covers_every_age_for_both_sexes() -> None:
    params = ParameterSet.from_dir(files("joinedup") / "programmes" / "af" / "parameters")
    for sex in ("M", "F"):
        rows = [r for r in params["af_prevalence"] if r["sex"] == sex]
        starts = sorted(int(r["age_from"]) for r in rows)
        assert starts == list(range(0, 95, 5))
        assert next(r for r in rows if int(r["age_from"]) == 90)["age_to"] == ""
        rates = [float(r["prevalence"]) for r in sorted(rows, key=lambda r: int(r["age_from"]))]
        assert rates == sorted(rates), "prevalence must not fall with age"
