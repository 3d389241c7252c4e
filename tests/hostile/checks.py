"""The one check every hostile app is graded with: the home page answers "ok"."""

from grader.checking import check, expect_status


@check(hints=["The hostile apps answer 'ok' only when the sandbox stopped what they tried."])
def test_home(client):
    """The home page answers ok."""
    r = client.get("/", timeout=2)
    expect_status(r, 200)
    assert r.text == "ok", f"the app reported: {r.text[:300]}"
