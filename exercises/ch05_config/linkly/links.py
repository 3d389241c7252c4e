"""Shorten links and follow short links."""

import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

bp = Blueprint("links", __name__)

# One process keeps its links in memory; chapter 7 moves them into a database.
_links: dict[str, str] = {}


@bp.get("/")
def index():
    """Show the home page."""
    return render_template("index.html")


@bp.get("/health")
def health():
    """Tell a load balancer or a monitor that the app is up."""
    return {"status": "ok"}


@bp.post("/links")
def create_link():
    """Shorten the URL in the JSON body and answer with its short link."""
    data = request.get_json(silent=True)
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return {"error": 'send JSON like {"url": "https://example.com/"}'}, 400
    limit = current_app.config["MAX_URL_LENGTH"]
    if len(url) > limit:
        return {"error": f"the URL is {len(url)} characters long; the limit is {limit}"}, 400
    code = secrets.token_urlsafe(5)
    _links[code] = url
    # BASE_URL, not the request's host: behind a proxy the app cannot see its public name.
    short_url = f"{current_app.config['BASE_URL'].rstrip('/')}/{code}"
    body = {"code": code, "url": url, "short_url": short_url}
    return body, 201, {"Location": url_for("links.follow", code=code)}


@bp.get("/<code>")
def follow(code):
    """Redirect a short link to its URL."""
    if code not in _links:
        abort(404)
    return redirect(_links[code])
