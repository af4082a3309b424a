"""Fill a form the way a careful referrer would: answer whatever is required, nothing else."""

from datetime import date, timedelta

from ffd_core.forms import FormDefinition, FormState, validate

VALUE_BY_TYPE = {
    "text": "Example",
    "long_text": "Example details.",
    "email": "sam.jones@school.example.org",
    "phone": "01632 960 001",
    "nhs_number": "943 476 5919",
    "checkbox": "yes",
}


def complete_answers(definition: FormDefinition, today: date, start: dict | None = None) -> dict:
    answers = dict(start or {})
    for section in definition.sections:
        if section.repeat and section.repeat.min and section.id not in answers:
            answers[section.id] = [{} for _ in range(section.repeat.min)]
    for _ in range(10):  # answering can reveal more required questions
        state = FormState(definition, answers, today)
        missing = [s for s in state.visible_slots() if state.required(s) and state.value(s) is None]
        if not missing:
            break
        for slot in missing:
            value = _value(slot.question, today)
            if slot.item is None:
                answers[slot.question.id] = value
            else:
                answers[slot.section.id][slot.item][slot.question.id] = value
    assert validate(definition, answers, today) == [], "example answers should be valid"
    return answers


def _value(question, today):
    if question.type == "date":
        return (
            today + timedelta(days=30) if question.must_be == "future" else date(2019, 5, 4)
        ).isoformat()
    if question.type in ("choice", "yes_no"):
        return (
            question.option_values[-1] if question.type == "yes_no" else question.option_values[0]
        )
    if question.type == "multi_choice":
        return [question.option_values[0]]
    return VALUE_BY_TYPE[question.type]
