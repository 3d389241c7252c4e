"""Chapter 4 checks: Linkly's HTML pages, their shared layout, static files and escaping."""

import uuid
from urllib.parse import urljoin, urlsplit

from grader.checking import body_excerpt, check, expect_header, expect_status, fail, html

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _tag():
    return uuid.uuid4().hex[:10]


def _page(client, path, *codes):
    """GET an HTML page; return (response, parsed soup)."""
    r = client.get(path, headers=HTML, allow_redirects=False)
    expect_status(r, *(codes or (200,)))
    expect_header(r, "Content-Type", contains="text/html")
    return r, html(r)


def _stylesheet(r, soup):
    """Return the absolute URL of the page's stylesheet, or fail."""
    sheet = next((link for link in soup.find_all("link", href=True)
                  if "stylesheet" in [v.lower() for v in link.get("rel", [])]), None)
    if sheet is None:
        fail(f"{urlsplit(r.url).path} links no stylesheet",
             expected='<link rel="stylesheet" href="…">', actual=body_excerpt(r))
    return urljoin(r.url, sheet["href"])


def _layout(r, soup):
    """Return what a page's layout shows: (title, stylesheet URL, nav links), or fail."""
    title = soup.title.get_text(strip=True) if soup.title else ""
    if "Linkly" not in title:
        fail(f"{urlsplit(r.url).path} has no <title> mentioning Linkly",
             expected="<title>… Linkly</title>", actual=f"<title>{title}</title>" if soup.title
             else "(no <title>)")
    sheet = _stylesheet(r, soup)
    nav = soup.find("nav")
    if nav is None:
        fail(f"{urlsplit(r.url).path} has no <nav>", expected="<nav> with links to the pages",
             actual=body_excerpt(r))
    links = {urlsplit(urljoin(r.url, a["href"])).path for a in nav.find_all("a", href=True)}
    return title, sheet, links


def _add(client, title, url, *codes):
    """POST the new-link form; return the response."""
    r = client.post("/links", data={"title": title, "url": url}, headers=HTML,
                    allow_redirects=False)
    expect_status(r, *(codes or (302, 303)),
                  why="after a successful form post, redirect to the list (Post/Redirect/Get)")
    return r


def _listed(client, path="/"):
    """Return the <a> elements of the list page, with the soup."""
    _, soup = _page(client, path)
    return soup.find_all("a", href=True), soup


def _item_of(anchor):
    """Return the largest element around ``anchor`` that holds no other listed link.

    That is the link's list item whatever the markup: an <li>, a table row, an <article>...
    """
    item = anchor
    for parent in anchor.parents:
        if parent.name == "[document]" or any(
                a["href"] != anchor["href"] and urlsplit(a["href"]).scheme in ("http", "https")
                for a in parent.find_all("a", href=True)):
            break
        item = parent
    return item


@check(points=2, hints=[
    "A page's shared frame (head, stylesheet, navigation) belongs in a base template.",
    ("base.html holds <title>, <link rel=\"stylesheet\" href=\"{{ url_for('static', "
    "filename='style.css') }}\"> and a <nav> linking to / and /links/new."),
])
def test_home_page(client):
    """The home page has a title, a stylesheet and a <nav> linking to the new-link form."""
    r, soup = _page(client, "/")
    _, _, nav = _layout(r, soup)
    for path in ("/", "/links/new"):
        if path not in nav:
            fail(f"the <nav> has no link to {path}", expected=f'<a href="{path}">',
                 actual=f"links to {sorted(nav)}")


@check(points=2, hints=[
    "Every page extends one base template: {% extends \"base.html\" %} and fills its blocks.",
    ("The form page and the error page must also extend base.html; an error handler can "
    "render_template() a page and keep the error's status."),
])
def test_shared_layout(client):
    """The form page and the 404 page share the home page's layout."""
    home = _layout(*_page(client, "/"))
    for path, status in (("/links/new", 200), (f"/no/such/page/{_tag()}", 404)):
        _title, sheet, nav = _layout(*_page(client, path, status))
        if sheet != home[1] or nav != home[2]:
            fail(f"{path} does not share the home page's layout",
                 expected=f"stylesheet {home[1]}, nav links {sorted(home[2])}",
                 actual=f"stylesheet {sheet}, nav links {sorted(nav)}")


