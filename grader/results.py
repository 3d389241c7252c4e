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
OUTPUT_CAP = 4000


def head_tail(text: str, limit: int = OUTPUT_CAP) -> str:
    """Return ``text`` cut to at most ``limit`` characters, keeping its head and its tail.

    The tail is where an app's error usually is, so it is never the part that goes.
    """
    if len(text) <= limit:
        return text
    marker = f"\n[... {len(text)} characters, some cut ...]\n"
    keep = max(0, limit - len(marker))
    head = keep // 2
    return text[:head] + marker + text[len(text) - (keep - head):]


def excerpt(text, limit: int) -> str:
    """Return the first ``limit`` characters of ``text`` (bytes are decoded), saying what is cut."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more characters]"


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
            "detail": head_tail(startup_error.detail),
            "output": head_tail(startup_error.output),
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
