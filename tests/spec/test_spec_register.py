"""The register rule (QOF AF001): the latest AF code not followed by a later "AF resolved"."""

from __future__ import annotations

from spec_support import Spec, event, patient


def test_af_resolved_codes_take_patients_off_and_a_new_af_code_puts_them_back(engine):
    spec = Spec(
        engine,
        patients=[patient(i) for i in range(1, 7)],
        events=[
            # 1: AF only -> on
            event(1, "2020-01-01", "af"),
            # 2: AF then resolved -> off
            event(2, "2020-01-01", "af"),
            event(2, "2021-01-01", "af_resolved"),
            # 3: AF, resolved, AF again -> on
            event(3, "2019-01-01", "af"),
            event(3, "2020-01-01", "af_resolved"),
            event(3, "2022-01-01", "af"),
            # 4: AF and resolved on the same day -> on (resolved must be strictly later)
            event(4, "2020-01-01", "af"),
            event(4, "2020-01-01", "af_resolved"),
            # 5: resolved only -> off
            event(5, "2020-01-01", "af_resolved"),
            # 6: nothing -> off
        ],
    )
    assert spec.column("on_register") == {
        1: True,
        2: False,
        3: True,
        4: True,
        5: False,
        6: False,
    }


def test_codes_after_the_reference_date_are_ignored(engine):
    spec = Spec(
        engine,
        patients=[patient(1), patient(2), patient(3)],
        events=[
            # 1: AF only after the date -> off
            event(1, "2025-04-01", "af"),
            # 2: resolved after the date does not yet take them off
            event(2, "2020-01-01", "af"),
            event(2, "2025-04-01", "af_resolved"),
            # 3: AF on the reference date itself counts
            event(3, "2025-03-31", "af"),
        ],
    )
    assert spec.column("on_register") == {1: False, 2: True, 3: True}


def test_the_register_is_evaluated_at_the_date_asked_for(engine):
    spec = Spec(
        engine,
        patients=[patient(1)],
        events=[event(1, "2020-01-01", "af"), event(1, "2023-01-01", "af_resolved")],
    )
    from datetime import date

    assert spec.column("on_register", ref=date(2022, 12, 31)) == {1: True}
    assert spec.column("on_register", ref=date(2023, 1, 1)) == {1: False}
