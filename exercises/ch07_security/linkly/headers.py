"""Security headers sent with every response."""


def set_security_headers(response):
    """Add the headers that tell the browser to lock the page down."""
    # TODO: send, on every response, a Content-Security-Policy that allows scripts only from
    #       our own origin (no inline scripts), X-Content-Type-Options: nosniff, and
    #       protection from being framed by other sites (X-Frame-Options or frame-ancestors).
    return response


def init_app(app):
    """Send the security headers with every response the app makes."""
    app.after_request(set_security_headers)
