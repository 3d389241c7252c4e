"""Default settings: what Linkly uses unless instance/config.py or FLASK_* say otherwise."""

SITE_NAME = "Linkly"
BASE_URL = "http://localhost:5000"
MAX_URL_LENGTH = 2048

# No SECRET_KEY here on purpose: a secret written in code ends up in git history, and a
# default one would let production start with a key everybody knows.
