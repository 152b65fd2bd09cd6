"""ODS laid over a footprint at a date: names, validity and PCN membership, by hand."""

from __future__ import annotations

from datetime import date

from joinedup.domain.ods import current_memberships, overlay_ods

DAY = date(2020, 3, 31)


def org(code: str, kind: str, parent: str | None, name: str = "") -> dict[str, object]:
    return {"org_code": code, "name": name or code, "org_type": kind, "parent_code": parent,
            "valid_from": None, "valid_to": None}


FOOTPRINT = [
    org("ICS", "ics", None), org("S1", "sub_icb", "ICS"), org("S2", "sub_icb", "ICS"),
    org("U00001", "pcn", "S1"), org("U00002", "pcn", "S2"),
    org("A00001", "practice", "U00001", "Old name"), org("A00002", "practice", "U00001"),
]


def partner(practice: str, pcn: str, start: date | None, end: date | None) -> dict[str, object]:
    return {"practice_code": practice, "pcn_code": pcn, "start_date": start, "end_date": end}


def test_ods_names_and_dates_replace_the_footprints() -> None:
    practices = [{"org_code": "A00001", "name": "THE NEW SURGERY", "open_date": date(1990, 1, 1),
                  "close_date": date(2021, 6, 30)},
                 {"org_code": "U00002", "name": "NOT A PRACTICE", "open_date": None,
                  "close_date": None}]
    rows = {r["org_code"]: r for r in overlay_ods(FOOTPRINT, practices, [], [], DAY)}
    assert rows["A00001"]["name"] == "THE NEW SURGERY"
    assert (rows["A00001"]["valid_from"], rows["A00001"]["valid_to"]) == (
        date(1990, 1, 1), date(2021, 6, 30))
    assert rows["U00002"]["name"] == "U00002"  # only practices take ODS practice names
    assert FOOTPRINT[5]["name"] == "Old name"  # the input is not changed


def test_the_membership_current_at_the_date_wins() -> None:
    partners = [
        partner("A00001", "U00001", date(2019, 7, 1), date(2020, 3, 30)),  # ended the day before
        partner("A00001", "U00002", date(2020, 3, 31), None),  # starts on the day: current
        partner("A00002", "U00002", date(2020, 4, 1), None),  # starts the day after: not yet
    ]
    assert current_memberships(partners, DAY) == {"A00001": "U00002"}
    rows = {r["org_code"]: r for r in overlay_ods(FOOTPRINT, [], [], partners, DAY)}
    assert rows["A00001"]["parent_code"] == "U00002"
    assert rows["A00002"]["parent_code"] == "U00001"


def test_of_two_current_memberships_the_later_start_wins() -> None:
    partners = [partner("A00001", "U00002", date(2019, 7, 1), None),
                partner("A00001", "U00001", date(2019, 10, 1), None)]
    assert current_memberships(partners, DAY) == {"A00001": "U00001"}


def test_a_new_pcn_is_added_under_its_sub_icb_or_the_old_pcns_parent() -> None:
    pcns = [{"pcn_code": "U00009", "name": "NEW PCN", "sub_icb_code": "S2",
             "open_date": date(2019, 7, 1), "close_date": None},
            {"pcn_code": "U00008", "name": "ELSEWHERE PCN", "sub_icb_code": "99X",
             "open_date": None, "close_date": None}]
    partners = [partner("A00001", "U00009", date(2019, 7, 1), None),
                partner("A00002", "U00008", date(2019, 7, 1), None),
                partner("A00001", "U77777", date(2018, 1, 1), None)]  # unknown PCN: ignored
    rows = {r["org_code"]: r for r in overlay_ods(FOOTPRINT, [], pcns, partners, DAY)}
    assert rows["U00009"] == {"org_code": "U00009", "name": "NEW PCN", "org_type": "pcn",
                              "parent_code": "S2", "valid_from": date(2019, 7, 1),
                              "valid_to": None}
    assert rows["A00001"]["parent_code"] == "U00009"
    # 99X is not in the footprint: the PCN goes where the practice's old PCN sat (S1).
    assert rows["U00008"]["parent_code"] == "S1"
    assert rows["A00002"]["parent_code"] == "U00008"
