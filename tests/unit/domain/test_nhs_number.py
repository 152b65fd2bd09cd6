from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.domain import nhs_number


def test_check_digit_worked_example() -> None:
    # 943 476 591: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11 - 2 = 9.
    assert nhs_number.check_digit("943476591") == 9
    assert nhs_number.is_valid("9434765919")
    assert not nhs_number.is_valid("9434765918")


def test_remainder_zero_gives_check_digit_zero() -> None:
    # 200 000 001: 2*10 + 1*2 = 22; 22 % 11 = 0; 11 - 0 = 11, which becomes 0.
    assert nhs_number.check_digit("200000001") == 0
    assert nhs_number.is_valid("2000000010")


def test_check_digit_ten_means_no_valid_number() -> None:
    # A weighted sum of 1 mod 11 would need check digit 10: such bodies are never issued.
    bodies = [f"{i:09d}" for i in range(200)]
    invalid = [b for b in bodies if nhs_number.check_digit(b) is None]
    assert invalid, "some bodies have no check digit"
    for b in invalid:
        weighted = sum(int(d) * w for d, w in zip(b, nhs_number.WEIGHTS, strict=True))
        assert weighted % 11 == 1


@pytest.mark.parametrize("bad", ["", "123", "12345678901", "94347659a9", "943 476 5919"])
def test_malformed_numbers_are_invalid(bad: str) -> None:
    assert not nhs_number.is_valid(bad)


@given(st.lists(st.text(alphabet="0123456789", min_size=10, max_size=10), max_size=50))
def test_vectorised_mask_agrees_with_scalar_rule(numbers: list[str]) -> None:
    mask = nhs_number.valid_mask(numbers)
    assert list(mask) == [nhs_number.is_valid(n) for n in numbers]


def test_synthetic_numbers_are_valid_unique_and_in_the_test_range() -> None:
    numbers = nhs_number.synthetic_numbers(5000)
    assert len(numbers) == 5000
    assert len(set(numbers)) == 5000
    assert all(n.startswith("9") for n in numbers)
    assert nhs_number.valid_mask(list(numbers)).all()
    assert numbers[0] == "9000000009"


def test_synthetic_numbers_continue_a_series_without_repeats() -> None:
    whole = nhs_number.synthetic_numbers(5000)
    first = nhs_number.synthetic_numbers(1234)
    rest = nhs_number.synthetic_numbers(5000 - 1234, nhs_number.next_body(first[::-1]))
    assert [*first, *rest] == list(whole)
    assert nhs_number.next_body(first[:0], 901) == 901  # nothing handed out: start unchanged
