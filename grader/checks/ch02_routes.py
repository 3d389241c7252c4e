"""Chapter 2 checks: Linkly's routes, converters, methods, redirects and url_for links."""

from urllib.parse import urljoin, urlsplit

from grader.checking import (
    body_excerpt,
    check,
    expect_header,
    expect_status,
    fail,
    html,
    json_body,
    pretty_json,
)

FLASK_URL = "https://flask.palletsprojects.com/"
NEW_URL = "https://example.org/docs/page?lang=en#part-2"
MOUNT = "/mounted"


def fetch(client, path: str):
    """GET ``path`` without following redirects: the checks look at the redirect itself."""
    # requests' Session.get follows redirects unless told not to, and a short link's target
    # is off this machine.
    return client.get(path, allow_redirects=False)


def location_path(resp, base_url: str) -> str:
    """Return the path a redirect points to, whether Location is absolute or relative."""
    target = urljoin(base_url + urlsplit(resp.url).path, resp.headers.get("Location", ""))
    return urlsplit(target).path


def expect_redirect(resp, *codes: int) -> str:
    expect_status(resp, *codes, why="a redirect")
    return expect_header(resp, "Location")


def detail(client, link_id: int) -> dict:
    r = fetch(client, f"/links/{link_id}")
    expect_status(r, 200)
    data = json_body(r)
    if not isinstance(data, dict):
        fail(f"GET /links/{link_id} answered JSON that is not an object",
             expected='{"id": ..., "code": ..., "url": ..., "short_url": ...}', actual=pretty_json(data))
    return data


def shorten(client, url: str, base_url: str, prefix: str = ""):
    """POST the form; return the response and the path its redirect points to."""
    r = client.post(f"{prefix}/shorten", data={"url": url})
    expect_redirect(r, 302, 303)
    return r, location_path(r, base_url)


@check(points=2, hints=[
    ("A rule with a variable part, such as '/<name>', passes that part of the path to the view "
     "as an argument."),
    ("Look the code up in the store and answer with redirect() to the link's URL: status 302, "
     "Location the URL."),
])
def test_follow_redirects(client):
    """GET /<code> redirects (302) to the link's URL."""
    r = fetch(client, "/flask")
    expect_status(r, 302, 307, why="a temporary redirect (browsers cache a 301 for good)")
    location = expect_header(r, "Location")
    if location != FLASK_URL:
        fail("GET /flask redirected to the wrong place", expected=f"Location: {FLASK_URL}",
             actual=f"Location: {location}")
    location = expect_redirect(fetch(client, "/py"), 302, 307)
    if location != "https://www.python.org/":
        fail("GET /py redirected to the wrong place",
             expected="Location: https://www.python.org/", actual=f"Location: {location}")


@check(points=1, hints=[
    "An unknown code is the client's mistake, not a crash: answer 404 Not Found.",
    "Look the code up with a method that returns None when it is missing, then abort(404).",
])
def test_unknown_code(client):
    """An unknown short code answers 404, not a crash."""
    expect_status(fetch(client, "/no-such-code"), 404, why="there is no link with that code")


@check(points=2, hints=[
    "The int converter, /links/<int:link_id>, matches digits only and hands the view an int.",
    "Return a dict with the link's id, code, url and short_url: Flask sends it as JSON.",
])
def test_link_detail(client):
    """GET /links/<id> describes the link as JSON."""
    for link_id, code, url in [(1, "flask", FLASK_URL), (2, "py", "https://www.python.org/")]:
        data = detail(client, link_id)
        got = {k: data.get(k) for k in ("id", "code", "url")}
        want = {"id": link_id, "code": code, "url": url}
        if got != want:
            fail(f"GET /links/{link_id} described the wrong link", expected=str(want),
                 actual=str(got))


@check(points=1, hints=[
    ("Missing ids and paths that are not numbers are both 404s: a converter that does not "
     "match means the route does not match."),
    ("Use <int:link_id> so /links/abc never reaches your view, and abort(404) for an id "
     "the store does not have."),
])
def test_link_detail_404(client):
    """/links/999 and /links/abc answer 404."""
    for path in ("/links/999", "/links/abc", "/links/-1"):
        expect_status(fetch(client, path), 404)


@check(points=1, hints=[
    "url_for(..., _external=True) builds a full URL from the host the request came to.",
    ("Build short_url with url_for() for your redirect view's endpoint and the link's code; "
     "_external=True makes it include http://host:port."),
])
def test_short_url(client, base_url):
    """A link's short_url is a full URL on this server that leads to the link."""
    short = detail(client, 1).get("short_url")
    if short != f"{base_url}/flask":
        fail("short_url is not the full URL of the short link on the server you asked",
             expected=f"{base_url}/flask", actual=str(short))


@check(points=1, hints=[
    "A route answers only the methods it lists; any other method gets 405 with an Allow header.",
    "Register /links/<int:link_id> for GET only (@bp.get), and let Flask answer the rest.",
])
def test_wrong_method(client):
    """A method a route does not allow answers 405 with an Allow header."""
    for method, path in [("POST", "/links/1"), ("DELETE", "/links/1"), ("POST", "/flask")]:
        r = client.request(method, path)
        expect_status(r, 405, why=f"{path} is for reading, not {method}")
        allow = expect_header(r, "Allow")
        if "GET" not in allow or method in allow:
            fail(f"{method} {path}: the Allow header should list GET and not {method}",
                 expected="Allow: GET, HEAD, OPTIONS", actual=f"Allow: {allow}")


