"""The JSON API: /api/links."""

from urllib.parse import urlsplit

from flask import Blueprint, request, url_for
from werkzeug.exceptions import BadRequest

from .db import get_db
from .errors import InvalidLinkError, LinkNotFoundError

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_TITLE = 200


def link_json(row):
    """Return a link row as the dict the API sends."""
    return {"id": row["id"], "url": row["url"], "title": row["title"],
            "href": url_for("api.get_link", link_id=row["id"])}


def get_link_or_raise(link_id):
    """Return the link row with ``link_id``, or raise LinkNotFoundError."""
    row = get_db().execute("SELECT * FROM link WHERE id = ?", (link_id,)).fetchone()
    if row is None:
        raise LinkNotFoundError(link_id)
    return row


def read_link():
    """Return (url, title) from the request's JSON body, or raise InvalidLinkError."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object such as "
                         '{"url": "https://example.org", "title": "Example"}.')
    url, title = data.get("url"), data.get("title", "")
    if not isinstance(url, str) or not isinstance(title, str):
        raise InvalidLinkError('"url" is required, and "url" and "title" must be strings.')
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidLinkError(f"{url!r} is not an http:// or https:// URL.")
    if len(title) > MAX_TITLE:
        raise InvalidLinkError(f"The title is longer than {MAX_TITLE} characters.")
    return url, title or url


@bp.get("/links")
def list_links():
    """List every link, newest first."""
    rows = get_db().execute("SELECT * FROM link ORDER BY id DESC").fetchall()
    return {"links": [link_json(row) for row in rows]}


@bp.post("/links")
def create_link():
    """Store a new link; answer 201 with its URL in Location."""
    url, title = read_link()
    db = get_db()
    cur = db.execute("INSERT INTO link (url, title) VALUES (?, ?)", (url, title))
    db.commit()
    body = link_json(get_link_or_raise(cur.lastrowid))
    return body, 201, {"Location": body["href"]}


@bp.get("/links/<int:link_id>")
def get_link(link_id):
    """Show one link."""
    return link_json(get_link_or_raise(link_id))


@bp.delete("/links/<int:link_id>")
def delete_link(link_id):
    """Delete one link."""
    get_link_or_raise(link_id)
    db = get_db()
    db.execute("DELETE FROM link WHERE id = ?", (link_id,))
    db.commit()
    return "", 204
