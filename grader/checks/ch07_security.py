"""Chapter 7 checks: the live app is attacked the way a browser-borne attacker would try."""

import re
import uuid
from urllib.parse import urljoin

from grader.checking import check, expect_status, fail, html

REGISTER = "/auth/register"
LOGIN = "/auth/login"
LINKS = "/links/"
SEARCH = "/links/search"
EVIL = "http://evil.example"


def _unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def _form(client, page, has_field=None):
    """GET ``page`` and return (action URL, hidden fields) of its POST form."""
    r = client.get(page)
    expect_status(r, 200, why=f"the page {page} should show a form")
    for form in html(r).find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        if has_field and form.find(attrs={"name": has_field}) is None:
            continue
        hidden = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")
                  if i.get("name")}
        return urljoin(r.url, form.get("action") or r.url), hidden
    fail(f"the page {page} has no POST form" + (f" with a {has_field!r} field" if has_field else ""),
         expected=f'<form method="post"> with a field named {has_field}', actual=r.text[:400])


def _post_form(client, page, fields, has_field=None, **kwargs):
    """Submit ``page``'s POST form the way a browser would: its hidden fields plus ``fields``."""
    action, hidden = _form(client, page, has_field)
    return client.post(action, data={**hidden, **fields}, **kwargs)


def _password(name):
    return f"correct horse {name}"


def _register(client):
    """Register (and so sign in) a fresh user; return its name."""
    name = _unique("user")
    r = _post_form(client, REGISTER, {"username": name, "password": _password(name)},
                   has_field="username")
    if r.status_code not in (302, 303):
        fail(f"registering {name} did not redirect: POST {REGISTER} answered {r.status_code}",
             expected="302 Found to the links page", actual=f"{r.status_code}: {r.text[:300]}")
    return name


def _user(live_app, client, role):
    """Return a session signed in as this app's ``role`` user, registering it on first use.

    Password hashing is deliberately slow, so the checks share two users instead of
    registering one per check. They are kept on the running app's object: a new copy of the
    app (a restart, another grade in the same process) starts with an empty database.
    """
    users = live_app.__dict__.setdefault("ch7_users", {})
    if role not in users:
        session = client.__class__(client.base_url, client.log)
        users[role] = (session, _register(session))
    return users[role]


def _add(client, url, title):
    return _post_form(client, LINKS, {"url": url, "title": title}, has_field="url")


def _links_page(client):
    r = client.get(LINKS)
    expect_status(r, 200, why="a signed-in user sees their links there")
    return r


def _expect_listed(client, text, why):
    if text not in html(_links_page(client)).get_text():
        fail(f"{text!r} is not on {LINKS} ({why})", expected=f"{text} listed",
             actual="not listed")


def _expect_not_listed(client, text, why):
    if text in _links_page(client).text:
        fail(f"{text!r} was stored: {why}", expected=f"{text} not stored",
             actual=f"{text} listed on {LINKS}")


@check(points=1, hints=[
    "The given register, sign-in and links pages must keep working as you add protection.",
    "If a form stopped working, check it still sends every field, including its hidden ones.",
])
def test_register_and_add_link(client, live_app):
    """A new user registers, adds a link and sees it listed; anonymous users are sent to sign in."""
    anon = client.get(LINKS, allow_redirects=False)
    expect_status(anon, 302, 303, why="the links page needs a signed-in user")
    # _user registers on first use, and checks run in file order: this one registers alice.
    client, _ = _user(live_app, client, "alice")
    title = _unique("Flask docs ")
    r = _add(client, "https://flask.palletsprojects.com/", title)
    expect_status(r, 302, 303, why="a valid link is stored, then the browser is redirected")
    _expect_listed(client, title, "a link just added")


@check(points=2, hints=[
    "A form POST must carry a secret token that a page on another site cannot know.",
    ("Turn on Flask-WTF's CSRFProtect(app) and put {{ csrf_token() }} in a hidden field of every "
     "POST form."),
])
def test_post_without_token_refused(client, live_app):
    """A POST without the CSRF token is refused (400) and changes nothing."""
    client, name = _user(live_app, client, "alice")
    title = _unique("forged ")
    r = client.post(LINKS, data={"url": "https://evil.example/", "title": title},
                    headers={"Origin": EVIL})
    expect_status(r, 400, 403, why="the POST carried no CSRF token, as a forged one from "
                  "another site would")
    _expect_not_listed(client, title, "a POST without a CSRF token must not change anything")
    # Signing in is a form too: a forged sign-in puts the victim in the attacker's account.
    fresh = client.__class__(client.base_url, client.log)
    r = fresh.post(LOGIN, data={"username": name, "password": _password(name)},
                   headers={"Origin": EVIL})
    expect_status(r, 400, 403, why="the sign-in POST carried no CSRF token (its username and "
                  "password were right)")


