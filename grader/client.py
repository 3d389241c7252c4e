"""A ``requests.Session`` that talks to the live app and remembers every exchange."""

from __future__ import annotations

import itertools
from urllib.parse import urljoin, urlparse

import requests

from grader.launcher import REQUEST_HEADER
from grader.results import excerpt

REQUEST_TIMEOUT = 5.0
EXCERPT = 600
_ids = itertools.count(1)
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_SHOWN_REQUEST_HEADERS = ("Content-Type", "Accept", "Cookie", "Origin", "Referer",
                          "If-None-Match", "If-Modified-Since", "Authorization",
                          "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host")


class RequestHung(Exception):
    """The app accepted a request but never answered it in time."""

    def __init__(self, method: str, path: str, timeout: float, request_id: str):
        super().__init__(
            f"{method} {path} got no answer within {timeout:g} s: a handler never returned"
        )
        self.method, self.path, self.timeout, self.request_id = method, path, timeout, request_id


class AppUnreachable(Exception):
    """The connection was refused or dropped: the app is down or crashed mid-request."""


class RecordingClient(requests.Session):
    """Send requests relative to ``base_url``; record each one into ``log``."""

    def __init__(self, base_url: str, log: list | None = None, timeout: float = REQUEST_TIMEOUT):
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        self.log = log if log is not None else []
        self.timeout = timeout
        self.trust_env = False  # never route loopback requests through a proxy

    def get_redirect_target(self, resp):
        """Follow redirects only within this machine: a check never reaches the internet."""
        target = super().get_redirect_target(resp)
        if target is None:
            return None
        host = urlparse(urljoin(resp.url, target)).hostname
        return target if host in _LOOPBACK else None

    def request(self, method, url, *args, **kwargs):
        full = urljoin(self.base_url, url.lstrip("/")) if not url.startswith("http") else url
        rid = f"r{next(_ids)}"
        headers = dict(kwargs.pop("headers", None) or {})
        headers[REQUEST_HEADER] = rid
        kwargs.setdefault("timeout", self.timeout)
        # requests' get()/head()/options() already set allow_redirects=True, so GETs follow
        # redirects unless a check passes allow_redirects=False; other methods do not follow.
        kwargs.setdefault("allow_redirects", False)
        path = urlparse(full).path or "/"
        query = urlparse(full).query
        record = {"request_id": rid, "method": method.upper(),
                  "path": path + (f"?{query}" if query else "")}
        self.log.append(record)
        try:
            resp = super().request(method, full, *args, headers=headers, **kwargs)
        except requests.exceptions.ReadTimeout:
            record["error"] = "no answer (timed out)"
            raise RequestHung(method.upper(), record["path"], kwargs["timeout"], rid) from None
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            record["error"] = "the answer broke off midway"
            raise AppUnreachable(
                f"{method.upper()} {record['path']}: the app started answering, then the "
                f"answer broke off midway ({_reason(exc)}): it failed while sending the body"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            record["error"] = "connection failed"
            raise AppUnreachable(
                f"{method.upper()} {record['path']}: could not talk to the app ({_reason(exc)})"
            ) from None
        if resp.history:
            record["redirects"] = [f"{r.status_code} → {r.headers.get('Location', '')}"
                                   for r in resp.history]
        req = resp.request
        record["request_headers"] = {
            k: v for k, v in req.headers.items()
            if k in _SHOWN_REQUEST_HEADERS and not (k == "Accept" and v == "*/*")
        }
        record["request_body"] = excerpt(req.body, 300)
        record["status"] = resp.status_code
        record["reason"] = resp.reason
        record["response_headers"] = dict(resp.headers)
        record["response_body"] = excerpt(resp.content, EXCERPT)
        record["elapsed_ms"] = round(resp.elapsed.total_seconds() * 1000, 1)
        return resp


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the app closed the connection without answering"
    if "reset by peer" in text:
        return "connection reset"
    return text.split(":")[-1].strip()[:120]
