"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    # Static files are served from linkly/static/ under /assets/ rather than /static/.
    app = Flask(__name__, instance_relative_config=True, static_url_path="/assets")
    app.config.from_mapping(
        SECRET_KEY="dev",
        # Browsers may reuse a static file for a day without asking; after that they
        # revalidate it with If-None-Match and usually get a tiny 304 back.
        SEND_FILE_MAX_AGE_DEFAULT=24 * 60 * 60,
        MAX_TITLE_LENGTH=200,
        MAX_URL_LENGTH=2048,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    from linkly import errors, filters, pages, shortlinks, store

    store.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(shortlinks.bp)
    return app
