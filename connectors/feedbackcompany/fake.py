"""Fake of The Feedback Company API v2 (`https://www.feedbackcompany.com/api/v2/`).

There is no official reference; this follows shared/reference/vendor-apis.md §6, which collects
what the shop integrations (WordPress plugin, Python client, Statamic and Laravel clients) send and
read. Routes live under `/api/v2/`; a trailing `/` or `.json` on the resource is accepted.

- `GET oauth2/token?client_id=&client_secret=&grant_type=authorization_code` → 200
  `{"error": false, "access_token": "..."}` (no lifetime is documented, so none is given); wrong or
  missing credentials → 401 `{"success": false, "error": "Unauthorized"}`; another grant type →
  400 `{"success": false, "error": "Unsupported grant_type"}`. Tokens live `token_ttl` seconds
  (default 20 days, what the WordPress plugin assumes); `revoke_tokens()` expires them all.
- Every other call needs `Authorization: Bearer <token>`; missing, unknown or expired → 401
  `{"success": false, "error": "401 Unauthorized"}`.
- `GET shop` → `{"success": true, "shop": {...}}`; `GET question` → the questionnaire.
- `GET review?limit=&start=` → `{"success": true, "reviews": [...], "count": {"total": N}}`, newest
  first, offset paging; `limit` defaults to 25 and is capped at 100 without notice (undocumented
  both), so a client must page on what it gets. `GET review/{id}` → `{"success": true, "review"}`.
  Reviews show `id, date_created, total_score (0–5), recommends, client{name, city}, questions,
  product`: no e-mail, order number or external_id (§6), and never the store-only `_` keys.
- `POST orders[?platform=]` (review invitation) with `{"external_id", "customer": {"email",
  "fullname" | "name"}, "invitation": {"delay": {"unit", "amount"}, "reminder": {...}}}` → 200
  `{"success": true}`; a missing external_id or e-mail → 422 `{"success": false, "error": ...}`.
  A second invitation for the same external_id is stored as another invitation.
- `GET invitations?page=&per_page=` (LEAST CONFIRMED: one third-party client, fields unknown) →
  `{"success": true, "invitations": [...], "page", "per_page", "count": {"total": N}}`, newest
  first; per_page 1–100 (default 25). Invitations show `id, external_id` (the order number),
  `customer{email, fullname}`, `date_created, date_scheduled, date_sent`, `status` (pending, sent,
  reviewed), `invitation{delay, reminder}`, `products`.
- No deletion exists (§6): other methods on known routes → 405, unknown routes → 404, both with
  the v2 error body `{"success": false, "error": "<status> <reason>"}`.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request, Response

from connectors.feedbackcompany.seed import QUESTIONS, seed_feedback
from connectors.feedbackcompany.store import FeedbackStore
from sandbox.credentials import FEEDBACKCOMPANY_CLIENT_ID, FEEDBACKCOMPANY_CLIENT_SECRET
from sandbox.indexes import Table, retrying
from sandbox.plugin import Fake

if TYPE_CHECKING:
    from sandbox.data import Shop, ShopOrder

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "FeedbackApp", "create_app"]

JSON = dict[str, Any]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PREFIX = "/api/v2/"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
TOKEN_TTL = 20 * 24 * 3600.0
AMS = ZoneInfo("Europe/Amsterdam")
DEFAULT_SHOP: JSON = {
    "id": 91_827,
    "name": "Brandpunt",
    "url": "https://brandpunt.example.nl",
    "productReviewsEnabled": False,
    "language": "nl",
}
REASONS = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}


class Fail(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def failure(status: int, error: str | None = None) -> Fail:
    """The v2 error body: `{"success": false, "error": "401 Unauthorized"}` and the like."""
    message = error or f"{status} {REASONS.get(status, 'Error')}"
    return Fail(json_response({"success": False, "error": message}, status))


def public(obj: JSON) -> JSON:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _number(args: Mapping[str, str], name: str, default: int, low: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise failure(400, f"Invalid value for {name}") from None
    if value < low:
        raise failure(400, f"Invalid value for {name}")
    return value


def _invitation(stored: JSON) -> JSON:
    """An invitation as shown: a pending one whose time has come shows as sent."""
    out = public(stored)
    due = out.get("date_scheduled")
    if out.get("status") == "pending" and due and datetime.fromisoformat(due) <= datetime.now(AMS):
        out["status"], out["date_sent"] = "sent", due
    return out


def _created(item: JSON) -> tuple[float, int]:
    """Lists are newest first: by `date_created` (an instant), then id, both descending."""
    return (datetime.fromisoformat(item["date_created"]).timestamp(), int(item["id"]))


class FeedbackApp:
    """The WSGI app; every request that touches the store runs under one lock."""

    def __init__(
        self,
        store: FeedbackStore,
        base_url: str,
        token_ttl: float = TOKEN_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.base = base_url.rstrip("/")
        self.token_ttl = token_ttl
        self.clock = clock
        self.tokens: dict[str, float] = {}  # access token -> when it was issued
        self.lock = threading.RLock()
        self.reviews_t = Table(lambda: self.store.reviews)
        self.invitations_t = Table(lambda: self.store.invitations)
        self.routes: dict[str, dict[str, Callable[..., Response]]] = {
            "shop": {"GET": self.get_shop},
            "question": {"GET": self.list_questions},
            "review": {"GET": self.list_reviews},
            "review/*": {"GET": self.get_review},
            "orders": {"POST": self.create_invitation},
            "invitations": {"GET": self.list_invitations},
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Fail as fail:
            response = fail.response
        return response(environ, start_response)

    def revoke_tokens(self) -> None:
        """Expire every access token (as if `token_ttl` had passed)."""
        with self.lock:
            self.tokens.clear()

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(PREFIX):
            raise failure(404)
        rest = path[len(PREFIX) :].strip("/").removesuffix(".json").strip("/")
        parts = rest.split("/") if rest else []
        if parts == ["oauth2", "token"]:
            if request.method != "GET":
                raise failure(405)
            return self.token(request)
        self._authenticate(request)
        if len(parts) == 2 and parts[0] == "review":
            key, args = "review/*", [parts[1]]
        else:
            key, args = "/".join(parts), []
        handlers = self.routes.get(key)
        if handlers is None:
            raise failure(404)
        handler = handlers.get(request.method)
        if handler is None:
            raise failure(405)
        with self.lock:
            tables = (self.reviews_t, self.invitations_t)
            return retrying(tables, lambda: handler(request, *args))

    # ---- auth ---------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        args = request.args
        if args.get("grant_type") != "authorization_code":
            raise failure(400, "Unsupported grant_type")
        client_id, secret = args.get("client_id", ""), args.get("client_secret", "")
        if not (
            secrets.compare_digest(client_id, FEEDBACKCOMPANY_CLIENT_ID)
            and secrets.compare_digest(secret, FEEDBACKCOMPANY_CLIENT_SECRET)
        ):
            raise failure(401, "Unauthorized")
        token = secrets.token_hex(20)
        with self.lock:
            self.tokens[token] = self.clock()
        return json_response({"error": False, "access_token": token})

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        with self.lock:
            issued = self.tokens.get(token) if scheme.lower() == "bearer" else None
            if issued is not None and self.clock() - issued > self.token_ttl:
                del self.tokens[token]
                issued = None
        if issued is None:
            raise failure(401, "401 Unauthorized")

    # ---- resources ----------------------------------------------------------------------------

    def get_shop(self, request: Request) -> Response:
        return json_response({"success": True, "shop": self.store.shop or DEFAULT_SHOP})

    def list_questions(self, request: Request) -> Response:
        return json_response({"success": True, "questions": QUESTIONS})

    def list_reviews(self, request: Request) -> Response:
        limit = min(_number(request.args, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
        start = _number(request.args, "start", 0, 0)
        ordered = self.reviews_t.sorted("created", _created, descending=True)
        page = [public(r) for r in ordered.page(start, start + limit)]
        return json_response({"success": True, "reviews": page, "count": {"total": len(ordered)}})

    def get_review(self, request: Request, raw_id: str) -> Response:
        review = (
            self.reviews_t.get(int(raw_id))
            if raw_id.isdigit() and str(int(raw_id)) == raw_id
            else None
        )
        if review is None:
            raise failure(404, "Review not found")
        return json_response({"success": True, "review": public(review)})

    def list_invitations(self, request: Request) -> Response:
        page = _number(request.args, "page", 1, 1)
        per_page = _number(request.args, "per_page", DEFAULT_LIMIT, 1)
        if per_page > MAX_LIMIT:
            raise failure(400, "Invalid value for per_page")
        ordered = self.invitations_t.sorted("created", _created, descending=True)
        start = (page - 1) * per_page
        body = {
            "success": True,
            "invitations": [_invitation(i) for i in ordered.page(start, start + per_page)],
            "page": page,
            "per_page": per_page,
            "count": {"total": len(ordered)},
        }
        return json_response(body)

    def create_invitation(self, request: Request) -> Response:
        try:
            data = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise failure(400, "Invalid JSON") from None
        if not isinstance(data, dict):
            raise failure(400, "Invalid JSON")
        external_id = data.get("external_id")
        if (
            not isinstance(external_id, str | int)
            or isinstance(external_id, bool)
            or not str(external_id)
        ):
            raise failure(422, "external_id is required")
        customer: JSON = data["customer"] if isinstance(data.get("customer"), dict) else {}
        email = customer.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise failure(422, "customer.email is required")
        name = customer.get("fullname") or customer.get("name") or ""
        settings: JSON = data["invitation"] if isinstance(data.get("invitation"), dict) else {}
        delay = _delay(settings.get("delay"))
        reminder = settings.get("reminder") or {"unit": "days", "amount": 0}
        now = datetime.now(AMS).replace(microsecond=0)
        scheduled = now + delay
        sent = delay <= timedelta(0)
        invitation: JSON = {
            "id": self._next_invitation_id(),
            "external_id": str(external_id),
            "customer": {"email": email, "fullname": str(name)},
            "date_created": now.isoformat(),
            "date_scheduled": scheduled.isoformat(),
            "date_sent": scheduled.isoformat() if sent else None,
            "status": "sent" if sent else "pending",
            "invitation": {"delay": settings.get("delay") or _DEFAULT_DELAY, "reminder": reminder},
            "products": data.get("products") if isinstance(data.get("products"), list) else [],
        }
        self.store.invitations.append(invitation)
        return json_response({"success": True})

    def _next_invitation_id(self) -> int:
        highest = self.invitations_t.sorted("id", lambda i: (int(i["id"]),))
        last = highest.page(len(highest) - 1, len(highest))
        return (int(last[0]["id"]) if last else 8_400_000) + 1


_DEFAULT_DELAY: JSON = {"unit": "days", "amount": 3}
_UNITS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 7 * 86400}


def _delay(value: Any) -> timedelta:
    delay = value if isinstance(value, dict) else _DEFAULT_DELAY
    unit, amount = delay.get("unit", "days"), delay.get("amount", 3)
    if unit not in _UNITS or not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise failure(422, "Invalid invitation delay")
    return timedelta(seconds=_UNITS[unit] * amount)


def create_app(
    store: FeedbackStore,
    base_url: str,
    *,
    token_ttl: float = TOKEN_TTL,
    clock: Callable[[], float] = time.monotonic,
) -> WSGIApp:
    """The fake Feedback Company v2 API over `store`; tokens expire after `token_ttl` seconds."""
    return FeedbackApp(store, base_url, token_ttl, clock)


def _seed(store: FeedbackStore, shop: Shop, orders: list[ShopOrder], rng: random.Random) -> None:
    seed_feedback(
        store, orders, shop.today, rng, subject_email=shop.subject_email, traps=shop.traps
    )


# What the sandbox needs of this fake (sandbox.plugin); the jewellery shop asks for reviews.
FAKE = Fake(
    store=FeedbackStore,
    create_app=lambda store, url, shop: create_app(store, url),
    env=lambda url: {
        "FEEDBACKCOMPANY_API_URL": url,
        "FEEDBACKCOMPANY_CLIENT_ID": FEEDBACKCOMPANY_CLIENT_ID,
        "FEEDBACKCOMPANY_CLIENT_SECRET": FEEDBACKCOMPANY_CLIENT_SECRET,
    },
    shops=("lightspeed",),
    seed=_seed,
    hostile="connectors.feedbackcompany.fake_hostile",
    scale="connectors.feedbackcompany.scale",
)
