"""Answer errors in JSON or HTML, whichever the client asked for."""

from flask import jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException


def wants_json():
    """Tell whether the client prefers JSON to HTML, from its Accept header."""
    # TODO: ask request.accept_mimetypes which of "application/json" and "text/html" the
    #       client prefers. When it likes both equally (Accept: */*, or no Accept header at
    #       all), answer JSON for paths under /api/ and HTML everywhere else.
    return False


def handle_http_error(error):
    """Turn any HTTP error (abort, unknown URL, wrong method, bad JSON) into a clear answer."""
    # TODO: when wants_json(), answer {"error": <the error's description>} as JSON;
    #       otherwise a small HTML page (escape anything that could echo user input).
    #       Either way keep the error's status code and its extra headers (a 405 must
    #       still say which methods are Allow-ed).
    return error


def init_app(app):
    """Register the error handler on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
