"""The late policy: when each student's chapter is due, and what a late submission counts for.

On time: the full score. Within the late window after the due time: the score less the
chapter's penalty percentage. After the window: 0, but the submission is kept and graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from classroom.models import Deadline, Extension, aware


@dataclass(frozen=True)
class Policy:
    due_at: datetime | None
    late_hours: int = 0
    penalty_pct: int = 0
    extended: bool = False

    def verdict(self, when: datetime) -> str:
        """Return "on time", "late" or "closed" for a submission made at ``when``."""
        if self.due_at is None or aware(when) <= self.due_at:
            return "on time"
        if aware(when) <= self.due_at + timedelta(hours=self.late_hours):
            return "late"
        return "closed"

    def counted(self, score: int | None, when: datetime) -> int | None:
        """Return the score that counts in the gradebook."""
        if score is None:
            return None
        verdict = self.verdict(when)
        if verdict == "late":
            return round(score * (100 - self.penalty_pct) / 100)
        return 0 if verdict == "closed" else score


def policies(db, user_ids=None) -> dict[tuple[int | None, str], Policy]:
    """Map (user id, chapter id) -> Policy; (None, chapter) holds the class-wide one."""
    out: dict[tuple[int | None, str], Policy] = {}
    base = {d.chapter_id: d for d in db.scalars(select(Deadline))}
    for d in base.values():
        out[(None, d.chapter_id)] = Policy(aware(d.due_at), d.late_hours, d.late_penalty_pct)
    q = select(Extension)
    if user_ids is not None:
        q = q.where(Extension.user_id.in_(list(user_ids)))
    for e in db.scalars(q):
        d = base.get(e.chapter_id)
        out[(e.user_id, e.chapter_id)] = Policy(
            aware(e.due_at), d.late_hours if d else 0, d.late_penalty_pct if d else 0, True)
    return out


def policy_for(table, user_id: int, chapter_id: str) -> Policy:
    return table.get((user_id, chapter_id)) or table.get((None, chapter_id)) or Policy(None)
