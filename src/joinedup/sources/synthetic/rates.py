"""The generator's cited rates, read once from the parameter sets and shaped for numpy.

Why: every figure the generator uses lives in a cited CSV (``parameters/``), never in code, and
the AF programme's own prevalence table is the truth for AF (so the programme's expected
prevalence and the synthetic truth cannot drift apart). This module is the one place that turns
those tables into arrays indexed by sex and single year of age, scalars by name, and keyed maps.
A user's ``--parameters DIR`` replaces any synthetic table by name; a subfolder ``af/`` of it
replaces AF programme tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from joinedup.domain.contract import SEXES
from joinedup.domain.parameters import ParameterError, ParameterSet, ParameterTable

MAX_AGE = 110  # oldest single year of age the generator represents
AF_OVERRIDE_FOLDER = "af"

FloatArray = npt.NDArray[np.float64]


def packaged_dir() -> Path:
    """The synthetic parameter folder shipped in the package."""
    return Path(str(resources.files("joinedup.sources.synthetic").joinpath("parameters")))


def af_packaged_dir() -> Path:
    """The AF programme's parameter folder (owned by the programme, read here)."""
    return Path(str(resources.files("joinedup.programmes.af").joinpath("parameters")))


@dataclass(frozen=True)
class Rates:
    """The synthetic parameter set and the AF programme set, with typed accessors."""

    synthetic: ParameterSet
    af: ParameterSet

    @property
    def versions(self) -> dict[str, str]:
        return {self.synthetic.name: self.synthetic.version, self.af.name: self.af.version}

    def scalar(self, name: str) -> float:
        """A named value from ``rates.csv``."""
        return self.synthetic["rates"].value("value", name=name)

    def by_age(self, table: str, column: str, *, where: dict[str, str] | None = None) -> FloatArray:
        """``column`` of ``table`` as an array [sex index, age in years 0..MAX_AGE]."""
        return age_sex_array(self.table(table), column, where=where)

    def keyed(self, table: str, key: str, column: str) -> dict[str, float]:
        """``{row[key]: float(row[column])}`` for every row of ``table``."""
        t = self.table(table)
        out: dict[str, float] = {}
        for i, row in enumerate(t.rows):
            if row[key] in out:
                raise ParameterError(f"{t.path}: row {i + 1}: {key} {row[key]!r} repeated")
            out[row[key]] = t.float_at(i, column)
        return out

    def table(self, name: str) -> ParameterTable:
        if name in self.af.tables:
            return self.af[name]
        return self.synthetic[name]


def load_rates(parameters_dir: Path | str | None = None) -> Rates:
    """The packaged parameter sets, with a user's overrides applied when a folder is given."""
    synthetic = ParameterSet.from_dir(packaged_dir())
    af = ParameterSet.from_dir(af_packaged_dir())
    if parameters_dir is None:
        return Rates(synthetic, af)
    folder = Path(parameters_dir)
    if not folder.is_dir():
        raise ParameterError(f"{folder}: parameter override folder not found")
    misplaced = sorted(p.name for p in folder.glob("*.csv") if p.stem in af.tables)
    if misplaced:
        raise ParameterError(
            f"{folder}: {misplaced} belong to the AF programme's parameter set; "
            f"put them in {folder / AF_OVERRIDE_FOLDER}"
        )
    af_folder = folder / AF_OVERRIDE_FOLDER
    if af_folder.is_dir():
        af = af.with_overrides(af_folder)
    return Rates(synthetic.with_overrides(folder), af)


def age_sex_array(
    table: ParameterTable, column: str, *, where: dict[str, str] | None = None
) -> FloatArray:
    """Expand rows of (age_from, age_to[, sex]) bands into an array [sex, single year of age].

    A blank ``age_to`` is open-ended. A table without a ``sex`` column applies to both sexes.
    Every age 0..MAX_AGE must be covered exactly once for each sex; the error names the file.
    """
    out = np.full((len(SEXES), MAX_AGE + 1), np.nan)
    for i, row in enumerate(table.rows):
        if where and any(row.get(k) != v for k, v in where.items()):
            continue
        lo = int(table.float_at(i, "age_from"))
        hi = MAX_AGE if row["age_to"] == "" else int(table.float_at(i, "age_to"))
        if "sex" in row:
            if row["sex"] not in SEXES:
                raise ParameterError(f"{table.path}: row {i + 1}: sex {row['sex']!r} not F or M")
            sexes = [SEXES.index(row["sex"])]
        else:
            sexes = list(range(len(SEXES)))
        value = table.float_at(i, column)
        for s in sexes:
            if not np.isnan(out[s, lo : hi + 1]).all():
                raise ParameterError(f"{table.path}: row {i + 1}: ages {lo}-{hi} overlap a row")
            out[s, lo : hi + 1] = value
    if np.isnan(out).any():
        sex, age = np.argwhere(np.isnan(out))[0]
        label = f" where {where}" if where else ""
        raise ParameterError(
            f"{table.path}: no row covers age {age}, sex {SEXES[sex]}{label} (column {column!r})"
        )
    return out
