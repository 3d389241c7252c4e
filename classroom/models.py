"""The classroom's tables: people, deadlines, submissions and grading jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)

class Base(DeclarativeBase):
    pass

def aware(value: datetime | None) -> datetime | None:
    """Return ``value`` as aware UTC; SQLite hands naive datetimes back."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)

class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # "instructor" or "student"
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    section: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # sha256 of the personal token: tokens are long and random, so a fast hash is enough
    # and lets us find the student by it.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    submissions: Mapped[list[Submission]] = relationship(back_populates="user")

class Deadline(Base):
    __tablename__ = "deadlines"

    chapter_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    late_hours: Mapped[int] = mapped_column(Integer, default=0)
    late_penalty_pct: Mapped[int] = mapped_column(Integer, default=0)

class Extension(Base):
    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("user_id", "chapter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chapter_id: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_user_chapter", "user_id", "chapter_id"),
                      UniqueConstraint("user_id", "chapter_id", "content_hash",
                                       name="uq_submissions_user_chapter_content"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chapter_id: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    archive: Mapped[str] = mapped_column(String(200))  # file name inside the storage folder
    size: Mapped[int] = mapped_column(Integer)
    client_score: Mapped[int | None] = mapped_column(Integer)  # shown, never trusted
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # queued -> running -> done | failed; the grading jobs move it.
    state: Mapped[str] = mapped_column(String(16), default="queued")
    status: Mapped[str | None] = mapped_column(String(16))  # the results document's status
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int | None] = mapped_column(Integer)
    result_json: Mapped[str | None] = mapped_column(Text)
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="submissions")
    jobs: Mapped[list[Job]] = relationship(back_populates="submission", order_by="Job.id")

    @property
    def result(self) -> dict | None:
        return json.loads(self.result_json) if self.result_json else None

class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_lane", "state", "lane", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    lane: Mapped[str] = mapped_column(String(16), default="interactive")  # or "bulk"
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    enqueued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    submission: Mapped[Submission] = relationship(back_populates="jobs")
