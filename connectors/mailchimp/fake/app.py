"""The Mailchimp fake's WSGI app: routing, authentication, the connection limit, lists and ping."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from connectors.mailchimp.fake.extras import ExtraRoutes
from connectors.mailchimp.fake.http import (
    Fail,
    json_response,
    link,
    not_found,
    paging,
    problem,
    select,
)
from connectors.mailchimp.fake.shapes import show_list
from connectors.mailchimp.fake.store import (
    JSON,
    MAILCHIMP_API_KEY,
    MAILCHIMP_OAUTH_TOKEN,
    MailchimpStore,
    subscriber_hash,
)
from connectors.mailchimp.fake.validate import instant

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
API_ROOT = "/3.0"
MAX_CONNECTIONS = 10  # "You have exceeded the limit of 10 simultaneous connections."
HEALTH = "Everything's Chimpy!"


class MailchimpApp(ExtraRoutes):
    """The WSGI app. Requests in flight are counted (the 11th at once gets a 429); every request
    that touches the store runs under one lock."""

    def __init__(self, store: MailchimpStore, base_url: str) -> None:
        self.store = store
        self.base = base_url.rstrip("/") + API_ROOT
        self.lock = threading.RLock()
        self.flight_lock = threading.Lock()
        self.in_flight = 0
        self.max_connections = MAX_CONNECTIONS
        m = "/lists/<list_id>/members/<segment>"
        rules: list[tuple[str, str, Callable[..., Response]]] = [
            ("/ping", "GET", self.ping),
            ("/lists", "GET", self.get_lists),
            ("/lists/<list_id>", "GET", self.get_list),
            ("/lists/<list_id>/members", "GET", self.list_members),
            ("/lists/<list_id>/members", "POST", self.add_member),
            (m, "GET", self.get_member),
            (m, "PUT", self.upsert_member),
            (m, "PATCH", self.patch_member),
            (m, "DELETE", self.archive_member),
            (m + "/actions/delete-permanent", "POST", self.delete_permanent),
            (m + "/tags", "GET", self.get_tags),
            (m + "/tags", "POST", self.post_tags),
            (m + "/notes", "GET", self.get_notes),
            (m + "/notes", "POST", self.add_note),
            (m + "/notes/<note_id>", "GET", self.get_note),
            (m + "/notes/<note_id>", "PATCH", self.patch_note),
            (m + "/notes/<note_id>", "DELETE", self.delete_note),
            (m + "/activity", "GET", self.get_activity),
            (m + "/activity-feed", "GET", self.get_activity_feed),
            ("/search-members", "GET", self.search_members),
        ]
        self.handlers: dict[str, Callable[..., Response]] = {}
        url_rules = []
        for i, (path, method, handler) in enumerate(rules):
            self.handlers[str(i)] = handler
            url_rules.append(Rule(API_ROOT + path, methods=[method], endpoint=str(i)))
        self.url_map = Map(url_rules, strict_slashes=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self.flight_lock:
            busy = self.in_flight >= self.max_connections
            if not busy:
                self.in_flight += 1
        if busy:
            response = problem(
                429,
                "Too Many Requests",
                "You have exceeded the limit of 10 simultaneous connections.",
            )
            return response(environ, start_response)
        try:
            response = self.dispatch(Request(environ))
        finally:
            with self.flight_lock:
                self.in_flight -= 1
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:
            endpoint, args = self.url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            return problem(
                405,
                "Method Not Allowed",
                "The requested method and resource are not compatible. "
                "See the Allow header for this resource's available methods.",
                headers={"Allow": allowed},
            )
        except NotFound:
            return not_found().response
        except HTTPException as exc:  # pragma: no cover - other routing errors
            return problem(exc.code or 400, exc.name, exc.description or exc.name)
        handler = self.handlers[str(endpoint)]
        try:
            body = _body(request)
            with self.lock:
                return handler(request, body, **args)
        except Fail as failure:
            return failure.response

    @staticmethod
    def _refused(request: Request) -> Response | None:
        """HTTP Basic with any user name and the API key as password, or an OAuth bearer token."""
        header = request.headers.get("Authorization", "")
        if not header.strip():
            return problem(401, "API Key Missing", "Your request did not include an API key.")
        scheme, _, credentials = header.partition(" ")
        secret = ""
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            secret = decoded.partition(":")[2]
            if secrets.compare_digest(secret.encode(), MAILCHIMP_API_KEY.encode()):
                return None
        elif scheme.lower() == "bearer":
            token = credentials.strip().encode()
            if secrets.compare_digest(token, MAILCHIMP_OAUTH_TOKEN.encode()):
                return None
        return problem(
            401,
            "API Key Invalid",
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
        )

    # ---- ping and lists -----------------------------------------------------------------------

    def ping(self, request: Request, body: Any) -> Response:
        return json_response({"health_status": HEALTH})

    def get_lists(self, request: Request, body: Any) -> Response:
        args = request.args
        count, offset = paging(args)
        lists = [lst for lst in self.store.lists if self._list_matches(lst, args)]
        if args.get("sort_field") == "date_created":
            lists.sort(key=lambda lst: lst["date_created"], reverse=args.get("sort_dir") == "DESC")
        total_contacts = args.get("include_total_contacts") == "true"
        out = {
            "lists": [
                show_list(self.store, lst, self.base, total_contacts)
                for lst in lists[offset : offset + count]
            ],
            "total_items": len(lists),
            "constraints": {
                "may_create": True,
                "max_instances": -1,
                "current_total_instances": len(self.store.lists),
            },
            "_links": [
                link("self", f"{self.base}/lists"),
                link("create", f"{self.base}/lists", "POST"),
            ],
        }
        return json_response(select(out, args))

    def get_list(self, request: Request, body: Any, list_id: str) -> Response:
        lst = self.list_or_404(list_id)
        total_contacts = request.args.get("include_total_contacts") == "true"
        return json_response(
            select(show_list(self.store, lst, self.base, total_contacts), request.args)
        )

    def _list_matches(self, lst: JSON, args: Any) -> bool:
        email = args.get("email")
        if email and subscriber_hash(email) not in self.store.members.get(lst["id"], {}):
            return False
        created = instant(lst["date_created"], "date_created")
        for name, after in (("since_date_created", True), ("before_date_created", False)):
            if not args.get(name):
                continue
            bound = instant(args[name], name)
            if (created <= bound) if after else (created >= bound):
                return False
        return True


def _body(request: Request) -> Any:
    """The JSON body of a POST/PUT/PATCH (`None` when empty, as the SDK's `null` is)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise Fail(
            problem(400, "JSON Parse Error", "We encountered an unspecified JSON parsing error.")
        ) from None


def create_app(store: MailchimpStore, base_url: str) -> WSGIApp:
    """The fake Mailchimp Marketing API v3 over `store`; its API root is `{base_url}/3.0`."""
    return MailchimpApp(store, base_url)
