"""Answer errors in JSON or HTML, whichever the client asked for."""

from flask import jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException


def wants_json():
    """Tell whether the client prefers JSON to HTML, from its Accept header."""
    # The order breaks ties: a client that accepts anything (*/*, or sends no Accept
    # header at all) gets JSON from the API and HTML from the pages people visit.
    offers = ["text/html", "application/json"]
    if request.path.startswith("/api/"):
        offers.reverse()
    best = request.accept_mimetypes.best_match(offers, default=offers[0])
    return best == "application/json"


def handle_http_error(error):
    """Turn any HTTP error (abort, unknown URL, wrong method, bad JSON) into a clear answer."""
    if wants_json():
        response = jsonify(error=error.description)
    else:
        # The message can echo user input (a short code, say), so it is escaped.
        response = error.get_response()
        response.set_data(
            f"<!doctype html><title>{error.code} {escape(error.name)} · Linkly</title>"
            f"<h1>{error.code} {escape(error.name)}</h1><p>{escape(error.description)}</p>"
        )
    response.status_code = error.code
    # A 405 must still say which methods are allowed: the exception carries that header.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app):
    """Register the error handler on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
