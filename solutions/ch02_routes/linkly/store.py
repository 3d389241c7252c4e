"""Keep the app's links in memory, with a few examples to start from."""

import secrets
import string
import threading
from dataclasses import dataclass

from flask import current_app

# The examples every new app starts with; the checks rely on the first two.
EXAMPLES = [
    ("flask", "https://flask.palletsprojects.com/"),
    ("py", "https://www.python.org/"),
    ("wsgi", "https://peps.python.org/pep-3333/"),
]
ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Link:
    """One short link: its id, its code and the URL it leads to."""

    id: int
    code: str
    url: str


class LinkStore:
    """Hold one app's links, findable by id and by short code."""

    def __init__(self, examples=EXAMPLES):
        # The development server answers each request in its own thread: adding a link
        # reads and writes two dicts, so one lock keeps ids and codes consistent.
        self._lock = threading.Lock()
        self._by_id: dict[int, Link] = {}
        self._by_code: dict[str, Link] = {}
        for code, url in examples:
            self.add(url, code)

    def add(self, url: str, code: str | None = None) -> Link:
        """Store ``url`` under ``code`` (or a fresh random one) and return the new link."""
        with self._lock:
            while code is None or code in self._by_code:
                code = "".join(secrets.choice(ALPHABET) for _ in range(6))
            link = Link(id=len(self._by_id) + 1, code=code, url=url)
            self._by_id[link.id] = link
            self._by_code[link.code] = link
            return link

    def get(self, link_id: int) -> Link | None:
        """Return the link with this id, or None."""
        return self._by_id.get(link_id)

    def find(self, code: str) -> Link | None:
        """Return the link with this short code, or None."""
        return self._by_code.get(code)

    def all(self) -> list[Link]:
        """Return every link, oldest first."""
        return list(self._by_id.values())


def init_app(app):
    """Give ``app`` its own store, so two apps from create_app() never share links."""
    app.extensions["linkly_store"] = LinkStore()


def get_store() -> LinkStore:
    """Return the store of the app handling the current request."""
    return current_app.extensions["linkly_store"]
