"""The capacity file: read, written, and refused whole with file, line and field named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from joinedup.domain.errors import UserError
from joinedup.waitlist.sessions import COLUMNS, SessionsError, read_sessions, write_sessions

HEADER = ",".join(COLUMNS)
GOOD = "S1,Trust B Hospital,TRB,2025-04-12,240,ENT,*,3,15"
OWN = "S2,Trust A General,TRA,2025-04-07,240,Oral Surgery,TRA;TRC,,"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sessions_are_read_with_their_rules(tmp_path: Path) -> None:
    shared, own = read_sessions(write(tmp_path, HEADER, GOOD, OWN))
    assert shared.day == date(2025, 4, 12) and shared.minutes == 240
    assert shared.rule.trusts is None and shared.shared
    assert (shared.rule.min_age, shared.rule.max_age) == (3, 15)
    assert own.rule.trusts == frozenset({"TRA", "TRC"}) and own.rule.min_age is None


def test_written_sessions_read_back_the_same(tmp_path: Path) -> None:
    sessions = read_sessions(write(tmp_path, HEADER, GOOD, OWN))
    again = tmp_path / "again.csv"
    write_sessions(sessions, again)
    assert read_sessions(again) == sessions


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("S1,Site,TRB,2025-13-01,240,ENT,*,,", "date", "not a date"),
        ("S1,Site,TRB,2025-04-12,four,ENT,*,,", "minutes", "not a whole number"),
        ("S1,Site,TRB,2025-04-12,0,ENT,*,,", "minutes", "between 1 and 1440"),
        ("S1,Site,TRB,2025-04-12,240,,*,,", "specialty", "specialty is missing"),
        ("S1,Site,TRB,2025-04-12,240,ENT,TRA;;TRB,,", "accepts_trusts", "trust codes"),
        ("S1,Site,TRB,2025-04-12,240,ENT,*,-1,", "min_age", "0 or more"),
        ("S1,Site,TRB,2025-04-12,240,ENT,*,10,5", "max_age", "below min_age"),
        (",Site,TRB,2025-04-12,240,ENT,*,,", "session_id", "session_id is missing"),
    ],
)
def test_a_bad_row_names_file_line_and_field(
    tmp_path: Path, row: str, field: str, reason: str
) -> None:
    path = write(tmp_path, HEADER, OWN, row)
    with pytest.raises(SessionsError) as caught:
        read_sessions(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line 3, field '{field}':")
    assert reason in message
    assert isinstance(caught.value, UserError)


def test_a_repeated_id_a_short_row_and_the_count_of_bad_rows(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, GOOD, GOOD, "S3,Site,TRB")
    with pytest.raises(SessionsError) as caught:
        read_sessions(path)
    assert str(caught.value) == (
        f"{path}: line 3, field 'session_id': repeats line 2 (and 1 more bad rows)"
    )


def test_missing_file_missing_columns_and_no_rows(tmp_path: Path) -> None:
    with pytest.raises(SessionsError, match="no such capacity file"):
        read_sessions(tmp_path / "none.csv")
    with pytest.raises(SessionsError, match=r"line 1: missing column\(s\) min_age, max_age"):
        read_sessions(write(tmp_path, ",".join(COLUMNS[:-2])))
    with pytest.raises(SessionsError, match="no sessions"):
        read_sessions(write(tmp_path, HEADER))
