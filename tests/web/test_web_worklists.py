"""Worklists in the web server: a practice's own patients, audited, and nobody else's."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fixtures.dashboard import (
    DECLINED,
    OPTED_OUT,
    TO_FIND_A,
    TO_FIND_B,
    TO_TREAT_A,
    TO_TREAT_B,
    TREATED,
)
from fixtures.web import PRACTICE_A, PRACTICE_B, World, build_world
from joinedup.domain.audit import Action

A_PATIENTS = {TO_TREAT_A, TO_FIND_A, OPTED_OUT, TREATED, DECLINED}
B_PATIENTS = {TO_TREAT_B, TO_FIND_B}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path, f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield built
    built.store.close()


def spaced(nhs: str) -> str:
    return f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"


def test_to_treat_lists_the_practices_eligible_untreated_patients(world: World) -> None:
    page = world.client("gp_a").get(f"/practices/{PRACTICE_A}/worklists/af/to-treat").text
    assert "To treat: 2 patients" in page
    assert spaced(TO_TREAT_A) in page and spaced(OPTED_OUT) in page  # direct care: listed
    for absent in (TREATED, DECLINED, TO_FIND_A, *B_PATIENTS):
        assert spaced(absent) not in page and absent not in page
    assert "CHA2DS2-VASc 3 (age 75 or over, sex category female)" in page
    assert "AF: 2020-01-10" in page  # what was last recorded


def test_every_view_and_download_is_audited_with_the_patients_listed(world: World) -> None:
    client = world.client("gp_a")
    client.get(f"/practices/{PRACTICE_A}/worklists/af/to-treat")
    client.get(f"/practices/{PRACTICE_A}/worklists/af/to-find/download.csv")
    client.get(f"/api/practices/{PRACTICE_A}/worklists/af/to-treat")
    api, download, page = world.store.audit.read()[:3]  # newest first
    assert (page.action, page.resource) == (Action.PATIENT_VIEW,
                                            f"worklist/af/to-treat/{PRACTICE_A}")
    assert set(page.patients) == {TO_TREAT_A, OPTED_OUT}
    assert page.reason == "direct care: worklist review" and page.user_name == "gp_a"
    assert (download.action, set(download.patients)) == (Action.PATIENT_EXPORT, {TO_FIND_A})
    assert (api.action, set(api.patients)) == (Action.PATIENT_VIEW, {TO_TREAT_A, OPTED_OUT})


def test_a_practice_user_never_sees_another_practices_patients(world: World) -> None:
    client = world.client("gp_b")
    for code in (PRACTICE_A, PRACTICE_A.lower()):
        for path in (f"/practices/{code}/worklists",
                     f"/practices/{code}/worklists/af/to-treat",
                     f"/practices/{code}/worklists/af/to-find/download.csv",
                     f"/api/practices/{code}/worklists/af/to-treat"):
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert not any(n in answer.text for n in A_PATIENTS), path
    own = client.get(f"/api/practices/{PRACTICE_B}/worklists/af/to-find").json()
    assert [e["nhs_number"] for e in own["entries"]] == [TO_FIND_B]
    assert own["entries"][0]["reasons"] == ["Irregular pulse recorded with no AF code"]
    refused = [e for e in world.store.audit.read() if e.action == Action.PATIENT_VIEW]
    assert [set(e.patients) for e in refused] == [{TO_FIND_B}]  # only the allowed answer


def test_lists_sort_by_link_and_download_as_csv_and_excel(world: World) -> None:
    client = world.client("gp_a")
    base = f"/practices/{PRACTICE_A}/worklists/af/to-treat"
    oldest_first = client.get(f"{base}?sort=age&order=desc").text
    assert oldest_first.index(spaced(OPTED_OUT)) < oldest_first.index(spaced(TO_TREAT_A))
    youngest_first = client.get(f"{base}?sort=age&order=asc").text
    assert youngest_first.index(spaced(TO_TREAT_A)) < youngest_first.index(spaced(OPTED_OUT))
    assert 'aria-sort="ascending"' in youngest_first
    assert client.get(f"{base}?sort=name").status_code == 422
    csv_text = client.get(f"{base}/download.csv?sort=age&order=asc").text.splitlines()
    assert csv_text[0] == "nhs_number,patient_id,age,sex,risk_score,reasons,last_recorded"
    assert [line.split(",")[0] for line in csv_text[1:]] == [TO_TREAT_A, OPTED_OUT]
    book = load_workbook(io.BytesIO(client.get(f"{base}/download.xlsx").content))
    assert book["to-treat"].max_row == 3 and "audit log" in book["about"]["A2"].value


def test_the_index_counts_each_list(world: World) -> None:
    page = world.client("gp_a").get(f"/practices/{PRACTICE_A}/worklists").text
    assert "To treat</a>: 2 patients" in page
    assert "To find</a>: 1 patient." in page
    assert "To assess</a>: 0 patients" in page
    assert world.store.audit.read() == []  # counts show no patient: nothing to audit
