"""What a chapter's checks are written with: the ``check`` decorator and ``expect_*`` helpers.

A check is a plain pytest test that talks to the running app over HTTP with the ``client``
fixture. Its docstring's first line is its title. Failures raised through the helpers here say
what was expected and what came back, in words a student can act on.
"""

from __future__ import annotations

import importlib
import json as _json
import sys
import warnings
from collections.abc import Callable, Iterable

import requests

from grader.results import excerpt

BODY_EXCERPT = 600


def check(points: int = 1, hints: Iterable[str] = ()) -> Callable:
    """Mark a test as a graded check worth ``points``, with hints from general to specific."""

    def mark(func: Callable) -> Callable:
        func.flasklings = {"points": points, "hints": list(hints)}
        return func

    return mark


class CheckFailed(AssertionError):
    """A check's expectation was not met; ``expected`` and ``actual`` are shown apart."""

    def __init__(self, message: str, expected: str = "", actual: str = ""):
        super().__init__(message)
        self.message = str(message)
        self.expected = expected if isinstance(expected, str) else repr(expected)
        self.actual = actual if isinstance(actual, str) else repr(actual)


def fail(message: str, expected: str = "", actual: str = "") -> None:
    raise CheckFailed(message, expected, actual)


def _what(resp: requests.Response) -> str:
    return f"{resp.request.method} {requests.utils.urlparse(resp.url).path or '/'}"


def body_excerpt(resp: requests.Response, limit: int = BODY_EXCERPT) -> str:
    """Return the start of the response body, saying how much is cut."""
    return excerpt(resp.text, limit)


def expect_status(resp: requests.Response, *codes: int, why: str = "") -> None:
    """Fail unless the response status is one of ``codes``."""
    if resp.status_code not in codes:
        want = " or ".join(str(c) for c in codes)
        msg = f"{_what(resp)} answered {resp.status_code}, expected {want}"
        fail(msg + (f": {why}" if why else ""))


def expect_header(resp: requests.Response, name: str, value: str | None = None,
                  contains: str | None = None) -> str:
    """Fail unless header ``name`` is present (and equals ``value`` / contains ``contains``)."""
    got = resp.headers.get(name)
    if got is None:
        fail(f"{_what(resp)} sent no {name} header", expected=f"{name}: {value or contains or '…'}",
             actual="(no such header)")
    if value is not None and got != value:
        fail(f"{_what(resp)} sent {name}: {got!r}, expected {value!r}",
             expected=f"{name}: {value}", actual=f"{name}: {got}")
    if contains is not None and contains.lower() not in got.lower():
        fail(f"{_what(resp)} sent {name}: {got!r}, which does not contain {contains!r}",
             expected=f"{name} containing {contains}", actual=f"{name}: {got}")
    return got


def expect_in_body(resp: requests.Response, text: str, why: str = "") -> None:
    """Fail unless ``text`` appears in the response body."""
    if text not in resp.text:
        fail(f"{_what(resp)}: the page does not contain {text!r}" + (f" ({why})" if why else ""),
             expected=f"body containing {text!r}", actual=body_excerpt(resp))


def expect_not_in_body(resp: requests.Response, text: str, why: str = "") -> None:
    """Fail if ``text`` appears in the response body."""
    if text in resp.text:
        fail(f"{_what(resp)}: the page contains {text!r}" + (f" ({why})" if why else ""),
             expected=f"body without {text!r}", actual=body_excerpt(resp))


def json_body(resp: requests.Response):
    """Return the parsed JSON body, or fail saying what came back instead."""
    ctype = resp.headers.get("Content-Type", "")
    if "json" not in ctype:
        fail(f"{_what(resp)} answered with Content-Type {ctype or '(none)'!r}, expected JSON",
             expected="Content-Type: application/json", actual=f"Content-Type: {ctype}")
    try:
        return resp.json()
    except ValueError:
        fail(f"{_what(resp)} said it was JSON but the body does not parse",
             expected="a JSON body", actual=body_excerpt(resp))


def html(resp: requests.Response):
    """Parse the response as HTML with a real parser (BeautifulSoup on html.parser)."""
    return _soup_class()(resp.text, "html.parser")


class _LazySoupSieve:
    """Stand in for soupsieve until a check really uses a CSS selector (``.select()``)."""

    def __getattr__(self, name):
        import bs4.css

        sys.modules.pop("soupsieve", None)
        real = importlib.import_module("soupsieve")
        bs4.css.soupsieve = real
        return getattr(real, name)


def _soup_class():
    """Import BeautifulSoup without soupsieve's import-time regex compiling.

    soupsieve (CSS selectors) compiles a few hundred regexes when imported: about a tenth of
    a whole grade's time, for a feature most checks never use. bs4 is imported with it
    hidden, and a lazy stand-in loads it the first time a selector runs.
    """
    if "bs4" not in sys.modules:
        hidden = "soupsieve" not in sys.modules
        if hidden:
            sys.modules["soupsieve"] = None  # makes "import soupsieve" fail inside bs4.css
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import bs4.css
        finally:
            if hidden:
                del sys.modules["soupsieve"]
        if hidden:
            bs4.css.soupsieve = _LazySoupSieve()
    from bs4 import BeautifulSoup

    return BeautifulSoup


def pretty_json(data) -> str:
    return _json.dumps(data, indent=None, ensure_ascii=False)[:BODY_EXCERPT]
