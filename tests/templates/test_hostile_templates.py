"""A reply template written by someone hostile (or careless) with write access to the
council's configuration folder: it must never run code, never reach Python internals, and
never run away, and `ffd config check` must refuse it with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ffd_cli.main import cli
from ffd_core.forms import check_config_dir, default_config, export_defaults
from ffd_core.templates import MessageTemplate, TemplateSet
from ffd_core.templates.markup import MAX_OUTPUT, TemplateRefused

# The escape from issue 10: walk from a string to every class, find one whose module has
# the builtins, import os and run a shell command (here: create a marker file).
ESCAPE = (
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
    "{% if c.__name__ == 'catch_warnings' %}"
    "{{ c()._module.__builtins__['__import__']('os').popen('touch MARKER').read() }}"
    "{% endif %}{% endfor %}"
)
BODY_LINE = "      Dear {{ referrer_name }},\n"


@pytest.fixture
def council_dir(tmp_path: Path) -> Path:
    export_defaults(tmp_path / "council")
    return tmp_path / "council"


def put_in_acknowledgement(folder: Path, source: str) -> int:
    """Put ``source`` as the first line of the acknowledgement's body; return its line."""
    path = folder / "templates.yaml"
    text = path.read_text()
    at = text.index(BODY_LINE)
    path.write_text(text[:at] + "      " + source + "\n" + text[at:])
    return text[:at].count("\n") + 1


def test_the_sandbox_escape_is_refused_by_config_check_and_runs_nothing(council_dir, tmp_path):
    marker = tmp_path / "escaped"
    line = put_in_acknowledgement(council_dir, ESCAPE.replace("MARKER", str(marker)))
    errors = check_config_dir(council_dir)
    assert not marker.exists(), "the template ran a shell command"
    assert errors and all(Path(e.file).name == "templates.yaml" for e in errors)
    assert errors[0].line == line
    assert "may only go through a list placeholder" in errors[0].message
    result = CliRunner().invoke(cli, ["config", "check", str(council_dir)],
                                env={"FFD_DATABASE_URL": f"sqlite:///{tmp_path / 'no.sqlite'}"})
    assert result.exit_code == 1 and f"templates.yaml:{line}" in result.output
    assert "Configuration is valid" not in result.output
    assert not marker.exists()


def test_a_template_that_skipped_the_check_still_cannot_escape(tmp_path):
    marker = tmp_path / "escaped"
    source = ESCAPE.replace("MARKER", str(marker))
    templates = TemplateSet(1, "Call 999.", {"acknowledgement": MessageTemplate(
        "acknowledgement", "Hi", source)}, {})
    with pytest.raises(TemplateRefused, match="may only go through a list placeholder"):
        templates.render("acknowledgement", {"council_name": "x", "edt_phone": "1"})
    assert not marker.exists()


@pytest.mark.parametrize("source, message", [
    ("{{ ''.__class__.__mro__ }}", "attribute and item access"),
    ("{{ reference.upper() }}", "the only function a template may call is link"),
    ("{{ reference.__class__ }}", "attribute and item access"),
    ("{{ questions[0] }}", "attribute and item access"),
    ("{% for i in range(20000) %}{% for j in range(20000) %}x{% endfor %}{% endfor %}",
     "may only go through a list placeholder"),
    ("{% for q in questions %}{% for r in questions %}x{% endfor %}{% endfor %}",
     "inside another {% for %}"),
    ("{{ 'x' * 1000000000 }}", "'arithmetic' is not allowed"),
    ("{{ reference | center(1000000000) }}", "the filter 'center' is not allowed"),
    ("{{ reference | safe }}", "the filter 'safe' is not allowed"),
    ("{% set x = reference %}", "'{% set %}' is not allowed"),
    ("{% include 'other.txt' %}", "'{% include %}' is not allowed"),
    ("{% autoescape false %}{{ reference }}{% endautoescape %}", "'{% autoescape %}' is not allowed"),
    ("{{ lipsum(1000000) }}", "the only function a template may call is link"),
    ("{{ link('javascript:alert(1)', 'click') }}", "a link must start with https://"),
    ("{{ reference if reference else 'x' }}", "'if ... else inside {{ }}' is not allowed"),
])
def test_anything_beyond_text_placeholders_links_if_and_one_loop_is_refused_on_its_line(
        council_dir, source, message):
    line = put_in_acknowledgement(council_dir, source)
    errors = check_config_dir(council_dir)
    assert any(message in e.message and e.line == line for e in errors), errors


def test_what_a_council_needs_still_works(council_dir):
    put_in_acknowledgement(
        council_dir,
        "{% if referrer_name %}{{ referrer_name | upper }}{% endif %} "
        "{{ link('https://www.example.gov.uk/help', 'help') }}",
    )
    assert check_config_dir(council_dir) == []


def test_output_is_capped_while_it_streams():
    many = ["q" * 1000] * (MAX_OUTPUT // 1000 + 5)
    templates = TemplateSet(1, "Call 999.", {"request_for_information": MessageTemplate(
        "request_for_information", "Hi", "{% for q in questions %}- {{ q }}\n{% endfor %}")}, {})
    with pytest.raises(TemplateRefused, match="longer than"):
        templates.render("request_for_information",
                         {"questions": many, "council_name": "x", "edt_phone": "1"})


def test_a_message_sees_only_its_documented_placeholders():
    config = default_config()
    facts = {**config.template_facts(), "reference": "FFD-1", "child_names": "Amy",
             "referrer_name": "Sam", "password_hash": "secret"}
    sneaky = TemplateSet(1, "x", {"acknowledgement": MessageTemplate(
        "acknowledgement", "{{ password_hash }}", "x")}, {})
    with pytest.raises(Exception, match="password_hash"):
        sneaky.render("acknowledgement", facts)


def test_the_templates_own_words_are_escaped_in_html(council_dir):
    put_in_acknowledgement(council_dir, "<script>alert(1)</script> & more")
    from ffd_core.forms import load_config

    message = load_config(council_dir).render(
        "acknowledgement", {"reference": "FFD-1", "child_names": "Amy", "referrer_name": "Sam"})
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "<script>alert(1)</script> & more" in message.text
