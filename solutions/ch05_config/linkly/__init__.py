"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask

from linkly import defaults, links


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set and where."""


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    # Each source overrides the ones loaded before it: defaults < instance file < environment.
    app.config.from_object(defaults)
    if test_config is None:
        # The instance folder is per deployment and kept out of git, so it may not exist.
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    require_secret_key(app)

    app.register_blueprint(links.bp)
    if app.debug:
        # Imported here so production never even loads the development helpers.
        from linkly import devtools

        app.register_blueprint(devtools.bp)
    return app


def require_secret_key(app):
    """Refuse to start without a SECRET_KEY, unless the app is under test."""
    if app.config.get("SECRET_KEY") or app.testing:
        return
    raise ConfigError(
        "SECRET_KEY is not set. Set the FLASK_SECRET_KEY environment variable, or put "
        "SECRET_KEY = '...' in instance/config.py. Make one with: "
        "python -c 'import secrets; print(secrets.token_hex())'"
    )
