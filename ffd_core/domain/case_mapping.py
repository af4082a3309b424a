"""How a decided child is laid out for the council's case system: field names and codes as
data (ffd_core/data/case_system.yaml, or the council's own file), so a council matches its
own case system without a code change. Which outcomes open a referral episode is data too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ffd_core.domain.vocab import Consent, LevelOfNeed, Outcome
from ffd_core.errors import ConfigurationError

# What the product can tell the case system about one decided child.
FACTS = frozenset({
    "reference", "channel", "received_at", "decided_at", "category", "concerns", "consent",
    "consent_reason", "outcome", "rationale", "level_of_need", "primary_need", "indicators",
    "officer", "referral_source_code", "referrer_agency", "child_name", "child_date_of_birth",
})
# Facts with a fixed vocabulary: a code list for one must give every value a code.
VOCABULARIES: Mapping[str, type[Enum]] = {
    "outcome": Outcome, "consent": Consent, "level_of_need": LevelOfNeed,
}


@dataclass(frozen=True)
class CaseSystemMapping:
    episode_for: frozenset[str]  # outcomes that open a referral episode
    default_referral_source_code: str  # when the referrer has no agency (a phone call...)
    contact: Mapping[str, str]  # case-system field -> fact
    episode: Mapping[str, str]
    codes: Mapping[str, Mapping[str, str]]  # fact -> value -> case-system code

    def opens_episode(self, outcome: str) -> bool:
        return outcome in self.episode_for

    def lay_out(self, facts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """(the contact record, the episode or None) for one child's facts."""
        contact = {name: self._value(fact, facts) for name, fact in self.contact.items()}
        if not self.opens_episode(str(facts.get("outcome"))):
            return contact, None
        return contact, {name: self._value(fact, facts) for name, fact in self.episode.items()}

    def _value(self, fact: str, facts: Mapping[str, Any]) -> Any:
        value = facts.get(fact)
        codes = self.codes.get(fact)
        return codes.get(str(value), value) if codes and value is not None else value


def parse_mapping(document: Any, where: str) -> CaseSystemMapping:
    """Every problem in one ConfigurationError, each naming the fix."""
    if not isinstance(document, Mapping):
        raise ConfigurationError(f"{where}: the case-system mapping must be a mapping")
    problems: list[str] = []
    unknown = sorted(set(document) - {"version", "episode_for", "default_referral_source_code",
                                       "contact", "episode", "codes"})
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}")
    sections = {}
    for section in ("contact", "episode"):
        fields = document.get(section) or {}
        if not isinstance(fields, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                      for k, v in fields.items()):
            problems.append(f"{section}: give field names and the fact each carries")
            fields = {}
        for name, fact in fields.items():
            if fact not in FACTS:
                problems.append(f"{section}.{name}: {fact!r} is not a fact; facts are: "
                                f"{', '.join(sorted(FACTS))}")
        sections[section] = dict(fields)
    if not sections["contact"]:
        problems.append("contact: name at least one field")
    episode_for = document.get("episode_for") or []
    outcomes = {o.value for o in Outcome}
    if not isinstance(episode_for, list) or any(o not in outcomes for o in episode_for):
        problems.append(f"episode_for: list outcomes from {', '.join(sorted(outcomes))}")
        episode_for = []
    codes = document.get("codes") or {}
    if not isinstance(codes, Mapping):
        problems.append("codes: give a code list per fact")
        codes = {}
    for fact, table in codes.items():
        if fact not in FACTS or not isinstance(table, Mapping):
            problems.append(f"codes.{fact}: not a fact with a code list")
            continue
        vocabulary = VOCABULARIES.get(fact)
        missing = sorted({v.value for v in vocabulary} - set(table)) if vocabulary else []
        if missing:
            problems.append(f"codes.{fact}: give a code for {', '.join(missing)} too")
    source = document.get("default_referral_source_code", "9")
    if problems:
        raise ConfigurationError(f"{where}: " + "; ".join(problems))
    return CaseSystemMapping(
        episode_for=frozenset(episode_for), default_referral_source_code=str(source),
        contact=sections["contact"], episode=sections["episode"],
        codes={fact: {str(k): str(v) for k, v in table.items()} for fact, table in codes.items()})


@lru_cache(maxsize=4)
def load_mapping(path: str = "") -> CaseSystemMapping:
    """The council's mapping file, or the bundled one; screened like every YAML we read."""
    from ffd_core.forms.yaml_source import load_yaml, parse_yaml, plain

    if path:
        document, errors = load_yaml(Path(path).expanduser())
        where = path
    else:
        source = resources.files("ffd_core.data").joinpath("case_system.yaml")
        document, errors = parse_yaml(source.read_text("utf-8"), str(source))
        where = str(source)
    if errors:
        raise ConfigurationError("; ".join(str(e) for e in errors))
    return parse_mapping(plain(document), where)
