"""Gunicorn settings for Linkly in production: `gunicorn -c gunicorn.conf.py 'linkly:create_app()'`."""

import os

# Heroku and Elastic Beanstalk say which port to use in $PORT; elsewhere 8000.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# TODO: choose how many worker processes (and threads) serve requests, and how long a
#       silent worker may take before gunicorn replaces it (timeout).

# TODO: point PROMETHEUS_MULTIPROC_DIR at a folder (unless already set), empty it when
#       gunicorn starts (on_starting), and tell prometheus_client when a worker process
#       exits (child_exit).
