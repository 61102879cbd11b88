"""Words for the customer's pages, in Dutch and English: statuses, actions and states.

The texts are in the catalogues (`exports/locale/<lang>/LC_MESSAGES/common.po`); the msgid of
each is its English text, written here.
"""

from __future__ import annotations

from bridge.core.models import Status
from bridge.core.policy import Action
from bridge.core.presentation import Words
from bridge.core.steps import StepState
from exports.i18n import words

__all__ = [
    "ACTION_WORDS",
    "PLANNED_ACTION_WORDS",
    "STATE_WORDS",
    "STATUS_WORDS",
    "Words",
    "state_words",
    "status_words",
    "system_status_words",
]

STATUS_WORDS: dict[Status, Words] = {
    Status.ok: words("retrieved"),
    Status.not_found: words("no data found"),
    Status.partial: words("partly retrieved"),
    Status.error: words("error: not retrieved"),
    Status.skipped: words("skipped"),
    Status.manual: words("requested separately"),
}


def status_words(status: Status) -> Words:
    """The status of a system in words; unknown statuses are shown as they are."""
    return STATUS_WORDS.get(status, Words(str(status), str(status)))


# What an erasure did to a record, as a heading over the records it was done to.
ACTION_WORDS: dict[Action, Words] = {
    Action.delete: words("deleted"),
    Action.anonymise: words("anonymised"),
    Action.retain: words("kept (restricted)"),
    Action.manual: words("by hand"),
}

# The same, for a plan (dry run) in which nothing has been done yet.
PLANNED_ACTION_WORDS: dict[Action, Words] = {
    Action.delete: words("to be deleted"),
    Action.anonymise: words("to be anonymised"),
    Action.retain: words("to be kept (restricted)"),
    Action.manual: words("by hand"),
}

# The state of one erasure step (exports.erasure_models.ReportStep.state).
STATE_WORDS: dict[str, Words] = {
    StepState.planned: words("planned"),
    StepState.done: words("done"),
    StepState.failed: words("failed"),
    StepState.manual: words("to do"),
    StepState.confirmed: words("confirmed"),
}


def state_words(state: str) -> Words:
    """The state of a step in words; unknown states are shown as they are."""
    return STATE_WORDS.get(state, Words(state, state))


def system_status_words(status: str) -> Words:
    """A system status given as text (as a report holds it) in words."""
    try:
        return status_words(Status(status))
    except ValueError:
        return Words(status, status)
