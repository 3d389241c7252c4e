"""An instructor-only check for chapter 1: kept on the server, never in a submission."""

from grader.checking import check, expect_header, expect_status


@check(points=1, hints=["A dict returned from a view is sent as JSON with its own content type."])
def test_health_is_json(client):
    """GET /health says it is JSON in its Content-Type."""
    r = client.get("/health")
    expect_status(r, 200)
    expect_header(r, "Content-Type", contains="application/json")
