"""Writing the generated tables as Parquet, typed exactly as the data contract says.

Why: the loader and the programmes read these files through the contract, so every column gets
the Arrow type of its contract type (string, date32, timestamp[us], int64, float64, bool), in
contract order. Rows are sorted (patients by id, events and medicines by patient then date,
encounters by patient then start), so a run is deterministic and files compress well. Each file
is written beside its target and renamed into place, so a failed run never leaves half a file
under the real name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.domain.contract import (
    CLINICAL_EVENTS,
    ENCOUNTERS,
    ETHNICITIES,
    MEDICATIONS,
    ORGANISATIONS,
    PATIENTS,
    SEXES,
    Table,
)
from joinedup.sources.synthetic.encounters import KINDS, NO_TIME, Encounters
from joinedup.sources.synthetic.population import CURRENT, DIED, Population

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ROW_GROUP = 1 << 20

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}


def schema(table: Table) -> pa.Schema:
    """The Arrow schema of a contract table."""
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required) for c in table.columns]
    )


def labels(index: IntArray, names: Sequence[str]) -> pa.Array:
    """Strings from integer indices into `names` (negative index = null), via a dictionary."""
    idx = np.asarray(index)
    mask = idx < 0
    indices = pa.array(np.where(mask, 0, idx).astype(np.int32), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.string())).cast(
        pa.string()
    )


def day_array(days: IntArray, missing: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    values = np.where(missing, 0, days) if missing is not None else days
    return pa.array(values.astype(np.int32), type=pa.date32(), mask=missing)


def organisations_table(rows: list[dict[str, object]]) -> pa.Table:
    columns = {c: [r[c] for r in rows] for c in ORGANISATIONS.column_names}
    return pa.Table.from_pydict(columns, schema=schema(ORGANISATIONS))


def patients_table(
    pop: Population, practice_codes: Sequence[str], first_patient: int = 1
) -> pa.Table:
    """Patients numbered from `first_patient` (a later chunk's run on from the one before)."""
    current = pop.status == CURRENT
    alive = pop.status != DIED
    columns = [
        pa.array(pop.patient_id + (first_patient - 1)),
        pa.array(pop.nhs_number, type=pa.string()),
        day_array(pop.birth),
        labels(pop.sex, SEXES),
        labels(pop.ethnicity, ETHNICITIES),
        labels(pop.lsoa, list(pop.lsoa_codes)),
        pa.array(pop.imd_decile),
        labels(pop.practice, practice_codes),
        day_array(pop.registered_from),
        day_array(pop.end, missing=current),
        day_array(pop.end, missing=alive),
        pa.array(pop.opted_out),
    ]
    return pa.Table.from_arrays(columns, schema=schema(PATIENTS))


def order(patient: IntArray, time: IntArray) -> IntArray:
    """Row order: by patient, then time, ties in the order given.

    Packs both into one int64 key when they fit (one stable argsort is several times faster
    than a two-key lexsort on tens of millions of rows).
    """
    if patient.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    offset = time - time.min()
    bits = max(int(offset.max()).bit_length(), 1)
    if bits + int(patient.max()).bit_length() < 63:
        return np.argsort((patient << bits) | offset, kind="stable")
    return np.lexsort((time, patient))


def events_table(
    patient: IntArray,
    day: IntArray,
    code: IntArray,
    value: FloatArray,
    vocabulary: Sequence[str],
    first_patient: int = 1,
) -> pa.Table:
    """Clinical events from 0-based patient indices and vocabulary indices, in the given order.

    Index 0 is patient `first_patient` (as for every table below).
    """
    missing = np.isnan(value)
    columns = [
        pa.array(patient + first_patient),
        day_array(day),
        labels(code, vocabulary),
        pa.array(np.where(missing, 0.0, value), mask=missing),
    ]
    return pa.Table.from_arrays(columns, schema=schema(CLINICAL_EVENTS))


def medications_table(
    patient: IntArray,
    day: IntArray,
    code: IntArray,
    vocabulary: Sequence[str],
    first_patient: int = 1,
) -> pa.Table:
    columns = [pa.array(patient + first_patient), day_array(day), labels(code, vocabulary)]
    return pa.Table.from_arrays(columns, schema=schema(MEDICATIONS))


def encounters_table(
    enc: Encounters, first_id: int, vocabulary: Sequence[str], first_patient: int = 1
) -> pa.Table:
    """Encounters in the given order, numbered from `first_id`."""
    open_ = enc.end == NO_TIME
    columns = [
        pa.array(np.arange(first_id, first_id + len(enc), dtype=np.int64)),
        pa.array(enc.patient + first_patient),
        labels(enc.org, enc.org_codes),
        labels(enc.kind, KINDS),
        pa.array(enc.start, type=pa.timestamp("us")),
        pa.array(np.where(open_, 0, enc.end), type=pa.timestamp("us"), mask=open_),
        labels(enc.code, vocabulary),
    ]
    return pa.Table.from_arrays(columns, schema=schema(ENCOUNTERS))


class TableFile:
    """A Parquet file written piece by piece beside its target, renamed into place on close.

    Each piece becomes one or more row groups, so a table never has to sit in memory whole.
    """

    def __init__(self, path: Path, table: Table) -> None:
        self.path = path
        self.rows = 0
        self._partial = path.with_name(f".{path.name}.partial")
        self._writer = pq.ParquetWriter(self._partial, schema(table), compression="zstd")

    def write(self, piece: pa.Table) -> None:
        self._writer.write_table(piece, row_group_size=ROW_GROUP)
        self.rows += piece.num_rows

    def close(self) -> str:
        """Finish the file, rename it into place and return its SHA-256."""
        self._writer.close()
        os.replace(self._partial, self.path)
        return sha256(self.path)

    def abandon(self) -> None:
        self._writer.close()
        self._partial.unlink(missing_ok=True)


def write_table(table: pa.Table, path: Path) -> str:
    """Write Parquet beside `path`, rename it into place, return its SHA-256."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        pq.write_table(table, partial, compression="zstd", row_group_size=ROW_GROUP)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return sha256(path)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
