"""Progress over time: the practice measure table at a series of period ends, against the ambition.

Why: the partnership's board tracks progress every quarter. The same programme rules evaluated
at each period end (events after the date ignored, registration and death at the date) give a
series of practice measure tables; summed to PCN, sub-ICB, place and ICS they show whether the
footprint is moving towards its ambition, how fast, and which practices moved most.

Periods end on the last date (default: the store's latest dated record) and every month or
quarter before it, back to the first date (or for a number of periods: by default the last eight
quarters, or the last 24 months). A step keeps the day of the month, clamped to the month's end,
and a last date at a month's end steps to month ends (31 March, 31 December, 30 September ...).

`measure_series` works on an open store (for `run_programme` or a report); `run_progress` opens
the store, measures, and writes progress.csv, improvers.csv, progress.json and trend.svg.
docs/progress.md describes every column.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from joinedup import __version__
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy, output_note
from joinedup.domain.impact import impact_model_for
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme
from joinedup.domain.targeting import Level, Plan, RollUp, TargetedPractice, plan
from joinedup.engines.tables import has_table
from joinedup.outputs.charts import trend_lines
from joinedup.outputs.progress import publish_progress, write_progress_files
from joinedup.programmes import load_parameters, load_programme
from joinedup.run import RunError, ambition_from, latest_record_date, store_counts
from joinedup.store import ibis_connect

STEP_MONTHS: dict[str, int] = {"month": 1, "quarter": 3}
DEFAULT_PERIODS: dict[str, int] = {"quarter": 8, "month": 24}
MAX_PERIODS = 240
ROW_LEVELS: tuple[str, ...] = ("ics", "place", "sub_icb", "pcn", "practice")
"""Levels of progress.csv, largest first; every level sums the practices below it."""
_ROLLUP_LEVELS: tuple[Level, ...] = ("ics", "place", "sub_icb", "pcn")
COUNT_COLUMNS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions",
                 "to_find", "to_treat")
"""The columns of progress.csv that add up from practices to every level above."""

Say = Callable[[str], None]


class ProgressError(ValueError):
    """A problem with a progress request (dates, periods, store), named for the user."""


@dataclass(frozen=True)
class ProgressOptions:
    """What to measure: the programme, the periods and the ambition (defaults: the programme's)."""

    programme: str = "af"
    first: date | None = None
    last: date | None = None
    every: str = "quarter"
    periods: int | None = None
    detect: float | None = None
    treat: float | None = None
    combined: float | None = None
    parameters_dir: Path | None = None
    publish: PublicationPolicy | None = None  # None: exact working outputs, not for publication


def period_ends(
    last: date, every: str = "quarter", *, first: date | None = None, count: int | None = None
) -> list[date]:
    """Period ends, oldest first: `last` and every month or quarter before it.

    Back to `first` (inclusive) when given, else `count` periods (default eight quarters or 24
    months). With both, the later of the two limits applies.
    """
    if every not in STEP_MONTHS:
        raise ProgressError(f"every must be one of {', '.join(STEP_MONTHS)}, got {every!r}")
    if count is not None and count < 1:
        raise ProgressError(f"the number of periods must be 1 or more, got {count}")
    if first is not None and first > last:
        raise ProgressError(f"the first date {first} is after the last date {last}")
    if count is None and first is None:
        count = DEFAULT_PERIODS[every]
    month_ends = last.day == calendar.monthrange(last.year, last.month)[1]
    ends: list[date] = []
    step = 0
    while True:
        day = _months_back(last, step * STEP_MONTHS[every], month_ends)
        if (first is not None and day < first) or (count is not None and len(ends) >= count):
            break
        ends.append(day)
        step += 1
        if len(ends) > MAX_PERIODS:
            raise ProgressError(f"more than {MAX_PERIODS} periods asked for; choose a later first "
                                "date or quarters")
    return ends[::-1]


def _months_back(day: date, months: int, month_ends: bool) -> date:
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, last_day if month_ends else min(day.day, last_day))