@check(points=1, hints=[
    "Flask serves the static/ folder beside the app; Flask(static_url_path=...) moves its URL.",
    ("Create the app with Flask(__name__, static_url_path=\"/assets\") and link the sheet "
    "with url_for('static', filename='style.css')."),
])
def test_stylesheet_served(client):
    """The stylesheet is served under /assets/ as text/css."""
    sheet = _stylesheet(*_page(client, "/"))
    path = urlsplit(sheet).path
    if not path.startswith("/assets/"):
        fail("the stylesheet is not served under /assets/", expected="/assets/style.css",
             actual=path)
    r = client.get(sheet)
    expect_status(r, 200)
    expect_header(r, "Content-Type", contains="text/css")
    if not r.text.strip():
        fail("the stylesheet is empty", expected="some CSS", actual="(empty)")


@check(points=2, hints=[
    "Static files change rarely: let browsers keep them, and revalidate cheaply with ETag.",
    ("Set SEND_FILE_MAX_AGE_DEFAULT (seconds) to at least 3600; Flask then sends "
    "Cache-Control: max-age and answers If-None-Match with 304."),
])
def test_static_caching(client):
    """The stylesheet may be cached for an hour or more, and revalidates with 304."""
    sheet = _stylesheet(*_page(client, "/"))
    r = client.get(sheet)
    expect_status(r, 200)
    cache = expect_header(r, "Cache-Control")
    directives = {}
    for part in cache.split(","):
        name, _, value = part.strip().partition("=")
        directives[name.lower()] = value
    age = directives.get("max-age", "")
    if "no-store" in directives or "no-cache" in directives or not age.isdigit() \
            or int(age) < 3600:
        fail("the stylesheet may not be cached for an hour",
             expected="Cache-Control: ... max-age=3600 (or more)", actual=f"Cache-Control: {cache}")
    etag = r.headers.get("ETag")
    modified = r.headers.get("Last-Modified")
    if not etag and not modified:
        fail("the stylesheet has neither ETag nor Last-Modified, so it cannot be revalidated",
             expected="an ETag header", actual="neither header")
    again = client.get(sheet, headers={"If-None-Match": etag} if etag
                       else {"If-Modified-Since": modified})
    expect_status(again, 304, why="an unchanged file is revalidated with 304 Not Modified")


@check(points=2, hints=[
    "A template loops over a list with {% for %}; after a form POST, redirect to a GET.",
    ("Validate the form, store the link, then redirect(url_for(...), 303); the list page "
    "shows each link as <a href=\"{{ link.url }}\">{{ link.title }}</a>."),
])
def test_add_link(client):
    """Posting the form adds a link that the list page then shows."""
    tag = _tag()
    url, title = f"https://example.com/add/{tag}", f"Flask docs {tag}"
    r = _add(client, title, url)
    where = urlsplit(urljoin(r.url, expect_header(r, "Location"))).path
    if where != "/":
        fail("after adding a link the form should send the browser to the list",
             expected="Location: /", actual=f"Location: {r.headers['Location']}")
    anchors, _ = _listed(client)
    if not any(a["href"] == url and title in a.get_text() for a in anchors):
        fail("the list page does not show the new link", expected=f'<a href="{url}">{title}</a>',
             actual=f"{len(anchors)} links, none to {url} with that text")


@check(points=2, hints=[
    "A macro renders one list item the same way everywhere; a filter formats a value.",
    ("In link_item(): {{ link.url | domain }} beside the title, and an <a> whose href is "
    "url_for('shortlinks.follow', code=link.code)."),
])
def test_link_details(client):
    """Each listed link shows its domain and a short link that redirects to it."""
    tag = _tag()
    host = f"docs-{tag}.example.org"
    url = f"https://www.{host}/guide"
    _add(client, f"Guide {tag}", url)
    anchors, _ = _listed(client)
    link = next((a for a in anchors if a["href"] == url), None)
    if link is None:
        fail("the list page does not show the new link", expected=f'<a href="{url}">…</a>',
             actual=f"{len(anchors)} links, none to {url}")
    item = _item_of(link)
    if host not in item.get_text(" "):
        fail("the link's list item does not show its domain", expected=f"the text {host}",
             actual=str(item)[:300])
    for a in item.find_all("a", href=True):
        target = urljoin(client.base_url, a["href"])
        if urlsplit(target).netloc != urlsplit(client.base_url).netloc:
            continue
        r = client.get(target, allow_redirects=False)
        if r.status_code in (301, 302, 303, 307, 308) and r.headers.get("Location") == url:
            return
    fail("the link's list item has no short link that redirects to the URL",
         expected=f'<a href="/CODE"> answering a redirect to {url}', actual=str(item)[:300])


