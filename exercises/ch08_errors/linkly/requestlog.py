"""Request ids and structured (JSON) logs: one line per request, each with its request id."""

HEADER = "X-Request-ID"


def init_app(app):
    """Log as JSON lines and give every request an id."""
    # TODO: give every request an id: keep the caller's X-Request-ID header when it is short
    #       and plain (letters, digits, ".", "_", "-"; at most 64), otherwise make a new one
    #       (uuid.uuid4().hex). Keep it in g for the request and send it back in the
    #       X-Request-ID response header.
    # TODO: log as JSON, one object per line on stderr, for the "linkly" logger and its
    #       children: python-json-logger's JsonFormatter, plus a logging.Filter that puts the
    #       current request id on every record. Replace the logger's handlers rather than
    #       adding one per create_app() call (tests call it many times).
    # TODO: after each request, log one line ("request") with the method, path, status and
    #       duration.
