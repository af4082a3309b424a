"""Build a FormDefinition from YAML, checking it against the schema as it goes.

Every problem is reported with its line (when the source has lines) and a fix hint; a
definition is only returned when there were none. Snapshots go through the same reader,
so a snapshot and the YAML it came from can never disagree about what is valid.
"""

from __future__ import annotations

import re
from typing import Any

from ffd_core.domain.vocab import ContactKind

from .condition_syntax import parse_condition
from .conditions import Condition
from .errors import ConfigError, ErrorSink
from .form_references import check_references
from .model import (
    CHOICE_TYPES,
    FIXED_OPTIONS,
    QUESTION_TYPES,
    FormDefinition,
    Option,
    Question,
    Repeat,
    Section,
)
from .reading import MAX_VERSION, NodeReader, suggest
from .yaml_source import line_of, plain

# Option values may follow an outside code list, such as the census ethnicity codes (WBRI).
VALUE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
FORM_KEYS = {"form_id", "version", "kind", "title", "description", "category_question", "sections"}
SECTION_KEYS = {"id", "title", "description", "show_when", "repeat", "questions"}
QUESTION_KEYS = {
    "id",
    "type",
    "label",
    "hint",
    "options",
    "required",
    "required_when",
    "show_when",
    "error_name",
    "errors",
    "must_be",
    "max_length",
}
OPTION_KEYS = {"value", "label", "hint"}
REPEAT_KEYS = {"item_label", "min", "max"}
SUBJECTS = ("question",)
# Bounds on the numbers a form sets: the longest free-text answer, and how many items
# (children, adults) a repeating section may hold.
MAX_TEXT_LENGTH = 100_000
MAX_REPEAT = 50


def read_definition(node: Any, sink: ErrorSink) -> FormDefinition | None:
    before = len(sink.errors)
    reader = _Reader(sink)
    definition = reader.form(node)
    if definition is not None:
        check_references(definition, reader.lines, sink)
    return definition if len(sink.errors) == before else None


def definition_from_data(data: dict[str, Any]) -> FormDefinition:
    sink = ErrorSink("snapshot")
    definition = read_definition(data, sink)
    if definition is None:
        raise ValueError("invalid form snapshot: " + "; ".join(str(e) for e in sink.errors))
    return definition


