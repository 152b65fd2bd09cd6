"""Footprints the generator can fill: the organisations of an ICS and each practice's profile.

Why separate from the patients: the shape of the ICS (places, PCNs, practices and their list
sizes, deprivation and age profile) is decided once per footprint, independent of the patient
seed, so practice codes stay the same across runs that differ only in `--seed`.

Two footprints:

* ``west-yorkshire``: shaped like West Yorkshire and Harrogate: one ICS, six places with one
  sub-ICB each, PCNs of 30-50k people and ~300 practices whose list sizes follow the real West
  Yorkshire spread (QOF 2019-20 quantiles). Codes are synthetic and cannot clash with ODS codes:
  practices ``Y9nnnn`` (live Y codes run to about Y07700), PCNs ``UXnnnn`` (real PCN codes are
  U plus five digits), sub-ICBs ``9Wn`` and the ICS ``Q9W``.
* ``west-yorkshire-2019``: the real practice → PCN → CCG structure and list sizes of STP QWO in
  QOF 2019-20 (290 practices, 2.59 M patients), five places (Kirklees holds two CCGs; Harrogate
  was not part of QWO that year).

Both carry the area's real acute trusts (public ODS codes), one synthetic community team per
place and the real local authority districts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from joinedup.domain.errors import UserError
from joinedup.domain.extensions import FOOTPRINTS as FOOTPRINT_POINT
from joinedup.domain.organisations import FootprintError, hierarchy_problems
from joinedup.sources.synthetic.rates import Rates
from joinedup.sources.synthetic.sampling import (
    interpolate_quantiles,
    largest_remainder,
    logit,
)

DEFAULT_FOOTPRINT = FOOTPRINT_POINT.default
DEFAULT_PATIENTS = 2_600_000
LAYOUT_SEED = 20190401  # fixes the synthetic layout; the patient seed does not change it
PCN_TARGET_SIZE = 44_000  # registered patients per PCN at the default size (30-50k)
PLACE_PREFIX = "PL-"
ORG_COLUMNS = ("org_code", "name", "org_type", "parent_code", "valid_from", "valid_to")


@dataclass(frozen=True)
class Place:
    key: str  # matches the `place` column of the parameter tables
    name: str
    lads: tuple[str, ...]  # local authority districts (names as in the LSOA extract)

    @property
    def code(self) -> str:
        return PLACE_PREFIX + self.key


PLACES: tuple[Place, ...] = (
    Place("BDC", "Bradford District and Craven", ("Bradford", "Craven")),
    Place("CAL", "Calderdale", ("Calderdale",)),
    Place("HAR", "Harrogate", ("Harrogate",)),
    Place("KIR", "Kirklees", ("Kirklees",)),
    Place("LDS", "Leeds", ("Leeds",)),
    Place("WAK", "Wakefield", ("Wakefield",)),
)

PLACES_BY_KEY: dict[str, Place] = {p.key: p for p in PLACES}

# Acute trusts of the area: public ODS codes and names.
TRUSTS: dict[str, str] = {
    "RAE": "Bradford Teaching Hospitals NHS Foundation Trust",
    "RCF": "Airedale NHS Foundation Trust",
    "RWY": "Calderdale and Huddersfield NHS Foundation Trust",
    "RXF": "Mid Yorkshire Teaching NHS Trust",
    "RR8": "Leeds Teaching Hospitals NHS Trust",
    "RCD": "Harrogate and District NHS Foundation Trust",
}

# The 2019-20 CCGs of STP QWO and the place each belongs to.
QWO_PLACES: dict[str, str] = {
    "36J": "BDC",
    "02T": "CAL",
    "03A": "KIR",
    "03J": "KIR",
    "15F": "LDS",
    "03R": "WAK",
}

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class UnknownFootprintError(UserError):
    """The footprint name is not one the generator knows; the message lists the choices."""


@dataclass(frozen=True)
class Footprint:
    """The organisations and, per practice, what the patient stages need to know."""

    name: str
    organisations: list[dict[str, object]]
    places: tuple[Place, ...]
    practice_codes: list[str]
    practice_place: IntArray  # index into `places`
    list_size: IntArray  # registered patients to generate at the reference date
    position: FloatArray  # centre on the place's deprivation rank (0 = most deprived)
    share_65plus: FloatArray  # target share of the list aged 65 or over
    trusts: tuple[str, ...]  # acute trust codes present
    community_teams: tuple[str, ...]  # one per place, same order as `places`

    @property
    def patients(self) -> int:
        return int(self.list_size.sum())

    def counts(self) -> dict[str, int]:
        """How many organisations of each type."""
        out: dict[str, int] = {}
        for row in self.organisations:
            key = str(row["org_type"])
            out[key] = out.get(key, 0) + 1
        return out


def build_footprint(name: str, rates: Rates, patients: int | None = None) -> Footprint:
    """The named footprint with list sizes scaled to `patients` (default: its real size)."""
    if name not in FOOTPRINT_POINT:
        raise UnknownFootprintError(
            f"unknown footprint {name!r}; choose one of: {', '.join(FOOTPRINT_POINT.names())}"
        )
    footprint: Footprint = FOOTPRINT_POINT.load(name)(rates, patients)
    problems = hierarchy_problems(footprint.organisations)
    if problems:
        raise FootprintError(problems, f"footprint {name!r}")
    return footprint


def scale_list_sizes(sizes: IntArray, patients: int | None) -> IntArray:
    """List sizes scaled to sum exactly to `patients`, every practice keeping at least one."""
    if patients is None:
        return sizes.astype(np.int64)
    if patients < len(sizes):
        raise UserError(f"need at least {len(sizes)} patients, one per practice; got {patients}")
    return largest_remainder(sizes.astype(np.float64), patients, minimum=1)


# --- data files -------------------------------------------------------------------------------


def data_path(filename: str) -> Path:
    return Path(str(resources.files("joinedup.sources.synthetic").joinpath("data", filename)))


def read_csv(filename: str) -> list[dict[str, str]]:
    with data_path(filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def local_authorities(places: tuple[Place, ...]) -> list[tuple[str, str]]:
    """(LAD code, LAD name) of the places' districts, from the shipped LSOA extract."""
    wanted = {lad for p in places for lad in p.lads}
    found = {(r["lad_code"], r["lad_name"]) for r in read_csv("lsoa_imd_2019.csv")}
    return sorted(pair for pair in found if pair[1] in wanted)


