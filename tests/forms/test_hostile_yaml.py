"""Hostile or careless YAML: every file the product reads is refused with file:line, quickly
and without a RecursionError, when it holds an alias bomb, deep nesting, a custom tag, or is
huge or not text. (Each of these hung the loader for minutes or crashed it before.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from ffd_core.forms import ConfigInvalid, check_config_dir, export_defaults, load_config
from ffd_core.forms.condition_syntax import parse_condition
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.yaml_source import load_yaml
from ffd_core.search.csv_import import load_mapping


def alias_bomb(levels: int) -> str:
    """The "billion laughs": each level is a list of ten of the level before."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def council_dir(tmp_path: Path) -> Path:
    export_defaults(tmp_path / "council")
    return tmp_path / "council"


def only_error(errors):  # noqa: ANN001, ANN201
    assert len(errors) == 1, errors
    return errors[0]


def test_an_alias_bomb_in_council_yaml_is_refused_at_its_first_anchor(council_dir):
    path = council_dir / "council.yaml"
    path.write_text('name: Oakfield Council\nedt_phone: "0300 123 4567"\n' + alias_bomb(8))
    error = only_error(check_config_dir(council_dir))
    assert (Path(error.file), error.line) == (path, 3)
    assert "anchors (&name) and aliases (*name) are not allowed" in error.message
    with pytest.raises(ConfigInvalid, match=r"council\.yaml:3: anchors"):
        load_config(council_dir)


def test_an_alias_bomb_in_an_import_mapping_is_refused(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("source_id: ID\ngiven_name: FORENAME\n" + alias_bomb(9))
    with pytest.raises(ConfigInvalid, match=rf"{path}:3: anchors"):
        load_mapping(path)


def test_a_single_alias_is_refused_too(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("base: &base {a: 1}\nother:\n  <<: *base\n")
    error = only_error(load_yaml(path)[1])
    assert error.line == 1 and "anchors" in error.message


def test_three_thousand_nested_brackets_are_refused_not_a_recursion_error(council_dir):
    path = council_dir / "thresholds.yaml"
    path.write_text("version: 1\ndomains: " + "[" * 3000 + "]" * 3000 + "\n")
    error = only_error(check_config_dir(council_dir))
    assert (Path(error.file), error.line) == (path, 2)
    assert "nested more than 20 deep" in error.message


def test_four_hundred_nested_nots_in_a_rule_are_refused_with_the_line(council_dir):
    path = council_dir / "priority_rules.yaml"
    text = path.read_text()
    marker = "rules:\n"
    nested = "".join("  " * (i + 2) + "not:\n" for i in range(400))
    bad_rule = (
        "  - id: deep\n    reason: deep\n    then: {raise: 1}\n    when:\n"
        + nested
        + "  " * 402
        + "{answer: missing_now, equals: 'yes'}\n"
    )
    line = text[: text.index(marker)].count("\n") + 2
    path.write_text(text.replace(marker, marker + bad_rule, 1))
    error = only_error(check_config_dir(council_dir))
    assert Path(error.file) == path and error.line is not None and error.line > line
    assert "nested more than 20 deep" in error.message


def test_a_deep_condition_from_a_snapshot_is_refused_not_a_recursion_error():
    condition: dict = {"question": "a", "equals": "yes"}
    for _ in range(400):
        condition = {"not": condition}
    sink = ErrorSink("snapshot")
    assert parse_condition(condition, sink, ("question",)) is None
    assert "conditions are nested more than 8 deep" in sink.errors[0].message


def test_conditions_up_to_the_bound_still_read():
    condition: dict = {"question": "a", "equals": "yes"}
    for _ in range(8):
        condition = {"not": condition}
    sink = ErrorSink("rules.yaml")
    assert parse_condition(condition, sink, ("question",)) is not None and not sink.errors


def test_custom_tags_are_refused(council_dir):
    path = council_dir / "council.yaml"
    path.write_text('name: !!python/object:os.system "echo hi"\nedt_phone: "0300 123 4567"\n')
    error = only_error(check_config_dir(council_dir))
    assert error.line == 1 and "tag" in error.message


def test_a_huge_file_is_refused_without_reading_it_all(council_dir):
    path = council_dir / "council.yaml"
    path.write_text("name: x\n# " + "a" * 2_000_000 + "\n")
    error = only_error(check_config_dir(council_dir))
    assert "larger than 1 MB" in error.message


def test_a_file_that_is_not_text_says_so(council_dir):
    (council_dir / "council.yaml").write_bytes(b"name: \xff\xfe\x00binary\n")
    error = only_error(check_config_dir(council_dir))
    assert "not UTF-8 text" in error.message and error.hint == "save it as UTF-8 text"


def test_a_mapping_whose_date_format_is_not_text_is_a_clear_error(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("source_id: ID\ngiven_name: FORENAME\nfamily_name: SURNAME\ndate_format: 5\n")
    with pytest.raises(ConfigInvalid, match="date_format must be text in quotes, not 5"):
        load_mapping(path)


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "priority_rules.yaml",
            "recent_contacts_window_days: 91",
            "recent_contacts_window_days: 100000000000000000000",
            "'recent_contacts_window_days' must be a whole number from 1 to 3650",
        ),
        ("priority_rules.yaml", "then: {raise: 1}", "then: {raise: 99}", "from 1 to 3"),
        ("cfc.yaml", "max_length: 13", "max_length: 10000000000", "from 1 to 100000"),
        ("cfc.yaml", "min: 1, max: 10}", "min: 1, max: 1000000}", "'max' must be a whole number"),
        ("cfc.yaml", "version: 1", "version: 99999999999", "'version' must be a whole number"),
        ("thresholds.yaml", "number: 4", "number: 40", "'number' must be a whole number from 1 to 4"),
        ("priority_rules.yaml", "age_under: 1}", "age_under: .inf}", "needs a number from 0 to 120"),
    ],
)
def test_every_number_in_the_rules_is_bounded(council_dir, file, old, new, message):
    path = council_dir / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    errors = check_config_dir(council_dir)
    assert any(message in e.message and Path(e.file) == path and e.line for e in errors), errors


def test_forms_dir_that_is_missing_or_a_file_refuses_instead_of_using_the_bundled_rules(tmp_path):
    with pytest.raises(ConfigInvalid, match="this folder does not exist"):
        load_config(tmp_path / "nowhere")
    (tmp_path / "cfc.yaml").write_text("form_id: x\n")
    with pytest.raises(ConfigInvalid, match="this is a file, not a folder"):
        load_config(tmp_path / "cfc.yaml")
