"""Downloads of a programme's tables, CSV or Excel, exact or published as the reader may see.

Why: board papers, spreadsheets and other tools need the figures themselves. Every table a page
shows can be downloaded as the reader sees it (the same `ProgrammeView` rows), and the file says
what it is: a working output, or published with small counts suppressed.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from joinedup.app.dashboard import DashboardRequest, publication_for
from joinedup.app.exports import FORMATS, export_table
from joinedup.app.programme_view import PROGRESS_TABLES, TABLES
from joinedup.web.auth import services
from joinedup.web.pages.find_and_treat import Reader, programme_view
from joinedup.web.params import On

router = APIRouter(include_in_schema=False)


@router.get("/find-and-treat/{programme}/download/{table}.{fmt}")
def download(request: Request, programme: str, table: str,
             fmt: Literal["csv", "xlsx"], principal: Reader, on: On = None) -> Response:
    view = programme_view(request, principal, programme, on)
    if table in TABLES:
        columns, rows = view.table(table)
        note = view.note
    elif table in PROGRESS_TABLES:
        progress = services(request).dashboard.progress(
            DashboardRequest(programme=programme, reference_date=on), publication_for(principal))
        columns, rows = progress.table(table)
        note = progress.note
    else:
        raise HTTPException(status_code=404, detail=f"no table {table!r}")
    body = export_table(rows, columns, fmt, note, sheet=table)
    name = f"{programme}-{table}-{view.reference_date.isoformat()}"
    name += "" if view.publish is None else "-published"
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


