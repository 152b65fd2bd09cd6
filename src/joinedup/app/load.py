"""Loading patient-level files into the embedded store: the use case behind `joinedup load`.

Why a use case of its own: surfaces import only `joinedup.app`; the validated, atomic loader
lives in `joinedup.store` and is called from here unchanged. `prepare_runs` then gets the new
store ready for its first `run` and `progress`: a programme's query is compiled once and kept
(`engines.queries`), and compiling (about 1.5 s with Ibis's start-up) is most of a first run
on anything smaller than a large ICS.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from joinedup.app.programme import ProgrammeSetup
from joinedup.app.store import open_store
from joinedup.domain.errors import UserError
from joinedup.domain.extensions import PROGRAMMES
from joinedup.domain.progress import period_ends
from joinedup.store import LoadError, LoadReport, ProgressEvent, load


def prepare_runs(db: Path) -> tuple[date | None, list[str]]:
    """Compile and keep each packaged programme's `run` query for the store's extract date
    (the date a run defaults to), and its `progress` queries for the default period ends up to
    that date: the store's date and the programmes prepared.

    Nothing is prepared where nothing can be kept (the cache is off or cannot be written) or
    the store has no dated records; a programme whose parameters or codelists cannot be read
    is left to say so when it is run."""
    prepared: list[str] = []
    with open_store(db) as store:
        prepare = getattr(store.kind, "prepare", None)
        try:
            day = store.reference_date()
        except UserError:
            return None, prepared
        if prepare is None:
            return day, prepared
        prepare_series = getattr(store.kind, "prepare_series", None)
        for name in PROGRAMMES.names(plugins=False):
            try:
                setup = ProgrammeSetup.load(name)
            except UserError:
                continue
            if prepare(store.con, setup.programme, day, setup.parameters, setup.codelists):
                prepared.append(name)
                if prepare_series is not None:
                    prepare_series(store.con, setup.programme, period_ends(day),
                                   setup.parameters, setup.codelists)
    return day, prepared


__all__ = ["LoadError", "LoadReport", "ProgressEvent", "load", "prepare_runs"]
