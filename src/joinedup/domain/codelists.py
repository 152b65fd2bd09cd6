"""Codelists: named sets of SNOMED CT or dm+d codes, each tied to the coding system it belongs to.

Why a type and not a bare set of strings: SNOMED CT concept ids and dm+d product ids are both
long digit strings (dm+d ids are SNOMED-style identifiers too), so nothing in the data stops a
medicines list from being matched against ``clinical_events.snomed_code``. The match would
quietly find nothing, or the wrong thing. A ``Codelist`` carries its ``CodeSystem`` and only
hands its codes to a column of the same system (``codes_for_column``), so that mistake fails
loudly instead.

Files use the OpenCodelists CSV shape: a header ``code,term`` and one concept per row. Row order
is kept (``ordered``) because it means something here: the packaged lists put the most commonly
recorded concept first, and the synthetic generator draws with a skew towards the first rows.

Pure: standard library only (``csv`` and ``importlib.resources``), so it can sit in the domain.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from joinedup.domain.errors import UserError

HEADER = ("code", "term")
MIN_DIGITS = 6
MAX_DIGITS = 18
PACKAGE = "joinedup.codelists"


class CodeSystem(Enum):
    """The coding systems joinedup reads. The value is the folder the packaged lists live in."""

    SNOMED_CT = "snomed"
    DMD = "dmd"

    @property
    def label(self) -> str:
        return {"snomed": "SNOMED CT", "dmd": "dm+d"}[self.value]


# Which coding system each code-bearing column of the data contract holds (DESIGN.md).
COLUMN_SYSTEMS: Mapping[str, CodeSystem] = MappingProxyType(
    {"snomed_code": CodeSystem.SNOMED_CT, "dmd_code": CodeSystem.DMD}
)


class CodelistError(UserError):
    """A codelist file that cannot be trusted: names the file, the row and the field."""

    def __init__(self, source: str, message: str, row: int | None = None, fld: str | None = None):
        self.source = source
        self.row = row
        self.field = fld
        where = source if row is None else f"{source}, row {row}"
        if fld is not None:
            where = f"{where}, field '{fld}'"
        super().__init__(f"{where}: {message}")


class WrongCodeSystemError(TypeError):
    """A codelist used against data coded in another system (e.g. dm+d against snomed_code)."""


def is_valid_code(code: str) -> bool:
    """True if ``code`` looks like a SNOMED CT / dm+d identifier: 6 to 18 ASCII digits."""
    return MIN_DIGITS <= len(code) <= MAX_DIGITS and code.isascii() and code.isdigit()


@dataclass(frozen=True)
class Codelist:
    """An ordered, de-duplicated list of codes from one coding system, with their terms.

    Build one with ``Codelist.of`` (or the loaders); the constructor checks that ``codes``,
    ``terms`` and ``ordered`` agree, so a hand-built inconsistent list cannot exist.
    Equality and hashing use name, system and the ordered codes.
    """

    name: str
    system: CodeSystem
    ordered: tuple[str, ...]
    codes: frozenset[str] = field(compare=False)
    terms: Mapping[str, str] = field(compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.system, CodeSystem):
            raise TypeError(f"codelist '{self.name}': system must be a CodeSystem")
        if len(set(self.ordered)) != len(self.ordered):
            raise ValueError(f"codelist '{self.name}': duplicate codes")
        if frozenset(self.ordered) != self.codes or set(self.terms) != self.codes:
            raise ValueError(f"codelist '{self.name}': codes, terms and order disagree")
        bad = [c for c in self.ordered if not is_valid_code(c)]
        if bad:
            raise ValueError(f"codelist '{self.name}': not a {self.system.label} id: {bad[0]!r}")
        if not isinstance(self.terms, MappingProxyType):
            object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))

    @classmethod
    def of(cls, name: str, system: CodeSystem, rows: Iterable[tuple[str, str]]) -> Codelist:
        """A codelist from ``(code, term)`` pairs, keeping their order."""
        pairs = list(rows)
        ordered = tuple(code for code, _ in pairs)
        return cls(
            name=name,
            system=system,
            ordered=ordered,
            codes=frozenset(ordered),
            terms={code: term for code, term in pairs},
        )

    def __len__(self) -> int:
        return len(self.ordered)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ordered)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def term(self, code: str) -> str:
        return self.terms[code]

    def require(self, system: CodeSystem) -> Codelist:
        """Return self if it is coded in ``system``; otherwise raise WrongCodeSystemError."""
        if self.system is not system:
            raise WrongCodeSystemError(
                f"codelist '{self.name}' holds {self.system.label} codes and cannot be used "
                f"where {system.label} codes are expected"
            )
        return self

    def codes_for_column(self, column: str) -> frozenset[str]:
        """The codes, for matching against ``column``; refuses a column of another system."""
        try:
            system = COLUMN_SYSTEMS[column]
        except KeyError:
            known = ", ".join(sorted(COLUMN_SYSTEMS))
            raise WrongCodeSystemError(
                f"column '{column}' holds no codes a codelist can match (known: {known})"
            ) from None
        return self.require(system).codes

    def union(self, other: Codelist, name: str | None = None) -> Codelist:
        """Both lists' codes (self's order first); both must be in the same coding system."""
        other.require(self.system)
        rows = [(c, self.terms[c]) for c in self.ordered]
        rows += [(c, other.terms[c]) for c in other.ordered if c not in self.codes]
        return Codelist.of(name or f"{self.name}+{other.name}", self.system, rows)


def parse_codelist(text: str, name: str, system: CodeSystem, source: str) -> Codelist:
    """Parse OpenCodelists-shaped CSV text; ``source`` names the file in error messages.

    Row numbers count the header as row 1, as a spreadsheet would show them.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise CodelistError(source, "the file is empty; expected a header 'code,term'")
    header = [h.strip().lstrip("\ufeff") for h in header]
    if tuple(header[:2]) != HEADER:
        raise CodelistError(source, f"header must start 'code,term', found {','.join(header)!r}", 1)
    rows: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line (often a trailing one) carries no code
        code = record[0].strip() if record else ""
        term = record[1].strip() if len(record) > 1 else ""
        if not code:
            raise CodelistError(source, "missing code", number, "code")
        if not is_valid_code(code):
            raise CodelistError(
                source,
                f"a {system.label} code must be {MIN_DIGITS}-{MAX_DIGITS} digits, got {code!r}",
                number,
                "code",
            )
        if code in seen:
            raise CodelistError(
                source, f"duplicate code {code} (first seen on row {seen[code]})", number, "code"
            )
        if not term:
            raise CodelistError(source, f"missing term for code {code}", number, "term")
        seen[code] = number
        rows.append((code, term))
    if not rows:
        raise CodelistError(source, "no codes after the header")
    return Codelist.of(name, system, rows)


