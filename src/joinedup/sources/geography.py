"""Read the real NHS geography: QOF practice → PCN → sub-ICB → ICS mappings and CCG → ICB codes.

Why here: the footprint of a real ICS comes from NHS Digital's QOF ``MAPPING_NHS_GEOGRAPHIES``
files, whose column names changed as CCGs became sub-ICB locations and STPs became ICBs. This
adapter hides that one quirk and hands back rows in the contract's organisations shape, so the
rest of the product sees one footprint model (``joinedup.domain.organisations``).

Choices, also written down in docs/footprint.md:

* **Layouts.** 2019-20 and 2020-21 name the levels ``STP_*`` / ``CCG_*``; 2021-22 ``ICB_*`` /
  ``SUB_ICB_LOC_*``; 2022-23 onwards ``ICB_*`` / ``SUB_ICB_*``. The layout is detected from the
  header, never from the file name. STPs are read as ICSs and CCGs as sub-ICBs. The region
  columns are dropped: a region is not an org type.
* **Places.** The files hold no place. Unless a place map is passed, each sub-ICB gets its own
  place ``PL-<sub-ICB code>`` named after the sub-ICB, sitting under the ICS.
* **Unallocated practices.** Practices outside any PCN carry PCN code ``U`` ("Unallocated"). A
  practice must sit under a PCN, so they are gathered into one PCN per sub-ICB, code
  ``U-<sub-ICB code>`` (real PCN codes are ``U`` and five digits, so no clash).
* **PCNs across boundaries.** A handful of PCNs have practices in two sub-ICBs. A PCN has one
  parent: the sub-ICB holding most of its practices (ties go to the lowest code). The few
  practices elsewhere then roll up through that sub-ICB; ``cross_boundary_pcns`` lists them and
  a warning is logged, so the move is never silent.
* **Validity.** Every organisation is valid for the QOF year of the file: 1 April to 31 March.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.domain.errors import UserError
from joinedup.domain.organisations import FootprintError, hierarchy_problems
from joinedup.sources.qof.readers import shown

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

UNALLOCATED_PCN = "U"
PLACE_PREFIX = "PL-"
UNALLOCATED_PREFIX = "U-"

# Our names for the columns we keep, in the order the mapping files hold them.
FIELDS = (
    "ics_code",
    "ics_name",
    "sub_icb_code",
    "sub_icb_name",
    "pcn_code",
    "pcn_name",
    "practice_code",
    "practice_name",
)


@dataclass(frozen=True)
class Layout:
    """One generation of the file's header: which source column feeds each of our FIELDS."""

    name: str
    years: str
    columns: tuple[str, ...]  # source column per entry of FIELDS

    def rename(self) -> dict[str, str]:
        return dict(zip(self.columns, FIELDS, strict=True))


def _layout(name: str, years: str, ics: str, sub_icb: str) -> Layout:
    return Layout(
        name,
        years,
        (
            f"{ics}_ODS_CODE",
            f"{ics}_NAME",
            f"{sub_icb}_ODS_CODE",
            f"{sub_icb}_NAME",
            "PCN_ODS_CODE",
            "PCN_NAME",
            "PRACTICE_CODE",
            "PRACTICE_NAME",
        ),
    )


LAYOUTS: tuple[Layout, ...] = (
    _layout("stp_ccg", "2019-20, 2020-21", "STP", "CCG"),
    _layout("icb_sub_icb_loc", "2021-22", "ICB", "SUB_ICB_LOC"),
    _layout("icb_sub_icb", "2022-23 onwards", "ICB", "SUB_ICB"),
)


class GeographyFileError(UserError):
    """A geography file cannot be read as documented; the message names the file and field."""


@dataclass(frozen=True)
class GeographyMapping:
    """One mapping file read and checked: one row per practice, in our FIELDS names."""

    path: Path
    layout: Layout
    valid_from: date
    valid_to: date
    practices: pd.DataFrame


