import re
import textwrap
from html import unescape

import pytest
from jinja2 import UndefinedError

from ffd_core.domain.vocab import Outcome
from ffd_core.forms import default_config
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.yaml_source import parse_yaml
from ffd_core.templates import (
    REJECTION_REASONS,
    outcome_template,
    read_templates,
    rejection_template,
)


@pytest.fixture(scope="module")
def config():
    return default_config()


@pytest.fixture
def facts(config):
    return {
        **config.template_facts(),
        "reference": "FFD-2026-004711",
        "child_names": "Amy Smith",
        "referrer_name": "Sam Jones",
        "outcome": "passed to early help",
        "questions": ["Which school does Amy attend?"],
        "respond_by": "27/11/2026",
        "where_to_go": "adult social care",
    }


def all_template_ids():
    return (
        ["acknowledgement", "request_for_information"]
        + [outcome_template(o) for o in Outcome]
        + [rejection_template(r) for r in REJECTION_REASONS]
    )


def html_words(html: str) -> list[str]:
    return unescape(re.sub(r"<[^>]+>", " ", html)).split()


def text_words(text: str) -> list[str]:
    without_urls = re.sub(r" \(https://[^)]+\)", "", text)  # links show their address in text
    return re.sub(r"^- ", "", without_urls, flags=re.M).split()


@pytest.mark.parametrize("template_id", all_template_ids())
def test_every_template_renders_the_same_words_as_text_and_html(config, facts, template_id):
    message = config.templates.render(template_id, facts)
    assert "FFD-2026-004711" in message.subject
    assert "Sam Jones" in message.text and "Sam Jones" in message.html
    assert html_words(message.html) == text_words(message.text)


def test_acknowledgements_carry_the_urgent_help_text_with_the_edt_number(config, facts):
    message = config.templates.render("acknowledgement", facts)
    assert "call 999" in message.text
    assert config.council.edt_phone in message.text and config.council.edt_phone in message.html
    assert config.urgent_help_text in message.text


def test_rejection_below_threshold_links_the_guidance(config, facts):
    message = config.templates.render("rejection.below_threshold", facts)
    url = config.guidance.url()
    assert f'<a href="{url}">the threshold guidance</a>' in message.html
    assert f"the threshold guidance ({url})" in message.text


def test_facts_are_escaped_in_html_but_not_in_text(config, facts):
    facts["child_names"] = "Amy <script>alert(1)</script> & Ben"
    message = config.templates.render("acknowledgement", facts)
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "Amy <script>alert(1)</script> & Ben" in message.text


def test_questions_become_a_list(config, facts):
    facts["questions"] = ["Where does Amy live?", "Who has parental responsibility?"]
    message = config.templates.render("request_for_information", facts)
    assert "<li>Where does Amy live?</li><li>Who has parental responsibility?</li>" in message.html
    assert "- Where does Amy live?\n- Who has parental responsibility?" in message.text


def test_a_missing_fact_fails_loudly_instead_of_sending_a_blank(config, facts):
    del facts["reference"]
    with pytest.raises(UndefinedError):
        config.templates.render("acknowledgement", facts)


def test_unknown_rejection_reason_is_refused():
    with pytest.raises(KeyError):
        rejection_template("rude")


def minimal(acknowledgement_body: str) -> str:
    others = [t for t in all_template_ids() if t != "acknowledgement"]
    lines = [
        "version: 1",
        "urgent_help: Call 999. Out of hours call {{ edt_phone }}.",
        "outcome_words: {" + ", ".join(f"{o.value}: {o.label}" for o in Outcome) + "}",
        "templates:",
        "  acknowledgement:",
        "    subject: Received {{ reference }}",
        "    body: |",
    ]
    lines += ["      " + line for line in textwrap.dedent(acknowledgement_body).splitlines()]
    for template_id in others:
        lines += [
            f"  {template_id}:",
            "    subject: About {{ reference }}",
            "    body: Hello {{ referrer_name }}. {{ urgent_help }}",
        ]
    return "\n".join(lines) + "\n"


def read(text):
    # dotted keys stand for nested ones, which the reader also accepts flattened
    node, errors = parse_yaml(text, "templates.yaml")
    assert errors == []
    sink = ErrorSink("templates.yaml")
    return read_templates(node, sink), sink.errors


def test_a_minimal_file_with_every_template_reads():
    templates, errors = read(minimal("Dear {{ referrer_name }},\n\n{{ urgent_help }}"))
    assert errors == [] and set(templates.templates) == set(all_template_ids())


def test_an_unknown_placeholder_fails_at_check_time_on_its_line():
    _, errors = read(
        minimal("Dear {{ referrer_name }},\n\nYour ref is {{ referance }}.\n\n{{ urgent_help }}")
    )
    assert [(e.line, e.message) for e in errors] == [
        (10, "'acknowledgement' uses an unknown placeholder {{ referance }}")
    ]
    assert "did you mean 'reference'" in errors[0].hint


def test_a_placeholder_from_another_message_is_refused():
    _, errors = read(
        minimal("Dear {{ referrer_name }}, go to {{ where_to_go }}. {{ urgent_help }}")
    )
    assert "which this message does not have" in errors[0].message


def test_an_acknowledgement_without_urgent_help_is_refused():
    _, errors = read(minimal("Dear {{ referrer_name }}, thanks."))
    assert "must include {{ urgent_help }}" in errors[0].message


def test_a_template_syntax_error_names_its_line():
    _, errors = read(
        minimal("Dear {{ referrer_name }},\n\n{% if reference %}unclosed\n\n{{ urgent_help }}")
    )
    assert errors and "template error" in errors[0].message


def test_a_missing_template_is_reported():
    text = minimal("{{ urgent_help }}").replace(
        "  rejection.wrong_service:", "  rejection.wrong_servise:"
    )
    _, errors = read(text)
    messages = [e.message for e in errors]
    assert "there is no template called 'rejection.wrong_servise'" in messages
    assert "the template 'rejection.wrong_service' is missing" in messages


def test_the_configuration_fills_in_the_council_details(config):
    message = config.render(
        "acknowledgement", {"reference": "FFD-1", "child_names": "Amy", "referrer_name": "Sam"}
    )
    assert "Brackenshire County Council Family Front Door" in message.text
    assert message.text.rstrip().endswith(config.urgent_help_text)


def test_every_outcome_has_words_for_the_referrer(config, facts):
    for outcome in Outcome:
        words = config.templates.describe_outcome(outcome)
        message = config.render(outcome_template(outcome), {**facts, "outcome": words})
        assert words in message.text


def test_words_for_every_outcome_are_required():
    text = minimal("{{ urgent_help }}").replace("early_help: early help, ", "")
    _, errors = read(text)
    assert [e.message for e in errors] == ["'early_help' must be some text"]
    assert errors[0].line == 3
