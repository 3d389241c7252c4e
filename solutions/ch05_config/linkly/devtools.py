"""Development helpers: registered only in debug mode, never reachable in production."""

from flask import Blueprint, current_app

bp = Blueprint("devtools", __name__, url_prefix="/debug")

SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "KEY")
PLAIN_TYPES = (str, int, float, bool, type(None))


@bp.get("/config")
def show_config():
    """Show the running configuration, with every secret masked."""
    shown = {}
    for name, value in sorted(current_app.config.items()):
        if any(word in name for word in SECRET_WORDS):
            # Even a developer's screen gets shared or screenshotted: say only whether it is set.
            shown[name] = "*** set ***" if value else "*** not set ***"
        else:
            shown[name] = value if isinstance(value, PLAIN_TYPES) else repr(value)
    return shown
