"""Who is counted at the reference date: registered, alive, and not opted out."""

from __future__ import annotations

from spec_support import Spec, event, patient, scored


def test_registration_and_death_edges(engine):
    spec = Spec(
        engine,
        patients=[
            patient(1),  # registered throughout -> in
            patient(2, registered_to="2025-03-31"),  # last day of registration is the date -> in
            patient(3, registered_to="2025-03-30"),  # left the day before -> out
            patient(4, registered_from="2025-03-31"),  # joined on the date -> in
            patient(5, registered_from="2025-04-01"),  # joins after the date -> out
            patient(6, died="2025-03-31"),  # died on the date -> out
            patient(7, died="2025-04-01"),  # died after the date -> in
        ],
    )
    flags = spec.flags()
    assert {p: (r["registered"], r["alive"]) for p, r in flags.items()} == {
        1: (True, True),
        2: (True, True),
        3: (False, True),
        4: (True, True),
        5: (False, True),
        6: (True, False),
        7: (True, True),
    }
    assert spec.counts()["P1"].list_size == 4


def test_deregistered_and_dead_patients_are_left_out_of_every_count(engine):
    spec = Spec(
        engine,
        patients=[
            patient(1, born="1940-01-01", sex="F"),
            patient(2, born="1940-01-01", sex="F", registered_to="2024-12-31"),
            patient(3, born="1940-01-01", sex="F", died="2025-01-15"),
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3)]
        + [scored(p, 3) for p in (1, 2, 3)],
    )
    p1 = spec.counts()["P1"]
    assert (p1.list_size, p1.recorded, p1.eligible, p1.treated) == (1, 1, 1, 0)
    assert p1.expected == 0.185  # one woman aged 85: the 85-89 female rate in af_prevalence


def test_opted_out_patients_are_excluded_unless_asked_for(engine):
    spec = Spec(
        engine,
        patients=[patient(1), patient(2, opted_out=True)],
        events=[event(1, "2020-01-01", "af"), event(2, "2020-01-01", "af")],
    )
    assert set(spec.flags()) == {1}
    assert set(spec.flags(include_opted_out=True)) == {1, 2}
    assert spec.flags(include_opted_out=True)[2]["opted_out"] is True
    default = spec.counts()["P1"]
    assert (default.list_size, default.recorded) == (1, 1)
    with_opt_outs = spec.counts(include_opted_out=True)["P1"]
    assert (with_opt_outs.list_size, with_opt_outs.recorded) == (2, 2)


def test_events_of_other_patients_do_not_leak(engine):
    spec = Spec(
        engine,
        patients=[patient(1), patient(2)],
        events=[event(1, "2020-01-01", "af"), event(1, "2020-01-01", "heart_failure")],
    )
    flags = spec.flags()
    assert (flags[1]["on_register"], flags[1]["risk_c"]) == (True, True)
    assert (flags[2]["on_register"], flags[2]["risk_c"]) == (False, False)
