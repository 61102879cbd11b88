"""WooCommerce REST API key authentication, as `WC_REST_Authentication` does it (WooCommerce 10).

Docs: shared/specs/woocommerce/_authentication.md.
- Over https (the WSGI scheme, or `X-Forwarded-Proto: https` from a proxy in front): HTTP Basic
  with the consumer key/secret, or `?consumer_key=&consumer_secret=`; when that gives no user,
  OAuth is tried as well.
- Over plain http only OAuth 1.0a "one-legged" counts: `oauth_*` parameters in the query string,
  form body or an `Authorization: OAuth ...` header; HMAC-SHA1 or HMAC-SHA256 keyed with
  `consumer_secret + "&"`; the base string is `METHOD&rawurlencode(home URL + path)&params`, where
  the parameters (the request's `$_GET`, last value wins, without `oauth_signature`) are sorted by
  key and each `key=value` pair is percent-encoded twice (RFC 3986). The home URL is the site's
  configured one, never the Host header: a client calling `localhost` for a site installed on
  `127.0.0.1` signs another URL and gets 401. Timestamps must lie within 15 minutes of now and a
  nonce is refused when it was seen within that window (WooCommerce keeps one nonce per timestamp).
- Basic credentials sent over plain http are ignored, so the request is unauthenticated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from connectors.woocommerce.fake.rest import PhpParams, RestError

WINDOW = 15 * 60
_OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)


def rfc3986(text: str) -> str:
    """PHP `rawurlencode()` with `~` kept (`wc_rest_urlencode_rfc3986()`)."""
    return quote(text, safe="-_.~")


def _auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> RestError:
    return RestError(code, message, 401)


@dataclass
class AuthResult:
    """Who the request is: `user` when a key authenticated it; `error` ends the request with 401."""

    user: bool = False
    error: RestError | None = None


class WooAuth:
    """Checks requests against one read/write API key."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        permissions: str = "read_write",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.permissions = permissions
        self.clock = clock
        self._nonces: dict[int, str] = {}
        self._lock = threading.Lock()

    def authenticate(
        self,
        *,
        method: str,
        home_url: str,
        raw_path: str,
        query: PhpParams,
        form: Mapping[str, str],
        authorization: str,
        https: bool,
    ) -> AuthResult:
        result = AuthResult()
        if https:
            result.user = self._basic(query, authorization, result)
        if not result.user:
            params: dict[str, str | dict[str, str]] = {**query, **form}
            header = authorization.strip()
            if header.startswith("OAuth "):
                for key, quoted, bare in re.findall(
                    r'(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))', header
                ):
                    params[key] = unquote((quoted or bare).replace("+", " "))
            user = self._oauth(method, home_url, raw_path, params, https, result)
            result.user = user
        if result.user:
            result.error = None
            allowed = self._permission_error(method)
            if allowed is not None:
                result.user, result.error = False, allowed
        return result

    def _basic(self, query: PhpParams, authorization: str, result: AuthResult) -> bool:
        key = secret = ""
        qk, qs = query.get("consumer_key"), query.get("consumer_secret")
        if isinstance(qk, str) and isinstance(qs, str) and qk and qs:
            key, secret = qk, qs
        elif authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            key, _, secret = decoded.partition(":")
        if not key or not secret or key != self.consumer_key:
            return False
        if not hmac.compare_digest(secret, self.consumer_secret):
            result.error = _auth_error("Consumer secret is invalid.")
            return False
        return True

    def _oauth(
        self,
        method: str,
        home_url: str,
        raw_path: str,
        params: dict[str, str | dict[str, str]],
        https: bool,
        result: AuthResult,
    ) -> bool:
        missing = [name for name in _OAUTH_REQUIRED if not params.get(name)]
        if len(missing) == len(_OAUTH_REQUIRED):
            return False  # not trying OAuth at all
        if missing:
            noun = "parameter" if len(missing) == 1 else "parameters"
            result.error = _auth_error(
                f"Missing OAuth {noun} {', '.join(missing)}",
                "woocommerce_rest_authentication_missing_parameter",
            )
            return False
        if params["oauth_consumer_key"] != self.consumer_key:
            result.error = _auth_error("Consumer key is invalid.")
            return False
        error = self._check_signature(method, home_url, raw_path, params, https)
        if error is None:
            error = self._check_timestamp_and_nonce(
                params["oauth_timestamp"], params["oauth_nonce"]
            )
        if error is not None:
            result.error = error
            return False
        return True

    def base_string(
        self,
        method: str,
        home_url: str,
        raw_path: str,
        params: Mapping[str, str | dict[str, str]],
        https: bool,
    ) -> str:
        """The OAuth signature base string the site computes for this request."""
        home = home_url.rstrip("/")
        scheme, rest = home.split("://", 1)
        home = f"{'https' if https else scheme}://{rest}"
        home_path = urlsplit(home).path.rstrip("/") + "/"
        path = raw_path[len(home_path) :] if raw_path.startswith(home_path) else raw_path
        url = f"{home.rstrip('/')}/{path.lstrip('/')}"
        pairs: list[str] = []
        for key in sorted(k for k in params if k != "oauth_signature"):
            value = params[key]
            if isinstance(value, dict):
                for sub, item in value.items():
                    pair = f"{rfc3986(key)}%5B{sub}%5D={rfc3986(item)}"
                    pairs.append(rfc3986(pair))
            else:
                pairs.append(rfc3986(f"{rfc3986(key)}={rfc3986(value)}"))
        return f"{method.upper()}&{rfc3986(url)}&{'%26'.join(pairs)}"

    def _check_signature(
        self,
        method: str,
        home_url: str,
        raw_path: str,
        params: Mapping[str, str | dict[str, str]],
        https: bool,
    ) -> RestError | None:
        given = params["oauth_signature"]
        sig_method = params["oauth_signature_method"]
        if sig_method not in ("HMAC-SHA1", "HMAC-SHA256") or not isinstance(given, str):
            return _auth_error("Invalid signature - signature method is invalid.")
        digest = hashlib.sha1 if sig_method == "HMAC-SHA1" else hashlib.sha256
        to_sign = self.base_string(method, home_url, raw_path, params, https)
        key = f"{self.consumer_secret}&".encode()
        expected = base64.b64encode(hmac.new(key, to_sign.encode(), digest).digest()).decode()
        if not hmac.compare_digest(expected, unquote(given.replace(" ", "+"))):
            return _auth_error("Invalid signature - provided signature does not match.")
        return None

    def _check_timestamp_and_nonce(
        self, timestamp: str | dict[str, str], nonce: str | dict[str, str]
    ) -> RestError | None:
        now = int(self.clock())
        try:
            stamp = int(str(timestamp))
        except ValueError:
            stamp = 0
        if not now - WINDOW <= stamp <= now + WINDOW:
            return _auth_error("Invalid timestamp.")
        with self._lock:
            if nonce in self._nonces.values():
                return _auth_error("Invalid nonce - nonce has already been used.")
            self._nonces[stamp] = str(nonce)
            for old in [t for t in self._nonces if t < now - WINDOW]:
                del self._nonces[old]
        return None

    def _permission_error(self, method: str) -> RestError | None:
        if method in ("GET", "HEAD") and self.permissions not in ("read", "read_write"):
            return _auth_error("The API key provided does not have read permissions.")
        if method in ("POST", "PUT", "PATCH", "DELETE") and self.permissions not in (
            "write",
            "read_write",
        ):
            return _auth_error("The API key provided does not have write permissions.")
        return None
