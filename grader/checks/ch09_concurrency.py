"""Chapter 9 checks: an exact click counter under threads and processes, caching, async views.

The counter checks hammer the live app with a bounded number of concurrent requests over
loopback (a few hundred, a few seconds at most) and then read the count back.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from werkzeug.http import parse_cache_control_header

from grader.checking import check, expect_header, expect_status, fail, json_body, pretty_json
from grader.client import AppUnreachable, RecordingClient, RequestHung

CODE = "flask"
TARGET = "https://flask.palletsprojects.com/"
CLICKS = 200
CONCURRENCY = 16
STATS_DELAY = 0.3  # the slow stats query's sleep, as the exercise sets it
PROBE_DELAY = 0.2  # one simulated probe's wait, as the exercise sets it
CLOSE = {"Connection": "close"}  # a fresh connection per request can reach any worker


def read_clicks(client, fresh=False) -> int:
    """Return the click count the app reports for CODE."""
    r = client.get(f"/api/links/{CODE}", headers=CLOSE if fresh else None)
    expect_status(r, 200, why=f"GET /api/links/{CODE} reports the link and its clicks")
    data = json_body(r)
    if not isinstance(data, dict) or type(data.get("clicks")) is not int:
        fail(f"GET /api/links/{CODE} should answer a JSON object with an integer \"clicks\"",
             expected='{"code": "flask", "url": "...", "clicks": 0}', actual=pretty_json(data))
    return data["clicks"]


def hammer(base_url: str, path: str, total: int, fresh: bool) -> Counter:
    """Send ``total`` GETs to ``path`` from CONCURRENCY threads; count the answers."""
    outcomes: Counter = Counter()

    def worker(count: int) -> None:
        # One session per thread: requests.Session is not meant to be shared by threads.
        with RecordingClient(base_url, []) as session:
            for _ in range(count):
                try:
                    r = session.get(path, headers=CLOSE if fresh else None,
                                    allow_redirects=False)
                    outcomes[r.status_code] += 1
                except (RequestHung, AppUnreachable) as exc:
                    outcomes[str(exc)] += 1

    share, extra = divmod(total, CONCURRENCY)
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(worker, [share + (i < extra) for i in range(CONCURRENCY)]))
    return outcomes


def expect_all_redirects(outcomes: Counter, total: int) -> None:
    if outcomes.get(302) != total:
        got = ", ".join(f"{n} × {what}" for what, n in outcomes.most_common())
        fail(f"of {total} concurrent GET /{CODE} requests, not all answered 302 "
             "(look at the app's log below: a lock timeout or a crash under load?)",
             expected=f"{total} × 302", actual=got)


@check(points=1, hints=[
    "Following a short link answers a redirect and counts one click.",
    "After GET /flask, GET /api/links/flask should report one more click.",
])
def test_redirect_counts(client):
    """GET /flask redirects to its target and counts one click."""
    before = read_clicks(client)
    # Session.get follows redirects unless told not to: the target is off this machine.
    r = client.get(f"/{CODE}", allow_redirects=False)
    expect_status(r, 302, 301, 303, 307, 308)
    expect_header(r, "Location", value=TARGET)
    after = read_clicks(client)
    if after != before + 1:
        fail(f"one redirect should add one click to {CODE!r}",
             expected=f"clicks {before + 1}", actual=f"clicks {after}")


@check(points=1, hints=["An unknown short code is a 404, and nothing is counted."])
def test_unknown_code(client):
    """An unknown short code answers 404."""
    expect_status(client.get("/no-such-code"), 404)
    expect_status(client.get("/api/links/no-such-code"), 404)


@check(points=3, hints=[
    ("Under a threaded server, two requests can read the same old count and both write "
    "count + 1: one click is lost. Make the increment one indivisible step."),
    ("Let the database do the arithmetic in a single UPDATE statement that adds one to the "
     "stored value, instead of reading the count into Python and writing it back."),
])
def test_counter_threaded(client, base_url):
    """200 concurrent redirects on the threaded server add exactly 200 clicks."""
    before = read_clicks(client)
    expect_all_redirects(hammer(base_url, f"/{CODE}", CLICKS, fresh=False), CLICKS)
    after = read_clicks(client)
    if after != before + CLICKS:
        fail(f"{CLICKS} concurrent redirects (from {CONCURRENCY} threads) should add "
             f"{CLICKS} clicks; {before + CLICKS - after} were lost"
             if after < before + CLICKS else
             f"{CLICKS} concurrent redirects should add {CLICKS} clicks, not {after - before}",
             expected=f"clicks {before} + {CLICKS} = {before + CLICKS}",
             actual=f"clicks {after}")


@check(points=3, hints=[
    ("Gunicorn runs several worker processes; each has its own copy of every Python "
    "variable, so a counter kept in memory (even behind a lock) is split between them."),
    ("Keep the count where every process sees it: the SQLite database in the instance "
    "folder, updated with one atomic UPDATE."),
])
def test_counter_processes(start_app):
    """Under gunicorn with 3 worker processes, 200 redirects add exactly 200 clicks."""
    app = start_app(server="gunicorn", workers=3)
    client = app.client()
    before = read_clicks(client, fresh=True)
    expect_all_redirects(hammer(app.base_url, f"/{CODE}", CLICKS, fresh=True), CLICKS)
    # Several reads over fresh connections land on different workers: each must agree.
    seen = [read_clicks(client, fresh=True) for _ in range(6)]
    if any(n != before + CLICKS for n in seen):
        fail(f"after {CLICKS} redirects spread over 3 gunicorn workers, reading the count "
             "over fresh connections gave different or wrong answers: each worker process "
             "seems to keep its own count",
             expected=f"clicks {before + CLICKS} every time (it was {before} before)",
             actual="clicks " + ", ".join(map(str, seen)))


def _stats(client, **headers):
    r = client.get("/stats", headers=headers or None)
    return r


def _report(r) -> dict:
    expect_status(r, 200)
    data = json_body(r)
    if not isinstance(data, dict) or not isinstance(data.get("generated_at"), str):
        fail("GET /stats should answer a JSON object with a \"generated_at\" time",
             expected='{"links": 4, "clicks": ..., "top": [...], "generated_at": "..."}',
             actual=pretty_json(data))
    try:
        datetime.fromisoformat(data["generated_at"])
    except ValueError:
        fail("\"generated_at\" should be an ISO 8601 time", expected="2026-01-01T12:00:00+00:00",
             actual=data["generated_at"])
    return data


@check(points=1, hints=[
    ("Cache-Control tells clients how long they may reuse a response; an ETag names this "
    "version of it."),
    "On the response: response.cache_control.max_age = ... and response.add_etag().",
])
def test_stats_cache_headers(client):
    """GET /stats sends Cache-Control with a max-age and an ETag."""
    r = _stats(client)
    _report(r)
    value = expect_header(r, "Cache-Control", contains="max-age")
    max_age = parse_cache_control_header(value).max_age
    if not max_age or max_age <= 0:
        fail("Cache-Control should allow reuse for some seconds", expected="max-age=10",
             actual=f"Cache-Control: {value}")
    expect_header(r, "ETag")


@check(points=2, hints=[
    ("A client that already has the report sends its ETag back in If-None-Match; if the "
    "report has not changed, answer 304 Not Modified with no body."),
    ("Flask does it for you: return response.make_conditional(request) after add_etag(). "
    "The ETag only repeats if the body does: serve the memoised report."),
])
def test_conditional_get(client):
    """Revalidating /stats with its ETag answers 304 with no body; a stale ETag gets 200."""
    r = _stats(client)
    _report(r)
    etag = expect_header(r, "ETag")
    again = _stats(client, **{"If-None-Match": etag})
    expect_status(again, 304, why="the client's copy (its ETag) is still current")
    if again.content:
        fail("a 304 answer must not carry a body", expected="an empty body",
             actual=f"{len(again.content)} bytes")
    other = _stats(client, **{"If-None-Match": '"some-older-version"'})
    expect_status(other, 200, why="an ETag that does not match gets the full report")


@check(points=2, hints=[
    ("The stats query is slow; compute the report once and reuse it for STATS_TTL seconds "
    "instead of redoing the work on every request."),
    ("Keep the report in a cachetools.TTLCache (one per app, guarded by a lock); "
    "\"generated_at\" then stays the same while the cached copy is served."),
])
def test_stats_memoised(client):
    """A second GET /stats is served from the memo: same report, without the slow query."""
    first = _report(_stats(client))
    r = _stats(client)
    second = _report(r)
    took = r.elapsed.total_seconds()
    if second["generated_at"] != first["generated_at"]:
        fail("two GET /stats a moment apart built the report twice (generated_at changed)",
             expected=f"generated_at {first['generated_at']} both times",
             actual=f"generated_at {second['generated_at']} the second time")
    if took >= STATS_DELAY:
        fail(f"the second GET /stats took {took:.2f} s: the slow query ({STATS_DELAY} s) "
             "seems to run again", expected=f"well under {STATS_DELAY} s",
             actual=f"{took:.2f} s")


@check(points=2, hints=[
    ("An async view helps when one request waits on several slow things: start them all, "
    "then wait once."),
    ("await asyncio.gather(*(probe(...) for each link)) instead of awaiting each probe in "
    "turn in a loop."),
])
def test_async_probes(client):
    """GET /api/links/check probes every link concurrently, not one after another."""
    r = client.get("/api/links/check")
    expect_status(r, 200)
    data = json_body(r)
    checked = data.get("checked") if isinstance(data, dict) else None
    if not isinstance(checked, list):
        checked = []
    codes = [item.get("code") for item in checked if isinstance(item, dict)]
    if CODE not in codes:
        fail("GET /api/links/check should list each link's probe result",
             expected='{"checked": [{"code": "flask", "url": "...", "ok": true}, ...]}',
             actual=pretty_json(data))
    took = r.elapsed.total_seconds()
    one_by_one = PROBE_DELAY * len(checked)
    if took >= min(one_by_one * 0.65, PROBE_DELAY * 2.5):
        fail(f"probing {len(checked)} links took {took:.2f} s; one probe waits "
             f"{PROBE_DELAY} s, so one after another takes {one_by_one:.1f} s and "
             f"together about {PROBE_DELAY} s",
             expected=f"about {PROBE_DELAY} s", actual=f"{took:.2f} s")
