"""Check digits of the two national identifiers a child carries: NHS number and UPN."""

from __future__ import annotations

import unicodedata


def ascii_digits(value: str) -> str:
    """The value with every Unicode decimal digit (Arabic-Indic, full-width...) as 0-9, so it
    is stored and matched as typed elsewhere; superscripts and the like are left, and fail."""
    return "".join(ch if ch.isascii() else str(unicodedata.decimal(ch, ch)) for ch in value)


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit of an NHS number, or None when no valid digit exists."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_placeholder_nhs_number(digits: str) -> bool:
    """0000000000, 1111111111...: one digit ten times passes the check digit, but is what a
    system writes for "not known", shared by every child it was given to."""
    return len(digits) == 10 and len(set(digits)) == 1


def is_valid_nhs_number(value: str | None) -> bool:
    digits = ascii_digits((value or "").replace(" ", ""))
    return (len(digits) == 10 and _digits(digits) and not is_placeholder_nhs_number(digits)
            and nhs_check_digit(digits[:9]) == int(digits[9]))


UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S


def upn_check_letter(twelve: str) -> str:
    """DfE UPN check letter for the 12 characters after it (weights 2..13, modulus 23)."""
    total = sum(int(ch) * weight for weight, ch in enumerate(twelve, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(value: str | None) -> bool:
    value = ascii_digits((value or "").upper())
    return len(value) == 13 and _digits(value[1:]) and upn_check_letter(value[1:]) == value[0]
