"""QOF geography mapping files: every header generation, the footprint built, the clear errors."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from joinedup.domain.organisations import Footprint, hierarchy_problems
from joinedup.sources.geography import (
    CcgIcb,
    GeographyFileError,
    cross_boundary_pcns,
    detect_layout,
    read_ccg_icb_codes,
    read_mapping,
    read_nhs_geographies,
)

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "geography"

# (ICS prefix, sub-ICB prefix, country column) for each header generation.
LAYOUTS = {
    "2019_2020": ("STP", "CCG", "COUNTRY"),
    "2021_2022": ("ICB", "SUB_ICB_LOC", "NAT_COUNTRY"),
    "2022_2023": ("ICB", "SUB_ICB", "NAT_COUNTRY"),
}

# ics, ics name, sub-ICB, sub-ICB name, pcn, pcn name, practice, practice name
SLICE = [
    ("Q1", "North ICS", "01A", "Alpha CCG", "U00001", "One PCN", "P1", "Practice 1"),
    ("Q1", "North ICS", "01A", "Alpha CCG", "U00001", "One PCN", "P2", "Practice 2"),
    ("Q1", "North ICS", "01B", "Beta CCG", "U00001", "One PCN", "P3", "Practice 3"),
    ("Q1", "North ICS", "01B", "Beta CCG", "U00002", "Two PCN", "P4", "Practice 4"),
    ("Q1", "North ICS", "01B", "Beta CCG", "U", "Unallocated", "P5", "Practice 5"),
    ("Q2", "South ICS", "02C", "Gamma CCG", "U00003", "Three PCN", "P6", "Practice 6"),
]


def write_mapping(
    folder: Path,
    year: str = "2022_2023",
    rows: Sequence[tuple[str, ...]] = SLICE,
    header_override: str | None = None,
    bom: bool = False,
) -> Path:
    ics, sub, country = LAYOUTS.get(year, LAYOUTS["2022_2023"])
    header = (
        f"NAT_ONS_CODE,NAT_CODE,{country},REGION_ODS_CODE,REGION_ONS_CODE,REGION_NAME,"
        f"{ics}_ODS_CODE,{ics}_ONS_CODE,{ics}_NAME,{sub}_ODS_CODE,{sub}_ONS_CODE,{sub}_NAME,"
        "PCN_ODS_CODE,PCN_NAME,PRACTICE_CODE,PRACTICE_NAME"
    )
    lines = [header_override or header]
    for i, c, s, sn, p, pn, pr, prn in rows:
        lines.append(
            f"E92000001,ENG,England,Y63,E40000012,North East and Yorkshire,"
            f"{i},E54000001,{c},{s},E38000001,{sn},{p},{pn},{pr},{prn}"
        )
    path = folder / f"MAPPING_NHS_GEOGRAPHIES_{year}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig" if bom else "utf-8")
    return path


def by_code(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(r["org_code"]): r for r in rows}


def parents(rows: list[dict[str, object]]) -> dict[str, object]:
    return {str(r["org_code"]): r["parent_code"] for r in rows}


# --- slices ----------------------------------------------------------------------------------


@pytest.mark.parametrize("year", sorted(LAYOUTS))
def test_every_layout_gives_the_same_footprint(tmp_path: Path, year: str) -> None:
    rows = read_nhs_geographies(write_mapping(tmp_path, year), ics_code="Q1")
    assert parents(rows) == {
        "Q1": None,
        "PL-01A": "Q1",
        "PL-01B": "Q1",
        "01A": "PL-01A",
        "01B": "PL-01B",
        "U-01B": "01B",  # unallocated practices gathered per sub-ICB
        "U00001": "01A",  # two of its three practices are in 01A
        "U00002": "01B",
        "P1": "U00001",
        "P2": "U00001",
        "P3": "U00001",
        "P4": "U00002",
        "P5": "U-01B",
    }
    types = Counter(str(r["org_type"]) for r in rows)
    assert types == {"ics": 1, "place": 2, "sub_icb": 2, "pcn": 3, "practice": 5}
    start = int(year[:4])
    assert {(r["valid_from"], r["valid_to"]) for r in rows} == {
        (date(start, 4, 1), date(start + 1, 3, 31))
    }
    assert hierarchy_problems(rows) == []


def test_names_come_from_the_file_and_places_from_sub_icbs(tmp_path: Path) -> None:
    rows = by_code(read_nhs_geographies(write_mapping(tmp_path), ics_code="Q1"))
    assert rows["Q1"]["name"] == "North ICS"
    assert rows["PL-01A"]["name"] == "Alpha CCG"
    assert rows["U00001"]["name"] == "One PCN"
    assert rows["U-01B"]["name"] == "Unallocated (Beta CCG)"
    assert rows["P4"]["name"] == "Practice 4"


def test_region_is_dropped_and_no_filter_keeps_every_practice(tmp_path: Path) -> None:
    rows = read_nhs_geographies(write_mapping(tmp_path))
    codes = {str(r["org_code"]) for r in rows}
    assert "Y63" not in codes
    assert {str(r["org_type"]) for r in rows} == {"ics", "place", "sub_icb", "pcn", "practice"}
    assert sum(r["org_type"] == "practice" for r in rows) == 6
    assert sum(r["org_type"] == "ics" for r in rows) == 2


def test_rows_come_parents_first(tmp_path: Path) -> None:
    rows = read_nhs_geographies(write_mapping(tmp_path))
    seen: set[object] = set()
    for r in rows:
        assert r["parent_code"] is None or r["parent_code"] in seen
        seen.add(r["org_code"])


def test_cross_boundary_pcns_are_listed_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_mapping(tmp_path)
    assert cross_boundary_pcns(read_mapping(path)) == {"U00001": {"01A": 2, "01B": 1}}
    with caplog.at_level(logging.WARNING, logger="joinedup.sources.geography"):
        read_nhs_geographies(path)
    assert "U00001 → 01A" in caplog.text


def test_a_tie_goes_to_the_lowest_sub_icb_code(tmp_path: Path) -> None:
    rows = [r for r in SLICE if r[6] != "P2"]  # U00001 now has one practice in each of 01A, 01B
    found = parents(read_nhs_geographies(write_mapping(tmp_path, rows=rows)))
    assert found["U00001"] == "01A"


def test_place_map_groups_sub_icbs(tmp_path: Path) -> None:
    place_map = {"01A": ("PL-K", "Kirklees"), "01B": ("PL-K", "Kirklees")}
    rows = read_nhs_geographies(write_mapping(tmp_path), ics_code="Q1", place_map=place_map)
    places = [r for r in rows if r["org_type"] == "place"]
    assert [(p["org_code"], p["name"], p["parent_code"]) for p in places] == [
        ("PL-K", "Kirklees", "Q1")
    ]
    assert parents(rows)["01A"] == parents(rows)["01B"] == "PL-K"
    footprint = Footprint.from_rows(rows)
    assert len(footprint.practices_under("PL-K")) == 5


def test_place_map_missing_a_sub_icb(tmp_path: Path) -> None:
    with pytest.raises(GeographyFileError, match=r"no place for sub-ICB\(s\) 01B"):
        read_nhs_geographies(
            write_mapping(tmp_path), ics_code="Q1", place_map={"01A": ("PL-K", "K")}
        )


def test_place_map_with_two_names_for_one_place(tmp_path: Path) -> None:
    place_map = {"01A": ("PL-K", "Kirklees"), "01B": ("PL-K", "Kirklees Place")}
    with pytest.raises(GeographyFileError, match="two names"):
        read_nhs_geographies(write_mapping(tmp_path), ics_code="Q1", place_map=place_map)


def test_place_map_spanning_two_icss(tmp_path: Path) -> None:
    place_map = {c: ("PL-X", "X") for c in ("01A", "01B", "02C")}
    with pytest.raises(GeographyFileError, match="in two ICSs: Q1 and Q2"):
        read_nhs_geographies(write_mapping(tmp_path), place_map=place_map)


def test_bad_header_names_file_and_expected_columns(tmp_path: Path) -> None:
    path = write_mapping(tmp_path, header_override="REGION,AREA,PCN,PRACTICE")
    with pytest.raises(GeographyFileError) as caught:
        read_nhs_geographies(path)
    message = str(caught.value)
    assert str(path) in message
    for column in ("STP_ODS_CODE", "CCG_ODS_CODE", "SUB_ICB_LOC_ODS_CODE", "SUB_ICB_ODS_CODE"):
        assert column in message
    assert "Found: REGION, AREA, PCN, PRACTICE" in message


def test_detect_layout_needs_every_column_of_a_layout() -> None:
    tail = ["PCN_ODS_CODE", "PCN_NAME", "PRACTICE_CODE", "PRACTICE_NAME"]
    assert detect_layout(["STP_ODS_CODE", "STP_NAME", "CCG_ODS_CODE", "CCG_NAME", *tail]).name == (
        "stp_ccg"
    )
    assert detect_layout(["ICB_ODS_CODE", "ICB_NAME", "SUB_ICB_ODS_CODE", "SUB_ICB_NAME", *tail])
    with pytest.raises(GeographyFileError, match="Found: ICB_ODS_CODE, ICB_NAME, SUB_ICB_ODS_CODE"):
        detect_layout(["ICB_ODS_CODE", "ICB_NAME", "SUB_ICB_ODS_CODE", *tail])


def test_layout_comes_from_the_header_not_the_file_name(tmp_path: Path) -> None:
    path = write_mapping(tmp_path, "2022_2023")
    renamed = path.rename(tmp_path / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv")
    mapping = read_mapping(renamed)
    assert mapping.layout.name == "icb_sub_icb"
    assert mapping.valid_from == date(2019, 4, 1)


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    rows = read_nhs_geographies(write_mapping(tmp_path, bom=True), ics_code="Q2")
    assert sum(r["org_type"] == "practice" for r in rows) == 1


def test_blank_field_names_file_line_and_column(tmp_path: Path) -> None:
    rows = list(SLICE)
    rows[2] = ("Q1", "North ICS", "01B", "Beta CCG", "", "One PCN", "P3", "Practice 3")
    path = write_mapping(tmp_path, rows=rows)
    with pytest.raises(GeographyFileError, match=r"line\(s\) 4: PCN_ODS_CODE is blank") as caught:
        read_mapping(path)
    assert str(path) in str(caught.value)


def test_repeated_practice_is_refused(tmp_path: Path) -> None:
    path = write_mapping(tmp_path, rows=[*SLICE, SLICE[0]])
    with pytest.raises(GeographyFileError, match=r"line\(s\) 8: PRACTICE_CODE appears more"):
        read_mapping(path)


def test_sub_icb_in_two_icss_is_refused(tmp_path: Path) -> None:
    moved = ("Q2", "South ICS", "01A", "Alpha CCG", "U00009", "Nine PCN", "P9", "Practice 9")
    with pytest.raises(GeographyFileError, match="sub_icb_code 01A has more than one ics_code"):
        read_mapping(write_mapping(tmp_path, rows=[*SLICE, moved]))


def test_unknown_ics_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GeographyFileError, match="no practices with ICS/STP code 'QXX'"):
        read_mapping(write_mapping(tmp_path), ics_code="QXX")


def test_year_comes_from_the_file_name_or_the_caller(tmp_path: Path) -> None:
    path = write_mapping(tmp_path).rename(tmp_path / "geography.csv")
    with pytest.raises(GeographyFileError, match="cannot tell the QOF year"):
        read_mapping(path)
    mapping = read_mapping(path, year_start=2024)
    assert (mapping.valid_from, mapping.valid_to) == (date(2024, 4, 1), date(2025, 3, 31))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GeographyFileError, match="file not found"):
        read_mapping(tmp_path / "MAPPING_NHS_GEOGRAPHIES_2020_2021.csv")


def test_ccg_icb_codes_slice(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "CCG_ICB_code.csv"
    path.write_bytes(
        "\ufeffCCG Code,ICB Code,ICB NAME\r\n"
        "15F,QWO,NHS West Yorkshire Integrated Care Board\r\n"
        "n/a not SBS client at present,QOP,NHS Greater Manchester Integrated Care Board\r\n"
        'M2L0M,QOC,"NHS Shropshire, Telford and Wrekin Integrated Care Board"\r\n'.encode()
    )
    with caplog.at_level(logging.WARNING, logger="joinedup.sources.geography"):
        codes = read_ccg_icb_codes(path)
    assert codes == {
        "15F": CcgIcb("15F", "QWO", "NHS West Yorkshire Integrated Care Board"),
        "M2L0M": CcgIcb("M2L0M", "QOC", "NHS Shropshire, Telford and Wrekin Integrated Care Board"),
    }
    assert "line(s) [3]" in caplog.text


def test_ccg_icb_codes_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("CCG,ICB\n15F,QWO\n")
    with pytest.raises(GeographyFileError, match="expected columns CCG Code, ICB Code, ICB NAME"):
        read_ccg_icb_codes(path)


# --- the real files --------------------------------------------------------------------------

QWO_PRACTICES = {
    "2019_2020": 290,
    "2020_2021": 285,
    "2021_2022": 272,
    "2022_2023": 270,
    "2023_2024": 264,
}


@pytest.mark.parametrize("year", sorted(QWO_PRACTICES))
def test_every_real_year_loads_west_yorkshire(year: str) -> None:
    path = DATA / f"MAPPING_NHS_GEOGRAPHIES_{year}.csv"
    footprint = Footprint.from_rows(read_nhs_geographies(path, ics_code="QWO"))
    assert len(footprint.of_type("practice")) == QWO_PRACTICES[year]
    assert len(footprint.practices_under("QWO")) == QWO_PRACTICES[year]
    start = int(year[:4])
    assert len(footprint.valid_at(date(start, 4, 1))) == len(footprint)
    assert footprint.valid_at(date(start + 1, 4, 1)) == ()


def test_west_yorkshire_2019_20() -> None:
    path = DATA / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"
    footprint = Footprint.from_rows(read_nhs_geographies(path, ics_code="QWO"))
    subs = sorted(o.org_code for o in footprint.of_type("sub_icb"))
    assert subs == ["02T", "03A", "03J", "03R", "15F", "36J"]
    assert len(footprint.of_type("place")) == 6
    assert len(footprint.of_type("pcn")) == 52
    assert sum(len(footprint.practices_under(s)) for s in subs) == 290
    assert footprint["QWO"].name.startswith("West Yorkshire and Harrogate")
    leeds = footprint.rollup(footprint.practices_under("15F")[0].org_code)
    assert (leeds["sub_icb"], leeds["place"], leeds["ics"]) == ("15F", "PL-15F", "QWO")


def test_west_yorkshire_2019_20_with_its_five_places() -> None:
    # Greater Huddersfield (03A) and North Kirklees (03J) together are Kirklees: 64 practices,
    # the same 64 the merged Kirklees CCG (X2C4Y) holds in the 2020-21 file.
    place_map = {
        "02T": ("PL-CAL", "Calderdale"),
        "03A": ("PL-KIR", "Kirklees"),
        "03J": ("PL-KIR", "Kirklees"),
        "03R": ("PL-WAK", "Wakefield"),
        "15F": ("PL-LDS", "Leeds"),
        "36J": ("PL-BDC", "Bradford District and Craven"),
    }
    path = DATA / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"
    rows = read_nhs_geographies(path, ics_code="QWO", place_map=place_map)
    footprint = Footprint.from_rows(rows)
    assert len(footprint.of_type("place")) == 5
    assert len(footprint.practices_under("PL-KIR")) == 64
    assert [o.org_code for o in footprint.children("PL-KIR")] == ["03A", "03J"]


def test_national_2019_20_keeps_every_practice() -> None:
    path = DATA / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"
    footprint = Footprint.from_rows(read_nhs_geographies(path))
    assert len(footprint.of_type("practice")) == 6720
    assert len(footprint.of_type("ics")) == 42


def test_real_ccg_icb_codes() -> None:
    codes = read_ccg_icb_codes(DATA / "CCG_ICB_code.csv")
    assert len(codes) == 248  # 249 lines less the header and the one note row
    assert codes["X2C4Y"].icb_code == "QWO"
    assert codes["15F"].icb_name == "NHS West Yorkshire Integrated Care Board"
