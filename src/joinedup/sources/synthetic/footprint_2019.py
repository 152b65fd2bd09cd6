"""The "west-yorkshire-2019" footprint: the real QOF 2019-20 practice structure of West Yorkshire.

Why a module of its own: each footprint the generator can fill is one registration in
`domain.extensions.FOOTPRINTS`; this one reads the packaged QOF geography slice (real practices,
PCNs, CCGs and list sizes) and fills it with synthetic patients.
"""

from __future__ import annotations

import numpy as np

from joinedup.sources.synthetic.footprint import (
    PLACES,
    PLACES_BY_KEY,
    QWO_PLACES,
    Footprint,
    data_path,
    partners,
    read_csv,
    scale_list_sizes,
)
from joinedup.sources.synthetic.rates import Rates
from joinedup.sources.synthetic.sampling import expit, logit


def west_yorkshire_2019(rates: Rates, patients: int | None) -> Footprint:
    """The real 2019-20 practice structure of West Yorkshire (QOF geography), filled."""
    # The QOF mapping reader (pandas) is only needed for this footprint, so import it here.
    from joinedup.sources.geography import read_nhs_geographies

    rows_in = read_csv("qwo_practices_2019_2020.csv")
    places = tuple(p for p in PLACES if p.key in set(QWO_PLACES.values()))
    place_index = {p.key: i for i, p in enumerate(places)}
    place_map = {
        ccg: (PLACES_BY_KEY[key].code, PLACES_BY_KEY[key].name) for ccg, key in QWO_PLACES.items()
    }
    orgs = read_nhs_geographies(
        data_path("qwo_practices_2019_2020.csv"),
        ics_code="QWO",
        place_map=place_map,
        year_start=2019,
    )
    for org in orgs:
        org["valid_to"] = None  # held open: the 2019-20 structure stands in for "now"

    by_code = {r["PRACTICE_CODE"]: r for r in rows_in}
    codes = sorted(by_code)
    practice_place = np.array(
        [place_index[QWO_PLACES[by_code[c]["CCG_ODS_CODE"]]] for c in codes], dtype=np.int64
    )
    sizes = np.array([int(by_code[c]["LIST_SIZE"]) for c in codes], dtype=np.int64)
    share = np.clip(np.array([float(by_code[c]["SHARE_65OV"]) for c in codes]), 0.003, 0.45)
    score = np.array([float(by_code[c]["IMD_SCORE_2019"]) for c in codes])
    # Position on the place's deprivation rank: the practice's rank by IMD score in its place.
    position = np.empty(len(codes))
    for p in range(len(places)):
        members = np.flatnonzero(practice_place == p)
        order = np.argsort(-score[members], kind="stable")  # highest score = most deprived
        ranks = np.empty(len(members))
        ranks[order] = (np.arange(len(members)) + 0.5) / len(members)
        position[members] = expit(logit(ranks) * 0.8)
    partner_rows, trusts, teams = partners("QWO", places, rates)
    return Footprint(
        name="west-yorkshire-2019",
        organisations=orgs + partner_rows,
        places=places,
        practice_codes=codes,
        practice_place=practice_place,
        list_size=scale_list_sizes(sizes, patients),
        position=position,
        share_65plus=share,
        trusts=trusts,
        community_teams=teams,
    )