@dataclass(frozen=True)
class Period:
    """One period end and the programme's plan (counts, gaps, ranks) at it."""

    period_end: date
    plan: Plan

    def practice(self, code: str) -> TargetedPractice | None:
        return next((p for p in self.plan.practices if p.practice_code == code), None)


@dataclass(frozen=True)
class Pace:
    """How a footprint rate moved over the series, and when it reaches the ambition at that pace.

    `per_year` is the least-squares slope (rate points a year); `reaches_ambition` is the date
    the straight line crosses the ambition, None when it is already reached or the line does not
    rise; `reached` says whether the last period meets the ambition.
    """

    first: float | None
    last: float | None
    change: float | None
    per_year: float | None
    ambition: float | None
    reached: bool | None
    reaches_ambition: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "last": self.last,
            "change": self.change,
            "per_year": self.per_year,
            "ambition": self.ambition,
            "reached": self.reached,
            "reaches_ambition": (
                self.reaches_ambition.isoformat() if self.reaches_ambition else None
            ),
        }


@dataclass(frozen=True)
class Improvement:
    """One practice's change between the first and the last period (a row of improvers.csv).

    `found_by_improvement` = change in detection rate × expected now: the patients on the
    register now beyond what the first period's rate would give; `treated_by_improvement` the
    same for treatment (× eligible now). Their sum, `patients_gained`, ranks the practices: it
    weighs a rate change by the patients it touches and is not inflated by a growing list.
    """

    rank: int
    practice_code: str
    practice_name: str
    pcn_code: str | None
    place_code: str | None
    first_period: date
    last_period: date
    expected_first: float | None
    expected_last: float | None
    recorded_first: int | None
    recorded_last: int | None
    detection_rate_first: float | None
    detection_rate_last: float | None
    eligible_first: int | None
    eligible_last: int | None
    treated_first: int | None
    treated_last: int | None
    treatment_rate_first: float | None
    treatment_rate_last: float | None
    to_find_first: int | None
    to_find_last: int | None
    to_treat_first: int | None
    to_treat_last: int | None

    @property
    def detection_change(self) -> float | None:
        return _difference(self.detection_rate_last, self.detection_rate_first)

    @property
    def treatment_change(self) -> float | None:
        return _difference(self.treatment_rate_last, self.treatment_rate_first)

    @property
    def recorded_gain(self) -> int | None:
        return _int_difference(self.recorded_last, self.recorded_first)

    @property
    def treated_gain(self) -> int | None:
        return _int_difference(self.treated_last, self.treated_first)

    @property
    def found_by_improvement(self) -> float | None:
        change = self.detection_change
        if change is None or self.expected_last is None:
            return None
        return change * self.expected_last

    @property
    def treated_by_improvement(self) -> float | None:
        change = self.treatment_change
        if change is None or self.eligible_last is None:
            return None
        return change * self.eligible_last

    @property
    def patients_gained(self) -> float:
        return (self.found_by_improvement or 0.0) + (self.treated_by_improvement or 0.0)

    @property
    def gap_closed(self) -> int | None:
        before = _total(self.to_find_first, self.to_treat_first)
        after = _total(self.to_find_last, self.to_treat_last)
        return None if before is None or after is None else before - after

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "practice_code": self.practice_code,
            "practice_name": self.practice_name,
            "pcn_code": self.pcn_code,
            "place_code": self.place_code,
            "first_period": self.first_period.isoformat(),
            "last_period": self.last_period.isoformat(),
            "patients_gained": self.patients_gained,
            "expected_first": self.expected_first,
            "expected_last": self.expected_last,
            "recorded_first": self.recorded_first,
            "recorded_last": self.recorded_last,
            "recorded_gain": self.recorded_gain,
            "detection_rate_first": self.detection_rate_first,
            "detection_rate_last": self.detection_rate_last,
            "detection_change": self.detection_change,
            "found_by_improvement": self.found_by_improvement,
            "eligible_first": self.eligible_first,
            "eligible_last": self.eligible_last,
            "treated_first": self.treated_first,
            "treated_last": self.treated_last,
            "treated_gain": self.treated_gain,
            "treatment_rate_first": self.treatment_rate_first,
            "treatment_rate_last": self.treatment_rate_last,
            "treatment_change": self.treatment_change,
            "treated_by_improvement": self.treated_by_improvement,
            "to_find_first": self.to_find_first,
            "to_find_last": self.to_find_last,
            "to_treat_first": self.to_treat_first,
            "to_treat_last": self.to_treat_last,
            "gap_closed": self.gap_closed,
        }


