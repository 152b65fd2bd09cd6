"""Query parameters the dashboard's pages and API share: the date, and the ambition.

Why one place: `?date=` means the same on every page and endpoint (the run's reference date;
default the store's own), is checked the same way, and becomes the app layer's
`DashboardRequest` in one function.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from joinedup.app.dashboard import DashboardRequest
from joinedup.app.errors import UserError
from joinedup.app.programme import AmbitionRequest

FIRST_YEAR, LAST_YEAR = 1900, 2100

On = Annotated[date | None, Query(alias="date",
                                  description="Reference date, YYYY-MM-DD (default: the date "
                                              "the store describes)")]
Share = Annotated[float | None, Query(gt=0, le=1)]


def checked_date(on: date | None) -> date | None:
    """The date asked for, refused as a user error outside 1900–2100."""
    if on is not None and not FIRST_YEAR <= on.year <= LAST_YEAR:
        raise UserError(f"date {on.isoformat()}: give a date between {FIRST_YEAR} and "
                        f"{LAST_YEAR}")
    return on


def dashboard_request(programme: str, on: On = None, ambition_detect: Share = None,
                      ambition_treat: Share = None, ambition: Share = None
                      ) -> DashboardRequest:
    """The run an API call asks for: the programme, its date and (optionally) its ambition."""
    return DashboardRequest(
        programme=programme, reference_date=checked_date(on),
        ambition=AmbitionRequest(detect=ambition_detect, treat=ambition_treat,
                                 combined=ambition))
