"""The signed-in user's links: list, add, delete, search."""

import re

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
    # TODO: refuse URLs that are not http:// or https:// with a host (javascript: and data:
    #       links run code when clicked), URLs over MAX_URL characters, and titles that are
    #       empty or over MAX_TITLE characters. One message per problem.
    return errors


def highlight(text, term):
    """Return ``text`` as HTML with each occurrence of ``term`` wrapped in <mark>."""
    if not term:
        return escape(text)
    # TODO: this marks the user's title as safe HTML without escaping it first: a title
    #       holding <script> runs in the browser. Keep the highlight, escape the text.
    return Markup(re.sub(f"({re.escape(term)})", r"<mark>\1</mark>", text, flags=re.IGNORECASE))


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
    # TODO: any signed-in user can delete any link here. Only its owner may; deleting
    #       someone else's link must change nothing and answer 404.
    cur = db.execute("DELETE FROM link WHERE id = ?", (link_id,))
    db.commit()
    if cur.rowcount == 0:
        abort(404)
    return redirect(url_for("links.index"))


@bp.get("/search")
@login_required
def search():
    """Show the user's links whose title contains the query."""
    q = request.args.get("q", "")
    # TODO: this query pastes the user's input into the SQL, so the input can rewrite it
    #       (try searching for  %' OR 1=1 --  ). Pass the values as parameters instead.
    rows = get_db().execute(
        f"SELECT id, url, title FROM link WHERE owner_id = {g.user['id']}"
        f" AND title LIKE '%{q}%' ORDER BY id DESC"
    ).fetchall()
    results = [{"url": row["url"], "title": highlight(row["title"], q)} for row in rows]
    return render_template("links/search.html", q=q, results=results)
