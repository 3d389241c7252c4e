"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        # Longest URL we agree to shorten; browsers and proxies start failing past ~2 KB.
        MAX_URL_LENGTH=2048,
        # Refuse whole request bodies larger than this before a view ever reads them.
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    from linkly import api, errors, shortlinks, store

    store.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(shortlinks.bp)

    @app.get("/health")
    def health():
        """Tell a monitor that the app is up."""
        return {"status": "ok"}

    return app
