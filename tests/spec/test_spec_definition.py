"""Programme definitions: the AF definition as declared, the loader, and its error messages."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from spec_support import AF, MINIMAL, definition

from joinedup.domain.codelists import Codelist, CodeSystem
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.programme import (
    CRITERION_KEYS,
    SECTION_KEYS,
    AnyOf,
    Coded,
    ProgrammeError,
    load_programme_file,
    months_before,
    prevalence_bands,
)
from joinedup.programmes import (
    available_programmes,
    load_parameters,
    load_programme,
    programme_dir,
    resolve_codelists,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "programmes.md"
REGISTER = '\n[register]\ncodelist = "af"\n'
ELIGIBLE = "\n[eligibility]\nall_on_register = true\n"
TREATED = '\n[treated]\nwhen = { coded = "doac", within_months = 6 }\n'


def test_the_af_definition_declares_cha2ds2_vasc_and_the_qof_rules():
    assert AF.name == "af"
    assert AF.risk_score is not None and AF.risk_score.name == "CHA2DS2-VASc"
    points = {c.key: c.points for c in AF.risk_score.components}
    assert points == {"c": 1, "h": 1, "a2": 2, "d": 1, "s2": 2, "v": 1, "a": 1, "sc": 1}
    assert (AF.eligibility.score_at_least, AF.eligibility.recorded) == (2, "cha2ds2vasc_score")
    assert [v.name for v in AF.treated.versions] == ["AF007", "AF008"]
    assert AF.treated.versions[0].when == Coded(("doac", "vka"), 6)
    assert (AF.register.codelist, AF.register.resolved_by, AF.register.min_age) == (
        "af",
        "af_resolved",
        None,
    )
    assert isinstance(AF.exceptions.when, AnyOf) if AF.exceptions else False
    assert [r.key for r in AF.casefinder] == [
        "anticoagulant_no_af",
        "irregular_pulse_no_af",
        "hypertension_65_no_pulse_check",
    ]
    assert (AF.ambitions.detect, AF.ambitions.treat, AF.ambitions.combined) == (0.85, 0.90, 0.89)


def test_every_af_codelist_resolves_to_a_packaged_list_in_its_declared_system():
    resolved = resolve_codelists(AF)
    assert set(resolved) == {ref.name for ref in AF.codelists}
    assert resolved["doac"].system is CodeSystem.DMD
    assert resolved["af"].system is CodeSystem.SNOMED_CT
    assert all(len(codelist) > 0 for codelist in resolved.values())


def test_the_af_expected_prevalence_table_covers_every_age_and_sex():
    parameters = load_parameters(AF)
    bands = prevalence_bands(parameters[AF.expected_prevalence])
    assert {b.sex for b in bands} == {"F", "M"}
    assert sum(1 for b in bands if b.age_to is None) == 2


def test_a_users_copy_of_the_definition_loads_the_same_way(tmp_path):
    shutil.copytree(programme_dir("af"), tmp_path / "my_af")
    mine = load_programme_file(tmp_path / "my_af")  # a folder or its programme.toml
    assert mine.source == tmp_path / "my_af" / "programme.toml"
    assert mine.parameters_dir == tmp_path / "my_af" / "parameters"
    assert (mine.register, mine.risk_score, mine.treated, mine.casefinder) == (
        AF.register,
        AF.risk_score,
        AF.treated,
        AF.casefinder,
    )
    assert ParameterSet.from_dir(mine.parameters_dir).version == load_parameters(AF).version


def test_a_user_codelist_file_is_read_relative_to_the_definition(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "my_af.csv").write_text("code,term\n123456,My AF\n")
    text = MINIMAL.replace(
        'af = "snomed_ct"', 'af = { system = "snomed_ct", file = "lists/my_af.csv" }'
    )
    (tmp_path / "programme.toml").write_text(text + REGISTER + ELIGIBLE + TREATED)
    programme = load_programme_file(tmp_path / "programme.toml")
    overrides = {
        name: Codelist.of(name, ref.system, [("654321", name)])
        for ref in programme.codelists
        if (name := ref.name) != "af"
    }
    assert resolve_codelists(programme, overrides)["af"].codes == frozenset({"123456"})


def test_packaged_programmes_are_listed_and_an_unknown_one_is_a_clear_error():
    assert "af" in available_programmes()
    with pytest.raises(ProgrammeError, match=r"no packaged programme 'nope'; available: .*af"):
        load_programme("nope")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("[register]", "[registr]"), r": registr: unknown key"),
        (
            lambda t: t.replace("resolved_by = ", "resolvd_by = "),
            r": register\.resolvd_by: unknown key",
        ),
        (
            lambda t: t.replace('when = { coded = "heart_failure" }', 'when = { coded = "hf" }'),
            r": risk_score\.components\[0\]\.when\.coded: codelist 'hf' is not declared",
        ),
        (
            lambda t: t.replace('vka = "dmd"', 'vka = "read_v2"'),
            r": codelists\.vka: system 'read_v2' is not one of",
        ),
        (
            lambda t: t.replace("score_at_least = 2", "score_at_least = 2\nall_on_register = true"),
            r": eligibility: give exactly one of",
        ),
        (
            lambda t: t.replace("points = 2", 'points = "two"', 1),
            r": risk_score\.components\[2\]\.points: expected a whole number",
        ),
        (
            lambda t: t.replace('key = "v"', 'key = "c"'),
            r": risk_score\.components\[5\]\.key: 'c' is used twice",
        ),
        (
            lambda t: t.replace("within_months = 6 }", "within_months = 0 }", 1),
            r": treated\[0\]\.when\.within_months: must be >= 1",
        ),
        (
            lambda t: t.replace("detect = 0.85", "detect = 85"),
            r": ambitions\.detect: must be a share in \(0, 1\]",
        ),
        (
            lambda t: t.replace('{ sex = "F" }', '{ sex = "female" }'),
            r"\.when\.sex: 'female' is not one of",
        ),
        (
            lambda t: t.replace("{ age_from = 75 }", '{ age_from = 75, coded = "af" }'),
            r"components\[2\]\.when: a criterion needs exactly one of",
        ),
        (
            lambda t: t.replace('{ coded = "irregular_pulse" }', '{ flag = "risk_score" }'),
            r"casefinder\[1\]\.when\.all\[0\]\.flag: 'risk_score' is not available here",
        ),
        (lambda t: t.replace('name = "af"', "name = 3"), r": name: expected non-empty text"),
        (lambda t: t + "\n[ambitions\n", r": not valid TOML"),
    ],
)
def test_a_bad_definition_names_the_file_and_the_key(tmp_path, change, message):
    text = (programme_dir("af") / "programme.toml").read_text()
    path = tmp_path / "programme.toml"
    path.write_text(change(text))
    with pytest.raises(ProgrammeError, match=message):
        load_programme_file(path)
    with pytest.raises(ProgrammeError) as caught:
        load_programme_file(path)
    assert str(caught.value).startswith(str(path))


def test_flags_may_only_name_flags_computed_before_them():
    text = MINIMAL + REGISTER + ELIGIBLE + '\n[treated]\nwhen = { flag = "exception" }\n'
    with pytest.raises(ProgrammeError, match=r"treated\.when\.flag: 'exception' is not available"):
        definition(text)


def test_latest_value_needs_a_snomed_list_and_a_bound():
    base = MINIMAL + REGISTER + ELIGIBLE
    with pytest.raises(ProgrammeError, match=r"latest_value: codelist 'doac' must be a SNOMED"):
        definition(base + '\n[treated]\nwhen = { latest_value = "doac", at_most = 1 }\n')
    with pytest.raises(ProgrammeError, match=r"treated\.when: latest_value needs at_most"):
        definition(base + '\n[treated]\nwhen = { latest_value = "systolic_bp" }\n')


def test_a_missing_file_and_a_missing_section_are_named(tmp_path):
    with pytest.raises(ProgrammeError, match=r"nowhere\.toml: cannot read"):
        load_programme_file(tmp_path / "nowhere.toml")
    with pytest.raises(ProgrammeError, match=r"programme\.toml: treated: missing"):
        definition(MINIMAL + REGISTER + ELIGIBLE)


def test_a_codelist_override_in_the_wrong_system_is_refused():
    wrong = {"doac": Codelist.of("doac", CodeSystem.SNOMED_CT, [("100001", "x")])}
    with pytest.raises(ProgrammeError, match=r"codelists\.doac: declared dm\+d"):
        resolve_codelists(AF, wrong)


def test_a_missing_packaged_codelist_is_named():
    text = MINIMAL.replace('af = "snomed_ct"', 'af = "snomed_ct"\nno_such_list = "snomed_ct"')
    programme = definition(text + REGISTER + ELIGIBLE + TREATED)
    with pytest.raises(ProgrammeError, match=r"codelists\.no_such_list: .*no packaged codelist"):
        resolve_codelists(programme)


@pytest.mark.parametrize(
    ("day", "months", "start"),
    [
        (date(2025, 3, 31), 6, date(2024, 9, 30)),
        (date(2025, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 3, 31), 12, date(2024, 3, 31)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
    ],
)
def test_months_before_keeps_the_day_and_clamps_to_the_month_end(day, months, start):
    assert months_before(day, months) == start


def _prevalence_set(tmp_path: Path, rows: str) -> ParameterSet:
    (tmp_path / "manifest.toml").write_text('name = "t"\nversion = "1"\n')
    (tmp_path / "p.csv").write_text("age_from,age_to,sex,prevalence,source\n" + rows)
    return ParameterSet.from_dir(tmp_path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("0,,M,0.1,s\n", r"sex F: bands must cover every age"),
        ("0,9,M,0.1,s\n11,,M,0.1,s\n0,,F,0.1,s\n", r"sex M: the band from age 11 .*age 10"),
        ("0,,M,0.1,s\n0,,F,0.1,s\n5,,F,0.1,s\n", r"sex F: the band from age 5 .*open one"),
        ("0,,M,1.5,s\n0,,F,0.1,s\n", r"row 1, column 'prevalence': 1.5 is not in"),
        ("0,,X,0.1,s\n", r"row 1, column 'sex': 'X'"),
        ("0,ten,M,0.1,s\n", r"row 1, 'age_to': 'ten' is not a whole number"),
    ],
)
def test_a_prevalence_table_with_gaps_or_bad_cells_is_refused(tmp_path, rows, message):
    table = _prevalence_set(tmp_path, rows)["p"]
    with pytest.raises(ProgrammeError, match=message):
        prevalence_bands(table)


def test_the_docs_describe_every_key_a_definition_may_use():
    text = DOCS.read_text()
    keys = {k for keys in SECTION_KEYS.values() for k in keys} | {
        k for keys in CRITERION_KEYS.values() for k in keys
    }
    sections = {s.split(".")[0] for s in SECTION_KEYS if s}
    missing = sorted(k for k in keys | sections if f"`{k}`" not in text)
    assert not missing, f"docs/programmes.md does not describe: {missing}"