@check(points=1, hints=[
    ("A CSRF token belongs to one session: a token the attacker got from their own visit "
     "must not work in the victim's session."),
    ("Tokens from Flask-WTF are tied to the session; a token made by hand must be stored in "
     "the session and compared with hmac.compare_digest."),
])
def test_foreign_token_refused(client, live_app):
    """A cross-site POST carrying the attacker's own token is refused."""
    attacker = client.__class__(client.base_url, client.log)
    _, attacker_fields = _form(attacker, REGISTER, has_field="username")
    client, _ = _user(live_app, client, "alice")
    title = _unique("forged ")
    r = client.post(LINKS, data={**attacker_fields, "url": "https://evil.example/",
                                 "title": title}, headers={"Origin": EVIL})
    expect_status(r, 400, 403, why="the token in this POST was issued to a different session")
    _expect_not_listed(client, title, "a POST with another session's token must not count")


@check(points=1, hints=[
    "Search should find the signed-in user's links whose title contains the words typed.",
])
def test_search_finds_own_links(client, live_app):
    """Search finds the user's own link by a word in its title."""
    client, _ = _user(live_app, client, "alice")
    word = _unique("zebra")
    _add(client, "https://example.org/z", f"All about {word}")
    r = client.get(SEARCH, params={"q": word})
    expect_status(r, 200)
    if word not in html(r).get_text():
        fail("searching for a word in a link's title did not find it",
             expected=f"a result containing {word}", actual=r.text[:400])


INJECTIONS = [
    "%' OR 1=1 --",
    "' OR '1'='1' --",
    "') OR 1=1 --",
    "' UNION SELECT username, password, password FROM user --",
    "' UNION SELECT id, username, password FROM user --",
    "x'; DROP TABLE link; --",
]


@check(points=3, hints=[
    "Never build SQL by pasting user input into the query string: the input becomes SQL.",
    "Use placeholders: db.execute('... WHERE owner_id = ? AND title LIKE ?', (user_id, f'%{q}%')).",
])
def test_search_injection(client, live_app):
    """SQL injection payloads in the search box show no other user's data and break nothing."""
    victim, victim_name = _user(live_app, client, "bob")
    secret = _unique("PRIVATE")
    _add(victim, "https://example.org/secret", f"{secret} plans")
    client, _ = _user(live_app, client, "alice")
    for payload in INJECTIONS:
        r = client.get(SEARCH, params={"q": payload})
        if r.status_code >= 500:
            fail(f"the search for {payload!r} crashed the view ({r.status_code}): the input "
                 "reached the SQL as code", expected="200 with no results", actual=str(r.status_code))
        text = r.text
        for leaked, what in ((secret, "another user's link"), (victim_name, "another user's name"),
                             ("scrypt:", "a password hash"), ("pbkdf2:", "a password hash")):
            if leaked in text:
                fail(f"searching for {payload!r} showed {what}: the query is built from the "
                     "input", expected="only the signed-in user's links",
                     actual=f"the page contains {leaked!r}")
    # The payloads must not have destroyed anything either.
    _expect_listed(victim, secret, "the other user's link must survive the attack")


XSS_TITLE = '<script>alert("xss")</script><img src=x onerror="alert(1)"> tasty'


def _expect_inert(r, where):
    page = html(r)
    if page.find("script") is not None or page.find(attrs={"onerror": True}) is not None:
        fail(f"{where} put the link's title into the page as HTML: a <script> or onerror= "
             "came through", expected="&lt;script&gt; shown as text",
             actual=next((line.strip() for line in r.text.splitlines() if "xss" in line),
                         r.text[:300]))
    if "alert(\"xss\")" not in page.get_text():
        fail(f"{where} does not show the title as text", expected=XSS_TITLE,
             actual=page.get_text()[:300])


@check(points=2, hints=[
    "Text a user typed must be escaped wherever it is shown, including search highlights.",
    ("Jinja escapes {{ value }}; Markup(...) and |safe switch that off. Build highlight markup "
     "with Markup('<mark>{}</mark>').format(text) or markupsafe.escape the text first."),
])
def test_titles_escaped(client, live_app):
    """A title holding <script> is shown as text on the list and in search results."""
    client, _ = _user(live_app, client, "alice")
    r = _add(client, "https://example.org/x", XSS_TITLE)
    expect_status(r, 302, 303, why="the title is odd but a valid one")
    _expect_inert(_links_page(client), f"GET {LINKS}")
    r = client.get(SEARCH, params={"q": "tasty"})
    expect_status(r, 200)
    _expect_inert(r, "the search results page")


