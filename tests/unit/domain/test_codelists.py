"""Codelists: the packaged CSVs are well formed, loading fails clearly, systems cannot be mixed."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from joinedup.domain.codelists import (
    Codelist,
    CodelistError,
    CodeSystem,
    WrongCodeSystemError,
    is_valid_code,
    load_codelist,
    load_codelist_file,
    packaged_codelists,
    parse_codelist,
)

CODELISTS_DIR = resources.files("joinedup.codelists")

EXPECTED = {
    CodeSystem.SNOMED_CT: {
        "af",
        "af_resolved",
        "hypertension",
        "hypertension_resolved",
        "diabetes",
        "diabetes_resolved",
        "heart_failure",
        "heart_failure_resolved",
        "stroke_tia_te",
        "vascular_disease",
        "anticoag_declined",
        "anticoag_not_indicated",
        "anticoag_contraindicated",
        "vka_declined",
        "vka_contraindicated",
        "doac_unsuitable",
        "cha2ds2vasc_score",
        "pulse_check",
        "irregular_pulse",
        "systolic_bp",
        "diastolic_bp",
        "bp_reading",
    },
    CodeSystem.DMD: {"doac", "vka", "antiplatelet", "antihypertensive"},
}
ALL_PACKAGED = [(s, n) for s, names in EXPECTED.items() for n in sorted(names)]


def _write(tmp_path: Path, text: str, name: str = "mine.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the packaged files -------------------------------------------------------------------


def test_every_expected_codelist_is_packaged_and_nothing_else() -> None:
    for system, names in EXPECTED.items():
        assert set(packaged_codelists(system)) == names


@pytest.mark.parametrize(("system", "name"), ALL_PACKAGED)
def test_packaged_codelist_is_well_formed(system: CodeSystem, name: str) -> None:
    text = CODELISTS_DIR.joinpath(system.value, f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["code", "term"], "header must be exactly code,term"
    body = rows[1:]
    assert body, "a packaged codelist must not be empty"
    codes = [r[0] for r in body]
    assert all(len(r) == 2 for r in body)
    assert all(is_valid_code(c) for c in codes)
    assert len(codes) == len(set(codes))
    assert all(r[1].strip() == r[1] and r[1] for r in body)

    loaded = load_codelist(name, system)
    assert loaded.system is system
    assert loaded.name == name
    assert loaded.ordered == tuple(codes)  # file order kept: first row = most common concept
    assert loaded.codes == frozenset(codes)


def test_every_packaged_file_has_a_sources_entry() -> None:
    sources = CODELISTS_DIR.joinpath("SOURCES.md").read_text(encoding="utf-8")
    for system, name in ALL_PACKAGED:
        assert f"`{system.value}/{name}.csv`" in sources, f"{name} is undocumented"


def test_known_anchor_codes_are_where_programmes_expect_them() -> None:
    af = load_codelist("af")
    assert af.ordered[0] == "49436004"
    assert af.term("49436004") == "Atrial fibrillation"
    assert "5370000" in af  # atrial flutter counts, as in QOF AFIB_COD
    assert load_codelist("af_resolved").codes == frozenset({"196371000000102"})
    assert load_codelist("irregular_pulse").codes < load_codelist("pulse_check").codes
    assert "703908001" in load_codelist("doac", CodeSystem.DMD)  # Apixaban 5mg tablets


def test_snomed_and_dmd_packaged_lists_do_not_overlap() -> None:
    snomed: set[str] = set()
    for name in EXPECTED[CodeSystem.SNOMED_CT]:
        snomed |= load_codelist(name).codes
    dmd: set[str] = set()
    for name in EXPECTED[CodeSystem.DMD]:
        dmd |= load_codelist(name, CodeSystem.DMD).codes
    assert not snomed & dmd


# --- loading a user's own file --------------------------------------------------------------


def test_user_file_loads_in_order_with_terms(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "code,term\n271637005,Pulse irregularly irregular\n61086009,Pulse irregular\n\n",
        "my_pulse.csv",
    )
    c = load_codelist_file(path, CodeSystem.SNOMED_CT)
    assert c.name == "my_pulse"
    assert c.ordered == ("271637005", "61086009")
    assert c.term("61086009") == "Pulse irregular"
    assert len(c) == 2
    assert list(c) == ["271637005", "61086009"]


def test_user_file_may_carry_extra_columns_and_a_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffcode,term,type\n703908001,Apixaban 5mg tablets,vmp\n")
    c = load_codelist_file(path, CodeSystem.DMD)
    assert c.ordered == ("703908001",)


@pytest.mark.parametrize(
    ("text", "row", "field", "fragment"),
    [
        ("code,term\n49436004,Atrial fibrillation\n,No code\n", 3, "code", "missing code"),
        ("code,term\n4943600X,Typo\n", 2, "code", "must be 6-18 digits"),
        ("code,term\n12345,Too short\n", 2, "code", "must be 6-18 digits"),
        ("code,term\n1234567890123456789,Too long\n", 2, "code", "must be 6-18 digits"),
        (
            "code,term\n49436004,Atrial fibrillation\n5370000,Atrial flutter\n49436004,AF\n",
            4,
            "code",
            "duplicate code 49436004 (first seen on row 2)",
        ),
        ("code,term\n49436004,\n", 2, "term", "missing term"),
        ("id,name\n49436004,Atrial fibrillation\n", 1, None, "header must start 'code,term'"),
    ],
)
def test_malformed_rows_name_file_row_and_field(
    tmp_path: Path, text: str, row: int, field: str | None, fragment: str
) -> None:
    path = _write(tmp_path, text, "broken.csv")
    with pytest.raises(CodelistError) as caught:
        load_codelist_file(path, CodeSystem.SNOMED_CT)
    err = caught.value
    assert err.row == row
    assert err.field == field
    message = str(err)
    assert str(path) in message
    assert f"row {row}" in message
    assert fragment in message


@pytest.mark.parametrize("text", ["", "code,term\n", "code,term\n\n\n"])
def test_empty_files_are_rejected(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text, "empty.csv")
    with pytest.raises(CodelistError, match=r"empty\.csv"):
        load_codelist_file(path, CodeSystem.SNOMED_CT)


def test_missing_user_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(CodelistError, match=r"nope\.csv: no such codelist file"):
        load_codelist_file(path, CodeSystem.DMD)


def test_unknown_packaged_name_lists_what_exists() -> None:
    with pytest.raises(CodelistError, match=r"no packaged codelist 'warfarin'.*vka"):
        load_codelist("warfarin", CodeSystem.DMD)
    with pytest.raises(CodelistError, match="letters, digits"):
        load_codelist("../dmd/doac", CodeSystem.SNOMED_CT)


def test_a_dmd_list_is_not_found_under_snomed() -> None:
    with pytest.raises(CodelistError, match="no packaged codelist 'doac'"):
        load_codelist("doac", CodeSystem.SNOMED_CT)


# --- the wrong-system guard -----------------------------------------------------------------


def test_codes_for_column_matches_system_to_column() -> None:
    af = load_codelist("af")
    doac = load_codelist("doac", CodeSystem.DMD)
    assert af.codes_for_column("snomed_code") == af.codes
    assert doac.codes_for_column("dmd_code") == doac.codes


def test_dmd_list_against_snomed_column_is_refused() -> None:
    doac = load_codelist("doac", CodeSystem.DMD)
    with pytest.raises(WrongCodeSystemError, match=r"'doac' holds dm\+d codes"):
        doac.codes_for_column("snomed_code")
    with pytest.raises(WrongCodeSystemError, match="SNOMED CT codes"):
        load_codelist("af").codes_for_column("dmd_code")


def test_column_without_codes_is_refused() -> None:
    with pytest.raises(WrongCodeSystemError, match="column 'numeric_value'"):
        load_codelist("systolic_bp").codes_for_column("numeric_value")


def test_union_keeps_order_and_refuses_mixed_systems() -> None:
    a = Codelist.of("a", CodeSystem.SNOMED_CT, [("266257000", "TIA"), ("230690007", "CVA")])
    b = Codelist.of("b", CodeSystem.SNOMED_CT, [("230690007", "CVA"), ("75543006", "Embolism")])
    both = a.union(b, "ab")
    assert both.ordered == ("266257000", "230690007", "75543006")
    assert both.name == "ab"
    d = Codelist.of("d", CodeSystem.DMD, [("703908001", "Apixaban 5mg tablets")])
    with pytest.raises(WrongCodeSystemError):
        a.union(d)


# --- the type itself ------------------------------------------------------------------------


def test_codelist_is_immutable_and_hashable() -> None:
    c = Codelist.of("x", CodeSystem.SNOMED_CT, [("49436004", "Atrial fibrillation")])
    with pytest.raises(AttributeError):
        c.name = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.terms["49436004"] = "changed"  # type: ignore[index]
    same = Codelist.of("x", CodeSystem.SNOMED_CT, [("49436004", "Another term")])
    assert c == same
    assert hash(c) == hash(same)
    other_system = Codelist.of("x", CodeSystem.DMD, [("49436004", "Atrial fibrillation")])
    assert c != other_system


def test_inconsistent_hand_built_codelist_is_refused() -> None:
    with pytest.raises(ValueError, match="disagree"):
        Codelist("x", CodeSystem.SNOMED_CT, ("49436004",), frozenset({"5370000"}), {})
    with pytest.raises(ValueError, match="duplicate"):
        Codelist.of("x", CodeSystem.SNOMED_CT, [("49436004", "a"), ("49436004", "b")])
    with pytest.raises(ValueError, match="not a SNOMED CT id"):
        Codelist.of("x", CodeSystem.SNOMED_CT, [("AF01", "a")])


@pytest.mark.parametrize(
    ("code", "ok"),
    [("123456", True), ("1" * 18, True), ("12345", False), ("1" * 19, False), ("١٢٣٤٥٦", False)],
)
def test_is_valid_code(code: str, ok: bool) -> None:
    assert is_valid_code(code) is ok


def test_parse_reports_source_name_not_path() -> None:
    with pytest.raises(CodelistError, match=r"^inline, row 2, field 'code'"):
        parse_codelist("code,term\nabc,x\n", "x", CodeSystem.SNOMED_CT, "inline")