@dataclass(frozen=True)
class ProgressSeries:
    """A programme's plans at each period end, oldest first, with what produced them."""

    programme: str
    title: str
    ambition: Ambition
    periods: tuple[Period, ...]
    names: dict[str, str] = field(default_factory=dict)
    parameters: str = ""
    eligible_share: float | None = None
    """Share of found patients who are eligible (for the combined ambition's managed share)."""

    @property
    def period_ends(self) -> list[date]:
        return [p.period_end for p in self.periods]

    def rows(self) -> list[dict[str, Any]]:
        """progress.csv: one row per period end, level (ICS to practice) and organisation."""
        out: list[dict[str, Any]] = []
        for period in self.periods:
            parents = _parents(period.plan.practices)
            for level in _ROLLUP_LEVELS:
                for rollup in period.plan.roll_up(level):
                    out.append(self._rollup_row(period.period_end, rollup,
                                                parents.get((level, rollup.code), {})))
            practices = sorted(period.plan.practices, key=lambda p: p.practice_code)
            out.extend(self._practice_row(period.period_end, p) for p in practices)
        return out

    def footprint(self) -> list[RollUp]:
        """The whole footprint's totals at each period end."""
        return [p.plan.summary() for p in self.periods]

    def trend(self) -> dict[str, list[float | None]]:
        """The footprint's rates at each period end, for a chart (see `trend`)."""
        return trend(footprint_totals(self.rows()), self.ambition, self.eligible_share)

    def ambitions(self) -> dict[str, float]:
        """The ambition each trend series is judged against."""
        return ambition_lines(self.ambition)

    def pace(self) -> dict[str, Pace]:
        """Each trend series' change, slope and projected date of reaching its ambition."""
        return paces(self.period_ends, self.trend(), self.ambition)

    def improvers(self) -> list[Improvement]:
        """Practices in both the first and the last period, most improved first."""
        return improvers(self.rows())

    def _practice_row(self, period_end: date, row: TargetedPractice) -> dict[str, Any]:
        c = row.counts
        return {
            "period_end": period_end,
            "programme": self.programme,
            "level": "practice",
            "code": c.practice_code,
            "name": c.practice_name or self.names.get(c.practice_code, ""),
            "ics_code": c.ics_code,
            "place_code": c.place_code,
            "sub_icb_code": c.sub_icb_code,
            "pcn_code": c.pcn_code,
            "practices": 1,
            "list_size": c.list_size,
            "expected": c.expected,
            "recorded": c.recorded,
            "eligible": c.eligible,
            "treated": c.treated,
            "exceptions": c.exceptions,
            "detection_rate": c.detection_rate,
            "treatment_rate": c.treatment_rate,
            "to_find": row.to_find,
            "to_treat": row.to_treat,
        }

    def _rollup_row(
        self, period_end: date, rollup: RollUp, parents: dict[str, str | None]
    ) -> dict[str, Any]:
        return {
            "period_end": period_end,
            "programme": self.programme,
            "level": rollup.level,
            "code": rollup.code,
            "name": self.names.get(rollup.code or "", ""),
            "ics_code": parents.get("ics_code"),
            "place_code": parents.get("place_code"),
            "sub_icb_code": parents.get("sub_icb_code"),
            "pcn_code": parents.get("pcn_code"),
            "practices": rollup.practices,
            "list_size": rollup.list_size,
            "expected": rollup.expected,
            "recorded": rollup.recorded,
            "eligible": rollup.eligible,
            "treated": rollup.treated,
            "exceptions": rollup.exceptions,
            "detection_rate": rollup.detection_rate,
            "treatment_rate": rollup.treatment_rate,
            "to_find": rollup.to_find,
            "to_treat": rollup.to_treat,
        }


