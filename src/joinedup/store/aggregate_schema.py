"""The tables of a store of published aggregates: their names, columns and which import owns them.

Why apart from the writer and the readers: the importers (app), the writer (store) and the
aggregate engine all name these tables; declaring them once keeps the three in step, as
`domain.contract` does for patient-level tables.
"""

from __future__ import annotations

from joinedup.sources.geography import FIELDS as GEOGRAPHY_FIELDS

STORE_KIND = "aggregate"
QOF_PART = "qof"
CVDPREVENT_PART = "cvdprevent"
ODS_PART = "ods"

# Every table each part owns, with its columns: (name, DuckDB type). The writer
# (store/aggregates.py) gives each type its Arrow type; readers need only the names, and do not
# import pyarrow.
_S, _I, _F, _D = "VARCHAR", "BIGINT", "DOUBLE", "DATE"
SCHEMAS: dict[str, tuple[tuple[str, str], ...]] = {
    "qof_geography": tuple((name, _S) for name in GEOGRAPHY_FIELDS),
    "qof_prevalence": (("practice_code", _S), ("group_code", _S), ("register", _I),
                       ("list_type", _S), ("list_size", _I)),
    "qof_achievement": (("practice_code", _S), ("indicator_code", _S), ("measure", _S),
                        ("value", _F)),
    "qof_indicators": (("indicator_code", _S), ("point_value", _F), ("group_code", _S),
                       ("group_description", _S), ("domain_code", _S),
                       ("domain_description", _S), ("list_type", _S)),
    "list_sizes_by_age_sex": (("practice_code", _S), ("sex", _S), ("age_from", _I),
                              ("age_to", _I), ("patients", _I)),
    "list_sizes_by_age_base": (("practice_code", _S), ("age_base", _S), ("patients", _F)),
    # Each practice's age bases raked once at import (sources.qof.age_structure.rake_once).
    "age_bases_raked": (("practice_code", _S), ("converged", "BOOLEAN"),
                        ("patients_by_age", "DOUBLE[]")),
    "practice_imd": (("code", _S), ("year", _I), ("imd_score", _F), ("imd_decile", _I),
                     ("imd_quintile", _I)),
    "pcn_imd": (("code", _S), ("year", _I), ("imd_score", _F), ("imd_decile", _I),
                ("imd_quintile", _I)),
    "cvdprevent": (("area_code", _S), ("area_name", _S), ("indicator_code", _S),
                   ("indicator_name", _S), ("indicator_short_name", _S),
                   ("time_period_name", _S), ("period_end", _D),
                   ("metric_category_type_name", _S), ("metric_category_name", _S),
                   ("category_attribute", _S), ("numerator", _F), ("denominator", _F),
                   ("value", _F), ("lower_confidence_limit", _F),
                   ("upper_confidence_limit", _F), ("factor", _F), ("value_note", _S)),
    "ods_practices": (("org_code", _S), ("name", _S), ("postcode", _S), ("open_date", _D),
                      ("close_date", _D), ("status", _S), ("sub_type", _S),
                      ("commissioner", _S), ("prescribing_setting", _I)),
    "ods_pcns": (("pcn_code", _S), ("name", _S), ("sub_icb_code", _S), ("open_date", _D),
                 ("close_date", _D)),
    "ods_pcn_partners": (("practice_code", _S), ("pcn_code", _S), ("start_date", _D),
                         ("end_date", _D)),
}
PARTS: dict[str, tuple[str, ...]] = {
    QOF_PART: ("organisations", "qof_geography", "qof_prevalence", "qof_achievement",
               "qof_indicators", "list_sizes_by_age_sex", "list_sizes_by_age_base",
               "age_bases_raked",
               "practice_imd", "pcn_imd"),
    CVDPREVENT_PART: ("cvdprevent",),
    ODS_PART: ("ods_practices", "ods_pcns", "ods_pcn_partners"),
}
