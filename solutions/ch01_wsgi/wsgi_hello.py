"""A WSGI application with no framework at all: what Flask builds on."""


def application(environ, start_response):
    """Answer every request with the method and path it asked for."""
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO") or "/"
    body = f"Hello from plain WSGI! You asked for {method} {path}\n".encode("utf-8")
    start_response("200 OK", [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ])
    return [body]
