"""The impact model against hand arithmetic and against the shipped, cited parameter files."""

from __future__ import annotations

import csv
import functools
import math
import operator
import os
import re
from datetime import date
from pathlib import Path

import pytest

from joinedup.domain.ambitions import Ambition, Gap
from joinedup.domain.impact import ImpactError, ImpactResult
from joinedup.domain.impact.stroke_risk import StrokeRiskModel as ImpactModel
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterError, ParameterSet
from joinedup.programmes import load_parameters, load_programme

AF_2029 = Ambition(detect=0.85, treat=0.90)
"""The national 2029 AF ambitions (85% detected, 90% of eligible anticoagulated)."""


def packaged_parameters(programme: str = "af", overrides: Path | None = None) -> ParameterSet:
    return load_parameters(load_programme(programme), overrides)


def impact_of(
    additional_treated: int,
    additional_found: int = 0,
    parameters: ParameterSet | None = None,
    ambition: Ambition = AF_2029,
) -> ImpactResult:
    """The AF model's impact for these patients (the packaged parameters by default)."""
    model = ImpactModel.from_parameters(parameters or packaged_parameters())
    return model.for_additional(additional_treated, additional_found, ambition)


PARAMETERS = Path(__file__).resolve().parents[3] / "src/joinedup/programmes/af/parameters"