# --- shared organisation rows -----------------------------------------------------------------


def _row(
    code: str,
    name: str,
    org_type: str,
    parent: str | None,
    valid_from: date | None = None,
) -> dict[str, object]:
    return {
        "org_code": code,
        "name": name,
        "org_type": org_type,
        "parent_code": parent,
        "valid_from": valid_from,
        "valid_to": None,
    }


def partners(
    ics: str, places: tuple[Place, ...], rates: Rates
) -> tuple[list[dict[str, object]], tuple[str, ...], tuple[str, ...]]:
    """Trusts serving the places, one community team per place and the local authorities."""
    catchment = rates.table("catchment")
    keys = {p.key for p in places}
    trusts = sorted({r["trust_code"] for r in catchment if r["place"] in keys})
    unknown = [t for t in trusts if t not in TRUSTS]
    if unknown:
        raise ValueError(f"{catchment.path}: trust codes {unknown} are not trusts of the area")
    rows = [_row(t, TRUSTS[t], "trust", ics) for t in trusts]
    teams = tuple(f"CT-{p.key}" for p in places)
    rows += [
        _row(team, f"{p.name} community services team", "community_team", ics)
        for team, p in zip(teams, places, strict=True)
    ]
    rows += [_row(c, n, "local_authority", ics) for c, n in local_authorities(places)]
    return rows, tuple(trusts), teams


# --- west-yorkshire (synthetic layout) ----------------------------------------------------------

PRACTICE_WORDS = (
    "Park View",
    "Riverside",
    "Oak Tree",
    "Hillside",
    "Church Lane",
    "Station Road",
    "Moorland",
    "Beech Grove",
    "Valley",
    "Elm Street",
    "Mill Lane",
    "Woodside",
    "Fieldhead",
    "Kings Road",
    "Priory",
    "Westgate",
    "Northgate",
    "Crossley",
    "Ashfield",
    "Meadowbank",
    "Springfield",
    "Highfield",
    "Brookside",
    "Grange",
    "Holly Bank",
    "Manor",
    "Dale View",
    "Bridge Street",
)
PRACTICE_KINDS = ("Surgery", "Medical Centre", "Health Centre", "Group Practice", "Family Practice")
PCN_WORDS = (
    "Central",
    "North",
    "South",
    "East",
    "West",
    "North West",
    "North East",
    "South West",
    "South East",
    "Inner",
    "Outer",
    "Valley",
    "Rural",
    "City",
    "Moor",
    "Riverside",
    "Hills",
    "Park",
    "Vale",
    "Dales",
)


