"""The app's own exceptions, and error pages: JSON for the API, HTML for people."""


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


def init_app(app):
    """Register the error handlers."""
    # TODO: register error handlers so that every error answers in the client's format:
    #       JSON ({"error": message, "request_id": ...} with the status) for paths under
    #       /api/ and for clients that prefer application/json, an HTML page in the site's
    #       layout (templates/error.html, with a link home) for everyone else.
    #       - LinklyError and its subclasses: their own status and message;
    #       - werkzeug's HTTPException (404, 405, 400...): its code, name and description,
    #         keeping the headers it carries (a 405's Allow) but not its Content-Type;
    #       - any other Exception: log it with its traceback (app.logger.exception) and
    #         answer 500 with a generic message, never the exception's text or traceback.
