"""The signed-in user's links: list, add, delete, search."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from .auth import login_required
from .db import get_db

bp = Blueprint("links", __name__, url_prefix="/links")

MAX_TITLE = 200
MAX_URL = 2000


def validate_link(url, title):
    """Return a list of what is wrong with a submitted link (empty when it is fine)."""
    errors = []
    parts = urlsplit(url)
    # Allow-list the schemes: javascript: and data: links run code when clicked.
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append("The URL must start with http:// or https:// and name a host.")
    if len(url) > MAX_URL:
        errors.append(f"The URL is longer than {MAX_URL} characters.")
    if not title.strip():
        errors.append("The title is required.")
    elif len(title) > MAX_TITLE:
        errors.append(f"The title is longer than {MAX_TITLE} characters.")
    return errors


def highlight(text, term):
    """Return ``text`` as HTML with each occurrence of ``term`` wrapped in <mark>."""
    if not term:
        return escape(text)
    lower, needle = text.lower(), term.lower()
    out, start = Markup(""), 0
    while (found := lower.find(needle, start)) != -1:
        end = found + len(term)
        # Markup.format escapes its arguments: user text never becomes markup.
        out += Markup("{}<mark>{}</mark>").format(text[start:found], text[found:end])
        start = end
    return out + escape(text[start:])


def user_links():
    """Return the signed-in user's links, newest first."""
    return get_db().execute(
        "SELECT id, url, title FROM link WHERE owner_id = ? ORDER BY id DESC", (g.user["id"],)
    ).fetchall()


@bp.route("/", methods=("GET", "POST"))
@login_required
def index():
    """List the user's links; add one from the form."""
    if request.method == "POST":
        url = request.form.get("url", "").strip()
        title = request.form.get("title", "").strip()
        errors = validate_link(url, title)
        if errors:
            for error in errors:
                flash(error)
            return render_template("links/index.html", links=user_links(), url=url,
                                   title=title), 400
        db = get_db()
        db.execute("INSERT INTO link (owner_id, url, title) VALUES (?, ?, ?)",
                   (g.user["id"], url, title))
        db.commit()
        return redirect(url_for("links.index"))
    return render_template("links/index.html", links=user_links())


@bp.post("/<int:link_id>/delete")
@login_required
def delete(link_id):
    """Delete one of the user's own links."""
    db = get_db()
    # The owner is part of the WHERE clause: another user's id deletes nothing.
    cur = db.execute("DELETE FROM link WHERE id = ? AND owner_id = ?", (link_id, g.user["id"]))
    db.commit()
    if cur.rowcount == 0:
        abort(404)
    return redirect(url_for("links.index"))


@bp.get("/search")
@login_required
def search():
    """Show the user's links whose title contains the query."""
    q = request.args.get("q", "")
    rows = get_db().execute(
        "SELECT id, url, title FROM link WHERE owner_id = ? AND title LIKE ? ORDER BY id DESC",
        (g.user["id"], f"%{q}%"),
    ).fetchall()
    results = [{"url": row["url"], "title": highlight(row["title"], q)} for row in rows]
    return render_template("links/search.html", q=q, results=results)
