"""Send a chapter to the classroom: ``python -m grader login URL TOKEN``, then ``chN --submit``.

The login is kept in .flasklings/classroom.json (or the file named by FLASKLINGS_CLASSROOM).
The server grades every submission itself; what we print as its result comes from it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import requests

from grader import manifest

LOGIN_FILE = manifest.ROOT / ".flasklings" / "classroom.json"
SKIP_DIRS = {"__pycache__", ".venv", "venv", "instance", ".git", ".pytest_cache", "node_modules",
             ".mypy_cache", ".ruff_cache", ".ipynb_checkpoints"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".sqlite", ".db")
MAX_ARCHIVE = 1024 * 1024
WAIT_S = float(os.environ.get("FLASKLINGS_SUBMIT_WAIT", "120"))
TIMEOUT = 15


class SubmitError(Exception):
    """Something the student can fix or retry; the message says what."""


def login_file() -> Path:
    return Path(os.environ.get("FLASKLINGS_CLASSROOM") or LOGIN_FILE)


def content_hash(files: dict[str, bytes]) -> str:
    """Hash a submission by its paths and contents, so re-zipping gives the same receipt."""
    h = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        h.update(path.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def collect(folder: Path) -> dict[str, bytes]:
    """Read the chapter folder's files, leaving out caches, venvs and the instance folder."""
    files: dict[str, bytes] = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if name.endswith(SKIP_SUFFIXES) or path.is_symlink() or not path.is_file():
                continue
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def pack(folder: Path) -> tuple[bytes, str]:
    """Zip ``folder`` and return the archive with its content hash."""
    files = collect(folder)
    if not files:
        raise SubmitError(f"there are no files to submit in {folder}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16  # a regular file, so the server accepts it
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    data = buf.getvalue()
    if len(data) > MAX_ARCHIVE:
        raise SubmitError(f"{folder} packs to {len(data) // 1024} KiB, more than the "
                          f"{MAX_ARCHIVE // 1024} KiB a submission may be; remove large files")
    return data, content_hash(files)


def _load_login() -> dict:
    path = login_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"url": str(data["url"]), "token": str(data["token"])}
    except FileNotFoundError:
        raise SubmitError("you are not logged in to a classroom: run "
                          "`python -m grader login URL TOKEN` with the URL and token your "
                          "instructor gave you") from None
    except (ValueError, KeyError, TypeError, OSError):
        raise SubmitError(f"{path} could not be read; log in again with "
                          "`python -m grader login URL TOKEN`") from None


def _call(method: str, url: str, token: str, **kwargs) -> requests.Response:
    try:
        r = requests.request(method, url, headers={"Authorization": f"Bearer {token}"},
                             timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise SubmitError(f"could not reach the classroom at {url}: {exc.__class__.__name__}") \
            from None
    if r.status_code >= 400:
        try:
            message = r.json().get("error") or r.reason
        except ValueError:
            message = r.reason
        raise SubmitError(f"the classroom refused the request ({r.status_code}): {message}")
    return r


def cmd_login(argv: list[str]) -> int:
    """Check URL and TOKEN against the classroom and remember them."""
    if len(argv) != 2 or argv[0].startswith("-"):
        print("usage: python -m grader login URL TOKEN", file=sys.stderr)
        return 2
    url, token = argv[0].rstrip("/"), argv[1].strip()
    if not url.startswith(("http://", "https://")):
        print(f"grader: {url!r} is not a URL; it starts with http:// or https://",
              file=sys.stderr)
        return 2
    try:
        me = _call("GET", f"{url}/api/me", token).json()
    except SubmitError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 1
    path = login_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # The token is a password: only this user may read the file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url, "token": token}, f)
    print(f"Logged in to {url} as {me['name']} <{me['email']}>.")
    return 0


def _print_result(sub: dict) -> int:
    if sub["state"] == "failed":
        print(f"The server could not grade submission #{sub['id']}: {sub.get('error') or '?'}")
        return 1
    print(f"Server result for #{sub['id']}: {sub['status']}, {sub['score']}/{sub['max_score']}"
          + (f" (late: {sub['effective_score']} counted)" if sub.get("late") else ""))
    for test in sub.get("failed_checks", []):
        print(f"  ✗ {test}")
    return 0 if sub["status"] == "pass" else 1


def submit(chapter, folder: Path, doc: dict) -> int:
    """Upload ``folder`` for ``chapter``, print the receipt, then the server's grade."""
    try:
        login = _load_login()
        archive, digest = pack(Path(folder))
        r = _call("POST", f"{login['url']}/api/submissions", login["token"],
                  data={"chapter": chapter.id, "content_hash": digest,
                        "client_score": str(doc.get("score", ""))},
                  files={"archive": (f"{chapter.id}.zip", archive, "application/zip")})
        sub = r.json()
        again = " (identical to an earlier submission)" if sub.get("duplicate") else ""
        print(f"\nSubmitted {chapter.id}: receipt #{sub['id']}, content sha256 "
              f"{sub['content_hash']}{again}")
        if sub["content_hash"] != digest:
            print("grader: warning: the server's content hash differs from ours", file=sys.stderr)
        print("Waiting for the server's grade…", flush=True)
        deadline = time.monotonic() + WAIT_S
        delay = 0.3
        while sub["state"] in ("queued", "running"):
            if time.monotonic() > deadline:
                print(f"Still {sub['state']} on the server; see {login['url']}/me later.")
                return 0
            time.sleep(delay)
            delay = min(delay * 1.5, 3.0)
            sub = _call("GET", f"{login['url']}/api/submissions/{sub['id']}",
                        login["token"]).json()
        return _print_result(sub)
    except SubmitError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 1
