"""`import qof` and `import cvdprevent` fed hundreds of mutated published files.

Issue 9, item 11: as for `load` (test_fuzz_load.py), every mutated file (``fuzz_support``) must
end in a report whose counts add up when counted again from the store, the rejects CSV and the
file, or in one clean line of refusal that left the previous store byte for byte as it was.
Each QOF case mutates one of the seven files an import reads (prevalence, geography,
achievement, ages, practice and PCN IMD, indicator mapping); each CVDPREVENT case mutates the
raw-data file. Cases are seeded by number (``SEED``).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from fuzz_support import (
    Tally,
    csv_records,
    csv_rejects,
    digest,
    mutate,
    refused,
    rejects_in,
    rows_in_table,
    same_store,
)

from joinedup.app.imports import ImportReport, import_cvdprevent, import_qof

SEED = "import-2026-12"
QOF_CASES = int(os.environ.get("FUZZ_CASES", 420))
CVD_CASES = int(os.environ.get("FUZZ_CASES", 240))
PRACTICES = ("A00001", "A00002", "A00003", "A00004")
BASE: dict[str, tuple[str, str]] = {  # import option: (file name, text)
    "geography": ("MAPPING_NHS_GEOGRAPHIES_2019_2020.csv",
                  "STP_ODS_CODE,STP_NAME,CCG_ODS_CODE,CCG_NAME,PCN_ODS_CODE,PCN_NAME,"
                  "PRACTICE_CODE,PRACTICE_NAME\n"
                  + "".join(f"Q99,An STP,01A,A CCG,U0000{1 + i % 2},PCN {1 + i % 2},{p},"
                            f"Practice {p}\n" for i, p in enumerate(PRACTICES))),
    "prevalence": ("PREVALENCE_1920.csv",
                   "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\n"
                   + "".join(f"{p},{g},{50 + 10 * i + len(g)},TOTAL,{4000 + 100 * i}\n"
                             for i, p in enumerate(PRACTICES) for g in ("AF", "HYP"))),
    "achievement": ("ACHIEVEMENT_1920.csv",
                    "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\n"
                    + "".join(f"{p},AF007,{m},{v + i}\n" for i, p in enumerate(PRACTICES)
                              for m, v in (("NUMERATOR", 40), ("DENOMINATOR", 50),
                                           ("PCAS", 3)))),
    "ages": ("gp-by-age.csv",
             "PRACTICE_CODE,TOTAL,18OV,0_64,65OV\n"
             + "".join(f"{p},{4000 + 100 * i},{3200 + 80 * i},{3000 + 70 * i},{1000 + 30 * i}\n"
                       for i, p in enumerate(PRACTICES))),
    "imd": ("practice_imd.csv",
            "practice_code,practice_name,imd_score,imd_decile\n"
            + "".join(f"{p},Practice {p},{12.5 + 7 * i},{1 + 2 * i}\n"
                      for i, p in enumerate(PRACTICES))),
    "pcn_imd": ("pcn_imd.csv",
                "pcn_code,pcn_name,imd_score,imd_decile\nU00001,PCN 1,20.5,4\n"
                "U00002,PCN 2,30.1,2\nU00003,PCN 3,10.0,9\n"),
    "indicators": ("MAPPING_INDICATORS_2019_2020.csv",
                   "INDICATOR_CODE,INDICATOR_POINT_VALUE,GROUP_CODE,GROUP_DESCRIPTION,"
                   "DOMAIN_CODE,DOMAIN_DESCRIPTION,PATIENT_LIST_TYPE\n"
                   "AF001,5,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
                   "AF006,12,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
                   "AF007,12,AF,Atrial fibrillation,CL,Clinical,TOTAL\n"
                   "HYP001,3,HYP,Hypertension,CL,Clinical,TOTAL\n"
                   "HYP003,14,HYP,Hypertension,CL,Clinical,TOTAL\n"),
}
CVD = ("cvdprevent.csv",
       "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,IndicatorName,"
       "IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
       "Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote\n"
       + "".join(f"{p},Practice {p},Persons,{120 + i},,CVDP002AF,AF anticoagulated,AF,,"
                 f"{cat},{kind},{100 + i},To March 2020,,{83.3 + i},\n"
                 for i, p in enumerate(PRACTICES)
                 for cat, kind in (("Persons", "Sex"), ("Female", "Sex")))
       + "A00001,Practice A00001,Persons,*,,CVDP002AF,AF anticoagulated,AF,,Persons,Age group,"
         "*,To March 2020,,,Suppressed\n")
TABLE_OF = {"prevalence": "qof_prevalence", "achievement": "qof_achievement",
            "imd": "practice_imd", "pcn_imd": "pcn_imd", "indicators": "qof_indicators"}


def write_base(folder: Path) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    paths = {}
    for option, (name, text) in BASE.items():
        paths[option] = folder / name
        paths[option].write_text(text, encoding="utf-8")
    return paths


def check_qof(report: ImportReport, db: Path, rejects: Path, option: str, data: bytes,
              where: str) -> None:
    """Counts again from the store, the rejects CSV and the mutated file."""
    listed = rejects_in(db)
    by_table = {c.table: c for c in report.files}
    for counts in report.files:
        assert counts.rows_in == counts.loaded + counts.rejected, where
        assert listed[counts.table] == counts.rejected, (where, counts.table)
        if counts.table == "list_sizes_by_age_base":  # one row per practice and age base
            continue
        if counts.table != "qof_geography":
            assert rows_in_table(db, counts.table) == counts.loaded, (where, counts.table)
    assert csv_rejects(rejects) == sum(listed.values()), where
    table = TABLE_OF.get(option)
    if table is not None:
        assert by_table[table].rows_in == csv_records(data), (where, table)


def run_qof(tmp_path: Path, first: int, last: int) -> Tally:
    good = write_base(tmp_path / "good")
    out = tmp_path / "store"
    out.mkdir()
    db, rejects = out / "agg.duckdb", out / "agg.rejects.csv"
    assert import_qof(db, **good).rejected == 0  # the base files are clean
    tally = Tally()
    options = sorted(BASE)
    bad = tmp_path / "bad"
    bad.mkdir()
    for case in range(first, last):
        rng = random.Random(f"{SEED}-qof-{case}")
        option = rng.choice(options)
        name, text = BASE[option]
        data, mutations = mutate(rng, text)
        mutated = bad / name
        mutated.write_bytes(data)
        where = f"case {case} ({SEED}-qof): {name} {'+'.join(mutations)}"
        before, rejects_before = digest(db), digest(rejects)
        try:
            report = import_qof(db, **{**good, option: mutated})
        except Exception as exc:  # the kind of exception is what is being checked
            tally.outcomes[refused(exc, where)] += 1
            same_store(db, before, rejects, rejects_before, where)
        else:
            tally.outcomes["imported"] += 1
            check_qof(report, db, rejects, option, data, where)
        tally.mutations.update(mutations)
        tally.files[option] += 1
    return tally


def run_cvdprevent(tmp_path: Path, cases: int) -> Tally:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / CVD[0]
    good.write_text(CVD[1], encoding="utf-8")
    out = tmp_path / "store"
    out.mkdir()
    db, rejects = out / "agg.duckdb", out / "agg.rejects.csv"
    assert import_cvdprevent(db, [good]).rejected == 0
    tally = Tally()
    bad = folder / "bad.csv"
    for case in range(cases):
        rng = random.Random(f"{SEED}-cvd-{case}")
        data, mutations = mutate(rng, CVD[1])
        bad.write_bytes(data)
        files = [bad] if rng.random() < 0.8 else [good, bad]
        where = f"case {case} ({SEED}-cvd): {'+'.join(mutations)} with {len(files)} file(s)"
        before, rejects_before = digest(db), digest(rejects)
        try:
            report = import_cvdprevent(db, files)
        except Exception as exc:  # the kind of exception is what is being checked
            tally.outcomes[refused(exc, where)] += 1
            same_store(db, before, rejects, rejects_before, where)
        else:
            tally.outcomes["imported"] += 1
            assert report.rows_in == report.loaded + report.rejected, where
            assert rows_in_table(db, "cvdprevent") == report.loaded, where
            assert rejects_in(db)["cvdprevent"] == report.rejected, where
            assert csv_rejects(rejects) == report.rejected, where
            assert report.files[-1].rows_in == csv_records(data), where
        tally.mutations.update(mutations)
        tally.files["cvdprevent"] += 1
    return tally


def check_tally(tally: Tally, cases: int, files: int) -> None:
    assert tally.cases == cases
    assert len(tally.outcomes) == 3 and min(tally.outcomes.values()) >= 10, tally.outcomes
    assert all(n >= 3 for n in tally.mutations.values()), tally.mutations
    assert len(tally.files) == files, tally.files


HALF = QOF_CASES // 2


@pytest.mark.parametrize(("first", "last"), [(0, HALF), (HALF, QOF_CASES)], ids=["a", "b"])
def test_mutated_qof_files_import_with_counts_that_add_up_or_are_refused(
    tmp_path: Path, first: int, last: int
) -> None:
    tally = run_qof(tmp_path, first, last)
    check_tally(tally, last - first, len(BASE))
    print(f"import qof fuzz {first}-{last}: {tally.cases} mutated files; "
          f"{dict(tally.outcomes)}; {dict(tally.files)}")


def test_mutated_cvdprevent_files_import_with_counts_that_add_up_or_are_refused(
    tmp_path: Path,
) -> None:
    tally = run_cvdprevent(tmp_path, CVD_CASES)
    check_tally(tally, CVD_CASES, 1)
    print(f"import cvdprevent fuzz: {tally.cases} mutated files; {dict(tally.outcomes)}")
