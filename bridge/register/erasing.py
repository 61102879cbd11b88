"""Erasure on a request of the register: refused unless verified, and the request moved along.

A verified erasure request goes to `in_progress` when the erasure starts; once every automatic
step is done and verified it is `completed` (which forgets the address), or `awaiting_manual`
while steps by hand remain; confirming the last of them completes it.
"""

from __future__ import annotations

from pathlib import Path

from bridge.collect.identity import Listener
from bridge.core.errors import InputError
from bridge.core.models import Status
from bridge.core.steps import StepState
from bridge.erasure.process import confirm_manual
from bridge.erasure.report import Eraser, EraseResult
from bridge.register.requests import Register
from bridge.register.types import WORKABLE, RequestStatus, RequestType


def _erasure_address(register: Register, request_id: str, *, start: bool) -> str:
    request = register.get(request_id)
    if request.type is not RequestType.erasure:
        raise InputError(f"{request.id} is a {request.type.value} request, not an erasure request")
    if request.status is RequestStatus.awaiting_manual:
        return register.address(request.id)
    if request.status not in WORKABLE:
        hint = ": verify it first" if request.status is RequestStatus.identity_unverified else ""
        raise InputError(f"{request.id} is {request.status.value}{hint}")
    return register.start_work(request.id, "erasure") if start else register.address(request.id)


def erase_request(
    register: Register,
    request_id: str,
    *,
    erase: Eraser,
    dry_run: bool,
    out_dir: Path | None = None,
    listener: Listener | None = None,
) -> EraseResult:
    """Erase the person of a verified erasure request with `erase` (the policy is its own), and
    move the request along: completed, or awaiting the manual steps."""
    address = _erasure_address(register, request_id, start=not dry_run)
    outcome = erase(
        address, dry_run=dry_run, out_dir=out_dir, request_id=request_id, listener=listener
    )
    if dry_run:
        return outcome
    result = outcome.result
    states: dict[str, str] = {}
    for source in result.sources:
        entries = [e for e in result.steps if e.step.system == source.system]
        if source.status is Status.error or any(e.state is StepState.failed for e in entries):
            states[source.system] = Status.error.value
        elif any(e.state is StepState.manual for e in entries):
            states[source.system] = Status.manual.value
        else:
            states[source.system] = source.status.value
    register.record_systems(request_id, states)
    if outcome.complete and result.manual_open:
        if register.get(request_id).status is not RequestStatus.awaiting_manual:
            register.await_manual(request_id, manual_steps=len(result.manual_open))
    elif outcome.complete:
        register.complete(request_id)
    return outcome


def confirm_request_manual(register: Register, request_id: str, seqs: list[int], note: str) -> int:
    """Confirm manual steps; the last one completes the request. The operator's `note` is sealed
    (in the journal and in the completion event) and shredded with the completed erasure."""
    address = _erasure_address(register, request_id, start=False)
    changed, remaining = confirm_manual(register.store, address, seqs, note)
    if (
        changed
        and not remaining
        and register.get(request_id).status is RequestStatus.awaiting_manual
    ):
        register.complete(request_id, note or None, manual_steps_confirmed=changed)
    return changed
