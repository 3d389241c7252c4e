"""Show errors as pages in the site's own layout."""

from flask import render_template
from werkzeug.exceptions import HTTPException


def handle_http_error(error):
    """Render an HTTP error (404, 405...) with the site's layout, keeping its status."""
    response = error.get_response()
    response.set_data(render_template("error.html", error=error))
    return response


def init_app(app):
    """Register the error page on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
