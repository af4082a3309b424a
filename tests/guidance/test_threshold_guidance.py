import textwrap

import pytest

from ffd_core.domain.vocab import LevelOfNeed
from ffd_core.forms import default_config
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.yaml_source import parse_yaml
from ffd_core.guidance import read_guidance


@pytest.fixture(scope="module")
def guidance():
    return default_config().guidance


def test_four_levels_in_order_each_with_indicators_grouped_by_domain(guidance):
    assert [lv.level for lv in guidance.levels] == list(LevelOfNeed)
    assert [d.id for d in guidance.domains] == [
        "child_development",
        "parenting_capacity",
        "family_and_environment",
    ]
    for level in guidance.levels:
        grouped = level.by_domain(guidance.domains)
        assert sum(len(found) for _, found in grouped) == len(level.indicators)
        assert all(i.domain == d.id for d, found in grouped for i in found)


def test_indicator_ids_are_unique_and_found_by_id(guidance):
    ids = [i.id for i in guidance.indicators()]
    assert len(ids) == len(set(ids))
    assert guidance.indicator("L4-CD-01").level is LevelOfNeed.ACUTE


def test_every_category_of_concern_has_guidance_to_show(guidance):
    cfc = default_config().forms["cause_for_concern"]
    for option in cfc.categories:
        if option.value != "other":
            assert guidance.for_category(option.value), option.value


def test_guidance_for_domestic_abuse_runs_from_early_help_to_acute(guidance):
    shown = guidance.for_category("domestic_abuse")
    assert [level.level for level, _ in shown] == [
        LevelOfNeed.ADDITIONAL,
        LevelOfNeed.COMPLEX,
        LevelOfNeed.ACUTE,
    ]
    assert "L4-FE-01" in [i.id for _, found in shown for i in found]


def test_each_section_has_a_public_url(guidance):
    base = "https://www.example.gov.uk/family-front-door/threshold-guidance"
    assert guidance.url() == base
    assert guidance.url(LevelOfNeed.COMPLEX) == base + "#complex"
    assert (
        guidance.url(LevelOfNeed.ACUTE, "parenting_capacity") == base + "#acute-parenting-capacity"
    )
    assert guidance.indicator_url("L2-FE-01") == base + "#l2-fe-01"


def test_citations_of_unknown_indicators_are_found(guidance):
    assert guidance.unknown_indicators(["L4-CD-01", "L9-XX-99"]) == ["L9-XX-99"]


GUIDANCE = """\
version: 1
base_url: https://example.org/guidance
domains:
  - {id: child_development, title: Child}
levels:
  - level: universal
    number: 1
    title: One
    summary: Fine
    indicators:
      - {id: L1-CD-01, domain: child_development, text: Well}
  - level: additional
    number: 2
    title: Two
    summary: Some needs
    indicators:
      - {id: L2-CD-01, domain: child_development, text: Delay, categories: [neglect]}
  - level: complex
    number: 3
    title: Three
    summary: More
    indicators:
      - {id: L3-CD-01, domain: child_development, text: Missing school}
  - level: acute
    number: 4
    title: Four
    summary: Harm
    indicators:
      - {id: L4-CD-01, domain: child_development, text: Injury}
"""


def read(text, categories=("neglect",)):
    node, _ = parse_yaml(textwrap.dedent(text), "thresholds.yaml")
    sink = ErrorSink("thresholds.yaml")
    return read_guidance(node, sink, categories), sink.errors


def test_a_minimal_guidance_file_reads():
    guidance, errors = read(GUIDANCE)
    assert errors == [] and len(guidance.indicators()) == 4


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("categories: [neglect]", "categories: [neglekt]", 17, "tagged with category 'neglekt'"),
        (
            "domain: child_development, text: Injury",
            "domain: child, text: Injury",
            29,
            "names domain 'child'",
        ),
        ("level: acute", "level: severe", 24, "unknown level 'severe'"),
        (
            "base_url: https://example.org/guidance",
            "base_url: http://example.org/guidance",
            2,
            "https://",
        ),
        ("{id: L3-CD-01,", "{id: L2-CD-01,", 23, "used twice"),
    ],
)
def test_mistakes_name_their_line(old, new, line, message):
    _, errors = read(GUIDANCE.replace(old, new))
    assert any(e.line == line and message in e.message for e in errors), errors
