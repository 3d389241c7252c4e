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
    if request.is_json:
        # silent=True gives None for a body that does not parse, so we can say why.
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, description='the body must be a JSON object, such as {"url": "https://..."}')
        return data
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form
    abort(415, description="send the link as JSON (Content-Type: application/json) or as a form")


def check_url(url):
    """Return a clean URL, or abort with 400 saying what is wrong with it."""
    if url is None or url == "":
        abort(400, description="the field 'url' is required")
    if not isinstance(url, str):
        abort(400, description="the field 'url' must be a string")
    limit = current_app.config["MAX_URL_LENGTH"]
    if len(url) > limit:
        abort(400, description=f"the field 'url' is {len(url)} characters long; "
                               f"the limit is {limit}")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        abort(400, description="the field 'url' must be an absolute http:// or https:// URL")
    return url.strip()


@bp.post("/links")
def create_link():
    """Shorten a URL: answer 201 Created with the new link and where it lives."""
    fields = read_fields()
    url = check_url(fields.get("url"))
    code = fields.get("code") or None
    if code is not None and (not isinstance(code, str) or not CODE_PATTERN.fullmatch(code)):
        abort(400, description="the field 'code' must be 3 to 32 letters, digits, - or _")
    link = get_store().add(url, code)
    if link is None:
        abort(409, description=f"the code {code!r} is already taken")
    # Location tells the client where the new resource lives, as REST clients expect.
    return as_json(link), 201, {"Location": url_for("api.get_link", link_id=link["id"])}


@bp.get("/links")
def list_links():
    """List the newest links; ?limit=N picks how many."""
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    # request.args.get(..., type=int) would quietly fall back to the default on "abc";
    # we want the client to hear about its mistake instead.
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        abort(400, description=f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return {"links": [as_json(link) for link in get_store().newest(int(raw))]}


@bp.get("/links/<int:link_id>")
def get_link(link_id):
    """Show one link."""
    link = get_store().get(link_id)
    if link is None:
        abort(404, description=f"there is no link with id {link_id}")
    return as_json(link)


@bp.delete("/links/<int:link_id>")
def delete_link(link_id):
    """Delete a link: 204 No Content, or 404 if there was none."""
    if not get_store().delete(link_id):
        abort(404, description=f"there is no link with id {link_id}")
    return "", 204