def read_csv(name: str) -> list[dict[str, str]]:
    with (PARAMETERS / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def shipped_risk() -> dict[int, float]:
    return {
        int(r["cha2ds2vasc"]): float(r["annual_stroke_risk"]) for r in read_csv("stroke_risk.csv")
    }


def shipped_impact(name: str) -> float:
    return float(next(r["value"] for r in read_csv("impact.csv") if r["parameter"] == name))


def override(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "override"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


TWO_SCORE_DISTRIBUTION = "cha2ds2vasc,share,source,note\n2,0.5,test,\n4,0.5,test,\n"


def practice(**risk_counts: tuple[int, int]) -> PracticeCounts:
    return PracticeCounts(
        period_end=date(2025, 3, 31),
        programme="af",
        practice_code="A00001",
        practice_name="Test Practice",
        pcn_code=None,
        place_code=None,
        sub_icb_code=None,
        ics_code=None,
        list_size=5000,
        expected=120.0,
        recorded=100,
        eligible=30,
        treated=15,
        exceptions=0,
        risk_counts={int(k.removeprefix("s")): v for k, v in risk_counts.items()},
    )


def test_shipped_stroke_risk_is_the_swedish_cohort_column() -> None:
    # PARAMETERS.md, Friberg 2012 ischaemic stroke %/yr for scores 0..9
    assert shipped_risk() == {
        0: 0.002, 1: 0.006, 2: 0.022, 3: 0.032, 4: 0.048,
        5: 0.072, 6: 0.097, 7: 0.112, 8: 0.108, 9: 0.122,
    }  # fmt: skip
    assert all("Friberg" in row["source"] for row in read_csv("stroke_risk.csv"))


def test_100_treated_at_the_shipped_distribution_matches_the_csv_arithmetic() -> None:
    risk = shipped_risk()
    rrr = shipped_impact("relative_risk_reduction")
    rows = read_csv("risk_distribution.csv")
    total = sum(float(r["share"]) for r in rows)
    expected = sum(
        100 * float(r["share"]) / total * risk[int(r["cha2ds2vasc"])] * rrr for r in rows
    )
    result = impact_of(100)
    assert result.strokes_prevented_per_year == pytest.approx(expected, rel=1e-12)
    assert result.deaths_avoided_per_year == pytest.approx(
        expected * shipped_impact("deaths_per_stroke_prevented")
    )
    assert result.savings_gbp_per_year == pytest.approx(
        expected * shipped_impact("cost_per_stroke_year_one_gbp")
    )
    assert result.savings_gbp_five_year == pytest.approx(
        expected * shipped_impact("cost_per_stroke_five_year_gbp")
    )
    assert result.parameters_version == packaged_parameters().version


def test_hand_computed_case_with_a_two_score_distribution(tmp_path: Path) -> None:
    params = packaged_parameters(
        "af", override(tmp_path, "risk_distribution.csv", TWO_SCORE_DISTRIBUTION)
    )
    result = impact_of(100, parameters=params)
    # 50 at score 2 × 0.022 × 0.64 + 50 at score 4 × 0.048 × 0.64 = 0.704 + 1.536 = 2.24
    assert result.strokes_prevented_per_year == pytest.approx(2.24)
    assert result.deaths_avoided_per_year == pytest.approx(0.56)  # 2.24 × 0.25
    assert result.savings_gbp_per_year == pytest.approx(49_672.0)  # 2.24 × 22,175
    assert result.savings_gbp_five_year == pytest.approx(100_800.0)  # 2.24 × 45,000
    assert result.strokes_by_score[2] == pytest.approx(0.704)


def test_newly_found_patients_count_through_eligible_and_treated_shares(tmp_path: Path) -> None:
    params = packaged_parameters(
        "af", override(tmp_path, "risk_distribution.csv", TWO_SCORE_DISTRIBUTION)
    )
    result = impact_of(0, 100, parameters=params)
    # 100 found × 0.845 eligible × 0.90 treated (the treat ambition) = 76.05 treated,
    # spread 50/50 over scores 2 and 4: 76.05 × (0.5 × 0.022 + 0.5 × 0.048) × 0.64 = 1.70352
    assert result.newly_found_treated == pytest.approx(76.05)
    assert result.strokes_prevented_per_year == pytest.approx(1.70352)
    stricter = impact_of(0, 100, parameters=params, ambition=Ambition(detect=0.85, treat=1.0))
    assert stricter.strokes_prevented_per_year == pytest.approx(100 * 0.845 * 0.035 * 0.64)


def test_a_numeric_treated_share_in_impact_csv_overrides_the_ambition(tmp_path: Path) -> None:
    text = (PARAMETERS / "impact.csv").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^treated_share_of_found,ambition,", "treated_share_of_found,0.5,", text)
    folder = override(tmp_path, "impact.csv", text)
    model = ImpactModel.from_parameters(packaged_parameters("af", folder))
    assert model.treated_share_of_found == 0.5
    assert model.found_treated_share(Ambition(detect=0.85, treat=0.95)) == 0.5
    assert model.for_additional(0, 10, AF_2029).newly_found_treated == pytest.approx(
        10 * 0.845 * 0.5
    )


def test_override_changes_the_version_and_the_result(tmp_path: Path) -> None:
    base = packaged_parameters()
    text = (PARAMETERS / "impact.csv").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^relative_risk_reduction,0\.64,", "relative_risk_reduction,0.32,", text)
    params = packaged_parameters("af", override(tmp_path, "impact.csv", text))
    assert params.version.startswith(f"{base.version}+local.")
    halved = impact_of(100, parameters=params)
    assert halved.parameters_version == params.version
    assert halved.strokes_prevented_per_year == pytest.approx(
        impact_of(100).strokes_prevented_per_year / 2
    )


def test_practice_with_risk_counts_spreads_to_treat_over_its_own_untreated() -> None:
    # untreated: score 2 none, score 3 five, score 5 ten → to_treat 6 goes 2 to score 3, 4 to 5
    counts = practice(s2=(10, 10), s3=(10, 5), s5=(10, 0))
    model = ImpactModel.from_parameters(packaged_parameters())
    result = model.for_practice(counts, Gap(to_find=0, to_treat=6), AF_2029)
    # (2 × 0.032 + 4 × 0.072) × 0.64 = 0.352 × 0.64 = 0.22528
    assert result.strokes_prevented_per_year == pytest.approx(0.22528)
    assert result.additional_treated == pytest.approx(6)


def test_practice_without_risk_counts_uses_the_distribution() -> None:
    model = ImpactModel.from_parameters(packaged_parameters())
    result = model.for_practice(practice(), Gap(to_find=10, to_treat=6), AF_2029)
    assert result == model.for_additional(6, 10, AF_2029)


def test_practice_with_unknown_to_treat_counts_found_patients_only() -> None:
    model = ImpactModel.from_parameters(packaged_parameters())
    result = model.for_practice(practice(), Gap(to_find=10, to_treat=None, note="x"), AF_2029)
    assert result.additional_treated == 0
    assert result.strokes_prevented_per_year == pytest.approx(
        model.for_additional(0, 10, AF_2029).strokes_prevented_per_year
    )


def test_a_risk_score_without_a_stroke_risk_is_an_error_naming_the_practice() -> None:
    model = ImpactModel.from_parameters(packaged_parameters())
    with pytest.raises(ImpactError, match=r"A00001.*risk score 12"):
        model.for_practice(practice(s12=(3, 0)), Gap(to_find=0, to_treat=2), AF_2029)


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ImpactError, match="additional_treated must be 0 or more"):
        impact_of(-1)
    with pytest.raises(ImpactError, match="additional_found must be 0 or more"):
        impact_of(1, -5)


def test_shipped_distribution_is_the_documented_binomial_calibration() -> None:
    rows = read_csv("risk_distribution.csv")
    match = re.search(r"p=(0\.\d+)", rows[0]["source"])
    assert match is not None
    p = float(match.group(1))
    full = [math.comb(9, k) * p**k * (1 - p) ** (9 - k) for k in range(10)]
    eligible_share = sum(full[2:])
    # anchors: 84.5% of AF patients score ≥ 2 (Holt 2012); median score 3 (GARFIELD-AF UK)
    assert eligible_share == pytest.approx(shipped_impact("eligible_share_of_found"), abs=1e-4)
    assert sum(full[:3]) < 0.5 <= sum(full[:4])
    for row in rows:
        score = int(row["cha2ds2vasc"])
        assert float(row["share"]) == pytest.approx(full[score] / eligible_share, abs=1e-5)
        assert "calibrated" in row["note"]
    assert sum(float(r["share"]) for r in rows) == pytest.approx(1.0, abs=1e-9)


def test_a_distribution_not_summing_to_one_is_rejected_naming_the_file(tmp_path: Path) -> None:
    folder = override(
        tmp_path, "risk_distribution.csv", "cha2ds2vasc,share,source,note\n2,0.5,t,\n"
    )
    with pytest.raises(ParameterError, match=r"risk_distribution\.csv.*sums to 0\.5"):
        ImpactModel.from_parameters(packaged_parameters("af", folder))


def test_a_stroke_risk_out_of_range_is_rejected_naming_file_row_and_column(
    tmp_path: Path,
) -> None:
    text = "cha2ds2vasc,annual_stroke_risk,source,note\n" + "".join(
        f"{s},{'2.2' if s == 2 else '0.01'},t,\n" for s in range(10)
    )
    folder = override(tmp_path, "stroke_risk.csv", text)
    with pytest.raises(
        ParameterError, match=r"stroke_risk\.csv: row 3, column 'annual_stroke_risk'"
    ):
        ImpactModel.from_parameters(packaged_parameters("af", folder))


def test_a_score_that_is_not_whole_is_rejected(tmp_path: Path) -> None:
    folder = override(
        tmp_path, "risk_distribution.csv", "cha2ds2vasc,share,source,note\n2.5,1,t,\n"
    )
    with pytest.raises(ParameterError, match=r"row 1, column 'cha2ds2vasc': '2\.5'"):
        ImpactModel.from_parameters(packaged_parameters("af", folder))


def test_a_missing_impact_parameter_is_named(tmp_path: Path) -> None:
    text = (PARAMETERS / "impact.csv").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("deaths_per"))
    folder = override(tmp_path, "impact.csv", text + "\n")
    with pytest.raises(ParameterError, match=r"deaths_per_stroke_prevented'?, found 0"):
        ImpactModel.from_parameters(packaged_parameters("af", folder))


