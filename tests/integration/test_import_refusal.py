"""`import qof` and `import cvdprevent` refuse a file most of whose rows they would reject.

The same guard as `joinedup load` (issue 9): a file whose rejected share passes the limit stops
the import, naming the file and its commonest reasons, and the previous store is left byte for
byte as it was. A file named on the command line that holds no rows is refused too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from joinedup.app.imports import import_cvdprevent, import_ods, import_qof
from joinedup.store.errors import LoadError
from joinedup.store.reject_limit import TooManyRejectsError

GEOGRAPHY = (
    "STP_ODS_CODE,STP_NAME,CCG_ODS_CODE,CCG_NAME,PCN_ODS_CODE,PCN_NAME,PRACTICE_CODE,"
    "PRACTICE_NAME\n"
    "Q99,An STP,01A,A CCG,U00001,A PCN,A00001,Practice one\n"
    "Q99,An STP,01A,A CCG,U00001,A PCN,A00002,Practice two\n"
    "Q99,An STP,01A,A CCG,U00002,B PCN,A00003,Practice three\n"
)
PREVALENCE = (
    "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\n"
    "A00001,AF,100,TOTAL,5000\nA00002,AF,60,TOTAL,3000\nA00003,AF,80,TOTAL,4000\n"
)
CVD_HEADER = (
    "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,IndicatorName,"
    "IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
    "Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote\n"
)


def cvd_row(area: str, numerator: str, denominator: str = "120") -> str:
    return (f"{area},Area,Persons,{denominator},,CVDP002AF,AF anticoagulated,AF,,Persons,Sex,"
            f"{numerator},To March 2020,,83.3,\n")


GOOD_CVD = CVD_HEADER + cvd_row("A00001", "100") + cvd_row("A00002", "90")
# Optional QOF files: (import option, file name, a good file, the same with most rows broken).
OPTIONAL = {
    "achievement": ("ACHIEVEMENT_1920.csv",
                    "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n"
                    "A00001,AF007,NUMERATOR,80\nA00001,AF007,DENOMINATOR,90\n",
                    "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n"
                    "A00001,AF007,NUMERATOR,eighty\nA00001,AF007,DENOMINATOR,90\n"),
    "ages": ("gp-by-age.csv",
             "PRACTICE_CODE,TOTAL,18OV\nA00001,5000,4000\nA00002,3000,2500\n",
             "PRACTICE_CODE,TOTAL,18OV\nA00001,5000,4000\nA00002,-3000,2500\n"),
    "imd": ("practice_imd.csv",
            "practice_code,imd_score,imd_decile\nA00001,20.5,4\nA00002,30.1,2\n",
            "practice_code,imd_score,imd_decile\nA00001,20.5,11\nA00002,30.1,2\n"),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    src = tmp_path / "in"
    return {
        "geography": write(src, "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv", GEOGRAPHY),
        "prevalence": write(src, "PREVALENCE_1920.csv", PREVALENCE),
        "cvdprevent": write(src, "cvdprevent.csv", GOOD_CVD),
    }


@pytest.fixture
def store(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A store holding both parts, in a folder of its own with its rejects CSV."""
    out = tmp_path / "out"
    out.mkdir()
    db = out / "agg.duckdb"
    import_qof(db, prevalence=files["prevalence"], geography=files["geography"])
    import_cvdprevent(db, [files["cvdprevent"]])
    return db


def unchanged(db: Path) -> tuple[str, bytes]:
    return digest(db), (db.parent / "agg.rejects.csv").read_bytes()


def test_a_prevalence_file_mostly_rejected_leaves_the_store_byte_identical(
    tmp_path: Path, files: dict[str, Path], store: Path
) -> None:
    before = unchanged(store)
    bad = write(tmp_path / "bad", "PREVALENCE_1920.csv", PREVALENCE.replace(",TOTAL,", ",ALL,"))
    with pytest.raises(TooManyRejectsError) as caught:
        import_qof(store, prevalence=bad, geography=files["geography"])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("PREVALENCE_1920.csv: 3 of 3 rows rejected (100%), more than "
                              "the 10% allowed")
    assert ("3 × PATIENT_LIST_TYPE is not a QOF list type (TOTAL, an age base such as 18OV "
            "or 30_74)") in message
    assert f"{store} is unchanged" in message
    assert isinstance(caught.value, LoadError)
    assert unchanged(store) == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["agg.duckdb", "agg.rejects.csv"]


