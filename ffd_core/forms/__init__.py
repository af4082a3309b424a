"""Forms as data: definitions, conditions, validation, drafts and the council's configuration.

Front ends render what this package returns and never decide what a form asks.
"""

from typing import TYPE_CHECKING, Any

from .drafts import Draft, Submission, SubmissionInvalid, save_draft, submit
from .engine import FormState, ItemView, PageView, QuestionView
from .errors import ConfigError, ConfigInvalid
from .fields import answers_from_fields
from .migration import DraftMigration, FormChange, migrate_draft
from .model import FormDefinition, Option, Question, Repeat, Section
from .summary import AnswerRow, answer_summary
from .validation import FieldError, validate

__all__ = [
    "CONFIG_FILES",
    "DEFAULTS_DIR",
    "AnswerRow",
    "Config",
    "ConfigError",
    "ConfigInvalid",
    "Draft",
    "DraftMigration",
    "FieldError",
    "FormChange",
    "FormDefinition",
    "FormState",
    "ItemView",
    "Option",
    "PageView",
    "Question",
    "QuestionView",
    "Repeat",
    "Section",
    "Submission",
    "SubmissionInvalid",
    "answer_summary",
    "answers_from_fields",
    "check_config_dir",
    "default_config",
    "export_defaults",
    "load_config",
    "migrate_draft",
    "save_draft",
    "submit",
    "validate",
]

# The configuration reads guidance, priority rules and templates, whose readers use this
# package's YAML helpers; importing it lazily keeps `import ffd_core.guidance` free of a cycle.
_CONFIG_NAMES = {
    "CONFIG_FILES",
    "DEFAULTS_DIR",
    "Config",
    "check_config_dir",
    "default_config",
    "export_defaults",
    "load_config",
}

if TYPE_CHECKING:
    from .config import (
        CONFIG_FILES,
        DEFAULTS_DIR,
        Config,
        check_config_dir,
        default_config,
        export_defaults,
        load_config,
    )


def __getattr__(name: str) -> Any:
    if name in _CONFIG_NAMES:
        from . import config

        return getattr(config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
