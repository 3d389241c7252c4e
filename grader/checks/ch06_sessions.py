"""Chapter 6 checks: sign-in flows over several requests, and attacks on the session cookie.

Each check registers its own user (usernames are random per run), walks the flow with one
client, and where it attacks, replays or forges cookies from a second client.
"""

import hashlib
import secrets
import time
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

from itsdangerous import TimestampSigner

from grader.checking import check, expect_in_body, expect_not_in_body, expect_status, fail

LIFETIME_S = 7 * 24 * 3600


def _creds() -> tuple[str, str]:
    return f"user{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"


def _register(client, username: str, password: str):
    r = client.post("/auth/register", data={"username": username, "password": password})
    if r.status_code >= 400:
        expect_status(r, 200, 201, 302, 303, why="registering a new user with a username and "
                                                 "a password succeeds")
    return r


def _login(client, username: str, password: str):
    return client.post("/auth/login", data={"username": username, "password": password})


def _user(client, live_app) -> tuple[str, str]:
    """Return a registered user of ``live_app``, registering it on first use.

    Password hashing is slow on purpose, so checks that only need *a* user share one.
    """
    if getattr(live_app, "ch6_user", None) is None:
        username, password = _creds()
        _register(client, username, password)
        live_app.ch6_user = (username, password)
    return live_app.ch6_user


def _signed_in_user(client, username: str, password: str, register: bool = True):
    """Log in ``username`` (registering first unless told not to); fail unless /me names them."""
    if register:
        _register(client, username, password)
    r = _login(client, username, password)
    expect_status(r, 200, 302, 303, why="logging in with the right password succeeds")
    _expect_me(client, username, "after logging in")
    return r


def _me(client):
    r = client.get("/me")
    if r.status_code >= 500:
        expect_status(r, 200, 401, why="GET /me must never crash")
    return r


def _expect_me(client, username: str, when: str) -> None:
    r = _me(client)
    expect_status(r, 200, why=f"{when}, GET /me answers who is signed in")
    try:
        data = r.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("username") != username:
        fail(f"GET /me {when} does not name the signed-in user",
             expected=f'{{"username": "{username}"}}', actual=r.text[:200])


def _expect_anonymous(client, when: str) -> None:
    r = _me(client)
    if r.status_code != 401:
        fail(f"GET /me {when} still answers as a signed-in user",
             expected="401 (nobody signed in)", actual=f"{r.status_code} {r.text[:200]}")


def _set_cookies(resp) -> list[str]:
    return resp.raw.headers.getlist("Set-Cookie") if resp.raw is not None else []


def _copy(client, source) -> None:
    """Give ``client`` a copy of every cookie ``source`` holds (what a cookie thief has)."""
    for cookie in source.cookies:
        # Same domain and path, so a refreshed cookie from the app replaces the copy.
        client.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)


def _login_cookies(resp) -> SimpleCookie:
    jar = SimpleCookie()
    for header in _set_cookies(resp):
        try:
            jar.load(header)
        except CookieError:
            fail("the app sent a Set-Cookie header that does not parse", actual=header[:200])
    if not jar:
        fail("logging in set no cookie: the session is not stored in a cookie",
             expected="Set-Cookie: session=…", actual="(no Set-Cookie header)")
    return jar


@check(points=2, hints=[
    ("Registering stores the user; logging in checks the password and remembers the user in "
    "the session; GET /me reads the session."),
    ("POST /auth/register and POST /auth/login take form fields username and password; "
    "GET /me answers {\"username\": ...} when signed in and 401 when not."),
])
def test_register_and_login(client):
    """A user registers, logs in, and GET /me then names them."""
    username, password = _creds()
    _expect_anonymous(client, "before logging in")
    _signed_in_user(client, username, password)
    r = client.post("/auth/register", data={"username": "", "password": ""})
    expect_status(r, 400, why="registering with an empty username and password is refused")


@check(points=1, hints=[
    "A failed login must leave the session signed out; answer the form again with an error.",
    ("Compare with werkzeug.security.check_password_hash(stored_hash, password); the same "
    "message for an unknown user and a wrong password gives away less."),
])
def test_wrong_password_rejected(client, live_app):
    """A wrong password or an unknown user does not sign anyone in."""
    username, password = _user(client, live_app)
    for name, pw in ((username, password + "x"), (username + "x", password)):
        r = _login(client, name, pw)
        if r.status_code >= 500:
            expect_status(r, 200, 400, 401, why="a failed login is not a crash")
        _expect_anonymous(client, f"after a login as {name!r} with a wrong password")


