"""Following short links, their click counts, and the visitor's recent links."""

from flask import Blueprint, abort, redirect, session, url_for

from . import metrics
from .db import get_db

bp = Blueprint("links", __name__)
RECENT = 5


def get_link(code):
    """Return the link row for ``code``, or answer 404."""
    row = get_db().execute("SELECT code, url, clicks FROM links WHERE code = ?",
                           (code,)).fetchone()
    if row is None:
        abort(404, description=f"No short link called {code!r}.")
    return row


@bp.get("/<code>")
def follow(code):
    """Redirect to the link's target, count the click, remember it in the session."""
    link = get_link(code)
    get_db().execute("UPDATE links SET clicks = clicks + 1 WHERE code = ?", (code,))
    metrics.record_click()
    # The session lives in a cookie signed with SECRET_KEY: any worker that shares the key
    # can read it, so it works whichever process serves the next request.
    session["recent"] = ([code] + [c for c in session.get("recent", []) if c != code])[:RECENT]
    return redirect(link["url"])


@bp.get("/api/links/<code>")
def show(code):
    """Return a link, its public short URL and its click count as JSON."""
    link = get_link(code)
    return {
        "code": link["code"],
        "url": link["url"],
        "clicks": link["clicks"],
        # _external builds scheme and host from the request: right only behind ProxyFix.
        "short_url": url_for("links.follow", code=code, _external=True),
    }


@bp.get("/api/recent")
def recent():
    """Return the codes this visitor followed last, newest first."""
    return {"recent": session.get("recent", [])}
