"""The JSON API: create, list, show and delete links."""

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, request, url_for

from linkly.store import get_store

bp = Blueprint("api", __name__, url_prefix="/api")

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{3,32}")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def as_json(link):
    """Return the public JSON form of a stored link."""
    return {
        "id": link["id"],
        "code": link["code"],
        "url": link["url"],
        "short_url": url_for("shortlinks.follow", code=link["code"], _external=True),
    }


def read_fields():
    """Return the request's fields from a JSON object or an HTML form, or abort."""
    # TODO: return the fields of a JSON body (it must be a JSON *object*: answer 400 with a
    #       clear message for broken JSON or for a list, string or null) or of a form post
    #       (application/x-www-form-urlencoded or multipart/form-data). Any other
    #       Content-Type answers 415 Unsupported Media Type.
    return request.get_json()


def check_url(url):
    """Return a clean URL, or abort with 400 saying what is wrong with it."""
    # TODO: answer 400 with a message naming the field 'url' when it is missing or empty,
    #       not a string, longer than app.config["MAX_URL_LENGTH"], or not an absolute
    #       http:// or https:// URL with a host.
    return url


@bp.post("/links")
def create_link():
    """Shorten a URL: answer 201 Created with the new link and where it lives."""
    fields = read_fields()
    url = check_url(fields["url"])
    # TODO: accept an optional "code" (3 to 32 letters, digits, - or _; else 400) and
    #       answer 409 Conflict when the store says it is taken (add() returns None).
    link = get_store().add(url)
    # TODO: answer 201 Created, with a Location header giving the URL of GET
    #       /api/links/<id> for the new link.
    return as_json(link)


@bp.get("/links")
def list_links():
    """List the newest links; ?limit=N picks how many."""
    # TODO: a limit that is not a whole number from 1 to MAX_LIMIT ("abc", "0", "-5",
    #       "1.5") answers 400 instead of being quietly replaced by the default.
    limit = request.args.get("limit", DEFAULT_LIMIT, type=int)
    return {"links": [as_json(link) for link in get_store().newest(limit)]}


@bp.get("/links/<int:link_id>")
def get_link(link_id):
    """Show one link."""
    link = get_store().get(link_id)
    if link is None:
        abort(404, description=f"there is no link with id {link_id}")
    return as_json(link)


# TODO: add DELETE /api/links/<id>: answer 204 No Content with an empty body when the link
#       was deleted, and 404 when there was no such link.
