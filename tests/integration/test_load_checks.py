"""Every reason the loader rejects a row, each shown on a tiny hand-made folder.

A small valid footprint (``base``) loads with no rejects; each case breaks one thing and checks
exactly which rows are rejected, with which field and reason, and that every other row loaded.
"""

from __future__ import annotations

import copy
import csv
import functools
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedup.domain.contract import TABLES, table
from joinedup.store import LoadReport
from joinedup.store import load as store_load

TODAY = date(2025, 1, 1)
# Each case breaks one row of a tiny table, so its rejected share is far above the default
# limit; the limit has tests of its own (test_load_refusal.py).
load = functools.partial(store_load, max_rejected_share=1.0)
# Valid NHS numbers from the synthetic range (9000000009 etc.) and one with a wrong check digit.
NHS = ("9000000009", "9000000017", "9000000025", "9000000033")
BAD_NHS = "9000000018"

Rows = dict[str, list[dict[str, str | None]]]


def base() -> Rows:
    """A footprint with one of everything, valid as of TODAY. Patient 3 has no activity."""
    org = ("org_code", "name", "org_type", "parent_code", "valid_from", "valid_to")
    pat = table("patients").column_names
    return {
        "organisations": [
            dict(zip(org, r, strict=True))
            for r in (
                ("ICS1", "The ICS", "ics", None, None, None),
                ("PL1", "A place", "place", "ICS1", None, None),
                ("PCN1", "A PCN", "pcn", "PL1", None, None),
                ("P1", "Practice one", "practice", "PCN1", "2020-04-01", None),
                ("P2", "Practice two", "practice", "PCN1", None, None),
                ("T1", "A trust", "trust", "ICS1", None, None),
            )
        ],
        "patients": [
            dict(zip(pat, r, strict=True))
            for r in (
                ("1", NHS[0], "1950-06-01", "F", "White", "E01000001", "3", "P1", "2000-01-01",
                 None, None, "false"),
                ("2", NHS[1], "1960-01-01", "M", "Asian", None, "7", "P2", "2001-01-01",
                 None, None, "true"),
                ("3", NHS[2], "1970-01-01", "F", "Unknown", None, None, "P2", "2002-01-01",
                 "2024-01-01", None, "0"),
            )
        ],
        "clinical_events": [
            {"patient_id": "1", "date": "2020-01-01", "snomed_code": "49436004",
             "numeric_value": None},
            {"patient_id": "1", "date": "2021-01-01", "snomed_code": "271649006",
             "numeric_value": "142.5"},
            {"patient_id": "2", "date": "2020-06-01", "snomed_code": "49436004",
             "numeric_value": None},
        ],
        "medications": [{"patient_id": "1", "date": "2020-02-01", "dmd_code": "13532911000001104"}],
        "encounters": [
            {"encounter_id": "1", "patient_id": "1", "org_code": "T1", "kind": "admission",
             "start": "2020-01-01 10:00:00", "end": "2020-01-03T12:30:00",
             "snomed_code": None},
        ],
        "waiting_list": [
            {"referral_id": "1", "patient_id": "2", "trust_code": "T1", "specialty": "T&O",
             "procedure_code": "W401", "priority": "P3", "clock_start": "2024-06-01",
             "expected_minutes": "90", "status": "waiting"},
        ],
    }  # fmt: skip


def write_csv(folder: Path, rows: Rows) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, records in rows.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(table(name).column_names))
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in records)
    return folder


_ARROW = {
    "string": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}


def _typed(text: str | None, kind: str) -> object:
    if text is None:
        return None
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "timestamp":
        from datetime import datetime

        return datetime.fromisoformat(text)
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text.lower() in {"true", "1"}
    return text


