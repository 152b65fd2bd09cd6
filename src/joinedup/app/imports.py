"""Importing published files into a store of aggregates: QOF, CVDPREVENT and ODS.

Why here: an import reads and checks files with the source readers (`sources/`) and writes the
store atomically with `store.aggregates`; this use case is the only code that joins the two, so
neither the readers nor the writer knows about the other. Each importer is registered in
`domain.extensions.AGGREGATE_SOURCES`; `joinedup import NAME` calls it. Every import leaves the
previous store untouched when it cannot go ahead (`AggregateImportError`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

from joinedup.domain.organisations import FootprintError
from joinedup.sources.cvdprevent import read_cvdprevent
from joinedup.sources.geography import (
    FIELDS as GEOGRAPHY_FIELDS,
)
from joinedup.sources.geography import (
    GeographyFileError,
    organisations_from_mapping,
    qof_year,
    read_mapping,
)
from joinedup.sources.imd import ImdRow, read_pcn_imd, read_practice_imd
from joinedup.sources.ods import read_epcn, read_epraccur
from joinedup.sources.qof.achievement import read_achievement
from joinedup.sources.qof.age_structure import rake_once, shape_fingerprint
from joinedup.sources.qof.indicators import packaged_mapping, read_indicator_mapping
from joinedup.sources.qof.lists import list_sizes_layout, read_age_bases, read_age_sex_bands
from joinedup.sources.qof.prevalence import read_prevalence
from joinedup.sources.qof.readers import SourceFileError
from joinedup.store.aggregate_schema import CVDPREVENT_PART, ODS_PART, QOF_PART, STORE_KIND
from joinedup.store.aggregates import (
    AggregateBuild,
    AggregateImportError,
    ImportReport,
    write_aggregates,
)
from joinedup.store.report import TableCounts


def import_qof(
    db_path: Path | str,
    *,
    prevalence: Path | str,
    geography: Path | str,
    achievement: Path | str | None = None,
    ages: Path | str | None = None,
    imd: Path | str | None = None,
    pcn_imd: Path | str | None = None,
    indicators: Path | str | None = None,
    year: int | None = None,
    ics: str | None = None,
    rejects_csv: Path | str | None = None,
    today: date | None = None,
    max_rejected_share: float | None = None,
) -> ImportReport:
    """Check the QOF files and replace the QOF part of the store at ``db_path`` with them.

    ``year`` is the first calendar year of the QOF year (2019 for 2019-20); by default it comes
    from the geography file's name (``..._2019_2020.csv``) or the prevalence file's
    (``PREVALENCE_1920.csv``). ``indicators`` defaults to the packaged MAPPING_INDICATORS file
    for the year. ``ics`` keeps one ICS/STP's practices in the footprint (e.g. ``QWO``). A file
    with no rows, or rejecting more than ``max_rejected_share`` of its rows (default a tenth),
    stops the import. Raises AggregateImportError (or ``TooManyRejectsError``), leaving the
    previous store untouched, when the import cannot go ahead.
    """
    year_start = year if year is not None else _year_from_names(Path(geography), Path(prevalence))
    build = AggregateBuild(QOF_PART)
    try:
        _read_qof(build, year_start, Path(prevalence), Path(geography), achievement, ages, imd,
                  pcn_imd, indicators, ics)
    except (SourceFileError, GeographyFileError, FootprintError) as exc:
        raise AggregateImportError(str(exc)) from None
    label = f"{year_start}-{str(year_start + 1)[2:]}"
    build.info.update({
        "kind": STORE_KIND,
        "qof_year": label,
        "period_start": date(year_start, 4, 1).isoformat(),
        "period_end": date(year_start + 1, 3, 31).isoformat(),
        "ics": ics or "",
    })
    return write_aggregates(Path(db_path), build, Path(prevalence), rejects_csv, today, label,
                            max_rejected_share)


def import_cvdprevent(
    db_path: Path | str,
    files: Sequence[Path | str],
    *,
    rejects_csv: Path | str | None = None,
    today: date | None = None,
    max_rejected_share: float | None = None,
) -> ImportReport:
    """Check CVDPREVENT raw-data files and replace the store's CVDPREVENT rows with them.

    Each file is held to ``max_rejected_share`` as ``import_qof`` holds its files.
    """
    if not files:
        raise AggregateImportError("give at least one CVDPREVENT file")
    build = AggregateBuild(CVDPREVENT_PART)
    try:
        for path in files:
            imported = read_cvdprevent(path)
            build.add(imported, (_values(r) for r in imported.rows))
    except SourceFileError as exc:
        raise AggregateImportError(str(exc)) from None
    build.info.update({"kind": STORE_KIND, "cvdprevent_files": ", ".join(
        Path(p).name for p in files)})
    return write_aggregates(Path(db_path), build, Path(files[0]), rejects_csv, today, None,
                            max_rejected_share)


# --- reading ---------------------------------------------------------------------------------


def _year_from_names(geography: Path, prevalence: Path) -> int:
    try:
        return qof_year(geography)[0].year
    except GeographyFileError:
        pass
    match = re.search(r"(?<![0-9])([0-9]{2})([0-9]{2})(?![0-9])", prevalence.stem)
    if match and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
        return 2000 + int(match.group(1))
    raise AggregateImportError(
        f"cannot tell the QOF year from {geography.name} or {prevalence.name}; pass the year "
        "(e.g. --year 2019-20)"
    )


def _read_qof(
    build: AggregateBuild, year_start: int, prevalence: Path, geography: Path,
    achievement: Path | str | None, ages: Path | str | None, imd: Path | str | None,
    pcn_imd: Path | str | None, indicators: Path | str | None, ics: str | None,
) -> None:
    mapping = read_mapping(geography, year_start=year_start)
    frame = mapping.practices[list(GEOGRAPHY_FIELDS)]
    geography_rows = [tuple(str(v) for v in r) for r in frame.itertuples(index=False)]
    build.tables["qof_geography"] = geography_rows
    build.counts.append(TableCounts("qof_geography", geography.name, len(geography_rows),
                                    len(geography_rows), 0))
    footprint = read_mapping(geography, ics_code=ics, year_start=year_start) if ics else mapping
    build.organisations = organisations_from_mapping(footprint)

    prevalence_rows = read_prevalence(prevalence)
    build.add(prevalence_rows, (_values(r) for r in prevalence_rows.rows))

    mapping_path = Path(indicators) if indicators is not None else packaged_mapping(year_start)
    indicator_rows = read_indicator_mapping(mapping_path)
    build.add(indicator_rows, (_values(r) for r in indicator_rows.rows))
    build.info["indicator_mapping"] = mapping_path.name

    if achievement is not None:
        achieved = read_achievement(achievement)
        build.add(achieved, (_values(r) for r in achieved.rows))
    if ages is not None:
        _read_ages(build, Path(ages))
    if imd is not None:
        practice = read_practice_imd(imd)
        build.add(practice, (_imd_values(r) for r in practice.rows))
    if pcn_imd is not None:
        pcn = read_pcn_imd(pcn_imd)
        build.add(pcn, (_imd_values(r) for r in pcn.rows))
    build.info["files"] = json.dumps({c.table: c.file for c in build.counts})


def _read_ages(build: AggregateBuild, path: Path) -> None:
    if list_sizes_layout(path) == "age_sex":
        bands = read_age_sex_bands(path)
        build.add(bands, (_values(r) for r in bands.rows))
        build.info["ages_layout"] = "age_sex_5y"
        return
    bases, ignored = read_age_bases(path)
    build.add(bases, ((r.practice_code, code, value) for r in bases.rows
                      for code, value in r.bases.items()), ignored=ignored)
    build.info["ages_layout"] = "qof_age_bases"
    build.tables["age_bases_raked"] = rake_once([(r.practice_code, r.bases) for r in bases.rows])
    build.info["age_bases_raked_shape"] = shape_fingerprint()
    if ignored:
        build.notes.append(f"{path.name}: ignored columns that are not age bases: "
                           f"{', '.join(ignored)}")


def _values(row: Any) -> tuple[Any, ...]:
    """A reader's row dataclass as the tuple the store's table takes, in column order."""
    assert is_dataclass(row) and not isinstance(row, type)
    return tuple(asdict(row).values())


def _imd_values(row: ImdRow) -> tuple[Any, ...]:
    return (row.code, row.year, row.imd_score, row.imd_decile, row.imd_quintile)


def import_ods(
    db_path: Path | str,
    *,
    epraccur: Path | str | None = None,
    epcn: Path | str | None = None,
    rejects_csv: Path | str | None = None,
    today: date | None = None,
    max_rejected_share: float | None = None,
) -> ImportReport:
    """Check ODS files and replace the store's ODS rows with them (each file held to
    ``max_rejected_share`` as ``import_qof`` holds its files).

    ``epraccur`` (GP practices: names, open and close dates, status) and ``epcn`` (PCNs and the
    practices in each, with the dates of each membership) are published by NHS England's
    Organisation Data Service. They are kept as published; `joinedup run` lays them over the
    QOF footprint at the run's date (`domain.ods`), so the order of imports does not matter.
    """
    if epraccur is None and epcn is None:
        raise AggregateImportError("give --epraccur and/or --epcn")
    build = AggregateBuild(ODS_PART)
    try:
        if epraccur is not None:
            practices = read_epraccur(epraccur)
            build.add(practices, (_values(r) for r in practices.rows))
        if epcn is not None:
            pcns, partners = read_epcn(epcn)
            build.add(pcns, (_values(r) for r in pcns.rows))
            build.add(partners, (_values(r) for r in partners.rows))
    except SourceFileError as exc:
        raise AggregateImportError(str(exc)) from None
    given = [Path(p) for p in (epraccur, epcn) if p is not None]
    build.info.update({"kind": STORE_KIND, "ods_files": ", ".join(p.name for p in given)})
    return write_aggregates(Path(db_path), build, given[0], rejects_csv, today, None,
                            max_rejected_share)


__all__ = ["AggregateImportError", "ImportReport", "import_cvdprevent", "import_ods", "import_qof"]
