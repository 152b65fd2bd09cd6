"""The packaged real-data slice for the demo: West Yorkshire's published 2019-20 QOF files.

Why packaged: the demo shows the whole product on what an ICS analyst actually holds — QOF
registers and list sizes, the QOF geography, practice age bases and deprivation — with nothing
to download. The files ship in ``data/`` (NHS Digital, House of Commons Library, MHCLG-derived;
Open Government Licence v3.0, see data/SOURCE.md).
"""

from __future__ import annotations

from pathlib import Path

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