def write_parquet(folder: Path, rows: Rows) -> Path:
    """Parquet with the contract's types, as the synthetic generator writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, records in rows.items():
        spec = table(name)
        arrays = {
            c.name: pa.array([_typed(r[c.name], c.type) for r in records], type=_ARROW[c.type])
            for c in spec.columns
        }
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")
    return folder


def load_csv(tmp_path: Path, rows: Rows) -> tuple[LoadReport, list[tuple[object, ...]]]:
    report = load(write_csv(tmp_path / "in", rows), tmp_path / "ics.duckdb", today=TODAY)
    return report, rejects(tmp_path / "ics.duckdb")


def rejects(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT table_name, row_number, field, reason FROM rejects "
            "ORDER BY table_name, row_number"
        ).fetchall()


def loaded(db: Path, name: str, columns: str = "*") -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT {columns} FROM {name} ORDER BY ALL").fetchall()


def test_base_folder_loads_with_no_rejects(tmp_path: Path) -> None:
    report, found = load_csv(tmp_path, base())
    assert found == []
    assert [(t.table, t.rows_in, t.loaded, t.rejected) for t in report.tables] == [
        ("organisations", 6, 6, 0),
        ("patients", 3, 3, 0),
        ("clinical_events", 3, 3, 0),
        ("medications", 1, 1, 0),
        ("encounters", 1, 1, 0),
        ("waiting_list", 1, 1, 0),
    ]
    db = tmp_path / "ics.duckdb"
    assert loaded(db, "patients", "patient_id, opted_out, registered_to") == [
        (1, False, None),
        (2, True, None),
        (3, False, date(2024, 1, 1)),
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        start, end = con.execute('SELECT start, "end" FROM encounters').fetchone() or ()
        assert (str(start), str(end)) == ("2020-01-01 10:00:00", "2020-01-03 12:30:00")


Edit = Callable[[Rows], None]


def _set(name: str, index: int, /, **values: str | None) -> Edit:
    def edit(rows: Rows) -> None:
        rows[name][index].update(values)

    return edit


def _add(name: str, /, **values: str | None) -> Edit:
    """Append a copy of the table's first row with some values changed."""

    def edit(rows: Rows) -> None:
        rows[name].append({**rows[name][0], **values})

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(rows: Rows) -> None:
        for e in edits:
            e(rows)

    return edit


