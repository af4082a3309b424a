from pathlib import Path

import pytest

from ffd_core.domain.vocab import ContactKind
from ffd_core.forms import (
    CONFIG_FILES,
    ConfigInvalid,
    check_config_dir,
    default_config,
    export_defaults,
    load_config,
)


@pytest.fixture
def council_dir(tmp_path: Path) -> Path:
    export_defaults(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once and return the 1-based line it was on."""
    text = path.read_text()
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    return line


def test_the_bundled_defaults_are_valid():
    assert check_config_dir(None) == []
    assert set(default_config().forms) == set(ContactKind)


def test_export_writes_every_file_and_the_copy_checks_clean(council_dir):
    assert sorted(p.name for p in council_dir.iterdir()) == sorted(CONFIG_FILES)
    assert check_config_dir(council_dir) == []


def test_export_will_not_overwrite_a_councils_edits(council_dir):
    with pytest.raises(FileExistsError):
        export_defaults(council_dir)
    assert export_defaults(council_dir, overwrite=True)


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "cfc.yaml",
            "        type: yes_no\n        label: Did the police attend?",
            "        type: yesno\n        label: Did the police attend?",
            "has type 'yesno'",
        ),
        (
            "cfc.yaml",
            "show_when: {question: category, equals: missing_child}",
            "show_when: {question: category, equals: missing}",
            "not one of its options",
        ),
        (
            "rfi.yaml",
            "required_when: {question: legal_basis, equals: court_order}",
            "required_when: {question: legal_basis, equal: court_order}",
            "unknown word 'equal'",
        ),
        (
            "thresholds.yaml",
            'domain: parenting_capacity, text: "Severe neglect',
            'domain: parenting, text: "Severe neglect',
            "names domain 'parenting'",
        ),
        (
            "priority_rules.yaml",
            '{answer: missing_now, equals: "yes"}',
            '{answer: missing_today, equals: "yes"}',
            "no form asks a question with id 'missing_today'",
        ),
        ("priority_rules.yaml", "then: {raise: 1}", "then: {raise: 0}", "from 1 to 3"),
        (
            "templates.yaml",
            "Your reference is {{ reference }}.",
            "Your reference is {{ referance }}.",
            "unknown placeholder {{ referance }}",
        ),
        (
            "council.yaml",
            "edt_phone: 01632 960 000",
            "edt_phone: 01632960000",
            "must be a telephone number",
        ),
        (
            "cfc.yaml",
            "    title: What happened\n",
            "    title: What happened\n   oops: [\n",
            "not valid YAML",
        ),
    ],
)
def test_a_broken_copy_reports_the_right_file_and_line(council_dir, file, old, new, message):
    line = edit(council_dir / file, old, new)
    errors = check_config_dir(council_dir)
    assert errors, "the mistake should be found"
    matching = [e for e in errors if message in e.message]
    assert matching, errors
    assert Path(matching[0].file) == council_dir / file
    assert matching[0].line is not None and abs(matching[0].line - line) <= 1, (matching[0], line)
    assert f"{file}:{matching[0].line}" in str(matching[0])


def test_a_council_directory_overrides_only_the_files_it_holds(tmp_path):
    (tmp_path / "council.yaml").write_text('name: Oakfield Council\nedt_phone: "0300 123 4567"\n')
    config = load_config(tmp_path)
    assert config.council.name == "Oakfield Council"
    assert "0300 123 4567" in config.urgent_help_text
    assert config.form(ContactKind.CAUSE_FOR_CONCERN) == default_config().form(
        ContactKind.CAUSE_FOR_CONCERN
    )
    assert config.sources["council.yaml"] == tmp_path / "council.yaml"


def test_the_product_refuses_to_start_on_an_invalid_directory_and_names_the_error(council_dir):
    line = edit(council_dir / "cfc.yaml", "max_length: 13", "max_length: lots")
    with pytest.raises(ConfigInvalid) as refused:
        load_config(council_dir)
    assert f"cfc.yaml:{line}" in str(refused.value)
    assert "'max_length' must be a whole number" in str(refused.value)


def test_a_stray_or_misnamed_file_is_reported(council_dir):
    (council_dir / "cfc.yml").write_text("form_id: x\n")
    (council_dir / "notes.txt").write_text("not config")
    errors = check_config_dir(council_dir)
    assert [Path(e.file).name for e in errors] == ["cfc.yml"]
    assert "did you mean 'cfc.yaml'" in errors[0].hint


def test_a_missing_directory_is_an_error_not_a_crash(tmp_path):
    errors = check_config_dir(tmp_path / "nowhere")
    assert "does not exist" in errors[0].message


def test_a_form_whose_content_changed_without_a_new_version_is_refused(council_dir):
    cfc = default_config().form(ContactKind.CAUSE_FOR_CONCERN)
    used = {(cfc.form_id, 1): cfc.content_hash}
    assert check_config_dir(council_dir, used) == []

    edit(
        council_dir / "cfc.yaml", "label: Did the police attend?", "label: Were the police called?"
    )
    errors = check_config_dir(council_dir, used)
    assert [(Path(e.file).name, e.line) for e in errors] == [("cfc.yaml", 5)]
    assert "changed but its version is still 1" in errors[0].message
    assert "version: 2" in errors[0].hint

    edit(council_dir / "cfc.yaml", "version: 1", "version: 2")
    assert check_config_dir(council_dir, used) == []


def test_a_version_older_than_one_already_used_is_refused(council_dir):
    used = {("cause_for_concern", 3): "0" * 64}
    errors = check_config_dir(council_dir, used)
    assert "older than version 3" in errors[0].message


def test_the_kind_of_form_must_match_its_file(council_dir):
    edit(council_dir / "rfi.yaml", "kind: request_for_information", "kind: cause_for_concern")
    errors = check_config_dir(council_dir)
    assert any("must hold the request for information form" in e.message for e in errors)


@pytest.mark.parametrize(
    "package", ["ffd_core.guidance", "ffd_core.priority", "ffd_core.templates", "ffd_core.forms"]
)
def test_each_package_imports_on_its_own_without_front_ends(package):
    import subprocess
    import sys

    code = (
        f"import sys, {package}; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'ffd_tui', 'ffd_web', 'ffd_cli')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_a_bundled_file_broken_by_a_councils_edit_says_to_copy_it(tmp_path):
    export_defaults(tmp_path)
    for name in CONFIG_FILES:
        if name != "cfc.yaml":
            (tmp_path / name).unlink()
    edit(tmp_path / "cfc.yaml", "      - id: missing_now\n", "      - id: missing_today\n")
    errors = check_config_dir(tmp_path)
    assert len(errors) == 1
    assert Path(errors[0].file).name == "priority_rules.yaml"
    assert "no form asks a question with id 'missing_now'" in errors[0].message
    assert f"copy it into {tmp_path} to change it" in errors[0].hint


@pytest.mark.parametrize("name", CONFIG_FILES)
@pytest.mark.parametrize(
    "content", ["", "- a list\n", "just some words\n", "bell: \x07\n", "version: 1\n"]
)
def test_nonsense_in_any_file_is_reported_not_raised(council_dir, name, content):
    (council_dir / name).write_text(content)
    errors = check_config_dir(council_dir)
    assert errors and all(e.message for e in errors)
    assert any(Path(e.file).name == name for e in errors)
