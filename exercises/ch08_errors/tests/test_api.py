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


# TODO: test that POST /api/links with a valid link answers 201, with a Location header that
#       points at the new link, and that GET on that Location returns the same link.
# TODO: test that GET /api/links/<an id that does not exist> answers 404 with a JSON error.
# TODO: test that links whose URL is not http(s) (javascript:alert(1), "not a url", or no
#       URL at all) are refused with 400 and a JSON error, and that nothing was stored.


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