@check(points=1, hints=[
    "A rule that ends in a slash (like a folder) redirects the URL without the slash to it.",
    "Keep the list at /links/ with its trailing slash; Flask redirects /links there (308).",
])
def test_trailing_slash(client, base_url):
    """/links/ lists the links, and /links redirects there."""
    r = fetch(client, "/links/")
    expect_status(r, 200)
    data = json_body(r)
    codes = [item.get("code") for item in data.get("links", [])
             if isinstance(item, dict)] if isinstance(data, dict) else []
    if not {"flask", "py"} <= set(codes):
        fail("GET /links/ does not list the example links", expected='{"links": [{"code": '
             '"flask", ...}, {"code": "py", ...}, ...]}', actual=body_excerpt(r))
    r = fetch(client, "/links")
    expect_redirect(r, 308, 301)
    if location_path(r, base_url) != "/links/":
        fail("GET /links redirected somewhere else than /links/", expected="Location: /links/",
             actual=f"Location: {r.headers['Location']}")


@check(points=1, hints=[
    ("One route can answer both GET (show the form) and POST (receive it): methods=['GET', "
     "'POST']."),
    "GET /shorten returns a page with <form method=\"post\"> and an <input name=\"url\">.",
])
def test_shorten_form(client):
    """GET /shorten shows a form that posts a url field."""
    r = fetch(client, "/shorten")
    expect_status(r, 200)
    form = html(r).find("form")
    if form is None or form.get("method", "get").lower() != "post":
        fail("GET /shorten has no <form method=\"post\">", expected='<form method="post">',
             actual=body_excerpt(r))
    if form.find(["input", "textarea"], attrs={"name": "url"}) is None:
        fail("the form has no field called url", expected='<input name="url">',
             actual=str(form)[:300])


@check(points=2, hints=[
    "After a successful POST, redirect to the new resource so a reload does not post again.",
    ("Store the posted url with get_store().add(), then redirect with 303 to url_for() of your "
     "detail view for the new link's id."),
])
def test_shorten_creates(client, base_url):
    """POST /shorten stores the URL and redirects to the new link, whose code redirects."""
    r, path = shorten(client, NEW_URL, base_url)
    if not path.startswith("/links/"):
        fail("POST /shorten should redirect to the new link's /links/<id> page",
             expected="Location: /links/<id>", actual=f"Location: {r.headers['Location']}")
    data = detail(client, path.removeprefix("/links/").rstrip("/"))
    if data.get("url") != NEW_URL or not data.get("code"):
        fail(f"GET {path} does not describe the link just created",
             expected=f'{{"url": "{NEW_URL}", "code": ..., ...}}', actual=pretty_json(data))
    location = expect_redirect(fetch(client, f"/{data['code']}"), 302, 307)
    if location != NEW_URL:
        fail(f"the new short link /{data['code']} does not redirect to the URL sent",
             expected=f"Location: {NEW_URL}", actual=f"Location: {location}")


@check(points=1, hints=[
    ("Bad input is the client's mistake: answer 400 with a message saying what to send, "
     "never a 500."),
    ("Read the field so that a missing one gives an empty value rather than an error, check "
     "its scheme, and abort(400) with a description that names the url field."),
])
def test_shorten_bad_input(client):
    """POST /shorten without a usable URL answers 400 with a message about the URL."""
    for form in ({}, {"url": ""}, {"url": "not a url"}, {"url": "javascript:alert(1)"}):
        r = client.post("/shorten", data=form)
        why = f"url={form['url']!r} is not a usable URL" if form else "the form has no url field"
        expect_status(r, 400, why=why)
        said = r.text.lower()
        if "url" not in said and "http" not in said:
            fail("the 400 answer does not tell the user what was wrong with the URL",
                 expected="a message about the URL (mentioning 'url' or 'http')",
                 actual=body_excerpt(r))


@check(points=2, hints=[
    ("Links written by hand (href=\"/links/1\") break when the app is mounted under a prefix; "
     "url_for() adds the prefix for you."),
    ("Build every href on the home page and every redirect Location with url_for(). The check "
     "serves your app under /mounted."),
])
def test_links_use_url_for(client, base_url):
    """Under a /mounted prefix, the home page's links and redirects keep the prefix."""
    # The manifest sets FLASKLINGS_MOUNT for this chapter: the app answers under /mounted too.
    r = fetch(client, f"{MOUNT}/")
    expect_status(r, 200)
    page_url = f"{base_url}{MOUNT}/"
    hrefs = [urlsplit(urljoin(page_url, a["href"])).path
             for a in html(r).find_all("a", href=True)]
    if not hrefs:
        fail(f"the home page (served under {MOUNT}) has no links at all: list every link there, "
             f"each href built with url_for()", expected=f'<a href="{MOUNT}/links/1">',
             actual="hrefs: (none)")
    for want in (f"{MOUNT}/links/1", f"{MOUNT}/flask"):
        if want not in hrefs:
            fail(f"served under {MOUNT}, the home page has no link to {want}: are its hrefs "
                 f"built with url_for()?", expected=f'<a href="{want}">',
                 actual="hrefs: " + (", ".join(hrefs[:8]) or "(none)"))
    r, path = shorten(client, NEW_URL, base_url, prefix=MOUNT)
    if not path.startswith(f"{MOUNT}/links/"):
        fail(f"served under {MOUNT}, POST {MOUNT}/shorten redirected outside the app",
             expected=f"Location: {MOUNT}/links/<id>", actual=f"Location: {r.headers['Location']}")
