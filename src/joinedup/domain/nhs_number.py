"""NHS number check digits (Modulus 11) and the synthetic range joinedup issues.

Why here: both the synthetic generator (which must issue valid numbers) and the loader (which
must reject invalid ones) need exactly the same rule, so it lives once, in the domain.

The rule (NHS Data Dictionary, "NHS NUMBER"): multiply the first nine digits by weights 10..2,
sum, take the remainder mod 11, subtract it from 11. A result of 11 becomes 0; a result of 10
means the number is invalid and is never issued.

Synthetic range: NHS England issues live numbers from the 3, 4, 6 and 7 ranges; numbers beginning
with 9 are used only for test and training data (NHS England's own test patients, e.g. PDS
sandbox, start with 9; 999 is the range most often documented as "never issued"). joinedup's
synthetic patients take numbers from 900 000 0000 upwards, so data it makes cannot be mistaken
for a live record. One ICS (2.6 M patients) needs more than the 999 range's ~909,000 valid
numbers, which is why the wider 9 range is used.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
SYNTHETIC_START = 900_000_000  # first nine digits of the first synthetic number


def check_digit(first_nine: str) -> int | None:
    """Return the Modulus 11 check digit for nine digits, or None if no valid number exists."""
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError(f"need nine digits, got {first_nine!r}")
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def is_valid(nhs_number: str) -> bool:
    """True if the string is ten digits with a correct Modulus 11 check digit."""
    if len(nhs_number) != 10 or not (nhs_number.isascii() and nhs_number.isdigit()):
        return False
    return check_digit(nhs_number[:9]) == int(nhs_number[9])


def valid_mask(numbers: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised `is_valid` over an array of strings (None/NaN count as invalid)."""
    values = np.asarray(numbers, dtype=object)
    out = np.zeros(values.shape[0], dtype=bool)
    text = np.array([v if isinstance(v, str) and v.isascii() else "" for v in values], dtype="U10")
    shaped = np.char.str_len(text) == 10
    shaped &= np.char.isdigit(text)
    if not shaped.any():
        return out
    digits = text[shaped].view("U1").reshape(-1, 10).astype(np.int64)
    total = digits[:, :9] @ np.array(WEIGHTS, dtype=np.int64)
    check = 11 - total % 11
    check[check == 11] = 0
    out[shaped] = (check != 10) & (check == digits[:, 9])
    return out


def synthetic_numbers(count: int, first_body: int = SYNTHETIC_START) -> npt.NDArray[np.str_]:
    """The first `count` valid NHS numbers of the synthetic range, in increasing order.

    `first_body` (the first nine digits to try) starts further on, to continue a series: pass
    `next_body` of the numbers already handed out.
    """
    # About 1 body in 11 has no check digit, so 12/10 of the count is always enough.
    body = first_body + np.arange(count * 12 // 10 + 20, dtype=np.int64)
    powers = 10 ** np.arange(8, -1, -1, dtype=np.int64)
    digits = (body[:, None] // powers) % 10
    check = 11 - (digits @ np.array(WEIGHTS, dtype=np.int64)) % 11
    check[check == 11] = 0
    usable = check != 10
    numbers = (body[usable] * 10 + check[usable])[:count]
    return numbers.astype("U10")


def next_body(numbers: npt.NDArray[np.str_], first_body: int = SYNTHETIC_START) -> int:
    """Where `synthetic_numbers` continues a series after `numbers` (drawn from `first_body`)."""
    if numbers.shape[0] == 0:
        return first_body
    return int(numbers.astype(np.int64).max()) // 10 + 1


ISSUED_RANGES = ((4_000_000_000, 4_999_999_999), (6_000_000_000, 7_999_999_999))
"""Ranges from which NHS numbers are issued to patients in England, Wales and the Isle of Man
(NHS Digital, as summarised in Wikipedia's "NHS number", 2025: 400 000 000 to 499 999 999 and
600 000 000 to 799 999 999). Not issued here: 010 100 0000 to 311 299 9999 (Scotland's CHI
numbers), 320 000 001 to 399 999 999 (Northern Ireland's H&C numbers)."""

TEST_RANGE = (9_000_000_000, 9_999_999_999)
"""The 9 range: never issued to a patient, used for test and training data (NHS England's test
patients, the UK Core examples, joinedup's synthetic population)."""


def range_problem(nhs_number: str) -> str | None:
    """Why `nhs_number` cannot be a patient's NHS number, or None when it can.

    Ten digits, a correct Modulus 11 check digit, and within a range issued for England, Wales
    and the Isle of Man or the test range. Numbers in England's 3 range are refused too: part of
    it overlaps Scotland's CHI numbers, and no published list separates them.
    """
    if len(nhs_number) != 10 or not (nhs_number.isascii() and nhs_number.isdigit()):
        return "an NHS number has ten digits"
    if not is_valid(nhs_number):
        return "the NHS number's check digit (Modulus 11) is wrong"
    value = int(nhs_number)
    if any(low <= value <= high for low, high in (*ISSUED_RANGES, TEST_RANGE)):
        return None
    return "the NHS number is outside the ranges issued in England, Wales and the Isle of Man"
