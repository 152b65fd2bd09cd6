"""The store kind "patient_level": records in the data contract's tables, measured by the engine.

Why a module of its own: the use cases ask every kind of store the same three questions — does
this store hold your kind of data, what date does it describe, and what are its practice counts
and breakdowns (`measure`: both from one pass) — through `domain.extensions.STORE_KINDS`; this
is the answer for a store made by `joinedup load` (or the FHIR record feeding it).
`engines.aggregates.AGGREGATE` answers for published aggregates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ibis.backends import BaseBackend

from joinedup.domain.codelists import Codelist
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import Programme
from joinedup.engines.breakdowns import breakdown_counts, with_ethnicity
from joinedup.engines.measures import patient_flags, practice_counts, practice_counts_series
from joinedup.engines.tables import has_table, materialised

DATED_TABLES = ("clinical_events", "medications")
"""Tables whose latest date is the extract date of a patient-level store."""


class PatientLevelStore:
    """Patient-level records: counts and breakdowns computed in the backend."""

    name = "patient_level"
    description = "patient-level records"

    def holds(self, con: BaseBackend) -> bool:
        return has_table(con, "patients")

    def period_end(self, con: BaseBackend) -> date | None:
        """The data's extract date: the latest dated record, so a default run sees current data."""
        latest: list[date] = []
        for table in DATED_TABLES:
            if has_table(con, table):
                value = con.table(table).date.max().execute()
                if value is not None:
                    latest.append(value.date() if hasattr(value, "date") else value)
        return max(latest) if latest else None

    def practice_counts(
        self, con: BaseBackend, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any]]:
        counts = practice_counts(con, programme, reference_date, parameters, codelists=codelists)
        return counts, self._notes(programme, reference_date)

    def practice_counts_series(
        self, con: BaseBackend, programme: Programme, days: Sequence[date],
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> dict[date, tuple[list[PracticeCounts], dict[str, Any]]]:
        """`practice_counts` at every date in `days`, from one query over all of them."""
        series = practice_counts_series(con, programme, days, parameters, codelists=codelists)
        return {day: (counts, self._notes(programme, day)) for day, counts in series.items()}

    def _notes(self, programme: Programme, day: date) -> dict[str, Any]:
        return {"data_source": self.description, "age_structure": "single year of age",
                "treated_rule": programme.treated.at(day).label}

    def breakdown_counts(
        self, con: BaseBackend, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> list[dict[str, object]]:
        return breakdown_counts(con, programme, reference_date, parameters, codelists=codelists)

    def measure(
        self, con: BaseBackend, programme: Programme, reference_date: date,
        parameters: ParameterSet, codelists: Mapping[str, Codelist],
    ) -> tuple[list[PracticeCounts], dict[str, Any], list[dict[str, object]]]:
        """Practice counts, their notes and the breakdowns, the patient flags worked out once.

        The flags (the joins to every event table) are the expensive part: they are computed in
        one backend pass into a temporary table of the population at the date, and both the
        practice counts and the breakdown cube are small group-bys over it.
        """
        population = patient_flags(con, programme, reference_date, codelists=codelists)
        population = population.filter(population.registered & population.alive)
        with materialised(con, with_ethnicity(con, population)) as cached:
            counts = practice_counts(con, programme, reference_date, parameters,
                                     codelists=codelists, flags=cached)
            breakdowns = breakdown_counts(con, programme, reference_date, parameters,
                                          codelists=codelists, flags=cached)
        return counts, self._notes(programme, reference_date), breakdowns


PATIENT_LEVEL = PatientLevelStore()
