"""Routes for links: follow a short code, look a link up, shorten a new one."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for

from .store import get_store

bp = Blueprint("links", __name__)

FORM = """<h1>Shorten a link</h1>
<form method="post" action="{action}">
  <label>URL <input name="url" type="url" required></label>
  <button>Shorten</button>
</form>"""


def as_json(link) -> dict:
    """Describe ``link``, with its short URL built for the host the client used."""
    return {"id": link.id, "code": link.code, "url": link.url,
            "short_url": url_for("links.follow", code=link.code, _external=True)}


@bp.get("/<code>")
def follow(code):
    """Send the visitor on to the link's URL."""
    link = get_store().find(code)
    if link is None:
        abort(404, description=f"There is no short link {code!r}.")
    # 302, not 301: browsers cache a permanent redirect and would stop asking us.
    return redirect(link.url, code=302)


@bp.get("/links/")
def index():
    """List every link as JSON."""
    return {"links": [as_json(link) for link in get_store().all()]}


@bp.get("/links/<int:link_id>")
def detail(link_id):
    """Describe one link as JSON."""
    link = get_store().get(link_id)
    if link is None:
        abort(404, description=f"There is no link with id {link_id}.")
    return as_json(link)


@bp.route("/shorten", methods=["GET", "POST"])
def shorten():
    """Show the form (GET) or store the URL it sent and show the new link (POST)."""
    if request.method == "GET":
        return FORM.format(action=url_for("links.shorten"))
    url = request.form.get("url", "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        abort(400, description="Send a form field 'url' holding an address that starts "
                               "with http:// or https://.")
    link = get_store().add(url)
    # 303 See Other: the browser follows with a GET, so a reload never posts the form twice.
    return redirect(url_for("links.detail", link_id=link.id), code=303)