@check(points=2, hints=[
    ("Never store a password: store a salted hash made for passwords, so a stolen database "
    "does not give the passwords away."),
    ("werkzeug.security.generate_password_hash(password) when registering; keep the users in "
    "the SQLite database in app.instance_path."),
])
def test_passwords_hashed(client, live_app):
    """Users are saved in the instance folder, and no password is stored in clear."""
    username, password = _creds()
    _register(client, username, password)
    folder = Path(live_app.env["FLASKLINGS_INSTANCE"])
    files = [p for p in folder.rglob("*") if p.is_file()]
    blobs = {p.name: p.read_bytes() for p in files}
    if not any(username.encode() in b for b in blobs.values()):
        fail("no file in the instance folder holds the new user: store users in a database "
             "under app.instance_path", expected=f"a file mentioning {username!r}",
             actual=", ".join(sorted(blobs)) or "(the instance folder is empty)")
    leaked = sorted(name for name, b in blobs.items() if password.encode() in b)
    if leaked:
        fail("the password is stored in clear", expected="only a password hash is stored",
             actual=f"{password!r} found in {', '.join(leaked)}")


@check(points=1, hints=[
    ("flash() stores a message in the session; get_flashed_messages() in the template shows "
    "it once and removes it."),
    ("After a successful login, flash(f'Welcome back, {username}!') and show flashed messages "
    "in the base template."),
])
def test_flash_shown_once(client, live_app):
    """After login the next page shows "Welcome back", and the one after does not."""
    username, password = _user(client, live_app)
    _signed_in_user(client, username, password, register=False)
    r = client.get("/")
    expect_status(r, 200)
    expect_in_body(r, f"Welcome back, {username}!", why="the flashed message after login")
    expect_not_in_body(client.get("/"), "Welcome back",
                       why="a flashed message is shown once, then gone")


@check(points=1, hints=[
    ("Session cookies should be out of reach of JavaScript and not sent along with other "
    "sites' form posts."),
    "SESSION_COOKIE_HTTPONLY = True and SESSION_COOKIE_SAMESITE = 'Lax' in the app's config.",
])
def test_cookie_flags(client, live_app):
    """The session cookie set at login is HttpOnly and SameSite=Lax (or Strict)."""
    username, password = _user(client, live_app)
    jar = _login_cookies(_signed_in_user(client, username, password, register=False))
    for name, morsel in jar.items():
        if not morsel["httponly"]:
            fail(f"the {name} cookie is readable by JavaScript",
                 expected=f"Set-Cookie: {name}=…; HttpOnly", actual=morsel.OutputString()[-120:])
        if morsel["samesite"].lower() not in ("lax", "strict"):
            fail(f"the {name} cookie has no SameSite=Lax or Strict",
                 expected=f"Set-Cookie: {name}=…; SameSite=Lax",
                 actual=morsel.OutputString()[-120:])


@check(points=1, hints=[
    ("A plain session cookie dies when the browser closes; a permanent session lives for "
    "PERMANENT_SESSION_LIFETIME."),
    "Set session.permanent = True at login and PERMANENT_SESSION_LIFETIME = timedelta(days=7).",
])
def test_permanent_session(client, live_app):
    """The login cookie lasts 7 days (a permanent session)."""
    username, password = _user(client, live_app)
    jar = _login_cookies(_signed_in_user(client, username, password, register=False))
    lifetimes = []
    for morsel in jar.values():
        if morsel["max-age"]:
            lifetimes.append(int(morsel["max-age"]))
        elif morsel["expires"]:
            try:
                lifetimes.append(parsedate_to_datetime(morsel["expires"]).timestamp()
                                 - time.time())
            except (TypeError, ValueError):
                pass
    if not any(abs(s - LIFETIME_S) < 3600 for s in lifetimes):
        fail("the session cookie does not last 7 days",
             expected="Expires (or Max-Age) about 7 days from now",
             actual=", ".join(f"{s / 86400:.2f} days" for s in lifetimes)
             or "no Expires or Max-Age: the cookie ends with the browser")


@check(points=1, hints=[
    ("Secure cookies only travel over HTTPS; production behind HTTPS switches it on through "
    "configuration, never in code that also runs on plain-HTTP development."),
    ("Load FLASK_* variables with app.config.from_prefixed_env(), so "
    "FLASK_SESSION_COOKIE_SECURE=true sets SESSION_COOKIE_SECURE."),
])
def test_secure_cookie_setting(start_app):
    """With FLASK_SESSION_COOKIE_SECURE=true the session cookie is marked Secure."""
    app = start_app(env={"FLASK_SESSION_COOKIE_SECURE": "true"})
    client = app.client()
    username, password = _creds()
    _register(client, username, password)
    jar = _login_cookies(_login(client, username, password))
    for name, morsel in jar.items():
        if not morsel["secure"]:
            fail(f"the {name} cookie is not Secure although FLASK_SESSION_COOKIE_SECURE=true",
                 expected=f"Set-Cookie: {name}=…; Secure", actual=morsel.OutputString()[-120:])


