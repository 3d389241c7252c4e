"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    # TODO: serve the files of linkly/static/ under the URL /assets/ instead of /static/.
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        # TODO: let browsers cache static files for at least an hour (Flask's config has a
        #       setting for the max-age it sends with them).
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
