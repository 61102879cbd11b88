"""Errors with messages safe to show: one line, no secret, no personal data."""


class BridgeError(Exception):
    """Base of every error privacy-bridge raises on purpose; its message is shown to the operator."""

    exit_code = 1


class InputError(BridgeError):
    """Bad input from the operator: a malformed e-mail address, a missing setting."""

    exit_code = 2


class StateError(BridgeError):
    """The state directory cannot be used as it is: missing, unreadable, damaged, full, or made by
    a newer version. The message names the file and what to do; nothing was changed (exit 2)."""

    exit_code = 2


class SystemFailure(BridgeError):
    """A system could not be used: unreachable, refused our credentials, or answered nonsense."""

    def __init__(self, system: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system
        self.status = status


class AuthFailure(SystemFailure):
    """The system refused the credentials (401/403)."""


class NotFound(SystemFailure):
    """The system says the resource does not exist (404/410)."""


class PagingLoop(SystemFailure):
    """A listing that pages wrongly: a page that repeats one already read, a next link or token
    already followed, or more pages than any real listing has (bridge.core.paging). Raised instead
    of asking again and again; the message names the system and the listing's path."""
