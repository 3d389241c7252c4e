"""The results document: one shape for the CLI's --json, the classroom and the gradebook.

{
  "version": 1, "chapter": "ch2", "title": "...", "folder": "exercises/ch02_routes",
  "status": "pass" | "fail" | "error",      # error: nothing could run (the app never started)
  "score": 7, "max_score": 10, "duration_s": 0.41,
  "outcome": null | {"kind": "syntax_error", "title": "...", "message": "...",
                     "detail": "...", "output": "..."},
  "notes": ["..."],                        # what the student should know though it ran
  "tests": [{"name", "title", "status": "pass"|"fail"|"error", "message", "hint", "hints",
             "points", "score", "outcome", "duration_s",
             # on failure, when known:
             "expected", "actual", "exchanges": [...], "server_traceback", "stuck_at", "output"}]
}
"""

from __future__ import annotations

import json

VERSION = 1
STATUSES = ("pass", "fail", "error")
OUTPUT_CAP = 4000


def build(chapter, folder: str, tests: list[dict], duration_s: float,
          startup_error=None, notes: list[str] = ()) -> dict:
    """Assemble the results document from per-check records."""
    outcome = None
    if startup_error is not None:
        from grader.liveapp import OUTCOMES

        outcome = {
            "kind": startup_error.kind,
            "title": OUTCOMES.get(startup_error.kind, startup_error.kind),
            "message": startup_error.message,
            "detail": startup_error.detail[:OUTPUT_CAP],
            "output": startup_error.output[:OUTPUT_CAP],
        }
    max_score = sum(t["points"] for t in tests)
    score = sum(t["score"] for t in tests)
    if outcome is not None:
        status = "error"
    elif tests and all(t["status"] == "pass" for t in tests):
        status = "pass"
    else:
        status = "fail"
    return {
        "version": VERSION,
        "chapter": chapter.id,
        "title": chapter.title,
        "folder": folder,
        "status": status,
        "score": score,
        "max_score": max_score,
        "duration_s": round(duration_s, 3),
        "outcome": outcome,
        "notes": list(notes),
        "tests": tests,
    }


def error_document(chapter, folder: str, kind: str, message: str, duration_s: float = 0.0):
    """A document for a grade that could not even begin (e.g. the folder is missing)."""
    return {
        "version": VERSION, "chapter": chapter.id, "title": chapter.title, "folder": folder,
        "status": "error", "score": 0, "max_score": chapter.points,
        "duration_s": round(duration_s, 3),
        "outcome": {"kind": kind, "title": kind.replace("_", " ").capitalize(),
                    "message": message, "detail": "", "output": ""},
        "notes": [],
        "tests": [],
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)