class _Reader(NodeReader):
    def __init__(self, sink: ErrorSink) -> None:
        super().__init__(sink)
        self.lines: dict[str, int | None] = {}  # id -> line, for cross-reference errors
        self.id_lines: dict[str, list[int | None]] = {}  # every line an id is declared on

    def form(self, node: Any) -> FormDefinition | None:
        if not self.mapping(node, FORM_KEYS, "the form", None):
            return None
        form_id = self.ident(node, "form_id")
        version = self.integer(node, "version", 1, MAX_VERSION, required=True)
        kind = self._kind(node)
        title = self.text(node, "title", required=True)
        sections_node = node.get("sections")
        if not isinstance(sections_node, list) or not sections_node:
            self.sink.add(
                line_of(node, "sections") or line_of(node), "the form needs a list of sections"
            )
            return None
        sections = [self.section(s, line_of(sections_node, i)) for i, s in enumerate(sections_node)]
        if None in (form_id, version, kind, title) or any(s is None for s in sections):
            return None
        self._unique_ids()
        category = plain(node.get("category_question")) or None
        self.lines[".category_question"] = line_of(node, "category_question")
        return FormDefinition(
            form_id=form_id,
            version=version,
            kind=kind,
            title=title,
            description=self.text(node, "description") or "",
            sections=tuple(sections),
            category_question=category,
        )

    def section(self, node: Any, line: int | None) -> Section | None:
        if not self.mapping(node, SECTION_KEYS, "a section", line):
            return None
        section_id = self.ident(node, "id")
        title = self.text(node, "title", required=True)
        questions_node = node.get("questions")
        if not isinstance(questions_node, list) or not questions_node:
            self.sink.add(
                line_of(node, "questions") or line_of(node), "a section needs a list of questions"
            )
            return None
        questions = [
            self.question(q, line_of(questions_node, i)) for i, q in enumerate(questions_node)
        ]
        show_when = self._condition(node, "show_when", section_id)
        repeat = self._repeat(node)
        if section_id is None or title is None or any(q is None for q in questions):
            return None
        self._declared(section_id, line_of(node, "id"))
        return Section(
            id=section_id,
            title=title,
            description=self.text(node, "description") or "",
            questions=tuple(questions),
            show_when=show_when,
            repeat=repeat,
        )

    def question(self, node: Any, line: int | None) -> Question | None:
        if not self.mapping(node, QUESTION_KEYS, "a question", line):
            return None
        before = len(self.sink.errors)
        question_id = self.ident(node, "id")
        qtype = plain(node.get("type"))
        if qtype not in QUESTION_TYPES:
            self.sink.add(
                line_of(node, "type") or line_of(node),
                f"question '{question_id}' has type {qtype!r}",
                "use one of: " + ", ".join(QUESTION_TYPES) + suggest(qtype, QUESTION_TYPES),
            )
        label = self.text(node, "label", required=True)
        options = self._options(node, qtype)
        required = plain(node.get("required"))
        if required not in (None, True, False):
            self.sink.add(line_of(node, "required"), "'required' takes true or false")
        required_when = self._condition(node, "required_when", question_id)
        if required and required_when is not None:
            self.sink.add(
                line_of(node, "required_when"),
                "a question cannot have both 'required: true' and 'required_when'",
                "keep 'required_when' if it is only sometimes required",
            )
        errors = self._messages(node)
        must_be = plain(node.get("must_be")) or ""
        if must_be and (must_be not in ("past", "future") or qtype != "date"):
            self.sink.add(
                line_of(node, "must_be"), "'must_be' is for date questions and takes past or future"
            )
        max_length = self.integer(node, "max_length", 1, MAX_TEXT_LENGTH)
        show_when = self._condition(node, "show_when", question_id)
        if len(self.sink.errors) != before or question_id is None:
            return None
        self._declared(question_id, line_of(node, "id"))
        return Question(
            id=question_id,
            type=qtype,
            label=label,
            hint=self.text(node, "hint") or "",
            options=options,
            required=bool(required),
            required_when=required_when,
            show_when=show_when,
            error_name=self.text(node, "error_name") or "",
            errors=errors,
            must_be=must_be,
            max_length=max_length,
        )

    def _kind(self, node: dict) -> ContactKind | None:
        value = plain(node.get("kind"))
        try:
            return ContactKind(value)
        except ValueError:
            self.sink.add(
                line_of(node, "kind") or line_of(node),
                f"'kind' is {value!r}",
                "use " + " or ".join(k.value for k in ContactKind),
            )
            return None

    def _options(self, node: dict, qtype: Any) -> tuple[Option, ...]:
        raw = node.get("options")
        if qtype in FIXED_OPTIONS:
            if raw:
                self.sink.add(
                    line_of(node, "options"),
                    f"a {qtype} question has fixed options",
                    "remove 'options' or use type: choice",
                )
            return tuple(Option(v, label) for v, label in FIXED_OPTIONS[qtype])
        if qtype not in CHOICE_TYPES:
            if raw:
                self.sink.add(
                    line_of(node, "options"),
                    f"a {qtype} question takes no options",
                    "use type: choice",
                )
            return ()
        if not isinstance(raw, list) or len(raw) < 2:
            self.sink.add(
                line_of(node, "options") or line_of(node),
                "a choice question needs a list of at least two options",
            )
            return ()
        options, seen = [], set()
        for i, item in enumerate(raw):
            if not self.mapping(item, OPTION_KEYS, "an option", line_of(raw, i)):
                continue
            value = self.ident(item, "value", VALUE_PATTERN)
            label = self.text(item, "label", required=True)
            if value is not None and value in seen:
                self.sink.add(line_of(item, "value"), f"option '{value}' appears twice")
            seen.add(value)
            if value and label:
                options.append(Option(value, label, self.text(item, "hint") or ""))
        return tuple(options)

    def _messages(self, node: dict) -> tuple[tuple[str, str], ...]:
        raw = node.get("errors")
        if not raw:
            return ()
        if not isinstance(raw, dict) or set(raw) - {"required", "invalid"}:
            self.sink.add(
                line_of(node, "errors"), "'errors' may only set 'required' and 'invalid' messages"
            )
            return ()
        return tuple(sorted((k, str(plain(v))) for k, v in raw.items()))

    def _repeat(self, node: dict) -> Repeat | None:
        raw = node.get("repeat")
        if raw is None:
            return None
        if not self.mapping(raw, REPEAT_KEYS, "'repeat'", line_of(node, "repeat")):
            return None
        label = self.text(raw, "item_label", required=True)
        low = self.integer(raw, "min", 0, MAX_REPEAT)
        high = self.integer(raw, "max", 1, MAX_REPEAT)
        low = 1 if low is None else low
        high = 10 if high is None else high
        if low > high:
            self.sink.add(line_of(node, "repeat"), "'repeat' has min greater than max")
            return None
        return Repeat(label, low, high) if label else None

    def _condition(self, node: dict, key: str, owner: str | None) -> Condition | None:
        raw = node.get(key)
        if raw is None:
            return None
        self.lines[f"{owner}.{key}"] = line_of(node, key)
        return parse_condition(raw, self.sink, SUBJECTS, line_of(node, key))

    def _declared(self, item_id: str, line: int | None) -> None:
        self.lines.setdefault(item_id, line)
        self.id_lines.setdefault(item_id, []).append(line)

    def _unique_ids(self) -> None:
        for item_id, lines in self.id_lines.items():
            for line in lines[1:]:
                self.sink.add(
                    line,
                    f"the id '{item_id}' is used twice",
                    "question and section ids must be unique in the form; answers are stored by id",
                )


__all__ = ["read_definition", "definition_from_data", "ConfigError"]
