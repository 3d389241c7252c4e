"""Following short links, and the click count of each."""

from flask import Blueprint, abort, redirect

from .db import get_db

bp = Blueprint("links", __name__)


def get_link(code):
    """Return the link row for ``code``, or answer 404."""
    row = get_db().execute("SELECT code, url, clicks FROM links WHERE code = ?",
                           (code,)).fetchone()
    if row is None:
        abort(404, description=f"No short link called {code!r}.")
    return row


@bp.get("/<code>")
def follow(code):
    """Redirect to the link's target and count the click."""
    link = get_link(code)
    # One UPDATE does the read and the write inside the database, so no other thread or
    # process can slip in between: reading clicks here and writing clicks + 1 would lose
    # clicks as soon as two requests overlap.
    get_db().execute("UPDATE links SET clicks = clicks + 1 WHERE code = ?", (code,))
    return redirect(link["url"])


@bp.get("/api/links/<code>")
def show(code):
    """Return a link and its click count as JSON."""
    link = get_link(code)
    return {"code": link["code"], "url": link["url"], "clicks": link["clicks"]}
