"""The packaged AF care-adjustment codelists sort each code by how QOF lets it count.

A contraindication persists, "declined" and "not indicated" expire after 12 months, and a
warfarin-only code is not a general anticoagulation code (it excuses no one from a DOAC).
"""

from __future__ import annotations

from joinedup.domain.programme import Coded, walk
from joinedup.programmes import load_programme, resolve_codelists

AF = load_programme("af")
LISTS = resolve_codelists(AF)
ANTICOAGULATION_NOT_INDICATED = "413560001"
WARFARIN_NOT_INDICATED = "134392003"
WARFARIN_DECLINED = "134398004"
ADVERSE_REACTION_TO_COUMARIN = "871777003"


def test_not_indicated_is_its_own_expiring_list_not_a_contraindication() -> None:
    assert ANTICOAGULATION_NOT_INDICATED in LISTS["anticoag_not_indicated"]
    assert ANTICOAGULATION_NOT_INDICATED not in LISTS["anticoag_contraindicated"]
    assert AF.exceptions is not None
    windows = {
        name: c.within_months
        for c in walk(AF.exceptions.versions[0].when)
        if isinstance(c, Coded)
        for name in c.codelists
    }
    assert windows["anticoag_not_indicated"] == 12
    assert windows["anticoag_declined"] == 12
    assert windows["anticoag_contraindicated"] is None  # persists


def test_warfarin_only_codes_are_not_in_the_general_anticoagulation_lists() -> None:
    general = ("anticoag_declined", "anticoag_not_indicated", "anticoag_contraindicated")
    for code in (WARFARIN_NOT_INDICATED, WARFARIN_DECLINED, ADVERSE_REACTION_TO_COUMARIN):
        assert all(code not in LISTS[name] for name in general), code
    assert WARFARIN_DECLINED in LISTS["vka_declined"]
    assert ADVERSE_REACTION_TO_COUMARIN in LISTS["vka_contraindicated"]
    # "Warfarin not indicated" no longer excuses anyone: no list the definition uses holds it.
    assert all(WARFARIN_NOT_INDICATED not in codelist for codelist in LISTS.values())
