"""The query parameter the dashboard's pages and API share: the date of the run.

Why one place: `?date=` means the same on every page and endpoint (the run's reference date;
default the store's own), is checked the same way — the OpenAPI document says which years are
accepted, so no well-formed request is refused for its date — and becomes the app layer's
`DashboardRequest` in one function.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from joinedup.app.dashboard import DashboardRequest
from joinedup.app.errors import UserError

FIRST_YEAR, LAST_YEAR = 1900, 2099

On = Annotated[date | None, Query(
    alias="date", description="Reference date, YYYY-MM-DD, 1900 to 2099 (default: the date the "
                              "store describes)",
    json_schema_extra={"pattern": r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"})]


def checked_date(on: date | None) -> date | None:
    """The date asked for, refused as a user error outside 1900–2099."""
    if on is not None and not FIRST_YEAR <= on.year <= LAST_YEAR:
        raise UserError(f"date {on.isoformat()}: give a date from {FIRST_YEAR} to {LAST_YEAR}")
    return on


def dashboard_request(programme: str, on: On = None) -> DashboardRequest:
    """The run an API call asks for: the programme at its date, with its own ambition."""
    return DashboardRequest(programme=programme, reference_date=checked_date(on))
