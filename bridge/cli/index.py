"""`privacy-bridge sync` and `retention`: the pseudonymised index and the terms it enforces."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bridge.app import App
from bridge.cli.common import EnvFile, JsonFlag, err, handled, out, print_json, say
from bridge.cli.progress import sync_progress
from bridge.cli.views import retention_table, sync_table
from bridge.core.config import load_config
from bridge.core.errors import InputError

if TYPE_CHECKING:
    from bridge.index.retention import Due, Shown


@handled
def sync_command(
    full: Annotated[
        bool, typer.Option("--full", help="Ignore the cursors: read everything.")
    ] = False,
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Bring the pseudonymised index up to date with what changed in each system.

    Example: privacy-bridge sync --json    (from cron or a systemd timer; see deploy/)

    Exit 0 when every system synced; 1 when one failed (the others are saved); a second sync
    while one runs is refused.
    """
    from bridge.index.sync import sync

    with App(load_config(env_file)) as app:
        if as_json:
            result = sync(app.store, app.connectors, full=full)
        else:
            with sync_progress(err) as listener:
                result = sync(app.store, app.connectors, full=full, listener=listener)
    summary = {
        "ok": result.ok,
        "seconds": result.seconds,
        "requests": result.requests,
        "streams": [s.__dict__ for s in result.streams],
    }
    if as_json:
        out.print_json(json.dumps(summary))
    else:
        out.print(sync_table(result))
    if not result.ok:
        raise typer.Exit(1)


retention_app = typer.Typer(help="Retention terms: who and what is past the policy's term.")
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Count as if it were this day (YYYY-MM-DD).")
]


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise InputError("--today takes a date as YYYY-MM-DD") from None


IndexOnly = Annotated[
    bool,
    typer.Option(
        "--index-only",
        help="Show people by pseudonym only: read no names or addresses from the shops.",
    ),
]


def _people(found: Due, shown: dict[str, Shown]) -> list[dict[str, Any]]:
    """The due people for --json: with name and address when read (for review, not stored)."""
    people = []
    for person in found.people:
        entry: dict[str, Any] = dict(person.__dict__)
        if who := shown.get(person.subject):
            entry.update(name=who.name, email=who.email, read_from=who.system)
            if who.problem:
                entry["problem"] = who.problem
        people.append(entry)
    return people


@retention_app.command("due")
@handled
def retention_due(
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
    today: TodayOption = None,
    index_only: IndexOnly = False,
) -> None:
    """List people inactive for longer than the term, and retained records whose term ended.

    Each person's name and address are read live from the shop, to review before `retention
    apply`; they are shown, never stored (--index-only: pseudonyms only, nothing read).

    Example: privacy-bridge retention due --json    (after a sync: it reads the index)
    """
    from bridge.index.retention import due, identify

    with App(load_config(env_file)) as app:
        policy, day = app.policy, _day(today)
        found = due(app.store, policy, day)
        shown = (
            identify(app.store, app.connectors, found.people)
            if found.people and not index_only
            else {}
        )
    if as_json:
        out.print_json(json.dumps({
            "people": _people(found, shown),
            "expired": [
                {"erasure": e.erasure_id, "seq": e.seq, "system": e.step.system,
                 "record": e.step.key, "until": str(e.step.until)}
                for e in found.expired
            ],
        }))  # fmt: skip
        return
    out.print(retention_table(found, shown))


@retention_app.command("apply")
@handled
def retention_apply(
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking (for cron).")] = False,
    operator: Annotated[
        str | None, typer.Option("--operator", help="Who acts, for the register's audit trail.")
    ] = None,
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
    today: TodayOption = None,
) -> None:
    """Open erasure requests for the people past the term, and end expired retentions.

    Example: privacy-bridge retention apply    (shows who and what is due, then asks)

    With --json, --yes is needed (nothing is asked). The requests are opened verified, on the
    channel `retention` (the shop itself asks), with the shop's own target as due date: 14
    days, not a customer's month, and not extendable. Erase them with `privacy-bridge erase
    --request ID --yes`.
    """
    from bridge.index.retention import Applied, apply, due, identify

    if as_json and not yes:  # JSON on stdout leaves no room for a question
        raise InputError("--json goes with --yes: nothing is asked when the output is JSON")
    with App(load_config(env_file)) as app:
        policy, day = app.policy, _day(today)
        found = due(app.store, policy, day)
        if not as_json:
            # Asked before anything is opened: show who, so that the answer is an informed one.
            shown = identify(app.store, app.connectors, found.people) if not yes else {}
            out.print(retention_table(found, shown))
        if not (found.people or found.expired):
            if as_json:  # nothing due is an answer too
                print_json(Applied().__dict__)
            return
        if not yes and not typer.confirm("Open these erasure requests and end these retentions?"):
            raise typer.Exit(1)
        done = apply(app.register(operator), app.connectors, policy, day)
    if as_json:
        out.print_json(json.dumps(done.__dict__))
    else:
        for opened in done.opened:
            say(
                f"opened erasure request {opened['request']} (retention; due {opened['due']}):"
                f" privacy-bridge erase --request {opened['request']} --yes"
            )
        for ended in done.ended:
            say(f"retention ended: {ended['system']} {ended['record']} ({ended['state']})")
        if done.unresolved:
            say(f"{len(done.unresolved)} people with no address in any system: see the index")
