"""Reading the partnership plan (TOML) and the partnership's own measures (CSV).

Why a reader of its own: both files are kept by hand, by people in the partnership's offices, in
editors and spreadsheets (so a BOM from Excel is fine). The plan's contents are checked by the
domain's parser; the measures file is checked here, row by row, and the first problem is named by
file, line and field (`measures.csv: line 7, field value: 'n/a' is not a number`), so a typo
never silently drops a reading. The example for the synthetic ICS is packaged beside this
module (`EXAMPLE_PLAN`).
"""

from __future__ import annotations

import csv
import math
import re
import tomllib
from datetime import date
from pathlib import Path

from joinedup.domain.partnership import (
    FOOTPRINT,
    PartnershipPlan,
    PlanError,
    Reading,
    plan_from_mapping,
)

EXAMPLE_PLAN = Path(__file__).resolve().parent / "partnership_example" / "plan.toml"
"""An example plan for the synthetic West Yorkshire-shaped ICS (`joinedup synth`)."""
MEASURE_COLUMNS = ("measure", "area", "period_end", "value")
"""Columns the measures file must have; `source` and `note` may follow."""
OPTIONAL_COLUMNS = ("source", "note")
_AREA = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


def read_plan(path: Path | str) -> PartnershipPlan:
    """The plan in `path`, checked; one `PlanError` naming the file, entry and field if not."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from None
    return plan_from_mapping(data, str(path))


def measures_path(plan_path: Path | str, plan: PartnershipPlan) -> Path | None:
    """The plan's measures file, resolved against the plan file's folder."""
    if plan.measures_file is None:
        return None
    return (Path(plan_path).parent / plan.measures_file).resolve()


def read_measures(path: Path | str, plan: PartnershipPlan) -> list[Reading]:
    """Every row of the measures file as a reading, or one `PlanError` for the first bad row.

    Rows: a measure declared in the plan's [measures], an area (an organisation code or
    `footprint`), the period_end (YYYY-MM-DD) and a finite number; one reading per (measure,
    area, period_end).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the measures file ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    header = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in MEASURE_COLUMNS if c not in header]
    if missing:
        raise PlanError(f"{path}: line 1: missing column(s) {', '.join(missing)}; expected "
                        f"{', '.join(MEASURE_COLUMNS)} (and optionally "
                        f"{', '.join(OPTIONAL_COLUMNS)})")
    unknown = [c for c in header if c not in MEASURE_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise PlanError(f"{path}: line 1: unknown column {unknown[0]!r}")
    readings: list[Reading] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        reading = _reading(row, plan, f"{path}: line {line}")
        key = (reading.measure, reading.area, reading.period_end)
        if key in seen:
            raise PlanError(f"{path}: line {line}: {reading.measure} for {reading.area} at "
                            f"{reading.period_end} is given again (first on line {seen[key]})")
        seen[key] = line
        readings.append(reading)
    return readings


def _reading(row: dict[str, str], plan: PartnershipPlan, where: str) -> Reading:
    measure = row["measure"]
    if measure not in plan.measures:
        raise PlanError(f"{where}, field measure: {measure!r} is not declared under [measures] "
                        "in the plan")
    area = row["area"]
    if not (area == FOOTPRINT or _AREA.match(area)):
        raise PlanError(f"{where}, field area: {area!r} is not an organisation code (upper "
                        f"case) or '{FOOTPRINT}'")
    try:
        period_end = date.fromisoformat(row["period_end"])
    except ValueError:
        raise PlanError(f"{where}, field period_end: {row['period_end']!r} is not a date "
                        "(YYYY-MM-DD)") from None
    try:
        value = float(row["value"])
    except ValueError:
        raise PlanError(f"{where}, field value: {row['value']!r} is not a number") from None
    if not math.isfinite(value):
        raise PlanError(f"{where}, field value: {row['value']!r} is not a finite number")
    return Reading(measure=measure, area=area, period_end=period_end, value=value, where=where)
