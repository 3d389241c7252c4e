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

    def add(self, url, title):
        """Store a new link under a fresh short code and return it."""
        with self._lock:
            taken = {link["code"] for link in self._links.values()}
            code = self._new_code(taken)
            link = {"id": self._next_id, "code": code, "url": url, "title": title}
            self._links[link["id"]] = link
            self._next_id += 1
            return dict(link)

    def by_code(self, code):
        """Return the link whose short code is ``code``, or None."""
        with self._lock:
            for link in self._links.values():
                if link["code"] == code:
                    return dict(link)
            return None

    def newest(self, query=""):
        """Return the links whose title contains ``query`` (any case), newest first."""
        needle = query.casefold()
        with self._lock:
            found = [dict(link) for link in self._links.values()
                     if needle in link["title"].casefold()]
        return sorted(found, key=lambda link: link["id"], reverse=True)

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
