"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev")
    if test_config is not None:
        app.config.from_mapping(test_config)

    @app.route("/")
    def index():
        """Show the home page."""
        # TODO: return an HTML page whose <h1> heading says "Linkly".
        return "Coming soon"

    # TODO: add a route for GET /health that answers the JSON {"status": "ok"}.
    #       (A view that returns a dict makes Flask send JSON.)

    return app
