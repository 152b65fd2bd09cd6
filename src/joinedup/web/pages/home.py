"""The home page: who you are signed in as and what your role lets you see.

Why: every signed-in user lands here. The partnership plan (issue 10) will take the main part of
this page; until then it tells the user plainly what their role gives them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.web.auth import require
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request,
         principal: Annotated[Principal, Depends(require(Permission.ACCOUNT_READ))]) -> Response:
    allowed = [p.description for p in Permission if principal.can(p)]
    return render(request, "home.html", {"allowed": allowed})
