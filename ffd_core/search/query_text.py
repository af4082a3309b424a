"""What an officer types in one box, as a person query: "Harry Ford BK2 3", "Mo Khan about 9",
"Amara Okafor 09/03/2015 girl", "Jay Smith 8-10 Oak Road", "Ali Musa 12 Larkrise Academy".

Recognised, in any order: a full postcode (with or without its space) or a partial one (an
outward code "BK2", a sector "BK2 3"); a date of birth (dd/mm/yyyy, mm/yyyy, yyyy, ISO); an
age ("9", "about 9", "aged 9", "9yo"), an age range ("8-10", "8 to 10"); a gender ("boy",
"girl", "male", "female", "m", "f"); a street ("Oak Road": the word before a street kind);
a school ("Larkrise Academy": the word before school, academy, college or primary). What
is left is the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ffd_core.search.addresses import ABBREVIATIONS, is_postcode, normal_postcode, partial_postcode
from ffd_core.search.search import PersonQuery

STREET_KINDS = frozenset({"road", "street", "lane", "close", "avenue", "drive", "way", "crescent",
                          "gardens", "terrace", "grove", "place", "view", "walk", "court", "square",
                          "rise", "row", "hill", "green", "mews"})
SCHOOL_WORDS = frozenset({"school", "academy", "college", "primary", "infants", "juniors"})
GENDERS = {"boy": "male", "male": "male", "m": "male", "girl": "female", "female": "female", "f": "female"}
ABOUT = frozenset({"about", "around", "approx", "approximately", "aged", "age", "roughly", "c", "ca"})
OLDEST = 25  # an age past this is a year or a house number, not a child's age

_DATE = re.compile(r"^(\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}[/.]\d{4}|\d{4}-\d{1,2}(-\d{1,2})?|\d{4})$")
_AGE = re.compile(r"^(\d{1,2})(?:yo|yrs?|y)?$")
_RANGE = re.compile(r"^(\d{1,2})\s*(?:-|to|–)\s*(\d{1,2})$")


@dataclass(frozen=True)
class _Words:
    words: list[str]

    def take(self, start: int, count: int) -> str:
        taken = " ".join(self.words[start:start + count])
        del self.words[start:start + count]
        return taken


def parse_person_query(text: str) -> PersonQuery | None:
    """The query in ``text``; None when nothing was typed."""
    text = " ".join(text.replace(",", " ").split())
    if not text:
        return None
    query = PersonQuery()
    text = _RANGE_SPACED.sub(lambda m: f"{m[1]}-{m[2]}", text)
    words = _Words(text.split())
    query = _postcode(words, query)
    query = _school(words, query)
    query = _street(words, query)
    index = 0
    while index < len(words.words):
        word = words.words[index]
        lower = word.lower()
        if query.date_of_birth is None and _DATE.match(word) and not (lower.isdigit() and len(lower) != 4):
            query = replace(query, date_of_birth=words.take(index, 1))
            continue
        about = lower in ABOUT and index + 1 < len(words.words)
        candidate = words.words[index + 1].lower() if about else lower
        ranged, single = _RANGE.match(candidate), _AGE.match(candidate)
        if query.age_from is None and ranged and int(ranged[1]) <= int(ranged[2]) <= OLDEST:
            words.take(index, 2 if about else 1)
            query = replace(query, age_from=int(ranged[1]), age_to=int(ranged[2]))
            continue
        if query.age_from is None and single and int(single[1]) <= OLDEST:
            age = int(single[1])
            words.take(index, 2 if about else 1)
            spread = 1 if about and lower != "aged" and lower != "age" else 0
            query = replace(query, age_from=max(0, age - spread), age_to=age + spread)
            continue
        if query.gender is None and lower in GENDERS and len(words.words) > 1:
            words.take(index, 1)
            query = replace(query, gender=GENDERS[lower])
            continue
        index += 1
    name = " ".join(words.words) or None
    query = replace(query, name=name)
    if not any((query.name, query.date_of_birth, query.postcode, query.age_from is not None,
                query.street, query.school)):
        return None
    return query


def parse_age(text: str) -> tuple[int, int]:
    """"9" -> (9, 9), "about 9" -> (8, 10), "8-10" or "8 to 10" -> (8, 10)."""
    query = parse_person_query(f"x {text}")
    if query is None or query.age_from is None or query.name != "x":
        raise ValueError(f"not an age: {text!r} (e.g. 9, about 9, 8-10)")
    return query.age_from, query.age_to if query.age_to is not None else query.age_from


_RANGE_SPACED = re.compile(r"\b(\d{1,2})\s+(?:-|to|–)\s+(\d{1,2})\b")


def _postcode(words: _Words, query: PersonQuery) -> PersonQuery:
    """A full postcode (one word or two), else a partial one; only the last in the text."""
    w = words.words
    for index in range(len(w) - 1, -1, -1):
        if index + 1 < len(w) and is_postcode(w[index] + w[index + 1]) and _looks_outward(w[index]):
            return replace(query, postcode=normal_postcode(words.take(index, 2)))
        if is_postcode(w[index]):
            return replace(query, postcode=normal_postcode(words.take(index, 1)))
    for index in range(len(w) - 1, -1, -1):
        if not _looks_outward(w[index]):
            continue
        if index + 1 < len(w) and w[index + 1].isdigit() and len(w[index + 1]) == 1:
            return replace(query, postcode=partial_postcode(words.take(index, 2)))
        return replace(query, postcode=partial_postcode(words.take(index, 1)))
    return query


def _looks_outward(word: str) -> bool:
    # Letters then a digit: "BK2", "bk11", "SW1A"; never a name or a number alone.
    return bool(re.match(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?$", word)) and partial_postcode(word) is not None


def _street(words: _Words, query: PersonQuery) -> PersonQuery:
    w = words.words
    for index in range(1, len(w)):
        kind = ABBREVIATIONS.get(w[index].lower().rstrip("."), w[index].lower())
        if kind in STREET_KINDS and w[index - 1].isalpha():
            start = index - 1
            street = " ".join([w[start], kind.capitalize()])
            words.take(start, 2)
            if start > 0 and w[start - 1].isdigit():
                words.take(start - 1, 1)  # the house number
            return replace(query, street=street)
    return query


def _school(words: _Words, query: PersonQuery) -> PersonQuery:
    w = words.words
    for index in range(1, len(w)):
        if w[index].lower() in SCHOOL_WORDS:
            end = index + 1
            while end < len(w) and w[end].lower() in SCHOOL_WORDS:
                end += 1
            # One word before it: a school is matched on part of its name ("Larkrise
            # Academy" finds "Larkrise Primary Academy"), and more would take the child's name.
            return replace(query, school=words.take(index - 1, end - index + 1))
    return query
