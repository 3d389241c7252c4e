"""Linkly: a small link shortener that grows chapter by chapter."""

from flask import Flask

from linkly import defaults, links


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set and where."""


def create_app(test_config=None):
    """Create and configure the Linkly app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(defaults)
    if test_config is None:
        # TODO: load the optional instance/config.py, then every FLASK_* environment
        #       variable, so that the environment beats the file and the file beats the
        #       defaults. A missing instance file is not an error.
        pass
    else:
        app.config.from_mapping(test_config)
    require_secret_key(app)

    app.register_blueprint(links.bp)
    # TODO: register devtools.bp (the /debug pages), but only when the app runs in debug mode.
    return app


def require_secret_key(app):
    """Refuse to start without a SECRET_KEY, unless the app is under test."""
    # TODO: when no SECRET_KEY is configured and the app is not TESTING, raise ConfigError
    #       with a message that names SECRET_KEY and says where to set it.
