"""Words for the customer's pages, in Dutch and English."""

from __future__ import annotations

from bridge.core.models import Status
from bridge.core.policy import Action
from bridge.core.presentation import Words
from bridge.core.steps import StepState

STATUS_WORDS: dict[Status, Words] = {
    Status.ok: Words("opgehaald", "retrieved"),
    Status.not_found: Words("geen gegevens gevonden", "no data found"),
    Status.partial: Words("deels opgehaald", "partly retrieved"),
    Status.error: Words("fout: niet opgehaald", "error: not retrieved"),
    Status.skipped: Words("overgeslagen", "skipped"),
    Status.manual: Words("wordt apart opgevraagd", "requested separately"),
}


def status_words(status: Status) -> Words:
    """The status of a system in words; unknown statuses are shown as they are."""
    return STATUS_WORDS.get(status, Words(str(status), str(status)))


# What an erasure did to a record, as a heading over the records it was done to.
ACTION_WORDS: dict[Action, Words] = {
    Action.delete: Words("verwijderd", "deleted"),
    Action.anonymise: Words("geanonimiseerd", "anonymised"),
    Action.retain: Words("bewaard (beperkt)", "kept (restricted)"),
    Action.manual: Words("handmatig", "by hand"),
}

# The same, for a plan (dry run) in which nothing has been done yet.
PLANNED_ACTION_WORDS: dict[Action, Words] = {
    Action.delete: Words("te verwijderen", "to be deleted"),
    Action.anonymise: Words("te anonimiseren", "to be anonymised"),
    Action.retain: Words("te bewaren (beperkt)", "to be kept (restricted)"),
    Action.manual: Words("handmatig", "by hand"),
}

# The state of one erasure step (exports.erasure_models.ReportStep.state).
STATE_WORDS: dict[str, Words] = {
    StepState.planned: Words("gepland", "planned"),
    StepState.done: Words("gedaan", "done"),
    StepState.failed: Words("mislukt", "failed"),
    StepState.manual: Words("te doen", "to do"),
    StepState.confirmed: Words("bevestigd", "confirmed"),
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