# (case id, edit, the single expected reject: table, data row, field, reason)
CASES: list[tuple[str, Edit, tuple[str, int, str, str]]] = [
    # -- types ---------------------------------------------------------------------------
    ("bad date", _set("patients", 2, birth_date="1970-02-30"),
     ("patients", 3, "birth_date", "birth_date is not a date (YYYY-MM-DD)")),
    ("date not ISO", _set("patients", 2, registered_from="01/02/2002"),
     ("patients", 3, "registered_from", "registered_from is not a date (YYYY-MM-DD)")),
    ("bad timestamp", _set("encounters", 0, start="yesterday"),
     ("encounters", 1, "start", "start is not a timestamp (YYYY-MM-DD HH:MM[:SS])")),
    ("bad whole number", _set("patients", 2, imd_decile="3.5"),
     ("patients", 3, "imd_decile", "imd_decile is not a whole number")),
    ("bad number", _add("clinical_events", numeric_value="high"),
     ("clinical_events", 4, "numeric_value", "numeric_value is not a finite number")),
    ("infinite number", _add("clinical_events", numeric_value="inf"),
     ("clinical_events", 4, "numeric_value", "numeric_value is not a finite number")),
    ("bad bool", _set("patients", 2, opted_out="maybe"),
     ("patients", 3, "opted_out", "opted_out is not true, false, 1 or 0")),
    # -- required and allowed ------------------------------------------------------------
    ("missing required", _set("patients", 2, sex=None),
     ("patients", 3, "sex", "sex is missing")),
    ("blank required", _set("patients", 2, ethnicity="  "),
     ("patients", 3, "ethnicity", "ethnicity is missing")),
    ("sex not allowed", _set("patients", 2, sex="X"),
     ("patients", 3, "sex", "sex is not one of F, M")),
    ("kind not allowed", _set("encounters", 0, kind="visit"),
     ("encounters", 1, "kind", "kind is not one of admission, discharge")),
    ("priority not allowed", _set("waiting_list", 0, priority="P5"),
     ("waiting_list", 1, "priority", "priority is not one of P1, P2, P3, P4")),
    ("expected_minutes not above 0", _set("waiting_list", 0, expected_minutes="0"),
     ("waiting_list", 1, "expected_minutes", "expected_minutes is not above 0")),
    ("org_type not allowed", _add("organisations", org_code="X1", org_type="surgery",
                                  parent_code="ICS1"),
     ("organisations", 7, "org_type", "org_type is not one of ics, place")),
    ("imd_decile out of range", _set("patients", 2, imd_decile="11"),
     ("patients", 3, "imd_decile", "imd_decile is not between 1 and 10")),
    # -- NHS number ----------------------------------------------------------------------
    ("nhs number check digit", _set("patients", 2, nhs_number=BAD_NHS),
     ("patients", 3, "nhs_number", "nhs_number is not ten digits ending in a valid Modulus 11")),
    ("nhs number too short", _set("patients", 2, nhs_number="900000002"),
     ("patients", 3, "nhs_number", "nhs_number is not ten digits")),
    # -- dates ---------------------------------------------------------------------------
    ("birth in the future", _set("patients", 2, birth_date="2025-01-02"),
     ("patients", 3, "birth_date", "birth_date is after today (2025-01-01)")),
    ("death before birth", _set("patients", 2, date_of_death="1969-12-31"),
     ("patients", 3, "date_of_death", "date_of_death is before birth_date")),
    ("death in the future", _set("patients", 2, date_of_death="2026-01-01"),
     ("patients", 3, "date_of_death", "date_of_death is after today (2025-01-01)")),
    ("registered_to before registered_from", _set("patients", 2, registered_to="2001-12-31"),
     ("patients", 3, "registered_to", "registered_to is before registered_from")),
    ("valid_to before valid_from", _add("organisations", org_code="X1", org_type="trust",
                                        parent_code="ICS1", valid_from="2020-04-01",
                                        valid_to="2020-03-31"),
     ("organisations", 7, "valid_to", "valid_to is before valid_from")),
    ("event before birth", _add("clinical_events", date="1950-05-31"),
     ("clinical_events", 4, "date", "date is before the patient's birth_date")),
    ("event after death", _both(_set("patients", 1, date_of_death="2024-12-31"),
                                _add("clinical_events", patient_id="2", date="2025-01-01")),
     ("clinical_events", 4, "date", "date is after the patient's date_of_death")),
    ("event after today", _add("clinical_events", date="2025-01-02"),
     ("clinical_events", 4, "date", "date is after today (2025-01-01)")),
    ("medication before birth", _add("medications", date="1950-01-01"),
     ("medications", 2, "date", "date is before the patient's birth_date")),
    ("encounter after death", _both(_set("patients", 0, date_of_death="2019-12-31"),
                                    _set("clinical_events", 0, date="2019-06-01"),
                                    _set("clinical_events", 1, date="2019-07-01"),
                                    _set("medications", 0, date="2019-08-01")),
     ("encounters", 1, "start", "start is after the patient's date_of_death")),
    ("encounter in the future", _set("encounters", 0, start="2025-01-02T00:00:00", end=None),
     ("encounters", 1, "start", "start is after today (2025-01-01)")),
    ("encounter ends before it starts", _set("encounters", 0, end="2020-01-01 09:59:59"),
     ("encounters", 1, "end", "end is before start")),
    ("clock starts in the future", _set("waiting_list", 0, clock_start="2025-02-01"),
     ("waiting_list", 1, "clock_start", "clock_start is after today (2025-01-01)")),
    # -- references ----------------------------------------------------------------------
    ("orphan event", _add("clinical_events", patient_id="99"),
     ("clinical_events", 4, "patient_id", "patient_id matches no patient in patients.csv")),
    ("orphan practice", _set("patients", 2, practice_code="NOPE"),
     ("patients", 3, "practice_code", "practice_code matches no organisation")),
    ("practice_code not a practice", _set("patients", 2, practice_code="T1"),
     ("patients", 3, "practice_code", "practice_code refers to an organisation of type trust, "
                                      "not a practice")),
    ("orphan encounter org", _set("encounters", 0, org_code="NOPE"),
     ("encounters", 1, "org_code", "org_code matches no organisation in organisations.csv")),
    ("orphan trust", _set("waiting_list", 0, trust_code="NOPE"),
     ("waiting_list", 1, "trust_code", "trust_code matches no organisation")),
    ("trust_code not a trust", _set("waiting_list", 0, trust_code="P1"),
     ("waiting_list", 1, "trust_code", "trust_code refers to an organisation of type practice, "
                                      "not a trust")),
    ("unknown parent", _add("organisations", org_code="X1", org_type="trust", parent_code="NOPE"),
     ("organisations", 7, "parent_code", "parent_code 'NOPE' matches no organisation")),
    ("practice under a trust", _add("organisations", org_code="X1", org_type="practice",
                                    parent_code="T1"),
     ("organisations", 7, "parent_code", "a practice needs a pcn")),
    # -- duplicates ----------------------------------------------------------------------
    ("duplicate patient_id", _add("patients", nhs_number=NHS[3]),
     ("patients", 4, "patient_id", "patient_id repeats row 1, line 2")),
    ("duplicate org_code", _add("organisations", name="Another ICS"),
     ("organisations", 7, "org_code", "org_code repeats row 1, line 2")),
    ("duplicate encounter_id", _add("encounters", kind="discharge"),
     ("encounters", 2, "encounter_id", "encounter_id repeats row 1, line 2")),
    ("duplicate referral_id", _add("waiting_list", priority="P1"),
     ("waiting_list", 2, "referral_id", "referral_id repeats row 1, line 2")),
    ("exact repeat event", _add("clinical_events"),
     ("clinical_events", 4, "*", "the whole row repeats row 1, line 2")),
    ("exact repeat medication", _add("medications"),
     ("medications", 2, "*", "the whole row repeats row 1, line 2")),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_reason_rejects_exactly_the_bad_row(
    tmp_path: Path, edit: Edit, expected: tuple[str, int, str, str]
) -> None:
    rows = copy.deepcopy(base())
    edit(rows)
    report, found = load_csv(tmp_path, rows)

    assert len(found) == 1, found
    name, row, field, reason = found[0]
    assert (name, row, field) == expected[:3]
    assert expected[3] in str(reason)
    for counts in report.tables:
        supplied = len(rows[counts.table])
        assert counts.rows_in == supplied
        assert counts.rejected == (1 if counts.table == name else 0)
        assert counts.loaded == supplied - counts.rejected


def test_a_cycle_rejects_every_member(tmp_path: Path) -> None:
    rows = base()
    rows["organisations"] += [
        {**rows["organisations"][2], "org_code": "PCNA", "parent_code": "PCNB"},
        {**rows["organisations"][2], "org_code": "PCNB", "parent_code": "PCNA"},
    ]
    _, found = load_csv(tmp_path, rows)
    assert [(t, r, f) for t, r, f, _ in found] == [
        ("organisations", 7, "parent_code"),
        ("organisations", 8, "parent_code"),
    ]
    assert all("loops back" in str(reason) for *_, reason in found)


def test_several_faults_in_one_row_give_one_reject_listing_all(tmp_path: Path) -> None:
    rows = base()
    rows["patients"][2].update(sex="X", opted_out="maybe", birth_date="2030-01-01")
    _, found = load_csv(tmp_path, rows)
    assert found == [
        (
            "patients",
            3,
            "sex",
            "sex is not one of F, M; opted_out is not true, false, 1 or 0; "
            "birth_date is after today (2025-01-01)",
        )
    ]


def test_a_rejected_patient_takes_their_events_with_them(tmp_path: Path) -> None:
    rows = base()
    rows["patients"][0]["nhs_number"] = BAD_NHS  # patient 1: two events, a medication, a stay
    report, found = load_csv(tmp_path, rows)

    gone = "patient_id refers to a rejected patient (patients.csv row 1, line 2)"
    assert found == [
        ("clinical_events", 1, "patient_id", gone),
        ("clinical_events", 2, "patient_id", gone),
        ("encounters", 1, "patient_id", gone),
        ("medications", 1, "patient_id", gone),
        ("patients", 1, "nhs_number", found[-1][3]),
    ]
    assert report.table("clinical_events").loaded == 1
    assert loaded(tmp_path / "ics.duckdb", "clinical_events", "patient_id") == [(2,)]


def test_a_rejected_organisation_cascades_down_to_events(tmp_path: Path) -> None:
    rows = base()
    rows["organisations"][2]["org_type"] = "network"  # PCN1: P1, P2 lose their parent
    report, found = load_csv(tmp_path, rows)

    by_row = {(t, r): (f, reason) for t, r, f, reason in found}
    assert by_row[("organisations", 4)] == (
        "parent_code",
        "parent_code refers to a rejected organisation (organisations.csv row 3, line 4)",
    )
    assert by_row[("patients", 1)] == (
        "practice_code",
        "practice_code refers to a rejected organisation (organisations.csv row 4, line 5)",
    )
    assert report.table("organisations").loaded == 3  # ICS1, PL1, T1
    assert report.table("patients").loaded == 0
    assert report.loaded == 3  # nothing below the ICS, place and trust survives
    assert report.rejected == report.rows_in - 3


def test_a_duplicate_key_keeps_the_first_row_even_if_that_row_is_rejected(
    tmp_path: Path,
) -> None:
    rows = base()
    rows["patients"][2]["sex"] = "X"
    rows["patients"].append({**rows["patients"][2], "sex": "F"})
    _, found = load_csv(tmp_path, rows)
    assert [(r, f) for _, r, f, _ in found] == [(3, "sex"), (4, "patient_id")]
    assert "repeats row 3, line 4" in str(found[1][3])


def test_counts_add_up_and_match_the_database(tmp_path: Path) -> None:
    rows = base()
    _add("clinical_events", patient_id="99")(rows)
    _add("clinical_events")(rows)
    _set("patients", 2, sex="X")(rows)
    report, found = load_csv(tmp_path, rows)

    db = tmp_path / "ics.duckdb"
    assert report.rows_in == sum(len(r) for r in rows.values()) == 17
    assert (report.loaded, report.rejected) == (14, 3)
    assert len(found) == report.rejected
    for t in report.tables:
        assert t.rows_in == t.loaded + t.rejected
        assert len(loaded(db, t.table)) == t.loaded
        assert sum(1 for f in found if f[0] == t.table) == t.rejected


def test_rejects_csv_and_table_hold_the_raw_row(tmp_path: Path) -> None:
    rows = base()
    rows["patients"][2]["imd_decile"] = " eleven "
    report, _ = load_csv(tmp_path, rows)

    assert report.rejects_csv == tmp_path / "ics.rejects.csv"
    with report.rejects_csv.open(newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert len(listed) == 1
    entry = listed[0]
    assert (entry["table_name"], entry["file_name"]) == ("patients", "patients.csv")
    assert (entry["row_number"], entry["line_number"], entry["field"]) == ("3", "4", "imd_decile")
    raw = json.loads(entry["raw_row"])
    assert raw["imd_decile"] == " eleven "  # exactly as the file held it
    assert raw["patient_id"] == "3"


def test_rejects_csv_is_written_even_when_nothing_is_rejected(tmp_path: Path) -> None:
    out = tmp_path / "elsewhere.csv"
    load(write_csv(tmp_path / "in", base()), tmp_path / "x.duckdb", today=TODAY, rejects_csv=out)
    assert out.read_text().splitlines() == [
        "table_name,file_name,row_number,line_number,field,reason,raw_row"
    ]


def test_csv_and_parquet_give_the_same_result(tmp_path: Path) -> None:
    rows = base()
    _add("clinical_events", patient_id="99")(rows)
    _add("clinical_events")(rows)
    _add("medications", date="1940-01-01")(rows)
    _set("patients", 2, birth_date="2030-01-01")(rows)
    _add("encounters", encounter_id="2", end="2019-01-01 00:00:00")(rows)
    _add("organisations", org_code="X1", org_type="practice", parent_code="T1")(rows)

    from_csv = load(write_csv(tmp_path / "c", rows), tmp_path / "c.duckdb", today=TODAY)
    from_parquet = load(write_parquet(tmp_path / "p", rows), tmp_path / "p.duckdb", today=TODAY)

    assert from_csv.counts() == from_parquet.counts()
    assert from_csv.rejected == 6
    for t in TABLES:
        assert loaded(tmp_path / "c.duckdb", t.name) == loaded(tmp_path / "p.duckdb", t.name)
    # CSV reasons name a file line as well as the row, and each names its own file.
    as_csv = [
        (t, r, f, re.sub(r", line \d+", "", str(reason)).replace(".csv", ""))
        for t, r, f, reason in rejects(tmp_path / "c.duckdb")
    ]
    as_parquet = [
        (t, r, f, str(reason).replace(".parquet", ""))
        for t, r, f, reason in rejects(tmp_path / "p.duckdb")
    ]
    assert as_csv == as_parquet


def test_parquet_with_text_columns_is_checked_like_csv(tmp_path: Path) -> None:
    rows = base()
    rows["patients"][2]["birth_date"] = "1970-13-01"
    folder = tmp_path / "p"
    folder.mkdir()
    for name, records in rows.items():
        names = table(name).column_names
        columns = {c: pa.array([r[c] for r in records], type=pa.string()) for c in names}
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    load(folder, tmp_path / "p.duckdb", today=TODAY)
    assert rejects(tmp_path / "p.duckdb") == [
        ("patients", 3, "birth_date", "birth_date is not a date (YYYY-MM-DD)")
    ]


def test_optional_tables_may_be_absent_and_load_empty(tmp_path: Path) -> None:
    rows = base()
    for name in ("clinical_events", "medications", "encounters", "waiting_list"):
        del rows[name]
    report = load(write_csv(tmp_path / "in", rows), tmp_path / "x.duckdb", today=TODAY)
    assert report.table("medications").file is None
    assert report.table("medications").rows_in == 0
    assert loaded(tmp_path / "x.duckdb", "medications") == []


def test_extra_columns_and_files_are_reported_not_loaded(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "in", base())
    (folder / "notes.txt").write_text("hello")
    text = (folder / "medications.csv").read_text().splitlines()
    lines = [text[0] + ",comment", *(line + ",x" for line in text[1:])]
    (folder / "medications.csv").write_text("\n".join(lines) + "\n")

    report = load(folder, tmp_path / "x.duckdb", today=TODAY)
    assert report.table("medications").ignored_columns == ("comment",)
    assert report.ignored_files == ("notes.txt",)
    assert "ignored columns not in the contract: comment" in report.summary()
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        columns = [r[0] for r in con.execute("DESCRIBE medications").fetchall()]
    assert columns == ["patient_id", "date", "dmd_code"]


def test_progress_reports_each_table_in_order(tmp_path: Path) -> None:
    rows = base()
    del rows["waiting_list"]
    seen: list[tuple[str, str]] = []
    load(
        write_csv(tmp_path / "in", rows),
        tmp_path / "x.duckdb",
        today=TODAY,
        progress=lambda e: seen.append((e.table, e.step)),
    )
    steps = ["reading", "checking", "writing", "done"]
    expected = [(t.name, s) for t in TABLES[:-1] for s in steps] + [("waiting_list", "absent")]
    assert seen == expected


def test_summary_names_counts_and_rejects_file(tmp_path: Path) -> None:
    rows = base()
    _add("clinical_events", patient_id="99")(rows)
    report, _ = load_csv(tmp_path, rows)
    text = report.summary()
    assert "clinical_events  clinical_events.csv        4       3         1" in text
    assert f"1 rejected rows, with reasons, are in {tmp_path / 'ics.rejects.csv'}" in text


def test_dates_on_the_boundaries_are_accepted(tmp_path: Path) -> None:
    rows = base()
    rows["patients"][2].update(birth_date="2025-01-01", registered_from="2025-01-01",
                               registered_to="2025-01-01", date_of_death="2025-01-01")  # fmt: skip
    rows["patients"][1]["date_of_death"] = "2024-06-01"
    _add("clinical_events", patient_id="3", date="2025-01-01")(rows)  # born, seen and died today
    _add("clinical_events", patient_id="1", date="1950-06-01")(rows)  # on the day of birth
    _add("medications", patient_id="2", date="2024-06-01")(rows)  # on the day of death
    rows["waiting_list"][0]["clock_start"] = "2024-06-01"
    rows["encounters"][0]["end"] = rows["encounters"][0]["start"]
    report, found = load_csv(tmp_path, rows)
    assert found == []
    assert report.rejected == 0


def stored(db: Path, name: str, columns: str) -> list[tuple[object, ...]]:
    """The rows in the order the store keeps them (rowid)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT {columns} FROM {name} ORDER BY rowid").fetchall()


def test_coded_tables_are_stored_in_code_order_and_rejects_keep_file_lines(
    tmp_path: Path,
) -> None:
    """Events and medications are kept by code, then in file order (so a codelist's query skips
    blocks holding none of its codes); other tables keep file order, and a reject still names
    its line in the file."""
    rows = base()
    rows["clinical_events"] = [
        {"patient_id": p, "date": d, "snomed_code": c, "numeric_value": None}
        for p, d, c in (("2", "2021-03-01", "49436004"), ("1", "2022-01-01", "38341003"),
                        ("1", "2020-01-01", "49436004"), ("1", "not a date", "1"),
                        ("1", "2019-05-05", "49436004"), ("2", "2020-01-01", "38341003"))
    ]
    rows["medications"] = [
        {"patient_id": p, "date": d, "dmd_code": c}
        for p, d, c in (("2", "2020-01-01", "39113311000001107"),
                        ("1", "2020-02-01", "13532911000001104"),
                        ("1", "2019-02-01", "39113311000001107"))
    ]
    rows["patients"] = rows["patients"][::-1]
    _, found = load_csv(tmp_path, rows)

    db = tmp_path / "ics.duckdb"
    assert [(t, r, f) for t, r, f, _ in found] == [("clinical_events", 4, "date")]
    assert stored(db, "clinical_events", "snomed_code, patient_id, CAST(date AS VARCHAR)") == [
        ("38341003", 1, "2022-01-01"), ("38341003", 2, "2020-01-01"),
        ("49436004", 2, "2021-03-01"), ("49436004", 1, "2020-01-01"),
        ("49436004", 1, "2019-05-05"),
    ]
    assert stored(db, "medications", "dmd_code, patient_id") == [
        ("13532911000001104", 1), ("39113311000001107", 2), ("39113311000001107", 1)]
    assert stored(db, "patients", "patient_id") == [(3,), (2,), (1,)]
