"""The one outbound HTTP client every connector uses (person-index sync, the case-system
push).

What it guarantees, whoever calls it:

- HTTPS only, except to this machine (127.0.0.0/8, ::1, localhost), so a bearer token never
  crosses a network in clear; redirects only within the same origin (scheme, host, port),
  never to another host and never down to http.
- Timeouts on connecting and on every read; retries with exponential backoff and jitter for
  failures that pass (cannot connect, no answer in time, 502/503/504, 429 honouring
  Retry-After); other answers are final at once. A POST is retried only when it carries an
  Idempotency-Key (the peer then answers a repeat with the first result, never a second
  effect); without one it is tried once, since a lost answer may hide an accepted request.
- A cap on the size of an answer, read as a stream: an oversized answer is refused from its
  Content-Length, or as soon as the cap is passed, never read whole.
- Every failure is one line naming what was being fetched (``what``) and what to do.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import UTC, datetime
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from ffd_core.errors import FFDError

RETRIED_STATUSES = frozenset({502, 503, 504, 429})
LOOPBACK_NAMES = frozenset({"localhost"})


class OutboundFailed(FFDError):
    """A peer could not be used; the message names what was being fetched and why.
    ``status``: the HTTP status that ended it, if one did; ``passing``: a failure that may
    pass (the peer unreachable, slow or overloaded) rather than a refusal; ``detail``: the
    peer's JSON error body, if it sent one."""

    def __init__(self, message: str, *, status: int | None = None, passing: bool = False,
                 detail: Any = None) -> None:
        super().__init__(message)
        self.status, self.passing, self.detail = status, passing, detail


@dataclass(frozen=True)
class Policy:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 4  # the first try and three retries
    backoff_initial: float = 0.5  # seconds; doubles each retry, plus up to as much again
    backoff_max: float = 30.0  # no single wait is longer; a longer Retry-After is final
    max_bytes: int = 16 * 1024 * 1024
    max_redirects: int = 3


