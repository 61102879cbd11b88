"""What the register allows, and what it says instead: one line that names the reason in words
and the command to run, never a bare status name.

    refusal(request, "completed")        # "req-… cannot be completed: the person's identity …"
    extension_refusal(request, today)    # None when an extension is allowed (art. 12(3))
    registration_warnings(request_id, received, due, today)
"""

from __future__ import annotations

from datetime import date

from bridge.register.deadlines import first_month_end
from bridge.register.types import CLOSED, DeadlineRule, Request, RequestStatus

S = RequestStatus

# Per audit action: the verb and its past participle, for "nothing left to …" / "cannot be …".
VERBS = {
    "cancelled": ("cancel", "cancelled"),
    "denied": ("deny", "denied"),
    "verified": ("verify", "verified"),
    "work_started": ("start work on", "worked on"),
    "awaiting_manual": ("put on hold for steps by hand", "put on hold for steps by hand"),
    "completed": ("complete", "completed"),
}

STATUS_WORDS = {
    S.identity_unverified: "waiting for the identity check",
    S.verified: "verified",
    S.in_progress: "in progress",
    S.awaiting_manual: "waiting for steps by hand",
    S.completed: "completed",
    S.denied: "denied",
    S.cancelled: "cancelled",
}


def verify_hint(request_id: str) -> str:
    return f"requests verify {request_id} --send-code, or --manual --note TEXT"


def refusal(request: Request, action: str) -> str:
    """Why `request` cannot take `action` (an audit action: completed, denied…) in its status,
    and what to do instead."""
    rid = request.id
    verb, past = VERBS.get(action, (action.replace("_", " "), action.replace("_", " ")))
    if request.status in CLOSED:
        return (
            f"{rid} is already {request.status.value}: nothing left to {verb}; if the person"
            " asks again, register a new request (requests new)"
        )
    if request.status is S.identity_unverified:
        instead = f", or deny it with the reason (requests deny {rid} --reason TEXT)"
        return (
            f"{rid} cannot be {past}: the person's identity is not verified yet; verify it first"
            f" ({verify_hint(rid)}){instead if action == 'completed' else ''}"
        )
    if action == "verified":
        return f"{rid} is already verified ({STATUS_WORDS[request.status]}): nothing to verify"
    if request.status is S.awaiting_manual:
        return (
            f"{rid} is waiting for steps by hand: confirm them (erase --request {rid}"
            f" --confirm-manual STEPS --note TEXT), or close it (requests complete {rid} --note"
            " TEXT)"
        )
    return f"{rid} is {STATUS_WORDS[request.status]}: it cannot be {past} now"


def extension_refusal(request: Request, today: date) -> str | None:
    """Why `request` cannot be extended on `today`, with what to do instead; None when it can.

    Art. 12(3): the month "may be extended by two further months", and the customer is told of
    it "within one month of receipt": past that month no extension can be told in time, and an
    overdue request is past it by definition."""
    rid = request.id
    if not request.open:
        return f"{rid} is already {request.status.value}: nothing to extend"
    if request.rule is DeadlineRule.retention:
        return (
            f"{rid} was opened by retention apply: its due date is the shop's own target, not a"
            f" customer's, and is not extended; erase it now (erase --request {rid} --yes)"
        )
    first = first_month_end(request.received)
    if today <= first:
        return None
    deny = f"or deny it with the reason (requests deny {rid} --reason TEXT)"
    if request.overdue(today):
        late = -request.days_left(today)
        return (
            f"{rid} is overdue since {request.due.isoformat()} ({late} day(s)): an extension must"
            f" be told to the customer within the first month (art. 12(3)), which ended on"
            f" {first.isoformat()}; answer it now, {deny}"
        )
    return (
        f"{rid} cannot be extended further: the first month ended on {first.isoformat()} and an"
        f" extension must be told to the customer within it (art. 12(3)); answer it by"
        f" {request.due.isoformat()}, {deny}"
    )


def registration_warnings(request_id: str, received: date, due: date, today: date) -> list[str]:
    """One line per thing the operator must know about a request registered just now."""
    if due >= today:
        return []
    late = (today - due).days
    return [
        f"{request_id} was received on {received.isoformat()} and was due on {due.isoformat()}:"
        f" {late} day(s) overdue already; answer it at once (an extension is no longer possible:"
        " art. 12(3))"
    ]
