"""The `engine_gap` mark (tests/spec/conftest.py) makes a strict xfail of one engine's case only.

Run on a throwaway suite of three specs through pytest's own `pytester`, with the real spec
conftest, so the mark is shown to do what docs/engines.md promises: a gap that still fails is
an expected failure, a gap that has been fixed fails the run (so the mark comes off), and the
other engines' cases run as usual.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SPECS = '''
import pytest

@pytest.mark.engine_gap("duckdb", reason="cannot yet")
def test_still_a_gap(engine):
    assert engine.name != "duckdb"

@pytest.mark.engine_gap("duckdb", reason="fixed since")
def test_fixed_gap(engine):
    assert engine.name == "duckdb"

@pytest.mark.engine_gap("spark", reason="another engine's gap")
def test_gap_of_another_engine(engine):
    assert engine.name == "duckdb"
'''


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(Path(__file__).with_name("conftest.py").read_text())
    pytester.makeini("[pytest]\nmarkers =\n    engine_gap: a spec an engine cannot pass yet\n")
    pytester.makepyfile(test_specs=SPECS)
    return pytester


def test_a_gap_is_a_strict_xfail_of_that_engine_only(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-k", "duckdb", "-p", "no:cacheprovider", "-rxX")
    result.assert_outcomes(passed=1, xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*duckdb: fixed since*"])
    result.stdout.fnmatch_lines(["*XFAIL*test_still_a_gap*duckdb: cannot yet*"])


def test_the_spark_case_of_a_spark_gap_is_marked(suite: pytest.Pytester) -> None:
    items, _ = suite.inline_genitems()
    marks = {item.name: item.get_closest_marker("xfail") for item in items}
    assert len(marks) == 6
    spark_gap = marks["test_gap_of_another_engine[spark]"]
    assert spark_gap is not None and spark_gap.kwargs == {
        "strict": True, "reason": "spark: another engine's gap"
    }
    assert marks["test_gap_of_another_engine[duckdb]"] is None
    assert marks["test_fixed_gap[spark]"] is None


def test_a_gap_without_a_known_engine_and_a_reason_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(Path(__file__).with_name("conftest.py").read_text())
    pytester.makepyfile(
        test_specs='import pytest\n\n@pytest.mark.engine_gap("oracle", reason="x")\n'
        "def test_x(engine):\n    pass\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_x*engine_gap needs engines among*duckdb*spark*got*oracle*"])
