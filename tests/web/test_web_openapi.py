"""Schemathesis against the OpenAPI document: generated requests never cause a server error.

Why: the API's description is a contract scripts rely on. Schemathesis (property-based, on
Hypothesis) sends requests built from `/api/openapi.json` — valid and edge-case parameters — to
the app in-process and checks each answer: no 5xx, the status code and body as documented. Every
operation runs as an admin (refused where patient data or editing is concerned, which must be
documented too); the willing-list PUT also runs as a programme lead, and the worklists as a
practice user asking for their own practice, so the code behind the refusals is exercised. The
run is bounded (`max_examples` per operation) and seeded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from fixtures.web import PRACTICE_A, World, build_world
from joinedup.web.app import route_table


@pytest.fixture
def api_world(tmp_path: Path) -> World:
    return build_world(tmp_path, f"sqlite:///{tmp_path / 'api.ops.sqlite'}")


RUNS = [
    ("admin", lambda method, path: True, {}),
    ("lead", lambda method, path: method == "PUT", {}),
    ("gp_a", lambda method, path: "/worklists/" in path, {"practice_code": PRACTICE_A}),
]
"""(user, which operations, path parameters fixed for them)."""


@pytest.mark.parametrize(("user", "chosen", "fixed"), RUNS, ids=[r[0] for r in RUNS])
def test_api_answers_every_generated_request_without_a_server_error(
        api_world: World, user: str, chosen: Callable[[str, str], bool],
        fixed: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api_world.app)
    headers = {"Authorization": f"Bearer {api_world.tokens[user]}"}
    api_world.client(user).get("/api/plan")  # the first computation is slow; the rest cached
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    operations = [o for o in operations if chosen(o.method.upper(), o.path)]
    assert operations

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            if fixed and case.path_parameters is not None:
                case.path_parameters.update(fixed)
            case.call_and_validate(headers=headers, timeout=300)

        check()


def test_the_document_describes_every_api_route(api_world: World) -> None:
    document = api_world.client().get("/api/openapi.json").json()
    described = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    api_routes = {(m, p) for m, p, _ in route_table(api_world.app) if p.startswith("/api/")}
    assert api_routes == described
    assert ("GET", "/api/audit") in described and ("GET", "/api/me") in described
