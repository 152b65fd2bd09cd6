"""The footprints: shape, codes that cannot clash with real ones, and the real 2019 structure."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from joinedup.domain.organisations import hierarchy_problems
from joinedup.sources.synthetic import FOOTPRINTS
from joinedup.sources.synthetic.footprint import (
    UnknownFootprintError,
    build_footprint,
    scale_list_sizes,
)
from joinedup.sources.synthetic.rates import load_rates

RATES = load_rates()
DEFAULT = build_footprint("west-yorkshire", RATES)
REAL = build_footprint("west-yorkshire-2019", RATES)


def pcn_sizes(
    footprint_rows: list[dict[str, object]], codes: list[str], sizes: np.ndarray
) -> list[int]:
    parent = {str(r["org_code"]): r["parent_code"] for r in footprint_rows}
    totals: dict[object, int] = {}
    for code, size in zip(codes, sizes, strict=True):
        totals[parent[code]] = totals.get(parent[code], 0) + int(size)
    return sorted(totals.values())


def test_default_footprint_is_shaped_like_west_yorkshire() -> None:
    counts = DEFAULT.counts()
    assert counts["ics"] == 1 and counts["place"] == 6 and counts["sub_icb"] == 6
    assert 45 <= counts["pcn"] <= 65
    assert 280 <= counts["practice"] <= 320
    assert counts["trust"] == 6 and counts["community_team"] == 6
    assert counts["local_authority"] == 7
    assert DEFAULT.patients == 2_600_000
    names = {str(r["name"]) for r in DEFAULT.organisations if r["org_type"] == "place"}
    assert names == {
        "Bradford District and Craven",
        "Calderdale",
        "Harrogate",
        "Kirklees",
        "Leeds",
        "Wakefield",
    }


def test_default_pcns_hold_30_to_50_thousand_people() -> None:
    sizes = pcn_sizes(DEFAULT.organisations, DEFAULT.practice_codes, DEFAULT.list_size)
    assert min(sizes) >= 30_000 and max(sizes) <= 50_000


def test_default_list_sizes_are_right_skewed_like_the_real_ones() -> None:
    sizes = DEFAULT.list_size
    assert sizes.min() >= 1_500 and sizes.max() <= 35_000
    assert 6_500 <= np.median(sizes) <= 9_000
    assert sizes.mean() > np.median(sizes)  # right-skewed


def test_practices_differ_in_deprivation_and_age() -> None:
    assert DEFAULT.position.min() < 0.15 and DEFAULT.position.max() > 0.85
    # More deprived (low position) practices are younger.
    assert np.corrcoef(DEFAULT.position, DEFAULT.share_65plus)[0, 1] > 0.3
    # The footprint's 65+ share is England's (Census 2021).
    share = float((DEFAULT.share_65plus * DEFAULT.list_size).sum() / DEFAULT.list_size.sum())
    assert share == pytest.approx(0.1844, abs=0.002)


@pytest.mark.parametrize("footprint", [DEFAULT, REAL], ids=["west-yorkshire", "2019"])
def test_organisations_form_a_valid_hierarchy(footprint: object) -> None:
    rows = footprint.organisations  # type: ignore[attr-defined]
    assert hierarchy_problems(rows) == []


def test_synthetic_codes_cannot_clash_with_ods(shared_data: Path) -> None:
    practices = [str(r["org_code"]) for r in DEFAULT.organisations if r["org_type"] == "practice"]
    pcns = [str(r["org_code"]) for r in DEFAULT.organisations if r["org_type"] == "pcn"]
    assert all(re.fullmatch(r"Y9\d{4}", c) for c in practices)
    assert all(re.fullmatch(r"UX\d{4}", c) for c in pcns)  # real PCNs are U + five digits
    with (shared_data / "geography" / "epraccur.csv").open(encoding="utf-8") as handle:
        real_practices = {row[0] for row in csv.reader(handle)}
    assert not set(practices) & real_practices
    mapping = shared_data / "geography" / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv"
    with mapping.open(encoding="utf-8") as handle:
        real_pcns = {row["PCN_ODS_CODE"] for row in csv.DictReader(handle)}
    assert not set(pcns) & real_pcns


def test_2019_footprint_is_the_real_qwo_structure() -> None:
    counts = REAL.counts()
    assert counts["practice"] == 290
    assert counts["pcn"] == 52
    assert counts["sub_icb"] == 6  # the six CCGs
    assert counts["place"] == 5  # Kirklees holds two CCGs; Harrogate was not in QWO
    assert REAL.patients == 2_592_366
    ics = [r for r in REAL.organisations if r["org_type"] == "ics"]
    assert ics[0]["org_code"] == "QWO"
    by_code = dict(zip(REAL.practice_codes, REAL.list_size, strict=True))
    assert by_code["B82007"] == 9512  # Townhead Surgery, QOF 2019-20


def test_2019_footprint_scales_list_sizes_in_proportion() -> None:
    small = build_footprint("west-yorkshire-2019", RATES, 259_237)
    assert small.patients == 259_237
    assert np.abs(small.list_size - REAL.list_size / 10).max() <= 1


def test_scale_list_sizes_is_exact_and_keeps_every_practice() -> None:
    got = scale_list_sizes(np.array([100, 200, 700]), 10)
    assert got.sum() == 10 and got.min() >= 1
    with pytest.raises(ValueError, match="at least 3 patients"):
        scale_list_sizes(np.array([100, 200, 700]), 2)


def test_unknown_footprint_lists_the_choices() -> None:
    with pytest.raises(UnknownFootprintError) as info:
        build_footprint("nowhere", RATES)
    for name in FOOTPRINTS:
        assert name in str(info.value)
