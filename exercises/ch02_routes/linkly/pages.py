"""Pages for people: the home page, and the health route for monitors."""

from flask import Blueprint, url_for
from markupsafe import Markup

from .store import get_store

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    """Show the home page with every link."""
    # TODO: list every link in get_store().all() on this page. Each one needs an <a> to its
    #       short link (/<code>) and an <a> to its details (/links/<id>), plus one <a> to the
    #       form at /shorten. Build every href with url_for(), never by hand, and escape the
    #       URLs people typed (Markup.format escapes its arguments).
    return "<h1>Linkly</h1><p>Short links, served by Flask.</p>"


@bp.get("/health")
def health():
    """Tell a load balancer or a monitor that the app is up."""
    return {"status": "ok"}
