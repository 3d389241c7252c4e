"""Describe submissions the same way for the API, the student page and the gradebook."""

from __future__ import annotations

from classroom.late import Policy
from classroom.models import Submission


def failed_checks(result: dict | None) -> list[str]:
    if not result:
        return []
    if result.get("outcome"):
        return [f"{result['outcome']['title']}: {result['outcome']['message']}"]
    return [f"{t['title']} — {t.get('message') or t['status']}"
            for t in result.get("tests", []) if t["status"] != "pass"]


def describe(sub: Submission, policy: Policy) -> dict:
    """Return the public summary of ``sub`` (never its hidden checks' code, only results)."""
    verdict = policy.verdict(sub.submitted_at)
    error = ""
    if sub.state == "failed" and sub.jobs:
        error = (sub.jobs[-1].error or "").strip().splitlines()[-1:] or [""]
        error = error[0]
    return {
        "id": sub.id,
        "chapter": sub.chapter_id,
        "content_hash": sub.content_hash,
        "submitted_at": sub.submitted_at.isoformat(),
        "state": sub.state,
        "status": sub.status,
        "score": sub.score,
        "max_score": sub.max_score,
        "client_score": sub.client_score,
        "late": verdict != "on time",
        "verdict": verdict,
        "effective_score": policy.counted(sub.score, sub.submitted_at),
        "failed_checks": failed_checks(sub.result),
        "error": error,
    }
