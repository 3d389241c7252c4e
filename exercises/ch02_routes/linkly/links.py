"""Routes for links: follow a short code, look a link up, shorten a new one."""

from urllib.parse import urlsplit  # noqa: F401  (handy for checking the URL sent to /shorten)

from flask import Blueprint, abort, redirect, request, url_for  # noqa: F401

from .store import get_store

bp = Blueprint("links", __name__)

FORM = """<h1>Shorten a link</h1>
<form method="post" action="{action}">
  <label>URL <input name="url" type="url" required></label>
  <button>Shorten</button>
</form>"""


def as_json(link) -> dict:
    """Describe ``link``, with its short URL built for the host the client used."""
    # TODO: add "short_url": the full URL (http://host:port/<code>) of the link's short
    #       link, built with url_for() for the host this request came to.
    return {"id": link.id, "code": link.code, "url": link.url}


# TODO: GET /<code> redirects (302 Found) to the URL of the link with that short code;
#       a code the store does not know answers 404 Not Found.


@bp.get("/links/")
def index():
    """List every link as JSON."""
    return {"links": [as_json(link) for link in get_store().all()]}


# TODO: GET /links/<id> answers as_json() of the link with that id. Only whole numbers match
#       this route (/links/abc is a 404 without reaching your view); an unknown id is a 404.
#       Other methods (POST, DELETE...) must get 405 Method Not Allowed.


# TODO: /shorten answers GET with the FORM above (its action built with url_for) and POST
#       by storing the form's "url" field with get_store().add(url), then redirecting
#       (303 See Other) to the new link's /links/<id>. A missing URL, or one that does not
#       start with http:// or https://, gets 400 Bad Request with a message saying so.