def load_codelist_file(path: str | Path, system: CodeSystem) -> Codelist:
    """Load a user's own codelist file (OpenCodelists CSV shape); its name is the file stem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodelistError(str(p), "no such codelist file") from None
    except UnicodeDecodeError:
        raise CodelistError(str(p), "not UTF-8 text") from None
    return parse_codelist(text, p.stem, system, str(p))


def load_codelist(name: str, system: CodeSystem = CodeSystem.SNOMED_CT) -> Codelist:
    """Load a codelist shipped with joinedup, e.g. ``load_codelist("doac", CodeSystem.DMD)``."""
    source = f"{system.value}/{name}.csv (packaged)"
    if not name or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name):
        raise CodelistError(source, "a packaged codelist name is letters, digits and '_' only")
    resource = resources.files(PACKAGE).joinpath(system.value, f"{name}.csv")
    if not resource.is_file():
        available = ", ".join(packaged_codelists(system)) or "none"
        raise CodelistError(source, f"no packaged codelist '{name}'; available: {available}")
    return parse_codelist(resource.read_text(encoding="utf-8"), name, system, source)


def packaged_codelists(system: CodeSystem) -> tuple[str, ...]:
    """Names of the codelists shipped for ``system``, sorted."""
    folder = resources.files(PACKAGE).joinpath(system.value)
    if not folder.is_dir():
        return ()
    names = (entry.name[:-4] for entry in folder.iterdir() if entry.name.endswith(".csv"))
    return tuple(sorted(names))