def _forgeries(value: str) -> list[tuple[str, str]]:
    """Return (how, cookie value) pairs an attacker could try from a genuine cookie."""
    out = []
    head, dot, sig = value.rpartition(".")
    if dot and len(sig) > 4:
        i = len(sig) // 2
        swapped = "A" if sig[i] != "A" else "B"
        out.append(("one character of the signature changed",
                    f"{head}.{sig[:i]}{swapped}{sig[i + 1:]}"))
        out.append(("the signature cut off", head))
    contents = value.rsplit(".", 2)[0] if value.count(".") >= 2 else ""
    if contents:
        # Re-sign the genuine contents the way Flask signs sessions, with keys people guess.
        for guess in ("dev", "secret", "changeme"):
            signer = TimestampSigner(guess, salt="cookie-session", key_derivation="hmac",
                                     digest_method=hashlib.sha1)
            out.append((f"the same contents signed with the key {guess!r}",
                        signer.sign(contents).decode()))
    return out


@check(points=2, hints=[
    ("Flask signs the session cookie with SECRET_KEY: anyone can read it, nobody without "
    "the key can change it. Keep the key secret and out of code."),
    ("Use the SECRET_KEY from the configuration (FLASK_SECRET_KEY); never a default like "
    "'dev', and never a cookie you build and trust yourself."),
])
def test_tampered_cookie_rejected(client, live_app):
    """A session cookie that was altered or signed with another key signs nobody in."""
    username, password = _user(client, live_app)
    _signed_in_user(client, username, password, register=False)
    from grader.client import RecordingClient

    cookies = [(c.name, c.value, c.domain, c.path) for c in client.cookies]
    tried = 0
    for name, value, domain, path in cookies:
        for how, forged in _forgeries(value):
            with RecordingClient(live_app.base_url, client.log) as attacker:
                attacker.cookies.set(name, forged, domain=domain, path=path)
                _expect_anonymous(attacker, f"with a forged {name} cookie ({how})")
            tried += 1
    if not tried:
        fail("logging in left no cookie to test", expected="a signed session cookie",
             actual="(no cookies)")


@check(points=1, hints=[
    "Logging out must forget who the user is: clear the session.",
    "POST /auth/logout calls session.clear() (not just removing one key) and redirects.",
])
def test_logout_clears_session(client, live_app):
    """After POST /auth/logout the same browser is signed out."""
    username, password = _user(client, live_app)
    _signed_in_user(client, username, password, register=False)
    r = client.post("/auth/logout")
    expect_status(r, 200, 302, 303, why="POST /auth/logout logs out")
    _expect_anonymous(client, "after logging out")


@check(points=2, hints=[
    ("A signed cookie stays valid wherever a copy of it exists: to end a session for real the "
    "server must remember which sessions are live."),
    ("Store a random session id in the session at login and in a login_session table; check "
    "it on every request; delete the row on logout."),
])
def test_logout_revokes_copied_cookie(client, live_app):
    """A copy of the session cookie taken before logout no longer works after it."""
    from grader.client import RecordingClient

    username, password = _user(client, live_app)
    _signed_in_user(client, username, password, register=False)
    with RecordingClient(live_app.base_url, client.log) as thief:
        _copy(thief, client)
        _expect_me(thief, username, "with a copy of the signed-in cookie")
        expect_status(client.post("/auth/logout"), 200, 302, 303,
                      why="POST /auth/logout logs out")
        _expect_anonymous(thief, "with a copy of the cookie taken before logout")


@check(points=1, hints=[
    ("Logging in should start a new session: a session id known before login (maybe planted "
    "by an attacker) must not stay valid."),
    ("At login, revoke the session id the browser already had, clear the session, then issue "
    "a new id."),
])
def test_login_rotates_session(client, live_app):
    """Logging in again issues a new session and retires the old one."""
    from grader.client import RecordingClient

    username, password = _user(client, live_app)
    _signed_in_user(client, username, password, register=False)
    with RecordingClient(live_app.base_url, client.log) as old:
        _copy(old, client)
        r = _login(client, username, password)
        expect_status(r, 200, 302, 303, why="logging in again succeeds")
        _expect_me(client, username, "after logging in again")
        _expect_anonymous(old, "with the cookie from before the second login")
