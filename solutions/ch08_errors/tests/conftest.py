"""Fixtures: a fresh app with its own database for every test, and its test client."""

import pytest

from linkly import create_app


@pytest.fixture
def app(tmp_path):
    """Return an app in testing mode whose database lives in this test's temp folder."""
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite")})


@pytest.fixture
def client(app):
    """Return a test client: requests without a server, cookies kept between them."""
    return app.test_client()


@pytest.fixture
def link(client):
    """Create one link through the API and return its JSON."""
    r = client.post("/api/links", json={"url": "https://flask.palletsprojects.com/",
                                        "title": "Flask"})
    return r.get_json()