def detect_layout(columns: list[str], path: Path | str = "<header>") -> Layout:
    """The layout whose columns the header holds; a clear GeographyFileError if none does."""
    present = {c.strip().lstrip("\ufeff").upper() for c in columns}
    for layout in LAYOUTS:
        if set(layout.columns) <= present:
            return layout
    expected = "; ".join(f"{lay.years}: {', '.join(lay.columns)}" for lay in LAYOUTS)
    raise GeographyFileError(
        f"{path}: header matches no known MAPPING_NHS_GEOGRAPHIES layout. "
        f"Expected columns — {expected}. Found: {shown(columns)}"
    )


def qof_year(path: Path | str) -> tuple[date, date]:
    """1 April and 31 March of the QOF year in a name like ``..._2019_2020.csv``."""
    match = re.search(r"(\d{4})_(\d{4})", Path(path).name)
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise GeographyFileError(
            f"{path}: cannot tell the QOF year from the file name (expected e.g. _2019_2020); "
            "pass year_start"
        )
    start = int(match.group(1))
    return date(start, 4, 1), date(start + 1, 3, 31)


def read_mapping(
    path: Path | str, ics_code: str | None = None, year_start: int | None = None
) -> GeographyMapping:
    """Read one MAPPING_NHS_GEOGRAPHIES file, optionally keeping one ICS/STP (e.g. ``QWO``).

    Raises GeographyFileError for an unknown header, a blank field (naming its line), a repeated
    practice, a code given two names or two parents, or an ICS code with no practices.
    """
    import pandas as pd  # here, not above: a run only needs FIELDS, and pandas takes 0.3 s

    path = Path(path)
    if year_start is None:
        valid_from, valid_to = qof_year(path)
    else:
        valid_from, valid_to = date(year_start, 4, 1), date(year_start + 1, 3, 31)
    with _readable(path):
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    layout = detect_layout([str(c) for c in header], path)
    by_upper = {str(c).strip().upper(): str(c) for c in header}
    with _readable(path):  # every column read, so a row of the wrong width is an error
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame[[by_upper[c] for c in layout.columns]]
    frame = frame.rename(columns={by_upper[c]: c for c in layout.columns})
    frame = frame.rename(columns=layout.rename())[list(FIELDS)]
    for col in FIELDS:
        frame[col] = frame[col].str.strip()
    frame.index = frame.index + 2  # file line numbers: the header is line 1
    _check_blanks(frame, path, layout)

    if ics_code is not None:
        frame = frame[frame["ics_code"] == ics_code]
        if frame.empty:
            raise GeographyFileError(f"{path}: no practices with ICS/STP code {ics_code!r}")
    _check_consistent(frame, path)
    return GeographyMapping(path, layout, valid_from, valid_to, frame)


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """pandas' complaints about a file (missing, not UTF-8, not CSV) as one GeographyFileError."""
    import pandas as pd

    try:
        yield
    except FileNotFoundError:
        raise GeographyFileError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise GeographyFileError(f"{path}: not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GeographyFileError(f"{path}: not a well-formed CSV file ({first})") from None
    except OSError as exc:
        raise GeographyFileError(f"{path}: cannot be read ({exc.strerror})") from None


def _check_blanks(frame: pd.DataFrame, path: Path, layout: Layout) -> None:
    source = dict(zip(FIELDS, layout.columns, strict=True))
    for col in FIELDS:
        blank = frame.index[frame[col] == ""]
        if len(blank):
            lines = ", ".join(str(i) for i in blank[:10])
            raise GeographyFileError(f"{path}: line(s) {lines}: {source[col]} is blank")


def _check_consistent(frame: pd.DataFrame, path: Path) -> None:
    repeated = frame.index[frame["practice_code"].duplicated(keep="first")]
    if len(repeated):
        lines = ", ".join(str(i) for i in repeated[:10])
        raise GeographyFileError(f"{path}: line(s) {lines}: PRACTICE_CODE appears more than once")
    checks = [
        ("ics_code", "ics_name"),
        ("sub_icb_code", "sub_icb_name"),
        ("sub_icb_code", "ics_code"),
        ("pcn_code", "pcn_name"),
    ]
    for key, value in checks:
        counts = frame.groupby(key)[value].nunique()
        bad = sorted(str(c) for c in counts.index[counts > 1])
        if key == "pcn_code":
            bad = [c for c in bad if c != UNALLOCATED_PCN]
        if bad:
            raise GeographyFileError(
                f"{path}: {key} {', '.join(bad[:10])} has more than one {value}"
            )


def cross_boundary_pcns(mapping: GeographyMapping) -> dict[str, dict[str, int]]:
    """PCNs whose practices sit in more than one sub-ICB: pcn → {sub-ICB → practices}."""
    frame = mapping.practices
    allocated = frame[frame["pcn_code"] != UNALLOCATED_PCN]
    counts = allocated.groupby(["pcn_code", "sub_icb_code"]).size()
    out: dict[str, dict[str, int]] = {}
    for pcn, sub_icb, n in counts.reset_index(name="n").itertuples(index=False):
        out.setdefault(str(pcn), {})[str(sub_icb)] = int(n)
    return {pcn: subs for pcn, subs in out.items() if len(subs) > 1}


def organisations_from_mapping(
    mapping: GeographyMapping, place_map: Mapping[str, tuple[str, str]] | None = None
) -> list[dict[str, object]]:
    """Organisations rows (ics, place, sub_icb, pcn, practice), parents before children.

    ``place_map`` maps a sub-ICB code to ``(place_code, place_name)``; several sub-ICBs may share
    a place. Without it each sub-ICB gets its own place ``PL-<code>``. Raises FootprintError if
    the result is not a valid footprint (it always should be).
    """
    frame = mapping.practices
    span = (mapping.valid_from, mapping.valid_to)

    def row(code: str, name: str, org_type: str, parent: str | None) -> dict[str, object]:
        return {
            "org_code": code,
            "name": name,
            "org_type": org_type,
            "parent_code": parent,
            "valid_from": span[0],
            "valid_to": span[1],
        }

    ics = frame[["ics_code", "ics_name"]].drop_duplicates().sort_values("ics_code")
    subs = frame[["sub_icb_code", "sub_icb_name", "ics_code"]].drop_duplicates()
    subs = subs.sort_values("sub_icb_code")
    place_of = _places(subs, place_map, mapping.path)

    rows = [row(c, n, "ics", None) for c, n in ics.itertuples(index=False)]
    places: dict[str, tuple[str, str]] = {}
    for sub_icb, _name, ics_code in subs.itertuples(index=False):
        place_code, place_name = place_of[sub_icb]
        places.setdefault(place_code, (place_name, ics_code))
    rows += [row(c, n, "place", parent) for c, (n, parent) in sorted(places.items())]
    rows += [row(c, n, "sub_icb", place_of[c][0]) for c, n, _ics in subs.itertuples(index=False)]

    pcn_parent = _pcn_parents(mapping)
    unallocated = frame["pcn_code"] == UNALLOCATED_PCN
    pcn_code = frame["pcn_code"].where(~unallocated, UNALLOCATED_PREFIX + frame["sub_icb_code"])
    pcn_name = frame["pcn_name"].where(~unallocated, "Unallocated (" + frame["sub_icb_name"] + ")")
    for code in sorted(set(pcn_code)):
        first = pcn_name[pcn_code == code].iloc[0]
        parent = pcn_parent.get(code, code.removeprefix(UNALLOCATED_PREFIX))
        rows.append(row(code, str(first), "pcn", parent))
    practices = sorted(zip(frame["practice_code"], frame["practice_name"], pcn_code, strict=True))
    rows += [row(c, n, "practice", p) for c, n, p in practices]

    problems = hierarchy_problems(rows)
    if problems:
        raise FootprintError(problems, str(mapping.path))
    return rows


def _places(
    subs: pd.DataFrame, place_map: Mapping[str, tuple[str, str]] | None, path: Path
) -> dict[str, tuple[str, str]]:
    if place_map is None:
        return {c: (PLACE_PREFIX + c, n) for c, n, _ics in subs.itertuples(index=False)}
    missing = sorted(c for c in subs["sub_icb_code"] if c not in place_map)
    if missing:
        raise GeographyFileError(
            f"{path}: place map has no place for sub-ICB(s) {', '.join(missing)}"
        )
    names: dict[str, str] = {}
    ics_of: dict[str, str] = {}
    for c, _name, ics_code in subs.itertuples(index=False):
        place_code, place_name = place_map[c]
        if names.setdefault(place_code, place_name) != place_name:
            raise GeographyFileError(
                f"place map gives place {place_code} two names: "
                f"{names[place_code]!r} and {place_name!r}"
            )
        if ics_of.setdefault(place_code, ics_code) != ics_code:
            raise GeographyFileError(
                f"{path}: place map puts place {place_code} in two ICSs: "
                f"{ics_of[place_code]} and {ics_code}"
            )
    return {c: place_map[c] for c in subs["sub_icb_code"]}


def _pcn_parents(mapping: GeographyMapping) -> dict[str, str]:
    """Each allocated PCN's sub-ICB: the one holding most of its practices, ties to lowest code."""
    frame = mapping.practices
    allocated = frame[frame["pcn_code"] != UNALLOCATED_PCN]
    counts = allocated.groupby(["pcn_code", "sub_icb_code"]).size().reset_index(name="n")
    counts = counts.sort_values(["pcn_code", "n", "sub_icb_code"], ascending=[True, False, True])
    parents = {
        str(p): str(s)
        for p, s in counts.drop_duplicates("pcn_code")[["pcn_code", "sub_icb_code"]].itertuples(
            index=False
        )
    }
    spanning = cross_boundary_pcns(mapping)
    if spanning:
        log.warning(
            "%s: %d PCN(s) span sub-ICBs and roll up through their main one: %s",
            mapping.path,
            len(spanning),
            "; ".join(f"{p} → {parents[p]} {subs}" for p, subs in sorted(spanning.items())),
        )
    return parents


def read_nhs_geographies(
    path: Path | str,
    ics_code: str | None = None,
    place_map: Mapping[str, tuple[str, str]] | None = None,
    year_start: int | None = None,
) -> list[dict[str, object]]:
    """Organisations rows for one QOF year's mapping file, optionally one ICS (e.g. ``QWO``)."""
    return organisations_from_mapping(read_mapping(path, ics_code, year_start), place_map)


@dataclass(frozen=True)
class CcgIcb:
    ccg_code: str
    icb_code: str
    icb_name: str


_ODS_CODE = re.compile(r"^[A-Z0-9]{3,5}$")


def read_ccg_icb_codes(path: Path | str) -> dict[str, CcgIcb]:
    """CCG (sub-ICB) code → its ICB, from CCG_ICB_code.csv (UTF-8 with a byte-order mark).

    The published file has one note row in place of a CCG code ("n/a not SBS client at
    present"); rows whose CCG code is not an ODS code are left out and logged by line number.
    """
    import pandas as pd

    path = Path(path)
    expected = ["CCG Code", "ICB Code", "ICB NAME"]
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise GeographyFileError(f"{path}: file not found") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if list(frame.columns[:3]) != expected:
        raise GeographyFileError(
            f"{path}: expected columns {', '.join(expected)}; found {', '.join(frame.columns)}"
        )
    out: dict[str, CcgIcb] = {}
    skipped: list[int] = []
    for line, (ccg, icb, name) in enumerate(frame[expected].itertuples(index=False), start=2):
        ccg, icb, name = ccg.strip(), icb.strip(), name.strip()
        if not _ODS_CODE.match(ccg):
            skipped.append(line)
            continue
        if not icb or not name:
            field = "ICB Code" if not icb else "ICB NAME"
            raise GeographyFileError(f"{path}: line {line}: {field} is blank")
        entry = CcgIcb(ccg, icb, name)
        if out.setdefault(ccg, entry) != entry:
            raise GeographyFileError(f"{path}: line {line}: CCG Code {ccg} listed twice")
    if skipped:
        log.warning("%s: line(s) %s have no CCG code and were left out", path, skipped)
    return out
