"""Keep links in memory, safely shared by the dev server's threads."""

import secrets
import string
import threading

from flask import current_app

ALPHABET = string.ascii_letters + string.digits


class LinkStore:
    """Hold links by id; every method is safe to call from several threads at once."""

    def __init__(self):
        self._links = {}
        self._next_id = 1
        # The threaded dev server runs views concurrently: without the lock two requests
        # could read the same next id.
        self._lock = threading.Lock()

    def add(self, url, code=None):
        """Store a new link and return it, or None if ``code`` is already taken."""
        with self._lock:
            taken = {link["code"] for link in self._links.values()}
            if code is None:
                code = self._new_code(taken)
            elif code in taken:
                return None
            link = {"id": self._next_id, "code": code, "url": url}
            self._links[link["id"]] = link
            self._next_id += 1
            return dict(link)

    def get(self, link_id):
        """Return the link with ``link_id``, or None."""
        with self._lock:
            link = self._links.get(link_id)
            return dict(link) if link else None

    def by_code(self, code):
        """Return the link whose short code is ``code``, or None."""
        with self._lock:
            for link in self._links.values():
                if link["code"] == code:
                    return dict(link)
            return None

    def newest(self, limit):
        """Return up to ``limit`` links, newest first."""
        with self._lock:
            return [dict(link) for link in sorted(self._links.values(),
                                                  key=lambda l: l["id"], reverse=True)][:limit]

    def delete(self, link_id):
        """Remove a link; return whether it existed."""
        with self._lock:
            return self._links.pop(link_id, None) is not None

    @staticmethod
    def _new_code(taken):
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(6))
            if code not in taken:
                return code


def init_app(app):
    """Give the app its own store."""
    app.extensions["linkly_store"] = LinkStore()


def get_store():
    """Return the store of the app handling the current request."""
    return current_app.extensions["linkly_store"]
