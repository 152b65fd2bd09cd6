"""The shapes of the dashboard's API answers: the plan, programme runs, tables and worklists.

Why: the OpenAPI document is a contract scripts rely on, and schemathesis checks every answer
against it, so each answer has a declared shape. Table rows are objects of column → value (the
columns of the matching download, e.g. practices.csv); a `publication` field says whether the
figures are exact (a working output) or published (small counts suppressed, the rest rounded).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

Row = dict[str, Any]
PUBLICATION = Field(description="Whether the figures are exact (a working output, not for "
                                "publication) or published, and how")


class ProgrammeOut(BaseModel):
    name: str
    title: str


class SummaryOut(BaseModel):
    programme: str
    title: str
    reference_date: date
    publication: str = PUBLICATION
    summary: Row = Field(description="summary.json: footprint totals, ambition, waves, impact")
    targeting: Row = Field(description="The willing list and waves in force, and their source")


class TableOut(BaseModel):
    table: str
    columns: list[str]
    rows: list[Row]
    publication: str = PUBLICATION


class AreaOut(BaseModel):
    level: str
    code: str
    name: str
    row: Row = Field(description="The area's rollups.csv row")
    child_level: str | None
    children: list[Row] = Field(description="Rows one level down (rollups or practices)")
    parents: list[Row] = Field(description="Roll-up rows of the areas above, top first")
    publication: str = PUBLICATION


class PeerOut(BaseModel):
    group: str = Field(description="pcn or ics")
    measure: str
    value: float | None
    rank: int | None = Field(description="1 is the highest rate; ties share a rank")
    ranked: int
    unknown: int
    median: float | None


class PracticeOut(BaseModel):
    practice: Row = Field(description="The practices.csv row")
    parents: list[Row]
    pcn_peers: list[Row]
    positions: list[PeerOut]
    publication: str = PUBLICATION


class ProgressOut(BaseModel):
    programme: str
    periods: list[str]
    trend: list[Row]
    ambition_lines: dict[str, float]
    pace: Row
    publication: str = PUBLICATION


class SavedPlanOut(BaseModel):
    programme: str
    version: int | None = Field(description="null when no plan has been saved (the default)")
    willing: list[str] | None = Field(description="Willing practice codes; null: every practice")
    wave_size: int
    max_waves: int | None
    saved_by: str | None
    saved_at: datetime | None = Field(description="UTC")


class SavedPlanIn(BaseModel):
    willing: list[str] | None = Field(
        default=None, max_length=20000,
        description="Willing practice codes; null (or left out) for every practice")
    wave_size: int = Field(ge=1, le=10000)
    max_waves: int | None = Field(default=None, ge=1, le=10000)


class ReadingOut(BaseModel):
    period_end: date
    value: float


class AreaProgressOut(BaseModel):
    area: str
    area_name: str
    by: date
    target: float | None
    baseline: ReadingOut | None
    current: ReadingOut | None
    status: str = Field(description="achieved, on track, behind, no baseline or not measured")
    share_of_way: float | None
    expected_share: float | None


class AmbitionOut(BaseModel):
    key: str
    title: str
    description: str
    triple_aim: list[str]
    direction: str
    measure: str = Field(description="What measures it (a programme figure or the "
                                     "partnership's own measure)")
    unit: str
    source: str
    progress: list[AreaProgressOut]


class PriorityOut(BaseModel):
    key: str
    title: str
    description: str
    ambitions: list[AmbitionOut]


class PlanOut(BaseModel):
    configured: bool = Field(description="false when the server was started without a plan")
    title: str | None
    description: str | None
    published: bool
    status: dict[str, int]
    priorities: list[PriorityOut]


class RecordedOut(BaseModel):
    label: str
    date: date | None
    value: float | None


class WorklistEntryOut(BaseModel):
    nhs_number: str | None
    patient_id: str
    age: int | None
    sex: str | None
    risk_score: int | None
    reasons: list[str]
    last_recorded: list[RecordedOut]


class WorklistOut(BaseModel):
    practice_code: str
    practice_name: str
    programme: str
    kind: str
    reference_date: date
    sort: str
    descending: bool
    entries: list[WorklistEntryOut]


class Problem(BaseModel):
    detail: str


MISTAKES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "A request that cannot be answered as asked"},
    404: {"model": Problem, "description": "No such programme, area, practice or table"},
}
"""The answers to a caller's mistake every dashboard endpoint can give, beside REFUSALS."""
