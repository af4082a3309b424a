"""How UK names vary between records: normal form, parts, nicknames, sound-alike keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import jellyfish

_NOT_LETTER = re.compile(r"[^a-z ]+")
_SEPARATORS = re.compile(r"[\s\-]+")


@lru_cache(maxsize=200_000)
def normalise(name: str | None) -> str:
    """Lower case, no accents, no apostrophes or hyphens: "O'Brien-Wójcik" -> "obrien wojcik"."""
    if not name:
        return ""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    plain = _SEPARATORS.sub(" ", plain.replace("'", "").replace("\u2019", ""))
    return " ".join(_NOT_LETTER.sub("", plain).split())


@lru_cache(maxsize=200_000)
def compact(name: str | None) -> str:
    """The normal form without spaces, for whole-name comparison."""
    return normalise(name).replace(" ", "")


def parts(name: str | None) -> tuple[str, ...]:
    """The parts of a double-barrelled or multi-word name: "smith jones" -> ("smith", "jones")."""
    return tuple(normalise(name).split())


@lru_cache(maxsize=200_000)
def sound(name: str | None) -> str:
    """A metaphone key, so Thompson/Thomson and Hussain/Husain share a key."""
    flat = compact(name)
    return jellyfish.metaphone(flat) if flat else ""


def _load_nickname_groups() -> tuple[tuple[str, ...], ...]:
    text = resources.files("ffd_core.search").joinpath("data/nicknames.txt").read_text("utf-8")
    groups = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            groups.append(tuple(compact(word) for word in line.split()))
    return tuple(groups)


NICKNAME_GROUPS = _load_nickname_groups()
_GROUPS_OF: dict[str, frozenset[int]] = {}
for _index, _group in enumerate(NICKNAME_GROUPS):
    for _name in _group:
        _GROUPS_OF[_name] = _GROUPS_OF.get(_name, frozenset()) | {_index}


def nickname_groups(name: str | None) -> frozenset[int]:
    return _GROUPS_OF.get(compact(name), frozenset())


@lru_cache(maxsize=200_000)
def same_by_nickname(a: str | None, b: str | None) -> bool:
    """True when one name is a known short or long form of the other.

    Robert/Bob and Bob/Bobby, yes; Alfie/Freddie, no: both are short for Alfred but
    parents give them to different children, so two short forms must grow from each other.
    """
    a, b = compact(a), compact(b)
    for index in nickname_groups(a) & nickname_groups(b):
        formal = NICKNAME_GROUPS[index][0]
        if formal in (a, b) or a.startswith(b) or b.startswith(a):
            return True
    return False


def _load_groups(filename: str) -> dict[str, frozenset[int]]:
    text = resources.files("ffd_core.search").joinpath(f"data/{filename}").read_text("utf-8")
    groups: dict[str, frozenset[int]] = {}
    for index, line in enumerate(l for l in text.splitlines() if l.strip() and not l.startswith("#")):
        for word in line.split():
            groups[compact(word)] = groups.get(compact(word), frozenset()) | {index}
    return groups


_SPELLINGS_OF = _load_groups("spellings.txt")
# "Muhammad Ali" at home, "Ali" at school: the prefix is an honorific as often as a name.
MUHAMMAD_FORMS = frozenset(name for name, groups in _SPELLINGS_OF.items() if groups & _SPELLINGS_OF["mohammed"])


_DOUBLED = re.compile(r"(.)\1+")
_ENDING = re.compile(r"(ie|ey|ee|i|y)$")


@lru_cache(maxsize=200_000)
def spelling_key(name: str | None) -> str:
    """A forename as it sounds written plainly: Rosie/Rosy, Ralph/Ralf, Mollie/Molly alike,
    Lily and Lola not (vowels inside the name still count)."""
    flat = compact(name).replace("ph", "f").replace("ck", "k")
    return _ENDING.sub("y", _DOUBLED.sub(r"\1", flat))


@lru_cache(maxsize=200_000)
def same_by_spelling(a: str | None, b: str | None) -> bool:
    """True when the two are one forename spelt or transliterated another way."""
    if _SPELLINGS_OF.get(compact(a), frozenset()) & _SPELLINGS_OF.get(compact(b), frozenset()):
        return True
    key = spelling_key(a)
    return len(key) >= 3 and key == spelling_key(b)


def formal_forms(name: str | None) -> frozenset[str]:
    """The name itself and the formal name of each group it belongs to, normalised."""
    flat = compact(name)
    return frozenset({flat, *(NICKNAME_GROUPS[i][0] for i in _GROUPS_OF.get(flat, ()))})


def nicknames_of(name: str | None) -> tuple[str, ...]:
    """Every other name known to stand for this one, normalised."""
    flat = compact(name)
    return tuple(sorted({n for i in _GROUPS_OF.get(flat, ()) for n in NICKNAME_GROUPS[i]} - {flat}))
