"""`joinedup import ods` then `joinedup run af`: ODS names and PCNs laid over the QOF footprint."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from joinedup.cli.main import app
from joinedup.sources.qof import demo_data as demo

runner = CliRunner()


@pytest.fixture(scope="module")
def ods_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real epraccur and ePCN, cut to West Yorkshire's practices and their PCNs (every
    column and value as published), so the test reads thousands of rows, not 20,000."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "geography"
    codes = {line.split(",")[0] for line in demo.PREVALENCE.read_text().splitlines()[1:]}
    folder = tmp_path_factory.mktemp("ods")
    epraccur = folder / "epraccur.csv"
    with (shared / "epraccur.csv").open(encoding="utf-8") as handle:
        epraccur.write_text("".join(line for line in handle if line[1:7] in codes),
                            encoding="utf-8")
    source = load_workbook(shared / "ePCN.xlsx", read_only=True)
    partners = [row for i, row in enumerate(source["PCN Core Partner Details"].values)
                if i == 0 or row[0] in codes]
    pcn_codes = {row[4] for row in partners[1:]}
    details = [row for i, row in enumerate(source["PCNDetails"].values)
               if i == 0 or row[0] in pcn_codes]
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "PCNDetails"
    for row in details:
        first.append(list(row))
    sheet = book.create_sheet("PCN Core Partner Details")
    for row in partners:
        sheet.append(list(row))
    epcn = folder / "ePCN.xlsx"
    book.save(epcn)
    return epraccur, epcn


def practices(out: Path) -> dict[str, dict[str, str]]:
    with (out / "practices.csv").open(newline="", encoding="utf-8") as handle:
        return {r["practice_code"]: r for r in csv.DictReader(handle)}


def imported(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_ods_lays_names_and_pcns_over_the_footprint_in_either_order(
    tmp_path: Path, ods_files: tuple[Path, Path]
) -> None:
    epraccur, epcn = ods_files
    qof = ["import", "qof", "--prevalence", str(demo.PREVALENCE), "--geography",
           str(demo.GEOGRAPHY)]
    ods = ["import", "ods", "--epraccur", str(epraccur), "--epcn", str(epcn)]

    names = ("plain.duckdb", "ods-first.duckdb", "ods-last.duckdb")
    plain, first, last = (tmp_path / n for n in names)
    imported([*qof, "--db", str(plain)])
    shutil.copy(plain, last)
    output = imported([*ods, "--db", str(last)])
    assert "ods_practices" in output and "ods_pcn_partners" in output
    imported([*ods, "--db", str(first)])
    imported([*qof, "--db", str(first)])

    con = duckdb.connect(str(last), read_only=True)
    try:
        rows_in = sum(1 for _ in epraccur.open(encoding="utf-8"))
        loaded = con.execute("SELECT count(*) FROM ods_practices").fetchone()
        rejected = con.execute(
            "SELECT count(*) FROM rejects WHERE table_name = 'ods_practices'").fetchone()
        wanted = con.execute(
            "SELECT name FROM ods_practices WHERE org_code = 'B82007'").fetchone()
    finally:
        con.close()
    assert loaded is not None and rejected is not None and wanted is not None
    assert loaded[0] + rejected[0] == rows_in

    outs = {}
    for db in (plain, first, last):
        out = tmp_path / db.stem
        ran = runner.invoke(app, ["run", "af", "--db", str(db), "--out", str(out)])
        assert ran.exit_code == 0, ran.output
        outs[db.stem] = practices(out)
    assert outs["ods-first"] == outs["ods-last"]  # the order of imports does not matter
    with_ods, without = outs["ods-last"], outs["plain"]
    assert with_ods.keys() == without.keys()
    assert with_ods["B82007"]["practice_name"] == wanted[0]
    assert with_ods["B82007"]["practice_name"] != without["B82007"]["practice_name"]
    # Counts are the QOF file's whatever ODS says; membership may move, registers may not.
    assert sum(int(r["recorded"]) for r in with_ods.values()) == 47_365
    moved = [c for c in with_ods if with_ods[c]["pcn_code"] != without[c]["pcn_code"]]
    assert all(with_ods[c]["pcn_code"].startswith("U") for c in moved)


def test_import_ods_needs_a_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "ods", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: give --epraccur and/or --epcn"
