"""Send visitors of a short link on to its target."""

from flask import Blueprint, abort, redirect

from linkly.store import get_store

bp = Blueprint("shortlinks", __name__)


@bp.get("/<code>")
def follow(code):
    """Redirect to the URL behind ``code``."""
    link = get_store().by_code(code)
    if link is None:
        abort(404, description="There is no short link with that code.")
    return redirect(link["url"], code=302)
