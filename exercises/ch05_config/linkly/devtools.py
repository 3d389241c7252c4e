"""Development helpers: registered only in debug mode, never reachable in production."""

from flask import Blueprint, current_app

bp = Blueprint("devtools", __name__, url_prefix="/debug")

PLAIN_TYPES = (str, int, float, bool, type(None))


@bp.get("/config")
def show_config():
    """Show the running configuration, with every secret masked."""
    shown = {}
    for name, value in sorted(current_app.config.items()):
        # TODO: a setting whose name contains SECRET, KEY, TOKEN or PASSWORD must never be
        #       shown: show only whether it is set.
        shown[name] = value if isinstance(value, PLAIN_TYPES) else repr(value)
    return shown