BAD_LINKS = [
    ("javascript:alert(document.cookie)", "a javascript: URL runs code when clicked"),
    ("data:text/html,<script>alert(1)</script>", "a data: URL can carry a whole page"),
    ("not a url", "it is not a URL at all"),
    ("https://example.org/" + "a" * 2100, "a URL over 2000 characters"),
]


@check(points=2, hints=[
    ("Validate input on the server: refuse anything that is not an http(s) URL, and titles "
     "that are empty or too long, with a 400 and a message."),
    "urllib.parse.urlsplit(url).scheme must be 'http' or 'https' and .netloc must not be empty.",
])
def test_invalid_links_refused(client, live_app):
    """Links that are not http(s) URLs, or have bad titles, are refused with 400 and not stored."""
    client, _ = _user(live_app, client, "alice")
    cases = [(url, _unique("bad-url "), why) for url, why in BAD_LINKS]
    cases.append(("https://example.org/", "", "the title is empty"))
    cases.append(("https://example.org/", _unique("long ") + "x" * 300,
                  "the title is over 200 characters"))
    for url, title, why in cases:
        r = _add(client, url, title)
        if r.status_code != 400:
            fail(f"adding a link whose {'title' if 'title' in why else 'URL'} is bad ({why}) "
                 f"answered {r.status_code}", expected="400 with a message",
                 actual=f"{r.status_code}")
        if title:
            _expect_not_listed(client, title, f"the link was invalid ({why})")


def _script_sources(csp):
    directives = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


@check(points=2, hints=[
    ("Security headers tell the browser what the page may do; set them on every response "
     "in an after_request function."),
    ("Send Content-Security-Policy (e.g. default-src 'self'), X-Content-Type-Options: nosniff "
     "and X-Frame-Options: DENY (or CSP frame-ancestors 'none')."),
])
def test_security_headers(client):
    """Every page sends a Content-Security-Policy, nosniff and framing protection."""
    for path in ("/", LOGIN, "/no-such-page"):
        r = client.get(path)
        got = {k: r.headers.get(k) for k in ("Content-Security-Policy", "X-Content-Type-Options",
                                              "X-Frame-Options")}
        csp = got["Content-Security-Policy"]
        if not csp:
            fail(f"GET {path} sent no Content-Security-Policy header",
                 expected="Content-Security-Policy: default-src 'self'", actual=str(got))
        directives = _script_sources(csp)
        scripts = directives.get("script-src", directives.get("default-src"))
        if scripts is None:
            fail(f"the Content-Security-Policy of GET {path} does not limit scripts",
                 expected="a default-src or script-src directive", actual=csp)
        if "'unsafe-inline'" in scripts or "*" in scripts:
            fail(f"the Content-Security-Policy of GET {path} lets inline or any-origin scripts "
                 "run, which is what XSS needs", expected="no 'unsafe-inline' or *", actual=csp)
        if (got["X-Content-Type-Options"] or "").lower() != "nosniff":
            fail(f"GET {path} does not forbid content sniffing",
                 expected="X-Content-Type-Options: nosniff", actual=str(got))
        frames = (got["X-Frame-Options"] or "").upper()
        ancestors = directives.get("frame-ancestors")
        if frames not in ("DENY", "SAMEORIGIN") and ancestors not in (["'none'"], ["'self'"]):
            fail(f"GET {path} can be framed by another site (clickjacking)",
                 expected="X-Frame-Options: DENY or CSP frame-ancestors 'none'", actual=str(got))


@check(points=2, hints=[
    "Being signed in is not enough: a user may only change their own links.",
    ("Put the owner in the query: DELETE FROM link WHERE id = ? AND owner_id = ?, and answer "
     "404 (or 403) when nothing matched."),
])
def test_cannot_delete_others_links(client, live_app):
    """A user cannot delete another user's link by posting to its delete URL."""
    owner, _ = _user(live_app, client, "bob")
    title = _unique("mine ")
    _add(owner, "https://example.org/mine", title)
    action = None
    for form in html(_links_page(owner)).find_all("form"):
        if re.search(r"/links/\d+/delete", form.get("action") or "") and \
                title in form.parent.get_text():
            action = form["action"]
    if action is None:
        fail("the links page has no delete form beside the link just added",
             expected="a form posting to /links/<id>/delete beside the link",
             actual=_links_page(owner).text[:400])
    client, _ = _user(live_app, client, "alice")
    _, fields = _form(client, LINKS, has_field="url")
    r = client.post(urljoin(client.base_url, action), data=fields)
    expect_status(r, 403, 404, why="that link belongs to another user")
    _expect_listed(owner, title, "another user tried to delete it")
