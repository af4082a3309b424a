"""A council's configuration: its DIR of YAML files read over the bundled defaults.

Each file in DIR replaces the bundled file of the same name as a whole; files DIR does not
have come from the defaults. Everything is checked together, because the files refer to each
other (rules name form questions, guidance names form categories).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ffd_core.domain.vocab import ContactKind
from ffd_core.errors import ConfigurationError
from ffd_core.guidance import ThresholdGuidance, read_guidance
from ffd_core.priority import PriorityRules, read_rules
from ffd_core.templates import (
    Council,
    RenderedMessage,
    TemplateSet,
    read_council,
    read_templates,
)

from .definition_reader import read_definition
from .errors import ConfigError, ConfigInvalid, ErrorSink
from .model import FormDefinition
from .reading import suggest
from .yaml_source import line_of, load_yaml

DEFAULTS_DIR = Path(__file__).parent / "defaults"
FORM_FILES = {
    "cfc.yaml": ContactKind.CAUSE_FOR_CONCERN,
    "rfi.yaml": ContactKind.REQUEST_FOR_INFORMATION,
}
CONFIG_FILES = (
    "council.yaml",
    *FORM_FILES,
    "thresholds.yaml",
    "priority_rules.yaml",
    "templates.yaml",
)

# (form_id, version) -> content hash of every definition the store has used.
PreviousHashes = Mapping[tuple[str, int], str]


@dataclass(frozen=True)
class Config:
    council: Council
    forms: Mapping[ContactKind, FormDefinition]
    guidance: ThresholdGuidance
    priority_rules: PriorityRules
    templates: TemplateSet
    sources: Mapping[str, Path]  # file name -> the file it was read from

    def form(self, kind: ContactKind) -> FormDefinition:
        return self.forms[kind]

    def form_by_id(self, form_id: str) -> FormDefinition:
        for definition in self.forms.values():
            if definition.form_id == form_id:
                return definition
        raise KeyError(form_id)

    def template_facts(self) -> dict[str, str]:
        """The facts every message shares, to merge with a contact's own."""
        facts = {**self.council.template_facts(), "guidance_url": self.guidance.url()}
        facts["urgent_help"] = self.templates.urgent_help(facts)
        return facts

    def render(self, template_id: str, contact_facts: Mapping[str, Any]) -> RenderedMessage:
        """A reply for one contact; its facts (reference, names, ...) go over the shared ones."""
        return self.templates.render(template_id, {**self.template_facts(), **contact_facts})

    @property
    def urgent_help_text(self) -> str:
        """For the top of every form page."""
        return self.template_facts()["urgent_help"]


def load_config(directory: str | Path | None = None) -> Config:
    """The configuration to run with; raises ConfigInvalid, naming every problem, if DIR is wrong."""
    if directory is None:
        return default_config()
    path = Path(directory)
    problem = _folder_problem(path)
    if problem:  # never fall back to the bundled rules when the council meant its own
        raise ConfigInvalid([problem])
    config, errors = _read(path)
    if errors:
        raise ConfigInvalid(errors)
    return config


@functools.cache
def default_config() -> Config:
    config, errors = _read(None)
    if errors:  # the bundled files are tested, so this is a packaging fault
        raise ConfigInvalid(errors)
    return config


def check_config_dir(
    directory: str | Path | None = None, previous_hashes: PreviousHashes | None = None
) -> list[ConfigError]:
    """Every problem in DIR (over the defaults), including forms changed without a new version."""
    path = Path(directory) if directory is not None else None
    problem = _folder_problem(path) if path is not None else None
    if problem:
        return [problem]
    config, errors = _read(path)
    if path is not None:
        errors = _unexpected_files(path) + errors
    if config is not None and previous_hashes:
        errors += _version_errors(config, previous_hashes)
    return errors


