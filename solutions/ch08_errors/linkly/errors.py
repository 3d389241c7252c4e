"""The app's own exceptions, and error pages: JSON for the API, HTML for people."""

from flask import current_app, g, render_template, request
from werkzeug.exceptions import HTTPException


class LinklyError(Exception):
    """Something the client asked for cannot be done; ``status`` says how to answer."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class LinkNotFoundError(LinklyError):
    """There is no link with this id."""

    status = 404

    def __init__(self, link_id):
        super().__init__(f"There is no link with id {link_id}.")


class InvalidLinkError(LinklyError):
    """The submitted link is not acceptable."""

    status = 400


def wants_json():
    """Tell whether this request should get a JSON error rather than an HTML page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status, title, message):
    """Answer an error in the format the client wants, with the request id to quote."""
    request_id = g.get("request_id", "")
    if wants_json():
        return {"error": message, "status": status, "request_id": request_id}, status
    page = render_template("error.html", status=status, title=title, message=message,
                           request_id=request_id)
    return page, status


def handle_linkly_error(exc):
    """Answer one of our own exceptions with its status and message."""
    return error_response(exc.status, "Sorry", exc.message)


def handle_http_error(exc):
    """Answer 404, 405, 400... from Flask and Werkzeug in the client's format."""
    body, status = error_response(exc.code, exc.name, exc.description)
    # Keep the headers HTTP requires with some errors (Allow on a 405, Retry-After on a 503),
    # but not the exception's own HTML Content-Type.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, status, headers


def handle_unexpected(exc):
    """Log a crash in full, and tell the client only that it happened."""
    # The traceback goes to the log, keyed by request id; never to the client.
    current_app.logger.exception("unhandled exception")
    return error_response(500, "Internal Server Error",
                          "Something went wrong on our side. Quote the request id if you "
                          "report it.")


def init_app(app):
    """Register the error handlers."""
    app.register_error_handler(LinklyError, handle_linkly_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
