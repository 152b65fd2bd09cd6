"""The synthetic parameter set: how tables are read, overridden, cited and calibrated.

The calibration tests recompute each anchor independently from the shipped tables (England's
Census 2021 age/sex structure as the standard population), so a hand edit that breaks an
anchor fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from joinedup.domain.parameters import ParameterError, read_table
from joinedup.sources.synthetic.rates import (
    MAX_AGE,
    af_packaged_dir,
    age_sex_array,
    load_rates,
    packaged_dir,
)

RATES = load_rates()
BANDS = 19


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_age_sex_array_expands_bands_and_open_ends(tmp_path: Path) -> None:
    table = read_table(
        _write(
            tmp_path,
            "t.csv",
            "age_from,age_to,sex,rate,source\n0,49,F,0.1,s\n50,,F,0.2,s\n0,,M,0.3,s\n",
        )
    )
    got = age_sex_array(table, "rate")
    assert got.shape == (2, MAX_AGE + 1)
    assert got[0, 49] == 0.1 and got[0, 50] == 0.2 and got[0, MAX_AGE] == 0.2
    assert (got[1] == 0.3).all()


def test_age_sex_array_names_the_file_on_gaps_and_overlaps(tmp_path: Path) -> None:
    gap = read_table(_write(tmp_path, "gap.csv", "age_from,age_to,rate,source\n0,10,1,s\n"))
    with pytest.raises(ParameterError, match=r"gap\.csv.*no row covers age 11"):
        age_sex_array(gap, "rate")
    overlap = read_table(
        _write(tmp_path, "overlap.csv", "age_from,age_to,rate,source\n0,,1,s\n5,9,2,s\n")
    )
    with pytest.raises(ParameterError, match=r"overlap\.csv: row 2"):
        age_sex_array(overlap, "rate")


def test_override_replaces_a_table_and_marks_the_version(tmp_path: Path) -> None:
    text = (packaged_dir() / "rates.csv").read_text(encoding="utf-8")
    lines = [
        line.replace("doac_share,0.85", "doac_share,0.5")
        if line.startswith("doac_share,")
        else line
        for line in text.splitlines()
    ]
    _write(tmp_path, "rates.csv", "\n".join(lines) + "\n")
    rates = load_rates(tmp_path)
    assert rates.scalar("doac_share") == 0.5
    assert rates.versions["synthetic"].startswith("2026.3+local.")
    assert rates.versions["af"] == "2026.1"


def test_af_tables_are_overridden_from_an_af_subfolder(tmp_path: Path) -> None:
    (tmp_path / "af").mkdir()
    shutil.copy(af_packaged_dir() / "af_prevalence.csv", tmp_path / "af" / "af_prevalence.csv")
    assert load_rates(tmp_path).versions["af"].startswith("2026.1+local.")
    shutil.copy(af_packaged_dir() / "af_prevalence.csv", tmp_path / "af_prevalence.csv")
    with pytest.raises(ParameterError, match=r"belong to the AF programme.*af"):
        load_rates(tmp_path)


def test_every_row_is_cited_and_unverified_figures_are_marked_calibrated() -> None:
    for table in RATES.synthetic.tables.values():
        for i, row in enumerate(table.rows, start=2):
            assert row["source"], f"{table.path}: line {i} has no source"
            text = f"{row['source']} {row.get('note', '')}"
            if "UNVERIFIED" in text:
                assert "calibrated" in row.get("note", ""), f"{table.path}: line {i}"
            assert row["source"].strip().upper() != "UNVERIFIED"


# --- calibration anchors, recomputed --------------------------------------------------------


def england_weights() -> np.ndarray:
    """[sex, band] weights of England's population (Census 2021 shares x female share)."""
    share = np.array(RATES.table("age_structure").floats("share"))
    share /= share.sum()
    female = np.array(RATES.table("sex_by_age").floats("female_share"))
    return np.vstack([share * female, share * (1 - female)])


def band_table(table: str, column: str, **where: str) -> np.ndarray:
    by_age = RATES.by_age(table, column, where=where or None)
    return by_age[:, np.arange(BANDS) * 5]


def test_female_share_is_census_51_percent() -> None:
    assert england_weights()[0].sum() == pytest.approx(0.510, abs=0.0005)


@pytest.mark.parametrize(
    ("condition", "anchor", "adults_17_plus"),
    [
        ("diabetes", 0.0708, True),
        ("heart_failure", 0.0090, False),
        ("stroke_tia", 0.0180, False),
        ("vascular_disease", 0.5 * 0.0309 + 0.0060, False),
    ],
)
def test_condition_tables_reproduce_qof_anchors(
    condition: str, anchor: float, adults_17_plus: bool
) -> None:
    w = england_weights()
    if adults_17_plus:
        w[:, :3] = 0
        w[:, 3] *= 3 / 5
    p = band_table("conditions", "prevalence", condition=condition)
    assert float((w * p).sum() / w.sum()) == pytest.approx(anchor, abs=0.0002)


def test_hypertension_recorded_is_qof_14_1_percent() -> None:
    w = england_weights()
    true = band_table("conditions", "prevalence", condition="hypertension")
    diagnosed = band_table("hypertension_diagnosis", "diagnosed_share")
    assert float((w * true * diagnosed).sum()) == pytest.approx(0.1410, abs=0.0005)
    # The truth is HSE 2022: men 75+ 66%, women 45-54 22%.
    assert true[1, 15] == pytest.approx(0.66) and true[0, 9] == pytest.approx(0.22)


def test_admission_and_ae_rates_average_their_anchors() -> None:
    persons = england_weights().sum(axis=0)
    for kind, anchor in (("admission", 0.2926), ("ae_attendance", 0.30)):
        rate = band_table("encounter_rates", "rate_per_year", kind=kind)[0]
        assert float((persons * rate).sum()) == pytest.approx(anchor, abs=0.001)


def test_male_opt_out_is_female_scaled_by_the_tazare_ratio() -> None:
    rate = RATES.by_age("opt_out", "rate")
    np.testing.assert_allclose(rate[1], rate[0] * 4.41 / 5.53, rtol=0.002)
    assert rate[0, 45] == pytest.approx(0.0752)


def test_crude_death_rate_is_close_to_england_and_wales_2022() -> None:
    qx = band_table("mortality", "annual_death_probability")
    crude = float((england_weights() * qx).sum())
    assert crude == pytest.approx(577_160 / 59_597_542, abs=0.0015)


def test_ethnicity_places_sum_to_one_and_reproduce_west_yorkshire() -> None:
    table = RATES.table("ethnicity")
    shares: dict[str, dict[str, float]] = {}
    for i, row in enumerate(table.rows):
        shares.setdefault(row["place"], {})[row["ethnicity"]] = table.float_at(i, "share")
    for place, mix in shares.items():
        assert sum(mix.values()) == pytest.approx(1.0, abs=0.002), place
    weights = RATES.keyed("place_population", "place", "list_size")
    five = ["BDC", "CAL", "KIR", "LDS", "WAK"]
    total = sum(weights[p] for p in five)

    def mean(group: str) -> float:
        return sum(weights[p] * shares[p][group] for p in five) / total

    assert mean("White") == pytest.approx(0.7660, abs=0.01)
    assert mean("Asian") == pytest.approx(0.1585, abs=0.01)
    assert mean("Black") == pytest.approx(0.0308, abs=0.005)
    assert mean("Mixed") + mean("Other") == pytest.approx(0.0447, abs=0.005)
    assert shares["LDS"]["White"] == pytest.approx(0.7905)
