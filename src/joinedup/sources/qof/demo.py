"""The real-data demo: AF find and treat for West Yorkshire from published 2019-20 files.

Why: it shows the whole product running on what an ICS analyst actually holds — QOF registers
and list sizes, the QOF geography, practice age bases and deprivation — with nothing to
download. The files ship in ``data/`` (NHS Digital, House of Commons Library, MHCLG-derived;
Open Government Licence v3.0, see data/SOURCE.md). The steps are the public API: ``import_qof``
then ``run_programme``, exactly as ``joinedup import qof`` and ``joinedup run af`` do.

QOF 2019-20 publishes no per-indicator achievement here, so eligible, treated and exceptions
are unknown: the outputs say so, and detection and the patients still to find are worked out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.programmes import load_parameters, load_programme
from joinedup.run import RunOptions, RunResult, run_programme
from joinedup.sources.qof.counts import aggregate_period_end, practice_counts
from joinedup.store.aggregates import ImportReport, import_qof

DATA_DIR = Path(__file__).resolve().parent / "data"
PREVALENCE = DATA_DIR / "PREVALENCE_1920_QWO.csv"
GEOGRAPHY = DATA_DIR / "MAPPING_NHS_GEOGRAPHIES_2019_2020_QWO.csv"
AGES = DATA_DIR / "gp-by-age_1920_QWO.csv"
IMD = DATA_DIR / "practice_imd_QWO.csv"
CITATION = (
    "Contains public sector information licensed under the Open Government Licence v3.0: "
    "NHS Digital, Quality and Outcomes Framework 2019-20 (registers, list sizes, geography, "
    "indicators); House of Commons Library (QOF age bases); MHCLG English Indices of "
    "Deprivation 2019 (practice IMD, registration-weighted); ONS Census 2021 (England's age shape)."
)


@dataclass(frozen=True)
class RealDemoResult:
    """The import, the run and the notes on where each figure came from."""

    imported: ImportReport
    run: RunResult
    notes: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Plain lines for a terminal: totals, the age structure used, what is missing."""
        s = self.run.summary
        lines = [
            f"AF find and treat · {s['footprint']} · QOF {self.notes['qof_year']} "
            f"(period ending {s['period_end']})",
            f"  {s['practices']:,} practices, {s['list_size']:,} registered patients",
            f"  expected AF {s['expected']:,.0f}; on the register {s['recorded']:,} "
            f"({(s['detection_rate'] or 0):.1%} detected)",
            f"  to reach the ambition: find {s['to_find']:,}",
            f"  expected model's age structure: {self.notes['age_structure']}",
        ]
        for item in self.notes["missing_measures"]:
            lines.append(f"  missing: {item['measure']} for {item['practices']} practices — "
                         f"{item['reason']}")
        if self.notes.get("practices_without_imd"):
            lines.append(f"  no IMD for {self.notes['practices_without_imd']} practices "
                         "(closed or merged before the 2023 IMD file)")
        lines += [f"report: {self.run.report_path}", CITATION]
        return lines


def run_real_demo(out_dir: Path | str) -> RealDemoResult:
    """Import the packaged West Yorkshire 2019-20 files into ``out_dir`` and run AF on them.

    Writes ``out_dir/qof-2019-20.duckdb`` (and its rejects CSV) and the usual outputs in
    ``out_dir/af`` (practices.csv, summary.json, report.html, ...).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "qof-2019-20.duckdb"
    imported = import_qof(db, prevalence=PREVALENCE, geography=GEOGRAPHY, ages=AGES, imd=IMD)
    programme = load_programme("af")
    parameters = load_parameters(programme, None)

    from joinedup.engines.duckdb import connect

    con = connect(db, read_only=True)
    try:
        period_end = aggregate_period_end(con)
        assert period_end is not None  # import_qof always records it
        _rows, notes = practice_counts(con, programme, period_end, parameters)
    finally:
        con.disconnect()
    result = run_programme(db, out / "af", RunOptions(programme="af", reference_date=period_end))
    return RealDemoResult(imported, result, notes)
