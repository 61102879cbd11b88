"""`privacy-bridge statement`: the shop's privacy statement, given with every data package.

Art. 15(1) GDPR asks that a person who asks for their data is also told, per processing, its
purposes, legal basis, recipients, retention, source, automated decisions and transfers; the
shop says it in a TOML file (bridge.core.statement). `statement init PATH` writes the built-in
example out for the shop to fill in; `check` reports, through `unfinished`, what is still the
example's, without changing its exit status (a statement that is not valid is exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bridge.cli.common import JsonFlag, handled, print_json, say
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.core.plugins import registry
from bridge.core.statement import (
    STATEMENT_SETTING,
    default_text,
    load_statement,
    read_statement,
    statement_path,
)

statement_app = typer.Typer(
    help="The shop's privacy statement, given with every data package (art. 15(1) GDPR)."
)

# The [shop] fields whose placeholder a shop must replace (phone and KvK number are optional).
SHOP_FIELDS = ("name", "address", "privacy_contact", "website")


@statement_app.command("init")
@handled
def init(
    path: Annotated[Path, typer.Argument(help="The file to write, e.g. statement.toml.")],
    as_json: JsonFlag = False,
) -> None:
    """Write the built-in example statement to PATH for the shop to fill in; never overwrites.

    Then replace the placeholders in [shop] and every text you cannot vouch for, set
    template = false, and set PRIVACY_BRIDGE_STATEMENT=PATH in .env. `privacy-bridge check`
    says what is still the example's.

    Example: privacy-bridge statement init statement.toml
    """
    try:
        # "x": created here or refused, so the shop's own filled-in file is never replaced
        with path.open("x", encoding="utf-8") as file:
            try:
                file.write(default_text())
            except OSError:
                path.unlink(missing_ok=True)  # no half-written statement left to be mistaken
                raise
    except FileExistsError:
        raise InputError(
            f"{path} exists: not overwritten (remove it or choose another name)"
        ) from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise InputError(f"cannot write {path}: {reason}") from None
    if as_json:
        print_json({"path": str(path.absolute()), "setting": STATEMENT_SETTING, "template": True})
        return
    say(
        f"wrote {path}: fill it in, set template = false, and set {STATEMENT_SETTING}={path} "
        "in .env; `privacy-bridge check` says what is still the example's"
    )


def unfinished(config: Config) -> list[str]:
    """One line per thing the statement in force still takes from the built-in example, for the
    systems that are configured; an InputError when the statement file is not valid."""
    statement = load_statement(config)
    path = statement_path(config)
    used = [cls.name for cls in registry() if cls.enabled(config)]
    notes: list[str] = []
    if path is None:
        notes.append(
            "the privacy statement given with each package is the built-in example (a "
            "placeholder shop): write it out with `privacy-bridge statement init "
            f"statement.toml`, fill it in, set template = false and {STATEMENT_SETTING}"
        )
    else:
        where = f"the privacy statement {path}"
        if statement.template:
            notes.append(f"{where} is still marked template = true: fill it in, then set it false")
        example = read_statement(None).shop
        kept = [f for f in SHOP_FIELDS if getattr(statement.shop, f) == getattr(example, f)]
        if kept:
            notes.append(f"{where}: [shop] {', '.join(kept)} still the example's placeholder")
        whole = [s for s in statement.from_default() if s in used]
        if whole:
            notes.append(
                f"{where} does not describe {', '.join(whole)}: the built-in example's text is "
                "given for them; add a [[companies]] table for each"
            )
        parts = [f"{s} {t}" for s, t in statement.categories_from_default() if s in used]
        if parts:
            notes.append(
                f"{where} leaves out the record types {', '.join(parts)}: the built-in "
                "example's text is given for them; add a [[companies.categories]] table for each"
            )
    # A system from another distribution that neither the shop's file nor the example describes
    silent = [s for s in used if statement.company(s) is None]
    if silent:
        notes.append(
            f"the privacy statement says nothing about {', '.join(silent)}: add a "
            "[[companies]] table for each"
        )
    return notes