@check(points=3, hints=[
    "Jinja escapes {{ values }} in .html templates: never mark user input |safe or Markup().",
    ("Render titles and URLs with plain {{ link.title }} and href=\"{{ link.url }}\" (quoted), "
    "so <, > and \" come out as &lt; &gt; &#34;."),
])
def test_titles_escaped(client):
    """A title or URL carrying HTML comes back as text, never as markup."""
    tag = _tag()
    title = f'<script>alert("xss-{tag}")</script><b id="b-{tag}">bold</b>'
    url = f'https://example.com/x?q="><img src=x id="img-{tag}">'
    _add(client, title, url)
    anchors, soup = _listed(client)
    injected = [s for s in soup.find_all("script") if tag in s.get_text()]
    injected += soup.find_all(id=f"b-{tag}") + soup.find_all(id=f"img-{tag}")
    if injected:
        fail("user input came back as live HTML: a visitor's browser would run it",
             expected="the title shown as text: &lt;script&gt;…",
             actual=str(injected[0])[:200])
    if not any(a["href"] == url and title in a.get_text() for a in anchors):
        fail("the link is not shown with its title as plain text and its URL intact",
             expected=f'<a href="{url}"> with text {title}',
             actual=f"{len(anchors)} links, none matching")


@check(points=1, hints=[
    "{% if %} / {% else %} picks what to show; the search box should keep the query.",
    ("Filter by ?q= in the view; show \"No links\" when nothing matches, and value=\"{{ query "
    "}}\" in the search box."),
])
def test_search(client):
    """?q= shows only matching titles, says "No links" when none match, and keeps the query."""
    tag = _tag()
    hit, miss = f"https://example.com/hit/{tag}", f"https://example.com/miss/{tag}"
    _add(client, f"Needle {tag}", hit)
    _add(client, f"Haystack {tag}", miss)
    hrefs = {a["href"] for a in _listed(client, f"/?q=needle+{tag}")[0]}
    if hit not in hrefs or miss in hrefs:
        fail(f"searching for 'needle {tag}' does not show just the matching link",
             expected=f"{hit} listed, {miss} not", actual=f"hit listed: {hit in hrefs}, "
             f"miss listed: {miss in hrefs}")
    query = f'"><i id="q-{tag}">nothing-{tag}'
    r, soup = _page(client, f"/?q={query}")
    if soup.find(id=f"q-{tag}") is not None:
        fail("the search query came back as live HTML", expected="the query escaped",
             actual=body_excerpt(r))
    if "no links" not in soup.get_text(" ").lower():
        fail("a search that matches nothing does not say so", expected='a "No links" message',
             actual=body_excerpt(r))
    box = soup.find("input", attrs={"name": "q"})
    if box is None or box.get("value") != query:
        fail("the search box does not keep the query", expected=f'<input name="q" value="{query}">',
             actual=str(box)[:200] if box else "(no input named q)")


@check(points=2, hints=[
    "A form with mistakes comes back with 400, saying what is wrong and keeping what was typed.",
    ("render_template('new.html', form=request.form, errors=errors), 400; each input gets "
    "value=\"{{ form.title }}\" and its error message."),
])
def test_form_errors(client):
    """A bad form answers 400, names the problem, and keeps what the user typed."""
    title = f'A "quoted" <title> {_tag()}'
    r = _add(client, title, "not a url", 400)
    soup = html(r)
    for name, value in (("title", title), ("url", "not a url")):
        box = soup.find("input", attrs={"name": name})
        if box is None or box.get("value") != value:
            fail(f"the form came back without what was typed in {name!r}",
                 expected=f'<input name="{name}" value="{value}">',
                 actual=str(box)[:200] if box else f"(no input named {name})")
    if "url" not in soup.get_text(" ").lower():
        fail("the page does not say that the URL is the problem",
             expected="a message about the URL", actual=body_excerpt(r))
    r = _add(client, "", f"https://example.com/{_tag()}", 400)
    if "title" not in html(r).get_text(" ").lower():
        fail("a missing title is not reported", expected="a message about the title",
             actual=body_excerpt(r))
