"""Administration pages: the users, and the audit log with its CSV export.

Why: an admin must see who has access and what they did, and cut access off at once. Adding users
and issuing tokens stays on the CLI (`joinedup users`), where a token can be shown once to the
person at the terminal; here an admin can disable an account. Every action is audited by its use
case, and reading or exporting the log is audited too.
"""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.app.access import Permission, Principal
from joinedup.app.accounts import disable_user, list_users
from joinedup.app.audit import AuditQuery, actor_for, export_audit, read_audit
from joinedup.app.errors import UserError
from joinedup.web.api.models import LARGEST_ID
from joinedup.web.auth import client_address, require, services
from joinedup.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/admin", response_class=HTMLResponse)
def users_page(request: Request,
               _: Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]) -> Response:
    return render(request, "admin_users.html", {"users": list_users(services(request).store)})


@router.post("/admin/users/{name}/disable")
def disable(request: Request, name: str,
            principal: Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
            ) -> Response:
    if name == principal.name:
        raise UserError("you cannot disable your own account")
    disable_user(services(request).store, name, actor_for(principal), client_address(request))
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request,
               principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
               before: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None) -> Response:
    entries = read_audit(services(request).store, principal,
                         AuditQuery(limit=PAGE_SIZE, before_id=before), client_address(request))
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    return render(request, "admin_audit.html", {"entries": entries, "older": older})


@router.get("/admin/audit.csv")
def audit_csv(request: Request,
              principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
              ) -> Response:
    buffer = StringIO()
    export_audit(services(request).store, buffer, actor_for(principal), client_address(request))
    filename = f"joinedup-audit-{date.today().isoformat()}.csv"
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
