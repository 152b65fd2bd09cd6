"""A programme's run as one reader sees it: the rows of every table, and the questions pages ask.

Why: the dashboard's pages, its JSON API and its exports show the same tables — exact for
analysts, published for everyone else — so they all read one `ProgrammeView`, built once per
run and reader kind (`joinedup.app.dashboard` caches it). Nothing here recomputes a figure: rows
come from the run's tables as `compute_run` made and `publish_run` published them; the view
picks rows (an area and its children, a practice and its peers) and names the columns of each
table for downloads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joinedup.app.programme import ProgrammeSetup
from joinedup.app.run import ComputedRun
from joinedup.app.store import open_store
from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy, output_note
from joinedup.domain.drilldown import (
    CHILD_LEVEL,
    PeerPosition,
    ancestors,
    area_row,
    children,
    pcn_peers,
    peer_positions,
)
from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS
from joinedup.domain.publication import publish_progress
from joinedup.domain.targeted import EXTRA_COLUMNS
from joinedup.domain.targeting import pareto_from_rows
from joinedup.outputs.breakdowns import BREAKDOWN_COLUMNS, breakdown_rows, stamped
from joinedup.outputs.chart_series import ChartSeries, report_series
from joinedup.outputs.pcn_need import PCN_NEED_COLUMNS

if TYPE_CHECKING:
    from joinedup.domain.progress import ProgressSeries

Row = dict[str, Any]

PARETO_COLUMNS = ("k", "rank", "practice_code", "practice_name", "wave", "opportunity",
                  "cumulative_opportunity", "cumulative_share")
WAVE_COLUMNS = ("wave", "practices", "to_find", "to_treat", "share_of_footprint",
                "cumulative_share", "strokes_prevented_per_year", "savings_gbp_per_year")
TREND_COLUMNS = ("period_end", "list_size", "expected", "recorded", "eligible", "treated",
                 "detection_rate", "treatment_rate", "to_find", "to_treat")
TABLES = {
    "practices": "Practices: measures, gap, rank, wave and impact",
    "rollups": "Roll-ups to PCN, sub-ICB, place and ICS",
    "waves": "Waves of support",
    "pareto": "Pareto curve: share of the gap held by the top practices",
    "breakdowns": "Inequalities: measures by deprivation, ethnicity, age and sex",
    "pcn_need": "PCNs by highest need",
}
"""Every table of a programme view, by the name its download and API use."""
PROGRESS_TABLES = {
    "progress": "Progress: the footprint at each quarter end",
    "improvers": "Practices that improved most",
}


@dataclass(frozen=True)
class AreaView:
    """An organisation above practice level, its roll-up row, the rows one level down and the
    organisations above it."""

    level: str
    code: str
    name: str
    row: Mapping[str, Any]
    child_level: str | None
    children: list[Mapping[str, Any]]
    parents: list[Mapping[str, Any]]


@dataclass(frozen=True)
class PracticeView:
    row: Mapping[str, Any]
    parents: list[Mapping[str, Any]]
    pcn_peers: list[Mapping[str, Any]]
    positions: list[PeerPosition]


@dataclass(frozen=True)
class ProgrammeView:
    """One run's tables as shown to one kind of reader (exact, or published)."""

    programme: str
    title: str
    reference_date: date
    ambition: Ambition
    targeting: dict[str, Any]
    publish: PublicationPolicy | None
    summary: Row
    practices: list[Row]
    rollups: list[Row]
    breakdowns: list[Row]
    pcn_need: list[Row]
    names: Mapping[str, str]
    inequalities: list[tuple[str, str, ChartSeries]] = field(default_factory=list)

    @classmethod
    def of(cls, run: ComputedRun, publish: PublicationPolicy | None) -> ProgrammeView:
        tables = run.tables(publish)
        shown = breakdown_rows(tables.breakdowns)
        return cls(
            programme=run.setup.programme.name, title=run.setup.programme.title,
            reference_date=run.reference_date, ambition=run.ambition,
            targeting=run.targeting.as_dict(), publish=publish, summary=dict(tables.summary),
            practices=[dict(r) for r in tables.practices],
            rollups=[{**r, "name": run.names.get(r.get("code") or "", r.get("name", ""))}
                     for r in tables.rollups],
            breakdowns=[dict(r) for r in shown], pcn_need=[dict(r) for r in tables.pcn_need],
            names=run.names, inequalities=report_series(shown))

    @property
    def published(self) -> bool:
        return self.publish is not None

    @property
    def note(self) -> str:
        return output_note(self.publish)

    def footprint(self) -> AreaView | None:
        """The ICS (the top of the drill-down); None if no practice has one."""
        ics = sorted({p["ics_code"] for p in self.practices if p.get("ics_code")})
        return self.area(ics[0]) if ics else None

    def area(self, code: str) -> AreaView | None:
        row = area_row(self.rollups, code)
        if row is None:
            return None
        level = str(row["level"])
        return AreaView(level=level, code=code, name=self.names.get(code, code), row=row,
                        child_level=CHILD_LEVEL.get(level),
                        children=children(level, code, self.practices, self.rollups),
                        parents=ancestors(level, code, self.practices, self.rollups))

    def practice(self, code: str) -> PracticeView | None:
        row = next((p for p in self.practices if p["practice_code"] == code), None)
        if row is None:
            return None
        return PracticeView(row=row, parents=ancestors("practice", code, self.practices,
                                                       self.rollups),
                            pcn_peers=pcn_peers(code, self.practices),
                            positions=peer_positions(code, self.practices))

    def pareto(self) -> list[Row]:
        return pareto_from_rows(self.practices)

    def waves(self) -> list[Row]:
        return [dict(w) for w in self.summary.get("waves", [])]

    def table(self, name: str) -> tuple[Sequence[str], list[Row]]:
        """(columns, rows) of the table `name` (one of `TABLES`) as shown."""
        if name == "practices":
            return PRACTICE_TABLE_COLUMNS + EXTRA_COLUMNS, self.practices
        if name == "rollups":
            columns = list(self.rollups[0]) if self.rollups else ["level", "code", "name"]
            return columns, self.rollups
        if name == "waves":
            return WAVE_COLUMNS, [{**w, "practices": " ".join(w["practices"])}
                                  for w in self.waves()]
        if name == "pareto":
            return PARETO_COLUMNS, self.pareto()
        if name == "breakdowns":
            return BREAKDOWN_COLUMNS, stamped(self.breakdowns, self.note)
        if name == "pcn_need":
            return PCN_NEED_COLUMNS, [{**r, "publication": self.note} for r in self.pcn_need]
        raise KeyError(name)


