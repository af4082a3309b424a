"""Modal dialogs, one per module. Each asks for one change and hands the screen that opened
it a small typed command (see base.py); the confirmation is the only one that asks nothing
of the store."""

from ffd_tui.screens.dialogs.allocate import AllocateDialog, Allocation
from ffd_tui.screens.dialogs.base import ActionDialog
from ffd_tui.screens.dialogs.complete import CompleteDialog
from ffd_tui.screens.dialogs.confirm import ConfirmDialog
from ffd_tui.screens.dialogs.decide import DecideDialog, DecisionCommand
from ffd_tui.screens.dialogs.link import LinkDialog, LinkTo
from ffd_tui.screens.dialogs.note import NoteDialog, NoteText
from ffd_tui.screens.dialogs.reason import Reason, ReasonDialog
from ffd_tui.screens.dialogs.reply import ReplyDialog, ReplyIn
from ffd_tui.screens.dialogs.request_information import (
    InformationRequest,
    RequestInformationDialog,
)
from ffd_tui.screens.dialogs.telephone import TelephoneDialog

__all__ = [
    "ActionDialog", "AllocateDialog", "CompleteDialog", "Allocation", "ConfirmDialog", "DecideDialog",
    "DecisionCommand", "InformationRequest", "LinkDialog", "LinkTo", "NoteDialog", "NoteText",
    "Reason", "ReasonDialog", "ReplyDialog", "ReplyIn", "RequestInformationDialog",
    "TelephoneDialog",
]
