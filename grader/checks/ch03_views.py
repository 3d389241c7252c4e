"""Chapter 3 checks: Linkly's JSON API, its status codes, and bad input answered clearly."""

import uuid
from urllib.parse import urljoin, urlsplit

from grader.checking import (
    CheckFailed,
    body_excerpt,
    check,
    expect_header,
    expect_status,
    fail,
    json_body,
    pretty_json,
)


def _url(tag="page"):
    """Return a fresh target URL, so checks never trip over each other's links."""
    return f"https://example.com/{tag}/{uuid.uuid4().hex[:12]}"


def _create(client, url, first_step=True, **extra):
    """POST a link as JSON; return (response, data), failing unless it was created.

    Most checks create a link before testing their own point; when that step fails, say so,
    so a student fixes the creating check first instead of chasing this check's hint.
    """
    try:
        r = client.post("/api/links", json={"url": url, **extra})
        expect_status(r, 201, why="creating a resource answers 201 Created")
        data = json_body(r)
        if not isinstance(data, dict) or data.get("url") != url:
            fail("the new link's JSON does not carry the URL that was sent",
                 expected=f'an object with "url": "{url}"', actual=pretty_json(data))
    except CheckFailed as exc:
        if not first_step:
            raise
        raise CheckFailed("this check first creates a link, and that step failed (fix the "
                          "check about POST /api/links first): " + exc.message,
                          exc.expected, exc.actual) from None
    return r, data


def _location(r):
    """Return the absolute URL in the response's Location header."""
    return urljoin(r.url, expect_header(r, "Location"))


def _expect_error(r, *codes, mention=None):
    """Fail unless ``r`` is one of ``codes`` with a JSON body {"error": "<a clear message>"}."""
    why = "bad input is the client's mistake: a 4xx with a message, never a 500"
    expect_status(r, *codes, why=why if r.status_code >= 500 else "")
    data = json_body(r)
    message = data.get("error") if isinstance(data, dict) else None
    if not isinstance(message, str) or not message.strip():
        fail(f"the {r.status_code} answer has no error message",
             expected='{"error": "<what was wrong>"}', actual=pretty_json(data))
    if mention and mention.lower() not in message.lower():
        fail(f"the error message does not say which field is wrong ({mention!r})",
             expected=f"a message mentioning {mention!r}", actual=message)


@check(points=3, hints=[
    "A view can return (body, status, headers): creating a resource answers 201 Created.",
    ("Read the body with request.get_json(); return the link as a dict with status 201 and a "
    "Location header built with url_for() for the view that shows one link."),
])
def test_create_link(client):
    """POST /api/links with JSON answers 201, the link, and a Location that shows it."""
    url = _url("create")
    r, data = _create(client, url, first_step=False)
    if not isinstance(data.get("code"), str) or not data["code"]:
        fail("the new link has no short code", expected='"code": "<a short code>"',
             actual=pretty_json(data))
    where = _location(r)
    shown = client.get(where)
    expect_status(shown, 200, why=f"the Location header ({where}) should show the new link")
    got = json_body(shown)
    if not isinstance(got, dict) or got.get("url") != url:
        fail("the Location header does not lead to the link just created",
             expected=f'GET {urlsplit(where).path} showing "url": "{url}"',
             actual=pretty_json(got))


@check(points=1, hints=[
    "An HTML form arrives as application/x-www-form-urlencoded, in request.form, not JSON.",
    "Look at request.is_json / request.mimetype to decide between get_json() and request.form.",
])
def test_create_from_form(client):
    """POST /api/links also accepts an HTML form's fields."""
    url = _url("form")
    r = client.post("/api/links", data={"url": url})
    expect_status(r, 201, why="a form post with a valid url creates the link too")
    data = json_body(r)
    if not isinstance(data, dict) or data.get("url") != url:
        fail("the link created from a form does not carry its URL",
             expected=f'"url": "{url}"', actual=pretty_json(data))


@check(points=2, hints=[
    "The query string is in request.args, a dict of strings.",
    "Return {'links': [...]} and cut the list to ?limit=N items.",
])
def test_list_links(client):
    """GET /api/links lists links; ?limit=N returns at most N."""
    urls = {_create(client, _url("list"))[1]["url"] for _ in range(2)}
    r = client.get("/api/links?limit=100")
    expect_status(r, 200)
    data = json_body(r)
    links = data.get("links") if isinstance(data, dict) else None
    if not isinstance(links, list):
        fail("GET /api/links does not answer a list of links",
             expected='{"links": [...]}', actual=pretty_json(data))
    listed = {item.get("url") for item in links if isinstance(item, dict)}
    if not urls <= listed:
        fail("GET /api/links?limit=100 does not list the links just created",
             expected=f"links including {sorted(urls)}", actual=pretty_json(data))
    one = json_body(client.get("/api/links?limit=1"))
    count = len(one.get("links", [])) if isinstance(one, dict) else None
    if count != 1:
        fail("GET /api/links?limit=1 did not return exactly one link",
             expected="1 link", actual=f"{count} links: {pretty_json(one)}")


@check(points=1, hints=[
    "request.args.get('limit', type=int) silently ignores a value it cannot convert.",
    ("Check the raw string yourself and abort(400, description=...) for anything that is not "
    "a whole number in range."),
])
def test_bad_limit(client):
    """A limit that is not a sensible whole number answers 400, not a silent default."""
    for bad in ("abc", "-5", "0", "1.5"):
        _expect_error(client.get(f"/api/links?limit={bad}"), 400)


