"""Re-derive the small real-data extracts and derived parameters the synthetic generator ships.

Run from the repository root with the shared open data beside it::

    .venv/bin/python docs/parameters/derive_synthetic_extracts.py ../shared/data

It writes (overwriting) these files, whose provenance src/joinedup/sources/synthetic/data/SOURCE.md
and docs/parameters/synthetic.md describe:

* ``src/joinedup/sources/synthetic/data/lsoa_imd_2019.csv``: every LSOA (2011) of the local
  authorities Bradford, Craven, Calderdale, Harrogate, Kirklees, Leeds and Wakefield, with its IMD
  2019 decile (1 = most deprived).
* ``src/joinedup/sources/synthetic/data/qwo_practices_2019_2020.csv``: the 290 practices of
  STP QWO in QOF 2019-20, their PCN and CCG, QOF list size, share of the list aged 65+ and
  practice IMD 2019 score (OHID Fingertips indicator 93553).
* ``src/joinedup/sources/synthetic/parameters/practice_list_size.csv`` and
  ``practice_share_65plus.csv``: quantiles of those list sizes and 65+ shares.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

LADS = ("Bradford", "Craven", "Calderdale", "Harrogate", "Kirklees", "Leeds", "Wakefield")
QUANTILES = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
MAPPING_COLUMNS = [
    "STP_ODS_CODE",
    "STP_NAME",
    "CCG_ODS_CODE",
    "CCG_NAME",
    "PCN_ODS_CODE",
    "PCN_NAME",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
]
SOURCE_LIST = (
    "derived: NHS Digital QOF 2019-20 PREVALENCE_1920.csv list sizes of the 290 practices of "
    "STP QWO (West Yorkshire and Harrogate) in MAPPING_NHS_GEOGRAPHIES_2019_2020.csv (OGL v3)"
)
SOURCE_65 = (
    "derived: NHS Digital QOF 2019-20 age-specific list sizes (House of Commons Library "
    "gp-by-age.csv, 65OV/TOTAL) for the 290 practices of STP QWO (OGL v3)"
)


def main(shared: Path, repo: Path) -> None:
    package = repo / "src" / "joinedup" / "sources" / "synthetic"
    lookup = pd.read_csv(shared / "deprivation" / "lsoa_geog_lookup.csv", dtype=str)
    lsoa = lookup[lookup["LAD_NAME"].isin(LADS)][
        ["LSOA_CODE", "LAD_CODE", "LAD_NAME", "IMD_OVERALL"]
    ]
    lsoa = lsoa.rename(
        columns={
            "LSOA_CODE": "lsoa_code",
            "LAD_CODE": "lad_code",
            "LAD_NAME": "lad_name",
            "IMD_OVERALL": "imd_decile",
        }
    ).sort_values("lsoa_code")
    lsoa.to_csv(package / "data" / "lsoa_imd_2019.csv", index=False)

    mapping = pd.read_csv(shared / "geography" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv", dtype=str)
    qwo = mapping[mapping["STP_ODS_CODE"] == "QWO"][MAPPING_COLUMNS]
    prevalence = pd.read_csv(shared / "qof" / "PREVALENCE_1920.csv", dtype={"PRACTICE_CODE": str})
    lists = (
        prevalence[prevalence["PATIENT_LIST_TYPE"] == "TOTAL"]
        .drop_duplicates("PRACTICE_CODE")
        .set_index("PRACTICE_CODE")["PATIENT_LIST_SIZE"]
    )
    ages = pd.read_csv(shared / "lists" / "gp-by-age.csv", dtype={"PRACTICE_CODE": str})
    ages = ages.set_index("PRACTICE_CODE")
    qwo = qwo.assign(
        LIST_SIZE=qwo["PRACTICE_CODE"].map(lists).astype(int),
        SHARE_65OV=qwo["PRACTICE_CODE"].map(ages["65OV"] / ages["TOTAL"]).round(4),
    )
    fingertips = pd.read_csv(
        shared / "deprivation" / "fingertips_practice_imd_93553.csv",
        dtype={"AreaCode": str, "Year": str},
        encoding="utf-8-sig",
    )
    imd = fingertips[fingertips["Year"] == "2019"].set_index("AreaCode")["Value"]
    qwo = qwo.assign(IMD_SCORE_2019=qwo["PRACTICE_CODE"].map(imd).round(2))
    if qwo.isna().any().any():
        raise SystemExit("a QWO practice has no list size or age split")
    qwo.sort_values("PRACTICE_CODE").to_csv(
        package / "data" / "qwo_practices_2019_2020.csv", index=False
    )

    params = package / "parameters"
    sizes = qwo["LIST_SIZE"].quantile(QUANTILES).round(0).astype(int)
    pd.DataFrame(
        {"quantile": QUANTILES, "list_size": sizes.to_numpy(), "source": SOURCE_LIST}
    ).to_csv(params / "practice_list_size.csv", index=False)
    share = qwo["SHARE_65OV"].quantile(QUANTILES).round(4)
    pd.DataFrame(
        {"quantile": QUANTILES, "share_65plus": share.to_numpy(), "source": SOURCE_65}
    ).to_csv(params / "practice_share_65plus.csv", index=False)


if __name__ == "__main__":
    shared_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    main(shared_dir, Path(__file__).resolve().parents[2])
