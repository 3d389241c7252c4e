"""The HTML pages: the list of links, with search, and the form to add one."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from linkly.store import get_store

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """List the links, newest first; ?q= searches their titles."""
    query = request.args.get("q", "").strip()
    return render_template("index.html", links=get_store().newest(query), query=query)


@bp.get("/links/new")
def new_link():
    """Show the form to shorten a link."""
    return render_template("new.html", form={}, errors={})


def validate(form):
    """Return a dict of field name -> problem; empty when the form is fine."""
    errors = {}
    title = form.get("title", "").strip()
    url = form.get("url", "").strip()
    longest = current_app.config["MAX_TITLE_LENGTH"]
    if not title:
        errors["title"] = "Give the link a title."
    elif len(title) > longest:
        errors["title"] = f"Keep the title to {longest} characters or fewer."
    parts = urlsplit(url)
    if not url:
        errors["url"] = "Enter the URL to shorten."
    elif len(url) > current_app.config["MAX_URL_LENGTH"]:
        errors["url"] = "That URL is too long."
    elif parts.scheme not in ("http", "https") or not parts.netloc:
        errors["url"] = "The URL must start with http:// or https://."
    return errors


@bp.post("/links")
def create_link():
    """Add a link from the form, or show the form again with what was wrong."""
    # TODO: when validate(request.form) finds problems, show new.html again with status 400,
    #       the problems, and what the user typed (nothing they typed may be lost).
    #       Otherwise store the link and redirect the browser to the list page with
    #       303 See Other (Post/Redirect/Get: reloading the list must not post again).
    return "Adding links is not written yet.", 501
