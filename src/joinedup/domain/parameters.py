"""Cited, versioned parameter sets, and user overrides.

Why: every clinical or economic figure (prevalence rates, stroke risks, relative risk reductions,
costs) must be data with a source, never a constant in code, and every output must say which
version produced it. A parameter set is a folder holding a `manifest.toml` and CSV tables:

    manifest.toml      name = "af-impact", version = "2026.1", description = "..."
    stroke_risk.csv    cha2ds2vasc,annual_stroke_risk,source,note

Every CSV must have a `source` column, filled on every row (the citation). A user overrides a
set by pointing at a folder holding any of its CSVs (same names and columns); the version then
becomes `<version>+local.<hash of the override files>` so outputs show that local figures were used.
"""

from __future__ import annotations

import csv
import hashlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from joinedup.domain.errors import UserError

MANIFEST = "manifest.toml"


class ParameterError(UserError):
    """A parameter file is missing, malformed or uncited; the message names the file and row."""


@dataclass(frozen=True)
class ParameterTable:
    """One CSV of a parameter set: its rows as dicts of strings, in file order."""

    name: str
    path: Path
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def __iter__(self) -> Iterator[dict[str, str]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def floats(self, column: str) -> list[float]:
        """The column as floats, with an error naming file, row and column on a bad value."""
        return [self.float_at(i, column) for i in range(len(self.rows))]

    def float_at(self, index: int, column: str) -> float:
        raw = self.rows[index].get(column, "")
        try:
            return float(raw)
        except ValueError:
            raise ParameterError(
                f"{self.path}: row {index + 1}, column {column!r}: {raw!r} is not a number"
            ) from None

    def lookup(self, **where: str) -> dict[str, str]:
        """The single row whose columns equal the given values."""
        found = [r for r in self.rows if all(r.get(k) == v for k, v in where.items())]
        if len(found) != 1:
            raise ParameterError(f"{self.path}: expected one row where {where}, found {len(found)}")
        return found[0]

    def value(self, column: str = "value", **where: str) -> float:
        row = self.lookup(**where)
        return self.float_at(self.rows.index(row), column)


@dataclass(frozen=True)
class ParameterSet:
    """A named, versioned collection of cited parameter tables."""

    name: str
    version: str
    description: str
    tables: dict[str, ParameterTable] = field(default_factory=dict)

    def __getitem__(self, table: str) -> ParameterTable:
        try:
            return self.tables[table]
        except KeyError:
            raise ParameterError(
                f"parameter set {self.name!r} has no table {table!r}; it has {sorted(self.tables)}"
            ) from None

    @classmethod
    def from_dir(cls, folder: Path | str) -> ParameterSet:
        folder = Path(folder)
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise ParameterError(f"{manifest_path}: no parameter manifest found")
        try:
            manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"{manifest_path}: {exc}") from None
        for key in ("name", "version"):
            if not manifest.get(key):
                raise ParameterError(f"{manifest_path}: missing {key!r}")
        tables = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
        return cls(
            name=str(manifest["name"]),
            version=str(manifest["version"]),
            description=str(manifest.get("description", "")),
            tables=tables,
        )

    def with_overrides(self, folder: Path | str | None) -> ParameterSet:
        """This set with any same-named CSVs from `folder` replacing the packaged ones."""
        if folder is None:
            return self
        folder = Path(folder)
        if not folder.is_dir():
            raise ParameterError(f"{folder}: parameter override folder not found")
        overrides = {p.stem: read_table(p) for p in sorted(folder.glob("*.csv"))}
        unknown = sorted(set(overrides) - set(self.tables))
        if unknown:
            raise ParameterError(
                f"{folder}: {unknown} are not tables of parameter set {self.name!r} "
                f"(it has {sorted(self.tables)})"
            )
        if not overrides:
            return self
        for name, table in overrides.items():
            missing = set(self.tables[name].columns) - set(table.columns)
            if missing:
                raise ParameterError(f"{table.path}: missing columns {sorted(missing)}")
        digest = hashlib.sha256()
        for name in sorted(overrides):
            digest.update(name.encode())
            digest.update(overrides[name].path.read_bytes())
        return ParameterSet(
            name=self.name,
            version=f"{self.version}+local.{digest.hexdigest()[:8]}",
            description=self.description,
            tables={**self.tables, **overrides},
        )

    @property
    def label(self) -> str:
        """`name version`, as outputs record it."""
        return f"{self.name} {self.version}"


def read_table(path: Path) -> ParameterTable:
    """Read one cited CSV; every row must have a non-empty `source`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ParameterError(f"{path}: cannot read ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    columns = tuple(reader.fieldnames or ())
    if "source" not in columns:
        raise ParameterError(f"{path}: no 'source' column; every parameter must be cited")
    rows = []
    for line_no, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ParameterError(f"{path}: line {line_no}: wrong number of fields")
        if not row["source"].strip():
            raise ParameterError(f"{path}: line {line_no}: empty 'source'")
        rows.append({k: v.strip() for k, v in row.items()})
    if not rows:
        raise ParameterError(f"{path}: no rows")
    return ParameterTable(name=path.stem, path=path, columns=columns, rows=tuple(rows))
