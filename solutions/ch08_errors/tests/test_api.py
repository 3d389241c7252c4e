"""Tests of Linkly's API and error handling, through the test client."""

import logging


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_list_starts_empty(client):
    assert client.get("/api/links").get_json() == {"links": []}


def test_unknown_page_is_html(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    assert "Back to the home page" in r.text


def test_create_link(client):
    r = client.post("/api/links", json={"url": "https://example.org/", "title": "Example"})
    assert r.status_code == 201
    created = r.get_json()
    assert created["url"] == "https://example.org/"
    assert r.headers["Location"].endswith(f"/api/links/{created['id']}")
    fetched = client.get(r.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_json() == created


def test_unknown_link_is_json_404(client):
    r = client.get("/api/links/12345")
    assert r.status_code == 404
    assert r.is_json
    assert "12345" in r.get_json()["error"]


def test_delete_then_404(client, link):
    assert client.delete(link["href"]).status_code == 204
    assert client.get(link["href"]).status_code == 404
    assert client.delete(link["href"]).status_code == 404


def test_invalid_url_refused(client):
    for body in ({"url": "javascript:alert(1)"}, {"url": "not a url"}, {"title": "no url"}):
        r = client.post("/api/links", json=body)
        assert r.status_code == 400, body
        assert r.get_json()["error"]
    assert client.get("/api/links").get_json() == {"links": []}


def test_bad_json_is_400(client):
    r = client.post("/api/links", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert "error" in r.get_json()


def test_crash_is_500_without_details(tmp_path, caplog):
    from linkly import create_app

    app = create_app({"DATABASE": str(tmp_path / "c.sqlite"), "CRASH_ROUTE": True})
    with caplog.at_level(logging.ERROR, logger="linkly"):
        r = app.test_client().get("/debug/crash", headers={"X-Request-ID": "test-crash-1"})
    assert r.status_code == 500
    assert "hunter2" not in r.text and "Traceback" not in r.text
    assert "test-crash-1" in r.text
    assert any(rec.request_id == "test-crash-1" and rec.exc_info for rec in caplog.records)


def test_request_id(client):
    mine = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["X-Request-ID"] == "abc-123"
    unsafe = client.get("/health", headers={"X-Request-ID": "<script>"})
    assert unsafe.headers["X-Request-ID"] != "<script>"
