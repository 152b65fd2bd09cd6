"""The home page: the partnership plan and its progress, and what the reader's role lets them do.

Why: every signed-in user lands here, and the first thing a partnership looks at is its own
plan — its priorities, the ambitions under each, the triple aim they serve and whether each is
on track (`joinedup.app.partnership`). Figures are exact or published as the reader may see
them; a server started without a plan says how to add one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.dashboard import publication_for
from joinedup.app.partnership import plan_view
from joinedup.web.auth import require, services
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request,
         principal: Annotated[Principal, Depends(require(Permission.ACCOUNT_READ))]) -> Response:
    allowed = [p.description for p in Permission if principal.can(p)]
    source = services(request).plan
    plan = None
    if source is not None and principal.can(Permission.PUBLISHED_READ):
        plan = plan_view(source, services(request).dashboard, publication_for(principal))
    return render(request, "home.html", {"allowed": allowed, "plan": plan})