@pytest.mark.parametrize("option", sorted(OPTIONAL))
def test_every_optional_qof_file_is_held_to_the_limit(
    tmp_path: Path, files: dict[str, Path], store: Path, option: str
) -> None:
    name, good, bad = OPTIONAL[option]
    before = unchanged(store)
    # One of two rows rejected: a share of 1/2.
    with pytest.raises(TooManyRejectsError, match=rf"^{name}: 1 of 2 rows rejected \(50%\)"):
        import_qof(store, prevalence=files["prevalence"], geography=files["geography"],
                   **{option: write(tmp_path / "bad", name, bad)})
    assert unchanged(store) == before
    report = import_qof(store, prevalence=files["prevalence"], geography=files["geography"],
                        max_rejected_share=0.5, **{option: write(tmp_path / "bad", name, bad)})
    assert report.rejected == 1
    import_qof(store, prevalence=files["prevalence"], geography=files["geography"],
               **{option: write(tmp_path / "good", name, good)})


def test_a_cvdprevent_file_mostly_rejected_keeps_the_previous_rows(
    tmp_path: Path, store: Path
) -> None:
    before = unchanged(store)
    bad = write(tmp_path / "bad", "cvd.csv",
                CVD_HEADER + cvd_row("A00001", "130") + cvd_row("A00002", "x"))
    with pytest.raises(TooManyRejectsError) as caught:
        import_cvdprevent(store, [bad])
    assert str(caught.value).startswith("cvd.csv: 2 of 2 rows rejected (100%)")
    assert "1 × Numerator 130 is larger than Denominator 120" in str(caught.value)
    assert "1 × Numerator is not a number" in str(caught.value)
    assert unchanged(store) == before
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM cvdprevent").fetchone() == (2,)


def test_a_limit_of_one_imports_whatever_share_is_rejected(
    tmp_path: Path, store: Path
) -> None:
    bad = write(tmp_path / "bad", "cvd.csv", CVD_HEADER + cvd_row("A00001", "x"))
    report = import_cvdprevent(store, [bad], max_rejected_share=1.0)
    assert (report.rows_in, report.loaded, report.rejected) == (1, 0, 1)


@pytest.mark.parametrize("which", ["prevalence", "cvdprevent"])
def test_a_file_with_a_header_and_no_rows_is_refused(
    tmp_path: Path, files: dict[str, Path], store: Path, which: str
) -> None:
    before = unchanged(store)
    header = (PREVALENCE if which == "prevalence" else GOOD_CVD).splitlines()[0] + "\n"
    empty = write(tmp_path / "empty", files[which].name, header)
    with pytest.raises(LoadError, match=rf"^{empty.name} holds no rows"):
        if which == "prevalence":
            import_qof(store, prevalence=empty, geography=files["geography"])
        else:
            import_cvdprevent(store, [empty])
    assert unchanged(store) == before


def epraccur_row(code: str, status: str = "A") -> str:
    """One epraccur row: 27 fields in ODS order, no header (see sources/ods.py)."""
    fields = [code, f"Practice {code}", "Y63", "QWO", "1 Street", "", "", "Town", "",
              "LS1 1AA", "20000101", "", status, "B", "01A", "20000101", "", "0113 000", "",
              "", "", "0", "", "01A", "", "4", ""]
    return ",".join(fields) + "\n"


def test_import_ods_is_held_to_the_limit_too(tmp_path: Path, store: Path) -> None:
    before = unchanged(store)
    bad = write(tmp_path / "ods", "epraccur.csv",
                epraccur_row("A00001") + epraccur_row("A00002", status="X"))
    with pytest.raises(TooManyRejectsError, match=r"^epraccur\.csv: 1 of 2 rows rejected"):
        import_ods(store, epraccur=bad)
    assert unchanged(store) == before
    report = import_ods(store, epraccur=bad, max_rejected_share=0.5)
    assert (report.rows_in, report.loaded, report.rejected) == (2, 1, 1)
