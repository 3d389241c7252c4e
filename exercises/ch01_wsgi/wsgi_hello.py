"""A WSGI application with no framework at all: what Flask builds on."""


def application(environ, start_response):
    """Answer every request with the method and path it asked for."""
    # TODO: read the method and the path from `environ`, and answer
    #       "Hello from plain WSGI! You asked for <METHOD> <PATH>" as text/plain.
    body = b"Hello from plain WSGI!\n"
    start_response("200 OK", [("Content-Type", "text/html")])
    return [body]