class _Transient(Exception):
    """A failure worth another try."""

    def __init__(self, problem: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.retry_after, self.status = problem, retry_after, status


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_url(url: str, what: str) -> httpx.URL:
    """Refuse anything but https (or http to this machine) before a byte is sent."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise OutboundFailed(f"{what}: {url!r} is not a URL ({error})") from None
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host and is_loopback(parsed.host):
        return parsed
    if parsed.scheme == "http":
        raise OutboundFailed(f"{what}: refusing plain http:// to {parsed.host}: use https:// "
                             "(plain http is allowed only to this machine)")
    raise OutboundFailed(f"{what}: {url!r} is not an https:// URL")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


# The most of an error answer that is read, for the peer's reason.
ERROR_BODY_BYTES = 64 * 1024


class OutboundClient:
    """``get_json`` and ``post_json`` with every guarantee above; one per run, closed
    afterwards."""

    def __init__(self, *, token: str | None = None, policy: Policy | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy = policy or Policy()
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            follow_redirects=False)

    def __enter__(self) -> OutboundClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get_json(self, url: str, *, what: str, params: Mapping[str, Any] | None = None) -> Any:
        request = self._client.build_request("GET", checked_url(url, what), params=params,
                                             headers=self._headers)
        _status, body = self._json(*self._send(request, what, self.policy.attempts), what)
        return body

    def post_json(self, url: str, body: Any, *, what: str,
                  idempotency_key: str | None = None) -> tuple[int, Any]:
        """POST ``body`` as JSON; (status, the JSON answer). Retried on failures that pass
        only with an ``idempotency_key``, sent as the Idempotency-Key header."""
        headers = dict(self._headers)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = self._client.build_request("POST", checked_url(url, what), json=body,
                                             headers=headers)
        return self._json(*self._send(request, what, self.policy.attempts if idempotency_key else 1),
                          what)

    @staticmethod
    def _json(status: int, body: bytes, content_type: str, what: str) -> tuple[int, Any]:
        if "json" not in content_type:
            kind = "HTML" if "html" in content_type else (content_type or "unlabelled")
            raise OutboundFailed(f"{what}: the answer is {kind}, not JSON; is the URL the "
                                 "service's API endpoint?", status=status)
        try:
            return status, json.loads(body)
        except (ValueError, RecursionError) as error:
            raise OutboundFailed(f"{what}: the answer is not valid JSON ({error})",
                                 status=status) from None

    def _send(self, request: httpx.Request, what: str, attempts: int) -> tuple[int, bytes, str]:
        retrying = Retrying(
            stop=stop_after_attempt(attempts), wait=self._wait,
            retry=retry_if_exception_type(_Transient), sleep=self._sleep, reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(request, what)
        except _Transient as error:
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise OutboundFailed(f"{what}: {error.problem}{tries}", status=error.status,
                                 passing=True) from None
        raise AssertionError("unreachable")  # pragma: no cover - Retrying returns or raises

    def _wait(self, state) -> float:  # noqa: ANN001 - tenacity's RetryCallState
        error = state.outcome.exception()
        if isinstance(error, _Transient) and error.retry_after is not None:
            return error.retry_after
        return wait_exponential_jitter(multiplier=self.policy.backoff_initial,
                                       max=self.policy.backoff_max,
                                       jitter=self.policy.backoff_initial)(state)

    def _once(self, request: httpx.Request, what: str) -> tuple[int, bytes, str]:
        url = request.url
        for _ in range(self.policy.max_redirects + 1):
            try:
                response = self._client.send(request, stream=True)
                try:
                    if not response.is_redirect:
                        return self._answer(response, what)
                    if request.method != "GET":  # a redirect may turn a POST into a GET
                        raise OutboundFailed(f"{what}: the server answered with a redirect "
                                             f"(HTTP {response.status_code}); refused: check "
                                             "the URL", status=response.status_code)
                    request = self._same_origin_redirect(request, response, what)
                finally:
                    response.close()
            except httpx.TimeoutException:
                raise _Transient(f"no answer from {url.host} within "
                                 f"{self.policy.read_timeout:g} s") from None
            except httpx.ConnectError as error:
                raise _Transient(f"cannot connect to {url.host}:{url.port or 443} ({error})") from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as error:
                raise _Transient(f"the connection to {url.host} broke ({error})") from None
        raise OutboundFailed(f"{what}: more than {self.policy.max_redirects} redirects")

    def _same_origin_redirect(self, request: httpx.Request, response: httpx.Response,
                              what: str) -> httpx.Request:
        target = response.next_request
        if target is None or _origin(target.url) != _origin(request.url):
            where = target.url.host if target is not None else "nowhere"
            raise OutboundFailed(f"{what}: redirected to {where}, another host or scheme; "
                                 "refused (check the URL)")
        return target

    def _answer(self, response: httpx.Response, what: str) -> tuple[int, bytes, str]:
        status = response.status_code
        if status in RETRIED_STATUSES:
            wait = _retry_after(response) if status == 429 else None
            if wait is not None and wait > self.policy.backoff_max:
                raise OutboundFailed(f"{what}: HTTP 429, the server asks to wait {wait:.0f} s; "
                                     "try again then", status=429, passing=True)
            raise _Transient(f"HTTP {status} {response.reason_phrase}", wait, status)
        if status in (401, 403):
            raise OutboundFailed(f"{what}: HTTP {status} {response.reason_phrase}: the server "
                                 "refused our credentials; check the token", status=status)
        if status >= 400:
            detail = self._error_detail(response)
            said = detail.get("message") if isinstance(detail, dict) else None
            raise OutboundFailed(
                f"{what}: HTTP {status} {response.reason_phrase} from the server"
                + (f": {' '.join(str(said).split())[:300]}" if said else ""),
                status=status, detail=detail)
        return (status, self._capped_body(response, what),
                response.headers.get("content-type", "").lower())

    def _error_detail(self, response: httpx.Response) -> Any:
        """The peer's JSON error body (its first 64 KB), or None."""
        if "json" not in response.headers.get("content-type", "").lower():
            return None
        try:
            body = self._capped_body(response, "", cap=ERROR_BODY_BYTES)
            return json.loads(body)
        except (OutboundFailed, ValueError, RecursionError, httpx.HTTPError):
            return None

    def _capped_body(self, response: httpx.Response, what: str, cap: int | None = None) -> bytes:
        cap = cap or self.policy.max_bytes
        too_big = OutboundFailed(f"{what}: the answer is larger than {cap / 1_048_576:g} MB; "
                                 "refused without reading it (ask for smaller pages)")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_big
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)


class PageTokens:
    """The page tokens of one paged read: a token given twice means the server is looping."""

    def __init__(self, first: str | None = None) -> None:
        self._pages: dict[str, int] = {first: 0} if first else {}

    def add(self, token: str | None, page: int, what: str) -> None:
        if token is None:
            return
        if token in self._pages:
            raise OutboundFailed(
                f"{what}: the server gave a page token it already gave (page "
                f"{self._pages[token] or 'where this run resumed'}), so it is looping; stopped "
                "there; tell the server's administrators")
        self._pages[token] = page
