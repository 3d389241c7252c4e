"""Pages for people: the home page, and the health route for monitors."""

from flask import Blueprint, url_for
from markupsafe import Markup

from .store import get_store

bp = Blueprint("pages", __name__)

ROW = Markup('<li><a href="{short}">{code}</a> → {url} (<a href="{detail}">details</a>)</li>')


@bp.route("/")
def index():
    """Show the home page with every link."""
    # Markup.format escapes each value, so a URL someone typed cannot inject markup.
    rows = Markup("").join(
        ROW.format(short=url_for("links.follow", code=link.code), code=link.code,
                   url=link.url, detail=url_for("links.detail", link_id=link.id))
        for link in get_store().all()
    )
    new = url_for("links.shorten")
    return (f'<h1>Linkly</h1><p>Short links, served by Flask. <a href="{new}">Shorten a '
            f'link</a></p><ul>{rows}</ul>')


@bp.get("/health")
def health():
    """Tell a load balancer or a monitor that the app is up."""
    return {"status": "ok"}
