"""`privacy-bridge requests verify` and `deliver`, and `privacy-bridge housekeeping`: the work on
a request that reaches the systems or the customer's mailbox (bridge.register.verification,
bridge.register.delivery). `bridge.cli.requests` adds the two commands to `requests`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from bridge.cli.common import (
    EnvFile,
    JsonFlag,
    Operator,
    RequestId,
    err,
    handled,
    opened,
    print_json,
    said,
    say,
)
from bridge.core.errors import InputError
from bridge.register import delivery, verification


@handled
def verify(
    request_id: RequestId,
    send_code: Annotated[
        bool, typer.Option("--send-code", help="Mail a 6-digit code to the address the shop knows.")
    ] = False,
    code: Annotated[str | None, typer.Option("--code", help="The code the customer gave.")] = None,
    manual: Annotated[
        bool, typer.Option("--manual", help="Identity was established another way (with --note).")
    ] = False,
    note: Annotated[
        str | None,
        typer.Option("--note", help="How (kept encrypted; removed with the person's erasure)."),
    ] = None,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Check that the request comes from the person: send a code, check it, or record a manual check.

    Example: privacy-bridge requests verify req-20261121-4f3a --send-code
    then:    privacy-bridge requests verify req-20261121-4f3a --code 123456
    """
    if sum((send_code, code is not None, manual)) != 1:
        raise InputError("give one of --send-code, --code NNNNNN or --manual --note TEXT")
    if note is not None and not manual:
        raise InputError("--note goes with --manual")
    with opened(env_file) as app:
        register, config = app.register(operator), app.config
        if send_code:
            sent = verification.send_code(register, request_id, config, collect=app.collect)
            if as_json:
                print_json(asdict(sent))
            else:
                say(
                    f"{sent.request_id}: code sent to the address known by {', '.join(sent.known_by)};"
                    f" valid until {sent.expires_at}"
                )
                if sent.unavailable:
                    say(f"note: {', '.join(sent.unavailable)} did not answer", err)
            return
        if manual:
            request = verification.verify_manually(register, request_id, note or "")
        else:
            request = verification.check_code(register, request_id, code or "")
        if as_json:
            print_json(request.to_dict(register.today()))
        else:
            said(request, "identity verified")


@handled
def deliver(
    request_id: RequestId,
    partial: Annotated[
        bool, typer.Option("--partial", help="Deliver even an incomplete package.")
    ] = False,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Mail the newest package of a verified request to its address (attached, or a notice when
    too large); an access or portability request is then completed. An erasure request gets its
    final report, once no step is open (normally mailed when the last step by hand is
    confirmed; this sends it when that mail failed), and is then completed, which forgets the
    address: a completed erasure request can no longer be mailed.

    Example: privacy-bridge requests deliver req-20261121-4f3a
    """
    with opened(env_file) as app:
        register, config = app.register(operator), app.config
        done = delivery.deliver(register, request_id, config, partial=partial)
        if as_json:
            print_json(asdict(done))
            return
        what = "final erasure report" if done.what == "final_report" else "package"
        if done.mode == "attached":
            say(f"{done.request_id}: {what} mailed ({done.bytes} bytes)")
        else:
            say(
                f"{done.request_id}: too large to mail; the customer was told it is ready."
                f" Hand it over yourself, securely: {done.package}"
            )
        if done.completed:
            say(f"{done.request_id}: completed")


def run_housekeeping(env_file: Path | None, operator: str | None, as_json: bool) -> None:
    """The body of `privacy-bridge housekeeping`."""
    with opened(env_file) as app:
        register, config = app.register(operator), app.config
        done = delivery.housekeeping(register, config)
        if as_json:
            print_json(asdict(done))
            return
        for package in done.removed:
            say(f"removed expired package of {package['request_id'] or '-'}: {package['path']}")
        for request_id in done.addresses_forgotten:
            say(f"forgot the address of closed request {request_id}")
        say(
            f"{len(done.removed)} package(s) removed, {done.codes_removed} expired code(s) removed,"
            f" {len(done.addresses_forgotten)} address(es) forgotten"
        )