@dataclass(frozen=True)
class ProgressView:
    """The footprint at each quarter end up to the run's date, as one kind of reader sees it."""

    programme: str
    periods: list[str]
    trend: list[Row]
    ambition_lines: dict[str, float]
    pace: dict[str, Any]
    improvers: list[Row]
    publish: PublicationPolicy | None

    @property
    def note(self) -> str:
        return output_note(self.publish)

    def table(self, name: str) -> tuple[Sequence[str], list[Row]]:
        if name == "progress":
            return TREND_COLUMNS, self.trend
        if name == "improvers":
            columns = list(self.improvers[0]) if self.improvers else ["practice_code"]
            return columns, self.improvers
        raise KeyError(name)


def measured_series(db: Path, setup: ProgrammeSetup, ambition: Ambition, last: date,
                    periods: int, names: dict[str, str]) -> ProgressSeries:
    """The programme measured at `periods` quarter ends up to `last`, by the same rules as a
    run at each date (exact; `progress_view` shows it)."""
    from joinedup.app.progress import measure_series
    from joinedup.domain.progress import period_ends

    with open_store(db) as store:
        return measure_series(store, setup, period_ends(last, count=periods), ambition,
                              names=names)


def progress_view(series: ProgressSeries, publish: PublicationPolicy | None) -> ProgressView:
    """A measured series shown exact or published."""
    from joinedup.app.progress import progress_figures
    from joinedup.domain.progress import footprint_totals

    rows = series.rows()
    if publish is not None:
        rows = publish_progress(rows, publish)
    changes, summary, values = progress_figures(series, rows, output_note(publish))
    totals = footprint_totals(rows)
    trend = [{**{c: t.get(c) for c in TREND_COLUMNS if c in t},
              "period_end": day, "detection_rate": values["detection_rate"][i],
              "treatment_rate": values["treatment_rate"][i]}
             for i, (day, t) in enumerate(zip(summary["periods"], totals, strict=True))]
    return ProgressView(programme=series.programme, periods=summary["periods"], trend=trend,
                        ambition_lines=series.ambitions(), pace=summary["pace"],
                        improvers=changes, publish=publish)
