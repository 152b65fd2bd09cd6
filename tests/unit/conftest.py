"""Small published-shape files for building aggregate stores in unit tests (readers and engines)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

GEOGRAPHY_HEADER = (
    "NAT_ONS_CODE,NAT_CODE,COUNTRY,REGION_ODS_CODE,REGION_ONS_CODE,REGION_NAME,STP_ODS_CODE,"
    "STP_ONS_CODE,STP_NAME,CCG_ODS_CODE,CCG_ONS_CODE,CCG_NAME,PCN_ODS_CODE,PCN_NAME,"
    "PRACTICE_CODE,PRACTICE_NAME"
)
REGION = "E92000001,ENG,England,Y63,E40000009,North East and Yorkshire"


def geography_line(stp: str, ccg: str, pcn: str, practice: str) -> str:
    return (f"{REGION},{stp},E54000099,{stp} STP,{ccg},E38000999,NHS {ccg} CCG,{pcn},"
            f"{pcn} PCN,{practice},Practice {practice}")


Writer = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """write(name, *lines) -> path of a UTF-8 file in the test's folder."""

    def _write(name: str, *lines: str) -> Path:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return _write


@pytest.fixture
def geography(write: Writer) -> Path:
    """Three practices in one STP (Q99), two CCGs."""
    return write(
        "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv", GEOGRAPHY_HEADER,
        geography_line("Q99", "01A", "U00001", "A00001"),
        geography_line("Q99", "01A", "U00001", "A00002"),
        geography_line("Q99", "01B", "U00002", "A00003"),
    )
