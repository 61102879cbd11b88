"""How much and how long a request may take: the size limit of an answer, the deadline of one
request and of one system's lookup, and the silence before an answer counts as lost.

`configure(config.values)` sets them from the settings for the clients built afterwards
(`bridge.app` does it before it builds the connectors); a client reads them when it is built
(the size limit, the deadlines per request) or when a lookup starts (the deadline per system).
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.core.config import positive_number

MB = 1024 * 1024
TIMEOUT = (5.0, 30.0)  # connect, read: the longest silence before an answer counts as lost
MAX_RESPONSE_SETTING = "PRIVACY_BRIDGE_MAX_RESPONSE_MB"
DEADLINE_SETTING = "PRIVACY_BRIDGE_REQUEST_TIMEOUT_S"
SYSTEM_DEADLINE_SETTING = "PRIVACY_BRIDGE_SYSTEM_TIMEOUT_S"
# What `configure` sets from the settings; a client takes them when it is built.
MAX_RESPONSE_BYTES = 50 * MB
DEADLINE_S = 60.0  # per attempt: connect, send, and the whole answer
SYSTEM_DEADLINE_S = 900.0  # per system, for one person's lookup (see HttpClient.collecting)


def configure(values: Mapping[str, str]) -> None:
    """The response size limit and the deadlines from the settings, for clients built after."""
    global MAX_RESPONSE_BYTES, DEADLINE_S, SYSTEM_DEADLINE_S
    MAX_RESPONSE_BYTES = int(positive_number(values, MAX_RESPONSE_SETTING, 50) * MB)
    DEADLINE_S = positive_number(values, DEADLINE_SETTING, 60)
    SYSTEM_DEADLINE_S = positive_number(values, SYSTEM_DEADLINE_SETTING, 900)
