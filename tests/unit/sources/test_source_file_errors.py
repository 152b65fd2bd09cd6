"""Whole-file problems in published files are one line naming the file, never a traceback.

Found by the fuzz tests (tests/fuzz): the geography reader let pandas' own errors through, and
a header with an unclosed quote swallowed the rest of the file into a "column name" that the
error message then quoted, rows and all, over many lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.sources.cvdprevent import read_cvdprevent
from joinedup.sources.geography import GeographyFileError, read_mapping
from joinedup.sources.qof.prevalence import read_prevalence
from joinedup.sources.qof.readers import SourceFileError, shown

GEOGRAPHY = (
    "STP_ODS_CODE,STP_NAME,CCG_ODS_CODE,CCG_NAME,PCN_ODS_CODE,PCN_NAME,PRACTICE_CODE,"
    "PRACTICE_NAME\nQ99,An STP,01A,A CCG,U00001,A PCN,A00001,Practice one\n"
)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not a well-formed CSV file"),
        (b"\n\n", "not a well-formed CSV file"),
        (GEOGRAPHY.encode("utf-16"), "not UTF-8 text"),
        (GEOGRAPHY.encode() + b"Q99,An STP,01A,A CCG,U00001,A PCN,A00002,Practice two,extra,x\n",
         "not a well-formed CSV file"),
        (b"STP_ODS_CODE,\"STP_NAME\n" + GEOGRAPHY.encode(), "not a well-formed CSV file"),
    ],
)
def test_a_geography_file_that_is_not_csv_is_one_line(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"
    path.write_bytes(content)
    with pytest.raises(GeographyFileError) as caught:
        read_mapping(path)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_header_swallowing_the_file_is_not_quoted_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "PREVALENCE_1920.csv"
    rows = "".join(f"A0000{i},AF,{i},TOTAL,1000\n" for i in range(1, 10))
    path.write_text('PRACTICE_CODE,"GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\n'
                    + rows, encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        read_prevalence(path)
    message = str(caught.value)
    assert "\n" not in message and "A00009" not in message
    assert "missing column(s) GROUP_CODE" in message


def test_a_field_beyond_the_csv_limit_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "cvd.csv"
    path.write_text("AreaCode,IndicatorCode\n\"" + "x" * 200_000 + "\",CVDP002AF\n",
                    encoding="utf-8")
    with pytest.raises(SourceFileError, match="not a"):
        read_cvdprevent(path)


def test_shown_keeps_header_names_to_one_short_line() -> None:
    assert shown(["A", " B ", "C\nD"]) == "A, B, C D"
    assert shown(["x" * 50]) == "x" * 40 + "…"
    assert shown([str(i) for i in range(25)]).endswith("19, … (5 more)")
