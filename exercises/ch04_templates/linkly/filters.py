"""Template filters: small formatting helpers for Jinja."""

from urllib.parse import urlsplit


def domain(url):
    """Return the host part of ``url``, without a leading www."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def init_app(app):
    """Make the filters available in every template."""
    app.add_template_filter(domain)