def _parents(practices: Sequence[TargetedPractice]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """For each roll-up (level, code), the codes of the levels above it (from its practices)."""
    chain = ("pcn", "sub_icb", "place", "ics")
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in practices:
        for position, level in enumerate(chain):
            code = getattr(row.counts, f"{level}_code")
            above = {f"{upper}_code": getattr(row.counts, f"{upper}_code")
                     for upper in chain[position:]}
            out.setdefault((level, code), above)
    return out


def measure_series(
    con: Any,
    programme: Programme,
    parameters: ParameterSet,
    ends: Sequence[date],
    ambition: Ambition,
    *,
    names: dict[str, str] | None = None,
    say: Say | None = None,
) -> ProgressSeries:
    """The programme's plan at each period end in `ends`, measured on the open store `con`.

    Each period is measured exactly as `joinedup run` measures one date (`store_counts`) and
    planned with the same ambition and impact model, so the last period's counts and gaps
    equal a run at that date.
    """
    report = say or (lambda _message: None)
    impact = impact_model_for(programme.impact_model, parameters)
    days = sorted(set(ends))
    periods = []
    for index, day in enumerate(days, start=1):
        report(f"measuring {programme.title} at {day} ({index} of {len(days)})")
        counts, _notes = store_counts(con, programme, day, parameters)
        periods.append(Period(period_end=day, plan=plan(counts, ambition, impact=impact)))
    return ProgressSeries(
        programme=programme.name,
        title=programme.title,
        ambition=ambition,
        periods=tuple(periods),
        names=dict(names or {}),
        parameters=parameters.label,
        eligible_share=impact.eligible_share_of_found,
    )


def improvers(rows: Sequence[Mapping[str, Any]]) -> list[Improvement]:
    """Practices in the first and the last period of progress rows, ranked by `patients_gained`.

    Works on exact or published rows alike (a suppressed count is None, and so is anything
    computed from it). Ties fall back to the larger gap closed, then the practice code.
    """
    practices = [r for r in rows if r["level"] == "practice"]
    if not practices:
        return []
    first_end = min(r["period_end"] for r in practices)
    last_end = max(r["period_end"] for r in practices)
    before = {r["code"]: r for r in practices if r["period_end"] == first_end}
    out = []
    for now in (r for r in practices if r["period_end"] == last_end):
        was = before.get(now["code"])
        if was is None:
            continue
        out.append(Improvement(
            rank=0,
            practice_code=now["code"],
            practice_name=now["name"] or "",
            pcn_code=now["pcn_code"],
            place_code=now["place_code"],
            first_period=first_end,
            last_period=last_end,
            expected_first=was["expected"],
            expected_last=now["expected"],
            recorded_first=was["recorded"],
            recorded_last=now["recorded"],
            detection_rate_first=was["detection_rate"],
            detection_rate_last=now["detection_rate"],
            eligible_first=was["eligible"],
            eligible_last=now["eligible"],
            treated_first=was["treated"],
            treated_last=now["treated"],
            treatment_rate_first=was["treatment_rate"],
            treatment_rate_last=now["treatment_rate"],
            to_find_first=was["to_find"],
            to_find_last=now["to_find"],
            to_treat_first=was["to_treat"],
            to_treat_last=now["to_treat"],
        ))
    out.sort(key=lambda r: (-r.patients_gained, -(r.gap_closed or 0), r.practice_code))
    return [_with_rank(r, rank) for rank, r in enumerate(out, start=1)]


def footprint_totals(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The footprint's counts and rates at each period end: its ICS rows summed (in practice one
    ICS), rates recomputed from the sums. A count unknown in any ICS row is unknown here."""
    by_period: dict[date, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row["level"] == "ics":
            by_period.setdefault(row["period_end"], []).append(row)
    out = []
    for day in sorted(by_period):
        group = by_period[day]
        total: dict[str, Any] = {"period_end": day}
        for column in COUNT_COLUMNS:
            values = [r[column] for r in group]
            total[column] = None if any(v is None for v in values) else sum(values)
        total["detection_rate"] = _rate(total["recorded"], total["expected"])
        total["treatment_rate"] = _rate(total["treated"], total["eligible"])
        out.append(total)
    return out


def trend(
    totals: Sequence[Mapping[str, Any]], ambition: Ambition, eligible_share: float | None = None
) -> dict[str, list[float | None]]:
    """Detection and treatment rates over the periods; for a combined ambition also the
    managed share, treated ÷ (expected × share of AF patients eligible)."""
    series: dict[str, list[float | None]] = {
        "detection_rate": [t["detection_rate"] for t in totals],
        "treatment_rate": [t["treatment_rate"] for t in totals],
    }
    if ambition.is_combined:
        share = eligible_share or 0.0
        series["managed_share"] = [
            _rate(t["treated"], None if t["expected"] is None else t["expected"] * share)
            for t in totals
        ]
    return series


def ambition_lines(ambition: Ambition) -> dict[str, float]:
    """The ambition each trend series is judged against (the combined one: managed share)."""
    if ambition.combined is not None:
        return {"managed_share": ambition.combined}
    assert ambition.detect is not None and ambition.treat is not None
    return {"detection_rate": ambition.detect, "treatment_rate": ambition.treat}


def paces(
    ends: Sequence[date], series: Mapping[str, Sequence[float | None]], ambition: Ambition
) -> dict[str, Pace]:
    """`pace` for each trend series against its ambition line."""
    targets = ambition_lines(ambition)
    return {name: pace(ends, values, targets.get(name)) for name, values in series.items()}


def _with_rank(row: Improvement, rank: int) -> Improvement:
    return replace(row, rank=rank)


def pace(ends: Sequence[date], values: Sequence[float | None], ambition: float | None) -> Pace:
    """Change, least-squares slope a year and the date the line reaches `ambition`.

    Periods with no value are left out. With fewer than two values there is no slope.
    """
    known = [(d, v) for d, v in zip(ends, values, strict=True) if v is not None]
    if not known:
        return Pace(None, None, None, None, ambition, None, None)
    first, last = known[0][1], known[-1][1]
    reached = None if ambition is None else last >= ambition - 1e-12
    if len(known) < 2:
        return Pace(first, last, None, None, ambition, reached, None)
    origin = known[-1][0]
    xs = [(d - origin).days / 365.25 for d, _ in known]
    ys = [v for _, v in known]
    mean_x, mean_y = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    spread = math.fsum((x - mean_x) ** 2 for x in xs)
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    when = None
    if ambition is not None and not reached and slope > 0:
        intercept = mean_y - slope * mean_x  # the fitted rate at the last period end
        years = (ambition - intercept) / slope
        if years <= 100:
            when = date.fromordinal(origin.toordinal() + max(0, math.ceil(years * 365.25)))
    return Pace(first, last, last - first, slope, ambition, reached, when)


def _difference(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else now - then


def _int_difference(now: int | None, then: int | None) -> int | None:
    return None if now is None or then is None else now - then


def _rate(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def _total(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


# --- the whole job, from a store file to written outputs ------------------------------------


@dataclass(frozen=True)
class ProgressResult:
    """What `run_progress` measured and wrote; `summary` and `improvers` are as written (so
    published when the options asked for publication)."""

    series: ProgressSeries
    files: list[Path]
    summary: dict[str, Any] = field(default_factory=dict)
    improvers: list[dict[str, Any]] = field(default_factory=list)


def run_progress(
    db_path: Path, out_dir: Path, options: ProgressOptions | None = None, say: Say | None = None
) -> ProgressResult:
    """Measure a programme at each period end in the store at `db_path`; write the outputs."""
    options = options or ProgressOptions()
    programme = load_programme(options.programme)
    parameters = load_parameters(programme, options.parameters_dir)
    ambition = ambition_for(programme, options)
    con = ibis_connect(db_path)  # a StoreError names the path when it holds no usable store
    try:
        last = options.last or _latest(con)
        ends = period_ends(last, options.every, first=options.first, count=options.periods)
        series = measure_series(con, programme, parameters, ends, ambition,
                                names=organisation_names(con), say=say)
    finally:
        con.disconnect()
    if not any(p.plan.practices for p in series.periods):
        raise ProgressError(f"{db_path}: no practices with registered patients in any period")
    (say or (lambda _m: None))(f"writing outputs to {out_dir}")
    rows, changes, chart, summary = _outputs(series, options.publish)
    files = write_progress_files(out_dir, rows, changes, chart, summary)
    return ProgressResult(series=series, files=files, summary=summary, improvers=changes)


def write_progress(
    series: ProgressSeries, out_dir: Path, publish: PublicationPolicy | None = None
) -> list[Path]:
    """progress.csv, improvers.csv, trend.svg and progress.json for `series` in `out_dir`.

    With a publication policy every count is suppressed and rounded first, and the improvers,
    trend, pace and chart are computed from the published counts, so no file gives back a
    count another hides.
    """
    return write_progress_files(out_dir, *_outputs(series, publish))


def _outputs(
    series: ProgressSeries, publish: PublicationPolicy | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, dict[str, Any]]:
    """(progress rows, improver rows, trend chart, progress.json) as they are to be written."""
    rows = series.rows()
    if publish is not None:
        rows = publish_progress(rows, publish)
    totals = footprint_totals(rows)
    values = trend(totals, series.ambition, series.eligible_share)
    ics = sorted({r["code"] for r in rows if r["level"] == "ics" and r["code"]})
    summary = {
        "programme": series.programme,
        "footprint": ", ".join(series.names.get(c, c) for c in ics) or "footprint",
        "periods": [d.isoformat() for d in series.period_ends],
        "ambition": series.ambition.as_dict(),
        "footprint_trend": {
            "to_find": [t["to_find"] for t in totals],
            "to_treat": [t["to_treat"] for t in totals],
            **values,
        },
        "pace": {name: p.as_dict()
                 for name, p in paces(series.period_ends, values, series.ambition).items()},
        "parameters": series.parameters,
        "joinedup_version": __version__,
        "publication": output_note(publish),
    }
    chart = trend_chart(series, values)
    changes = [r.as_dict() for r in improvers(rows)]
    return rows, changes, chart, summary


def trend_chart(
    series: ProgressSeries, values: Mapping[str, list[float | None]] | None = None
) -> str:
    """The footprint's rates at each period end against the ambition, as inline SVG
    (`values` from `trend`, e.g. of published counts; by default the series' exact ones)."""
    return trend_lines(
        [d.isoformat() for d in series.period_ends],
        dict(values if values is not None else series.trend()),
        series.ambitions(),
        f"{series.title}: footprint progress",
    )


def _latest(con: Any) -> date:
    """The store's extract date (or an aggregate store's period end), as `joinedup run` uses."""
    try:
        return latest_record_date(con)
    except RunError:
        raise ProgressError(
            "the store holds no dated records; pass the last date with --to"
        ) from None


def ambition_for(programme: Programme, options: ProgressOptions) -> Ambition:
    """The options' ambition, falling back to the programme's defaults (as `joinedup run`)."""
    try:
        return ambition_from(programme.ambitions, options.detect, options.treat, options.combined)
    except RunError as exc:
        raise ProgressError(str(exc)) from None


def organisation_names(con: Any) -> dict[str, str]:
    if not has_table(con, "organisations"):
        return {}
    orgs = con.table("organisations").select("org_code", "name").execute()
    return dict(zip(orgs["org_code"], orgs["name"], strict=True))


__all__ = [
    "COUNT_COLUMNS",
    "ROW_LEVELS",
    "Improvement",
    "Pace",
    "Period",
    "ProgressError",
    "ProgressOptions",
    "ProgressResult",
    "ProgressSeries",
    "ambition_for",
    "ambition_lines",
    "footprint_totals",
    "improvers",
    "measure_series",
    "pace",
    "paces",
    "period_ends",
    "run_progress",
    "trend",
    "trend_chart",
    "write_progress",
]
