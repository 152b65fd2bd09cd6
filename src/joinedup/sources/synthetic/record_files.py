"""Writing the record tables block by block, the background merged in as it is drawn.

Why: at realistic density one ICS has about a hundred million event, medicine and encounter rows
a year, too many to hold at once. The programme rows (a few million) are sorted once; then, for
each block of patients (``background.BLOCK``), the block's programme rows and its freshly drawn
background go into each of the three files together, sorted by patient then time, and are let go.
Memory stays at one block's rows whatever the population. Encounter ids run on from block to
block, and from chunk to chunk when a large run is generated in chunks (chunks.py): the files
stay open and each chunk is appended, so they number the whole file in order as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from joinedup.domain.codelists import CodeSystem
from joinedup.domain.contract import CLINICAL_EVENTS, ENCOUNTERS, MEDICATIONS
from joinedup.sources.synthetic.background import (
    BackgroundRates,
    Block,
    blocks,
    generate_block,
)
from joinedup.sources.synthetic.encounters import KINDS, Encounters
from joinedup.sources.synthetic.records import Context
from joinedup.sources.synthetic.writer import (
    TableFile,
    encounters_table,
    events_table,
    medications_table,
    order,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
MINUTE = 60_000_000
NAMES = ("clinical_events", "medications", "encounters")


@dataclass(frozen=True)
class Written:
    rows: int
    path: Path
    sha256: str


@dataclass(frozen=True)
class Sorted:
    """Programme rows sorted by patient then time, with where each patient's rows begin."""

    patient: IntArray
    columns: tuple[npt.NDArray[np.generic], ...]

    def between(self, lo: int, hi: int) -> tuple[npt.NDArray[np.generic], ...]:
        a, b = np.searchsorted(self.patient, [lo, hi])
        return (self.patient[a:b], *(c[a:b] for c in self.columns))


def _sorted(patient: IntArray, time: IntArray, *columns: npt.NDArray[np.generic]) -> Sorted:
    o = order(patient, time)
    return Sorted(patient[o], tuple(c[o] for c in (time, *columns)))


class RecordFiles:
    """clinical_events, medications and encounters, open while chunk after chunk is appended.

    Each chunk's patients are numbered on from the chunk before (`first_patient`) and its
    encounters from the last encounter id, so the files read as one run in patient order.
    """

    def __init__(self, out: Path, background: BackgroundRates | None) -> None:
        self.background = background
        self.next_encounter = 1
        self.files = {
            "clinical_events": TableFile(out / "clinical_events.parquet", CLINICAL_EVENTS),
            "medications": TableFile(out / "medications.parquet", MEDICATIONS),
            "encounters": TableFile(out / "encounters.parquet", ENCOUNTERS),
        }

    def append(self, ctx: Context, enc: Encounters, first_patient: int = 1) -> None:
        """Write one chunk's rows, with its background when the run has one."""
        background, files = self.background, self.files
        snomed = ctx.codes.vocabularies[CodeSystem.SNOMED_CT]
        dmd = ctx.codes.vocabularies[CodeSystem.DMD]
        snomed_map = dmd_map = np.zeros(0, dtype=np.int64)
        if background is not None:
            snomed_map = np.array([snomed.add(c) for c in background.snomed.codes], dtype=np.int64)
            dmd_map = np.array([dmd.add(c) for c in background.dmd.codes], dtype=np.int64)
        first_practice = len(enc.org_codes)  # practices follow the trusts and teams
        org_codes = enc.org_codes + list(ctx.footprint.practice_codes)
        visit_kind = KINDS.index("gp_consultation")
        pop = ctx.population

        events = _sorted(*ctx.events.arrays())
        e_patient, e_day, e_code, _ = ctx.medications.arrays()
        medicines = _sorted(e_patient, e_day, e_code)
        visits = _sorted(
            enc.patient, enc.start // MINUTE, enc.start, enc.org, enc.kind, enc.end, enc.code
        )
        for lo, hi in blocks(len(pop)):
            bg = None
            if background is not None:
                bg = generate_block(background, pop, ctx.seed, lo, hi, ctx.chunk)
            files["clinical_events"].write(
                _events(events.between(lo, hi), bg, snomed_map, snomed.codes, first_patient)
            )
            files["medications"].write(
                _medicines(medicines.between(lo, hi), bg, dmd_map, dmd.codes, first_patient)
            )
            piece = _encounters(
                visits.between(lo, hi),
                bg,
                background,
                org_codes,
                visit_kind,
                pop.practice,
                first_practice,
            )
            files["encounters"].write(
                encounters_table(piece, self.next_encounter, snomed.codes, first_patient)
            )
            self.next_encounter += len(piece)

    def close(self) -> dict[str, Written]:
        """Finish the three files; their rows, paths and digests."""
        return {name: Written(f.rows, f.path, f.close()) for name, f in self.files.items()}

    def abandon(self) -> None:
        for f in self.files.values():
            f.abandon()


def _merge(
    programme: tuple[npt.NDArray[np.generic], ...], extra: tuple[npt.NDArray[np.generic], ...]
) -> tuple[npt.NDArray[np.generic], ...]:
    """Programme rows then background rows, re-sorted by patient then time (column 1)."""
    if not extra or extra[0].shape[0] == 0:
        return programme
    joined = tuple(np.concatenate([a, b]) for a, b in zip(programme, extra, strict=True))
    o = order(joined[0].astype(np.int64), joined[1].astype(np.int64))
    return tuple(c[o] for c in joined)


def _events(
    prog: tuple[npt.NDArray[np.generic], ...],
    bg: Block | None,
    codes: IntArray,
    vocabulary: list[str],
    first_patient: int,
) -> pa.Table:
    extra: tuple[npt.NDArray[np.generic], ...] = ()
    if bg is not None:
        n = bg.event_patient.shape[0]
        extra = (bg.event_patient, bg.event_day, codes[bg.event_code], np.full(n, np.nan))
    merged = cast(tuple[IntArray, IntArray, IntArray, FloatArray], _merge(prog, extra))
    return events_table(*merged, vocabulary, first_patient)


def _medicines(
    prog: tuple[npt.NDArray[np.generic], ...],
    bg: Block | None,
    codes: IntArray,
    vocabulary: list[str],
    first_patient: int,
) -> pa.Table:
    extra: tuple[npt.NDArray[np.generic], ...] = ()
    if bg is not None:
        extra = (bg.item_patient, bg.item_day, codes[bg.item_code])
    merged = cast(tuple[IntArray, IntArray, IntArray], _merge(prog, extra))
    return medications_table(*merged, vocabulary, first_patient)


def _encounters(
    prog: tuple[npt.NDArray[np.generic], ...],
    bg: Block | None,
    rates: BackgroundRates | None,
    org_codes: list[str],
    visit_kind: int,
    practice: IntArray,
    first_practice: int,
) -> Encounters:
    extra: tuple[npt.NDArray[np.generic], ...] = ()
    if bg is not None and rates is not None:
        who, began = bg.visit_patient, bg.visit_start
        n = who.shape[0]
        extra = (
            who,
            began // MINUTE,
            began,
            first_practice + practice[who],
            np.full(n, visit_kind),
            began + rates.consultation_us,
            np.full(n, -1),
        )
    patient, _minute, start, org, kind, end, code = _merge(prog, extra)
    return Encounters(patient, org, kind, start, end, code, org_codes)  # type: ignore[arg-type]
