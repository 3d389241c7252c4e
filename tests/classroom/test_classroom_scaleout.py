"""PostgreSQL + Redis/RQ: two real worker processes, one killed -9 mid-job; lanes; re-grade."""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path

import psycopg
import pytest
import requests
from classroom_harness import Classroom
from conftest import bearer

from grader import manifest
from grader.submit import pack

CH1 = manifest.find("ch1")
PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def pg_database():
    name = f"classroom_t_{secrets.token_hex(4)}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wait_until(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.3)
    return predicate()


def test_rq_workers_on_postgres_survive_a_kill_9_and_keep_lanes(tmp_path, pg_database):
    prefix = f"classroom-test-{secrets.token_hex(4)}"
    room = Classroom(tmp_path / "pg", {"DATABASE_URL": pg_database, "REDIS_URL": REDIS,
                                       "CLASSROOM_QUEUE_PREFIX": prefix}).setup().start()
    workers = []
    try:
        # Re-grades of the whole class are queued first on the bulk lane...
        first = []
        for email in ("ada@example.edu", "alan@example.edu", "grace@example.edu"):
            data, _ = pack(CH1.solution_dir)
            r = requests.post(f"{room.url}/api/submissions", headers=bearer(room.tokens[email]),
                              data={"chapter": "ch1"}, files={"archive": ("a.zip", data)},
                              timeout=10)
            assert r.status_code == 201
            first.append(r.json()["id"])
        assert "Queued 3 re-grades" in room.cli("regrade", "ch1").stdout
        # ...then one more student submits: the students' lane must go ahead of the bulk one.
        late = requests.post(f"{room.url}/api/submissions",
                             headers=bearer(room.tokens["kj@example.edu"]),
                             data={"chapter": "ch1"},
                             files={"archive": ("a.zip", pack(CH1.exercise_dir)[0])}, timeout=10)
        assert late.status_code == 201
        workers = [room.worker(), room.worker()]
        # Kill the worker (and its work horse) that holds the first running job.
        assert wait_until(lambda: room.sql("SELECT count(*) FROM jobs WHERE state = 'running'")
                          [0][0] > 0, 60)
        victim_job, owner = room.sql("SELECT id, worker FROM jobs WHERE state = 'running' "
                                     "ORDER BY id LIMIT 1")[0]
        horse = int(owner.split(":")[1])
        # RQ runs each job in a forked "work horse" in its own process group: kill both, as
        # a machine dying would.
        stat = Path(f"/proc/{horse}/stat").read_text()
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        assert parent in (workers[0].pid, workers[1].pid)
        os.killpg(os.getpgid(horse), signal.SIGKILL)
        os.killpg(parent, signal.SIGKILL)
        for w in workers:
            if w.pid == parent:
                w.wait(timeout=10)
        assert wait_until(lambda: room.sql("SELECT count(*) FROM jobs WHERE state NOT IN "
                                           "('done', 'failed')")[0][0] == 0, 120)
        jobs = room.sql("SELECT submission_id, lane, state, attempt, started_at FROM jobs "
                        "ORDER BY id")
        assert len(jobs) == 7 and {j[2] for j in jobs} == {"done"}
        # The killed worker's job was swept back and graded again by the survivor.
        assert room.sql("SELECT attempt FROM jobs WHERE id = :i", i=victim_job)[0][0] >= 2
        subs = room.sql("SELECT id, state, score FROM submissions ORDER BY id")
        assert [s[1] for s in subs] == ["done"] * 4
        assert [s[2] for s in subs][:3] == [9, 9, 9] and subs[3][2] < 9
        interactive = [j for j in jobs if j[1] == "interactive"]
        bulk = [j for j in jobs if j[1] == "bulk"]
        # The last student's job started before at least two of the three earlier re-grades.
        kj_start = interactive[-1][4]
        assert sum(1 for b in bulk if b[4] > kj_start) >= 2
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait(timeout=10)
        room.kill()


def test_a_forked_work_horse_gets_its_own_database_connections(pg_database):
    from sqlalchemy import text

    from classroom import db

    eng = db.engine(pg_database)
    with eng.connect() as conn:  # leaves a pooled connection behind, as a worker would
        parent_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    child = os.fork()
    if child == 0:  # the work horse
        code = 1
        try:
            with db.engine(pg_database).connect() as conn:
                code = 0 if conn.execute(text("SELECT pg_backend_pid()")).scalar() \
                    != parent_pid else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with eng.connect() as conn:  # and the parent's connection still works
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == parent_pid
    eng.dispose()
