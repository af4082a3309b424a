"""Addresses and postcodes in comparable form: "bk114tf" is BK11 4TF, "12 Oak Rd" is
"12 Oak Road", "Flat 2, 12 Oak Road" and "2/12 Oak Road" are one home."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A UK postcode: outward code (area, district) and inward code (sector digit, unit letters).
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d)$")

ABBREVIATIONS = {
    "rd": "road", "st": "street", "str": "street", "ln": "lane", "cl": "close", "ave": "avenue",
    "av": "avenue", "dr": "drive", "cres": "crescent", "cresc": "crescent", "gdns": "gardens",
    "tce": "terrace", "terr": "terrace", "gr": "grove", "gro": "grove", "pl": "place", "ct": "court",
    "sq": "square", "wk": "walk", "pk": "park", "hse": "house", "mt": "mount", "grn": "green",
}
FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room"})
_WORD = re.compile(r"[a-z0-9]+")
_FLAT_SLASH = re.compile(r"\b(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b")


def normal_postcode(value: str | None) -> str:
    """Upper case with one space before the inward code, typed with or without it."""
    flat = "".join((value or "").upper().split())
    found = _POSTCODE.match(flat)
    return f"{found[1]} {found[2]}" if found else " ".join((value or "").upper().split())


def is_postcode(value: str) -> bool:
    return bool(_POSTCODE.match("".join(value.upper().split())))


def partial_postcode(value: str) -> str | None:
    """An outward code ("BK2") or a sector ("BK2 3", "bk23"), upper case; else None."""
    text = " ".join(value.upper().split())
    if _OUTWARD.match(text) and not text.isalpha():
        return text
    found = _SECTOR.match(text)
    return f"{found[1]} {found[2]}" if found else None


@dataclass(frozen=True, slots=True)
class Home:
    """A normalised address: the home (flat, house, street) and the street alone."""

    home: str
    street: str


NO_HOME = Home("", "")


@lru_cache(maxsize=200_000)
def home(line1: str | None, line2: str | None = None) -> Home:
    """"Flat 2, 12 Oak Rd" -> Home("2|12|oak road", "oak road")."""
    text = ", ".join(x for x in (line1, line2) if x).lower()
    if not text.strip():
        return NO_HOME
    flat = ""
    slash = _FLAT_SLASH.search(text)
    if slash:  # "2/12 Oak Road": flat 2 of number 12
        flat, text = slash[1], text[:slash.start()] + slash[2] + text[slash.end():]
    house, street = "", ""
    for segment in text.split(","):
        words = [ABBREVIATIONS.get(w, w) for w in _WORD.findall(segment)]
        kept: list[str] = []
        index = 0
        while index < len(words):
            word = words[index]
            if word in FLAT_WORDS and index + 1 < len(words):
                flat, index = words[index + 1], index + 2
                continue
            kept.append(word)
            index += 1
        numbers = [i for i, w in enumerate(kept) if any(ch.isdigit() for ch in w)]
        if numbers and not house:
            if len(numbers) > 1 and not flat:
                flat = kept[numbers[0]]  # "2 12 Oak Road"
            house = kept[numbers[-1]]
            street = " ".join(w for w in kept[numbers[-1] + 1:] if w.isalpha()) or street
        elif not street and kept:
            street = " ".join(w for w in kept if w.isalpha())
        if house and street:
            break
    return Home(f"{flat}|{house}|{street}" if house else "", street)