def test_a_share_above_one_is_rejected(tmp_path: Path) -> None:
    text = (PARAMETERS / "impact.csv").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^eligible_share_of_found,0\.845,", "eligible_share_of_found,84.5,", text)
    folder = override(tmp_path, "impact.csv", text)
    with pytest.raises(ParameterError, match=r"row \d+ \(eligible_share_of_found\).*in \[0, 1\]"):
        ImpactModel.from_parameters(packaged_parameters("af", folder))


def test_unknown_programme_has_no_packaged_parameters() -> None:
    with pytest.raises(ValueError, match="no packaged programme 'nope'"):
        packaged_parameters("nope")
    with pytest.raises(ValueError, match=r"no packaged programme '\.\./af'"):
        packaged_parameters("../af")


def test_results_add_up_and_refuse_mixed_versions() -> None:
    one = impact_of(10)
    two = impact_of(30, 5)
    both = one + two
    assert both.strokes_prevented_per_year == pytest.approx(
        one.strokes_prevented_per_year + two.strokes_prevented_per_year
    )
    assert both.additional_found == 5
    other = ImpactResult(0, 0, 0, 0, parameters_version="other")
    with pytest.raises(ValueError, match="parameter versions"):
        one + other


def test_total_is_the_sum_added_in_order_and_refuses_mixed_versions() -> None:
    # Differing score keys, an optional figure known for some only, floats whose sum depends
    # on the order: the total is exactly the left-to-right sum, field by field.
    results = [
        ImpactResult(0.1, 0.2, 0.3, 0.4, parameters_version="v", additional_treated=1,
                     strokes_by_score={2: 0.1}),
        ImpactResult(0.2, 1e-17, 1e16, 0.5, parameters_version="v", additional_found=2,
                     strokes_by_score={3: 0.2, 2: 0.3}, heart_attacks_prevented_per_year=0.7),
        ImpactResult(0.3, 0.1, 1.0, 0.6, parameters_version="v", newly_found_treated=3,
                     strokes_by_score={1: 0.4}),
    ]
    total = ImpactResult.total(results)
    assert total == functools.reduce(operator.add, results)
    assert total is not None and list(total.strokes_by_score) == [1, 2, 3]
    assert total.heart_attacks_prevented_per_year == 0.7
    assert ImpactResult.total([]) is None
    assert ImpactResult.total(results[:1]) == results[0]
    with pytest.raises(ValueError, match="parameter versions"):
        ImpactResult.total([results[0], ImpactResult(0, 0, 0, 0, parameters_version="w")])


def test_to_dict_leads_with_the_contract_keys() -> None:
    keys = list(impact_of(1).to_dict())
    assert keys[:4] == [
        "strokes_prevented_per_year",
        "deaths_avoided_per_year",
        "savings_gbp_per_year",
        "parameters_version",
    ]


def test_every_shipped_impact_row_is_cited() -> None:
    for name in ("impact.csv", "stroke_risk.csv", "risk_distribution.csv"):
        assert all(row["source"].strip() for row in read_csv(name)), name
    # the packaged folder is the one the code loads
    assert os.path.samefile(packaged_parameters()["impact"].path.parent, PARAMETERS)