def synthetic_west_yorkshire(rates: Rates, patients: int | None) -> Footprint:
    """The West Yorkshire & Harrogate-shaped synthetic footprint (6 places, ~300 practices)."""
    rng = np.random.default_rng(LAYOUT_SEED)
    places = PLACES
    pops_table = rates.keyed("place_population", "place", "list_size")
    raw = np.array([pops_table[p.key] for p in places])
    place_pop = largest_remainder(raw, DEFAULT_PATIENTS)

    q_table = rates.table("practice_list_size")
    quantiles = np.array(q_table.floats("quantile"))
    values = np.array(q_table.floats("list_size"))

    sizes: list[float] = []
    place_of: list[int] = []
    pcn_of: list[int] = []
    pcn_place: list[int] = []
    for p, pop in enumerate(place_pop):
        draws = interpolate_quantiles(rng.uniform(0.01, 0.995, 2000), quantiles, values)
        n = int(np.searchsorted(np.cumsum(draws), pop)) + 1
        own = draws[:n] * pop / draws[:n].sum()
        n_pcn = max(1, round(pop / PCN_TARGET_SIZE))
        totals = np.zeros(n_pcn)
        first_pcn = len(pcn_place)
        for i in np.argsort(-own, kind="stable"):
            k = int(np.argmin(totals))
            totals[k] += own[i]
            pcn_of.append(first_pcn + k)
            sizes.append(float(own[i]))
            place_of.append(p)
        pcn_place.extend([p] * n_pcn)

    order = np.lexsort((np.array(pcn_of), np.array(place_of)))
    size_default = largest_remainder(np.array(sizes)[order], DEFAULT_PATIENTS, minimum=1)
    practice_place = np.array(place_of, dtype=np.int64)[order]
    practice_pcn = np.array(pcn_of, dtype=np.int64)[order]

    # Deprivation: each PCN sits somewhere on its place's deprivation rank; practices near it.
    pcn_position = np.empty(len(pcn_place))
    for p in range(len(places)):
        members = np.flatnonzero(np.array(pcn_place) == p)
        pcn_position[members] = rng.permutation((np.arange(len(members)) + 0.5) / len(members))
    spread = rates.scalar("practice_position_sd")
    position = np.clip(
        pcn_position[practice_pcn] + rng.normal(0, spread, len(practice_pcn)), 0.01, 0.99
    )

    share = _share_65plus(rng, rates, position, size_default)
    codes = [f"Y9{i + 1:04d}" for i in range(len(practice_pcn))]
    names = _practice_names(rng, len(codes))

    ics = "Q9W"
    rows = [_row(ics, "NHS West Yorkshire and Harrogate (synthetic)", "ics", None)]
    rows += [_row(p.code, p.name, "place", ics) for p in places]
    sub_icbs = [f"9W{i + 1}" for i in range(len(places))]
    rows += [
        _row(s, f"NHS {p.name} sub-ICB (synthetic)", "sub_icb", p.code)
        for s, p in zip(sub_icbs, places, strict=True)
    ]
    pcn_codes = [f"UX{i + 1:04d}" for i in range(len(pcn_place))]
    used: dict[int, int] = {}
    for k, p in enumerate(pcn_place):
        used[p] = used.get(p, -1) + 1
        word = PCN_WORDS[used[p] % len(PCN_WORDS)]
        suffix = "" if used[p] < len(PCN_WORDS) else f" {used[p] // len(PCN_WORDS) + 1}"
        rows.append(_row(pcn_codes[k], f"{places[p].name} {word}{suffix} PCN", "pcn", sub_icbs[p]))
    rows += [
        _row(code, name, "practice", pcn_codes[practice_pcn[i]])
        for i, (code, name) in enumerate(zip(codes, names, strict=True))
    ]
    partner_rows, trusts, teams = partners(ics, places, rates)
    return Footprint(
        name="west-yorkshire",
        organisations=rows + partner_rows,
        places=places,
        practice_codes=codes,
        practice_place=practice_place,
        list_size=scale_list_sizes(size_default, patients),
        position=position,
        share_65plus=share,
        trusts=trusts,
        community_teams=teams,
    )


def _share_65plus(
    rng: np.random.Generator, rates: Rates, position: FloatArray, sizes: IntArray
) -> FloatArray:
    """Target 65+ share per practice: the real West Yorkshire spread, younger where deprived.

    Practices are ranked on a score correlated with their deprivation position and given the
    matching quantile of the real spread; the shares are then scaled so the footprint as a whole
    has England's (Census 2021) 65+ share.
    """
    rho = rates.scalar("practice_age_deprivation_correlation")
    z = logit(position) / 1.7  # roughly standard normal
    score = rho * z + np.sqrt(1 - rho**2) * rng.normal(0, 1, len(position))
    rank = np.argsort(np.argsort(score, kind="stable"), kind="stable")
    u = 0.01 + 0.98 * (rank + 0.5) / len(position)
    table = rates.table("practice_share_65plus")
    share = np.interp(u, table.floats("quantile"), table.floats("share_65plus"))
    ages = rates.table("age_structure")
    band_share = np.array(ages.floats("share"))
    census_65 = band_share[13:].sum() / band_share.sum()
    share = share * census_65 / float((share * sizes).sum() / sizes.sum())
    return np.clip(share, 0.003, 0.45)


def _practice_names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for _ in range(n):
        for attempt in range(100):
            word = PRACTICE_WORDS[int(rng.integers(len(PRACTICE_WORDS)))]
            kind = PRACTICE_KINDS[int(rng.integers(len(PRACTICE_KINDS)))]
            name = f"{word} {kind}" if attempt < 50 else f"{word} {kind} {attempt}"
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
    return names
