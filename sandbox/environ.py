"""What the sandbox's wrappers and the fakes share about a request (see sandbox.hostile)."""

IGNORED = "sandbox.hostile.ignored"  # the query names the request is answered without
ORIGINAL_QUERY = "sandbox.hostile.query"  # QUERY_STRING as the client sent it


def segments(path: str) -> list[str]:
    """The segments of a request path, `.json` suffixes dropped (what `missing` names match)."""
    return [s.removesuffix(".json") for s in path.split("/") if s]