def export_defaults(directory: str | Path, overwrite: bool = False) -> list[Path]:
    """Copy the bundled files into DIR for a council to edit; refuses to overwrite unless told."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise ConfigurationError(f"{target} is a file, not a folder; name a folder to write into")
    clashes = [target / n for n in CONFIG_FILES if (target / n).exists()]
    if clashes and not overwrite:
        raise FileExistsError(
            f"{', '.join(str(c) for c in clashes)} already exist; pass overwrite=True to replace them"
        )
    written = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in CONFIG_FILES:
            shutil.copyfile(DEFAULTS_DIR / name, target / name)
            written.append(target / name)
    except OSError as error:
        raise ConfigurationError(
            f"cannot write into {target}: {error.strerror or error}; "
            "choose a folder you can write to"
        ) from error
    return written


def _folder_problem(path: Path) -> ConfigError | None:
    if path.is_dir():
        return None
    if path.exists():
        return ConfigError(
            str(path),
            None,
            "this is a file, not a folder",
            "name the folder that holds council.yaml, cfc.yaml and the other files",
        )
    return ConfigError(
        str(path),
        None,
        "this folder does not exist",
        f"check the path, or run `ffd config export {path}` to create it",
    )


# Reading ----------------------------------------------------------------------------------
def _read(directory: Path | None) -> tuple[Config | None, list[ConfigError]]:
    sources = {name: _source(directory, name) for name in CONFIG_FILES}
    errors: list[ConfigError] = []

    def read(name: str, reader: Callable[[Any, ErrorSink], Any]) -> Any:
        node, problems = load_yaml(sources[name])
        errors.extend(problems)
        if node is None:
            if not problems:
                errors.append(ConfigError(str(sources[name]), None, "the file is empty"))
            return None
        sink = ErrorSink(sources[name])
        result = reader(node, sink)
        errors.extend(_bundled_hint(e, directory) if directory else e for e in sink.errors)
        return result

    council = read("council.yaml", read_council)
    forms = {
        kind: read(name, lambda n, s, k=kind: _read_form(n, s, k))
        for name, kind in FORM_FILES.items()
    }
    # Cross-file checks only when the forms loaded: a broken form must not make every rule look wrong.
    loaded = all(forms.values())
    question_ids = {q.id for f in forms.values() for _, q in f.questions()} if loaded else set()
    cfc = forms[ContactKind.CAUSE_FOR_CONCERN]
    categories = [o.value for o in cfc.categories] if loaded else []
    guidance = read("thresholds.yaml", lambda n, s: read_guidance(n, s, categories))
    rules = read("priority_rules.yaml", lambda n, s: read_rules(n, s, question_ids, categories))
    templates = read("templates.yaml", read_templates)
    parts = (council, *forms.values(), guidance, rules, templates)
    if errors or any(p is None for p in parts):
        return None, errors
    return Config(council, forms, guidance, rules, templates, sources), []


def _bundled_hint(error: ConfigError, directory: Path) -> ConfigError:
    """A council's edit can break a bundled file it did not copy (a rule naming a removed
    question); say how to fix it, since the bundled file itself is not theirs to edit."""
    if Path(error.file).parent != DEFAULTS_DIR:
        return error
    name = Path(error.file).name
    advice = f"this is the bundled {name}: copy it into {directory} to change it"
    return replace(error, hint=f"{error.hint}; {advice}" if error.hint else advice)


def _source(directory: Path | None, name: str) -> Path:
    if directory is not None and (directory / name).is_file():
        return directory / name
    return DEFAULTS_DIR / name


def _read_form(node: Any, sink: ErrorSink, kind: ContactKind) -> FormDefinition | None:
    definition = read_definition(node, sink)
    if definition is not None and definition.kind != kind:
        sink.add(
            line_of(node, "kind"),
            f"this file must hold the {kind.label} form, not {definition.kind.label}",
            "cfc.yaml is the cause for concern form and rfi.yaml the request for information form",
        )
        return None
    return definition


def _unexpected_files(directory: Path) -> list[ConfigError]:
    errors = []
    for path in sorted(directory.iterdir()):
        if path.suffix in (".yaml", ".yml") and path.name not in CONFIG_FILES:
            errors.append(
                ConfigError(
                    str(path),
                    None,
                    "this file is not read, so its changes would be ignored",
                    "the files are: " + ", ".join(CONFIG_FILES) + suggest(path.name, CONFIG_FILES),
                )
            )
    return errors


def _version_errors(config: Config, previous: PreviousHashes) -> list[ConfigError]:
    errors = []
    for definition in config.forms.values():
        source = config.sources[next(n for n, k in FORM_FILES.items() if k == definition.kind)]
        node, _ = load_yaml(source)
        line = line_of(node, "version")
        used = sorted(v for (form_id, v) in previous if form_id == definition.form_id)
        known = previous.get((definition.form_id, definition.version))
        if known is not None and known != definition.content_hash:
            errors.append(
                ConfigError(
                    str(source),
                    line,
                    f"the {definition.form_id} form has changed but its version is still {definition.version}",
                    f"set version: {max(used) + 1} so earlier submissions keep the questions they were made with",
                )
            )
        elif used and definition.version < used[-1]:
            errors.append(
                ConfigError(
                    str(source),
                    line,
                    f"version {definition.version} is older than version {used[-1]}, which has already been used",
                    f"set version: {used[-1] + 1}",
                )
            )
    return errors
