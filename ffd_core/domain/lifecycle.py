"""The contact lifecycle, loaded from data, and the one function that says if a move is legal.

The edges live in ``ffd_core/data/lifecycle.yaml``; this module only interprets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ffd_core.domain.vocab import Role, Status
from ffd_core.errors import ConfigurationError, IllegalTransition, MissingInput

SAME = "same"


@dataclass(frozen=True)
class Edge:
    name: str
    sources: frozenset[Status]
    target: Status | None  # None: the status stays as it is
    roles: frozenset[Role]
    inputs: tuple[str, ...]
    owner_only: bool
    or_roles: frozenset[Role]
    target_when_sign_off: Status | None

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


@dataclass(frozen=True)
class Lifecycle:
    open_statuses: frozenset[Status]
    labels: Mapping[Status, str]
    edges: Mapping[str, Edge]

    def edge(self, name: str) -> Edge:
        try:
            return self.edges[name]
        except KeyError:
            raise ConfigurationError(f"the lifecycle has no edge called {name!r}") from None

    def check(self, name: str, *, status: Status, inputs: Mapping[str, Any]) -> Edge:
        """Return the edge if it may be taken from ``status`` with ``inputs``; else raise.
        Who may take it is the access policy's question (ffd_core.domain.access), asked
        before this one."""
        edge = self.edge(name)
        if status not in edge.sources:
            allowed = ", ".join(sorted(self.labels[s] for s in edge.sources))
            raise IllegalTransition(
                f"cannot {edge.label} a contact that is {self.labels[status].lower()}; "
                f"{edge.label} is allowed only from: {allowed.lower()}"
            )
        missing = [key for key in edge.inputs if _blank(inputs.get(key))]
        if missing:
            raise MissingInput(f"to {edge.label} a contact, give: {', '.join(missing)}")
        return edge

    def is_open(self, status: Status | str) -> bool:
        """Whether a contact in ``status`` is still being worked (the file's ``open:`` flags)."""
        return Status(status) in self.open_statuses

    def edges_from(self, status: Status | str, role: Role) -> list[Edge]:
        """The edges that leave ``status`` and that ``role`` is named on (the access policy
        still decides scope, e.g. owner only)."""
        status = Status(status)
        return [e for e in self.edges.values() if status in e.sources and role in e.roles]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False


def parse_lifecycle(document: Mapping[str, Any]) -> Lifecycle:
    try:
        statuses = {Status(name): spec for name, spec in document["statuses"].items()}
        edges = {}
        for name, spec in document["edges"].items():
            target = spec["to"]
            edges[name] = Edge(
                name=name,
                sources=frozenset(Status(s) for s in spec["from"]),
                target=None if target == SAME else Status(target),
                roles=frozenset(Role(r) for r in spec["roles"]),
                inputs=tuple(spec.get("inputs", ())),
                owner_only=bool(spec.get("owner_only", False)),
                or_roles=frozenset(Role(r) for r in spec.get("or_roles", ())),
                target_when_sign_off=(
                    Status(spec["to_when_sign_off"]) if "to_when_sign_off" in spec else None
                ),
            )
    except (KeyError, ValueError, TypeError) as error:
        raise ConfigurationError(f"the lifecycle definition is invalid: {error}") from error
    missing = set(Status) - set(statuses)
    if missing:
        raise ConfigurationError(f"the lifecycle does not declare: {', '.join(sorted(missing))}")
    return Lifecycle(
        open_statuses=frozenset(s for s, spec in statuses.items() if spec.get("open")),
        labels={s: spec.get("label", s.label) for s, spec in statuses.items()},
        edges=edges,
    )


@lru_cache(maxsize=1)
def default_lifecycle() -> Lifecycle:
    # The one screened YAML reader (no aliases, bounded nesting); imported here because the
    # forms package imports the domain.
    from ffd_core.forms.yaml_source import parse_yaml, plain

    source = resources.files("ffd_core.data").joinpath("lifecycle.yaml")
    document, errors = parse_yaml(source.read_text("utf-8"), str(source))
    if errors:
        raise ConfigurationError("; ".join(str(e) for e in errors))
    if not isinstance(document, Mapping):
        raise ConfigurationError(f"{source}: the lifecycle must be a mapping")
    return parse_lifecycle(plain(document))