@check(points=2, hints=[
    "Never trust that a field is there: data['url'] on a missing key is a 500.",
    "Use data.get('url') and abort(400, description=\"the field 'url' is required\").",
])
def test_missing_url(client):
    """A body without a url answers 400 with a message naming the field."""
    for body in ({}, {"url": ""}, {"link": _url("typo")}):
        _expect_error(client.post("/api/links", json=body), 400, mention="url")
    _expect_error(client.post("/api/links", data={"title": "no url"}), 400, mention="url")


@check(points=1, hints=[
    ("Flask answers a body that claims to be JSON but does not parse with 400 by itself: its "
    "error handler decides what that 400 looks like."),
    ("request.get_json(silent=True) returns None for bad JSON; a JSON list or string is valid "
    "JSON but not an object."),
])
def test_malformed_json(client):
    """Broken JSON, or JSON that is not an object, answers 400 with a JSON error."""
    headers = {"Content-Type": "application/json"}
    for body in ('{"url": ', "[1, 2, 3]", '"https://example.com"', "null"):
        _expect_error(client.post("/api/links", data=body, headers=headers), 400)


@check(points=1, hints=[
    "415 Unsupported Media Type is the status for a body in a format the view cannot read.",
    "Accept application/json and the two form types; abort(415, ...) for anything else.",
])
def test_wrong_content_type(client):
    """A body that is neither JSON nor a form answers 415 with a JSON error."""
    r = client.post("/api/links", data=_url("plain"), headers={"Content-Type": "text/plain"})
    _expect_error(r, 415)


@check(points=1, hints=[
    "A link shortener that stores anything as a URL can be made to redirect to javascript:.",
    "urllib.parse.urlsplit() gives the scheme and host: insist on http/https and a host.",
])
def test_invalid_url(client):
    """Things that are not http(s) URLs answer 400."""
    for bad in ("not a url", "javascript:alert(1)", "ftp://example.com/file", "https://", 42,
                ["https://example.com"]):
        _expect_error(client.post("/api/links", json={"url": bad}), 400, 422)


@check(points=1, hints=[
    "Every input needs an upper bound, or one request can fill your storage.",
    "Compare len(url) with app.config['MAX_URL_LENGTH'] (2048) and answer 400.",
])
def test_oversized_url(client):
    """A URL longer than 2048 characters answers 400 with a message."""
    huge = "https://example.com/" + "a" * 3000
    _expect_error(client.post("/api/links", json={"url": huge}), 400, 413, 422)


@check(points=1, hints=[
    "Without a limit, one request can make your app read gigabytes into memory.",
    "Set app.config['MAX_CONTENT_LENGTH'] to 64 * 1024: Flask then answers 413 by itself.",
])
def test_body_too_large(client):
    """A request body over 64 KiB answers 413, even when its fields are fine."""
    body = {"url": _url("big"), "note": "x" * (70 * 1024)}
    _expect_error(client.post("/api/links", json=body), 413)


@check(points=1, hints=[
    "409 Conflict says the request clashes with what the server already holds.",
    "Ask the store whether the code is taken before adding; abort(409, ...) if it is.",
])
def test_duplicate_code(client):
    """A chosen code is used as given, and choosing a taken code answers 409."""
    code = "c" + uuid.uuid4().hex[:10]
    _, data = _create(client, _url("code"), code=code)
    if data.get("code") != code:
        fail("the link does not use the code that was asked for",
             expected=f'"code": "{code}"', actual=pretty_json(data))
    _expect_error(client.post("/api/links", json={"url": _url("code"), "code": code}), 409)


@check(points=2, hints=[
    "DELETE that succeeds has nothing to say: 204 No Content, with an empty body.",
    "Return ('', 204); deleting something that is not there is a 404.",
])
def test_delete_link(client):
    """DELETE /api/links/<id> answers 204 with no body; the link is then gone (404)."""
    r, _ = _create(client, _url("delete"))
    where = _location(r)
    gone = client.delete(where)
    expect_status(gone, 204)
    if gone.content:
        fail("a 204 answer must have an empty body", expected="no body",
             actual=body_excerpt(gone))
    _expect_error(client.get(where), 404)
    _expect_error(client.delete(where), 404)


@check(points=1, hints=[
    "abort(404, description=...) stops the view and answers the error.",
    "Register an error handler so the API's errors come back as JSON.",
])
def test_unknown_link(client):
    """GET /api/links/<an unknown id> answers 404 with a JSON error."""
    _expect_error(client.get("/api/links/987654321"), 404)


@check(points=2, hints=[
    ("One error handler for HTTPException can serve every error; the Accept header says what "
    "the client can read."),
    ("request.accept_mimetypes.best_match(['application/json', 'text/html']) picks the format; "
    "keep the error's status and its headers (a 405 needs Allow)."),
])
def test_errors_follow_accept(client):
    """Errors come back as HTML or JSON, whichever the client's Accept header asks for."""
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    expect_status(page, 404)
    expect_header(page, "Content-Type", contains="text/html")
    api = client.get("/no/such/page", headers={"Accept": "application/json"})
    _expect_error(api, 404)
    wrong = client.put("/api/links", json={"url": _url("put")},
                       headers={"Accept": "application/json"})
    _expect_error(wrong, 405)
    allow = expect_header(wrong, "Allow")
    if "POST" not in allow.upper():
        fail("the 405 answer's Allow header does not list POST", expected="Allow: ... POST ...",
             actual=f"Allow: {allow}")


@check(points=1, hints=[
    "A short link is only useful if visiting it redirects.",
    "redirect(link['url']) answers 302 with a Location header.",
])
def test_short_link_redirects(client):
    """Visiting /<code> redirects to the link's URL."""
    url = _url("go")
    _, data = _create(client, url)
    # Session.get() would follow the redirect to the (unreachable) target: look at it instead.
    r = client.get(f"/{data.get('code')}", allow_redirects=False)
    expect_status(r, 301, 302, 303, 307, 308)
    expect_header(r, "Location", value=url)
