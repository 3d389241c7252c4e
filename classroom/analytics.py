"""Class analytics per chapter: the checks that fail most, scores, and who has not started."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, redirect, render_template, url_for

from classroom import chapters
from classroom.auth import instructor_required
from classroom.db import get_db
from classroom.gradebook import table

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


@bp.get("/")
@instructor_required
def first():
    """Open the first chapter's analytics."""
    course = chapters.all_chapters()
    if not course:
        abort(404)
    return redirect(url_for("analytics.chapter", chapter_id=course[0].id))


@bp.get("/<chapter_id>")
@instructor_required
def chapter(chapter_id: str):
    """Show where the class stands on one chapter."""
    found = chapters.find(chapter_id)
    if found is None:
        abort(404)
    db = get_db()
    course, rows = table(db)
    failing: Counter = Counter()
    titles: dict[str, str] = {}
    scores: list[int] = []
    not_started = []
    top = found.points
    for user, cells in rows:
        subs = [s for s in user.submissions if s.chapter_id == found.id]
        if not subs:
            not_started.append(user)
            continue
        cell = cells[found.id]
        if cell["best"] is not None:
            scores.append(cell["best"])
            top = max(top, cell["max"] or 0)
        # What each student's latest graded attempt still gets wrong.
        latest = max((s for s in subs if s.result_json),
                     key=lambda s: s.id, default=None)
        for test in (latest.result or {}).get("tests", []) if latest else []:
            titles[test["name"]] = test["title"]
            if test["status"] != "pass":
                failing[test["name"]] += 1
    histogram = Counter(scores)
    bins = [(n, histogram.get(n, 0)) for n in range((top or max(scores, default=0)) + 1)]
    return render_template("analytics.html", chapter=found, chapters=course,
                           failing=[(titles[n], k) for n, k in failing.most_common()],
                           bins=bins, not_started=not_started, graded=len(scores),
                           students=len(rows))
