"""Submissions survive a crash: acknowledged work is resumed on restart, dead workers are swept."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import requests
from classroom_harness import Classroom
from conftest import bearer

from grader import manifest
from grader.submit import pack

CH1 = manifest.find("ch1")


def test_kill_9_mid_queue_then_restart_grades_everything_once(tmp_path):
    # No grading before the crash, so every job is still pending when the server dies.
    room = Classroom(tmp_path / "crash", {"CLASSROOM_GRADING_WORKERS": "0"}).setup().start()
    try:
        ids = []
        for email in ("ada@example.edu", "alan@example.edu", "grace@example.edu"):
            data, _ = pack(CH1.solution_dir if email != "alan@example.edu"
                           else CH1.exercise_dir)
            r = requests.post(f"{room.url}/api/submissions", headers=bearer(room.tokens[email]),
                              data={"chapter": "ch1"}, files={"archive": ("a.zip", data)},
                              timeout=10)
            assert r.status_code == 201
            ids.append(r.json()["id"])
        room.kill()  # acknowledged, all still queued: a crash now must lose nothing
        # As if a worker had died mid-job: running, with a heartbeat long stopped.
        stale = datetime.now(UTC) - timedelta(hours=1)
        room.sql("UPDATE jobs SET state = 'running', attempt = 1, heartbeat_at = :t "
                 "WHERE submission_id = :s AND state != 'done'", t=stale, s=ids[-1])
        room.extra_env["CLASSROOM_GRADING_WORKERS"] = "1"
        room.start()
        end = time.monotonic() + 90
        while time.monotonic() < end and room.sql(
                "SELECT count(*) FROM submissions WHERE state NOT IN ('done', 'failed')")[0][0]:
            time.sleep(0.3)
        rows = room.sql("SELECT id, state, score FROM submissions ORDER BY id")
        assert [r[0] for r in rows] == ids
        assert [r[1] for r in rows] == ["done"] * 3
        assert rows[0][2] == 9 and rows[2][2] == 9 and rows[1][2] < 9
        jobs = room.sql("SELECT submission_id, state, attempt FROM jobs ORDER BY id")
        assert len(jobs) == 3 and all(j[1] == "done" for j in jobs)
        swept = next(j for j in jobs if j[0] == ids[-1])
        assert swept[2] >= 2  # it ran again after the sweeper put it back
        assert len(room.stored_files()) == 2  # two distinct contents, stored once each
    finally:
        room.kill()


def test_a_job_that_keeps_dying_fails_after_bounded_retries(tmp_path):
    room = Classroom(tmp_path / "retries").setup()
    data, _ = pack(CH1.solution_dir)
    room.start()
    try:
        r = requests.post(f"{room.url}/api/submissions",
                          headers=bearer(room.tokens["ada@example.edu"]),
                          data={"chapter": "ch1"}, files={"archive": ("a.zip", data)}, timeout=10)
        sub = r.json()["id"]
        room.kill()
        stale = datetime.now(UTC) - timedelta(hours=1)
        room.sql("UPDATE jobs SET state = 'running', attempt = 3, heartbeat_at = :t, "
                 "finished_at = NULL WHERE submission_id = :s", t=stale, s=sub)
        room.sql("UPDATE submissions SET state = 'running', status = NULL, score = NULL, "
                 "result_json = NULL WHERE id = :s", s=sub)
        room.start()
        end = time.monotonic() + 30
        while time.monotonic() < end and room.sql(
                "SELECT state FROM jobs WHERE submission_id = :s", s=sub)[0][0] == "running":
            time.sleep(0.3)
        state, error = room.sql("SELECT state, error FROM jobs WHERE submission_id = :s", s=sub)[0]
        assert state == "failed" and "stopped answering (attempt 3)" in error
        body = requests.get(f"{room.url}/api/submissions/{sub}",
                            headers=bearer(room.tokens["ada@example.edu"]), timeout=10).json()
        assert body["state"] == "failed" and "stopped answering" in body["error"]
    finally:
        room.kill()
