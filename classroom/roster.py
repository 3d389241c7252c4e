"""The class list: import students from CSV, give each a personal token, re-issue one."""

from __future__ import annotations

import csv
import io
import re

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from classroom.auth import instructor_required, issue_token, token_days
from classroom.db import get_db
from classroom.models import User

bp = Blueprint("roster", __name__, url_prefix="/roster")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_ROWS = 5000


def tokens_page(issued):
    """Show new tokens once: never kept by a browser's or proxy's cache (nor its back button)."""
    resp = make_response(render_template("tokens.html", issued=issued))
    resp.headers["Cache-Control"] = "no-store"
    return resp


class RosterError(ValueError):
    """The CSV cannot be imported as it is; nothing was stored."""


def parse(text: str) -> list[dict]:
    """Read ``name,email[,section]`` rows (header optional); raise RosterError listing problems."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["name", "email"]:
        rows = rows[1:]
    if not rows:
        raise RosterError("the CSV holds no students (expected rows of name,email[,section])")
    if len(rows) > MAX_ROWS:
        raise RosterError(f"the CSV holds {len(rows)} rows; import at most {MAX_ROWS} at once")
    problems, out, seen = [], [], set()
    for n, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if len(cells) < 2 or len(cells) > 3:
            problems.append(f"row {n}: expected name,email[,section], got {len(cells)} fields")
            continue
        name, email = cells[0], cells[1].lower()
        if not name or not EMAIL.fullmatch(email):
            problems.append(f"row {n}: {email or '(empty)'!s} is not an email address"
                            if name else f"row {n}: the name is empty")
            continue
        if email in seen:
            problems.append(f"row {n}: {email} appears twice")
            continue
        seen.add(email)
        out.append({"name": name[:200], "email": email, "section": (cells[2:] or [""])[0][:100]})
    if problems:
        raise RosterError("; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""))
    return out


def import_rows(db, rows: list[dict], days: int) -> list[tuple[User, str | None]]:
    """Add new students (with a token each) and update known ones; return (user, new token)."""
    done = []
    for row in rows:
        user = db.scalar(select(User).where(User.email == row["email"]))
        if user is not None and user.role != "student":
            raise RosterError(f"{row['email']} is an instructor account, not a student")
        token = None
        if user is None:
            user = User(role="student", **row)
            db.add(user)
            token = issue_token(user, days)
        else:
            user.name, user.section = row["name"], row["section"] or user.section
        done.append((user, token))
    db.flush()
    return done


@bp.get("/")
@instructor_required
def index():
    """List the class."""
    students = get_db().scalars(select(User).where(User.role == "student")
                                .order_by(User.section, User.name)).all()
    return render_template("roster.html", students=students)


@bp.post("/import")
@instructor_required
def import_csv():
    """Import students from an uploaded CSV and show their new tokens once."""
    upload = request.files.get("csv")
    raw = upload.read() if upload else b""
    try:
        text = raw.decode("utf-8")
        rows = parse(text)
        db = get_db()
        done = import_rows(db, rows, token_days())
        db.commit()
    except UnicodeDecodeError:
        flash("The CSV is not UTF-8 text; save it as “CSV UTF-8” and try again.")
        return redirect(url_for("roster.index")), 303
    except RosterError as exc:
        get_db().rollback()
        flash(f"Nothing was imported: {exc}.")
        return redirect(url_for("roster.index")), 303
    issued = [(u, t) for u, t in done if t]
    flash(f"Imported {len(done)} students: {len(issued)} new, {len(done) - len(issued)} updated.")
    return tokens_page(issued)


@bp.post("/<int:user_id>/token")
@instructor_required
def reissue(user_id: int):
    """Replace a student's token (the old one stops working) and show the new one once."""
    db = get_db()
    user = db.get(User, user_id)
    if user is None or user.role != "student":
        abort(404)
    token = issue_token(user, token_days())
    db.commit()
    return tokens_page([(user, token)])
